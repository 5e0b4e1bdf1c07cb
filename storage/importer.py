"""``yuqing import``: store JSON Lines post records (CONTRACTS.md §1), skipping and reporting bad lines.

A line is bad when it is not a valid record (``parse_line``) or, as a last line of defence, when the
database refuses its record: a batch that fails on a record's values is stored again one record at a time,
so only that line is reported. A database that cannot be written at all (locked past its busy timeout,
unreachable) stops the import with ``ImportAborted`` instead: every line would be "bad" otherwise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError, StatementError

from storage.db import Database
from storage.posts import UpsertResult, upsert_posts
from storage.records import COUNT_KEYS, PostRecord, RecordError

log = logging.getLogger(__name__)

BATCH_SIZE = 1_000
MAX_COUNT = 2**63 - 1  # a BIGINT column's largest value
STORE_ERRORS = (SQLAlchemyError, ValueError, OverflowError)  # ValueError covers UnicodeEncodeError
# PostgreSQL error classes about a value rather than the database: data exception, integrity constraint
# violation, program limit exceeded (e.g. an id too long for the unique index).
REFUSED_VALUE_SQLSTATES = ("22", "23", "54")
NumberedRecord = tuple[int, PostRecord]


@dataclass(slots=True)
class ImportReport:
    """Posts added, posts whose engagement changed, posts already stored as given; bad lines as (line number, why)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def add(self, result: UpsertResult) -> None:
        self.new += result.new
        self.updated += result.updated
        self.unchanged += result.unchanged


class ImportAborted(RuntimeError):
    """The database could not be written at all; ``report`` tells what was done before (those lines are stored)."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report


def import_jsonl(
    db: Database, lines: Iterable[bytes | str], fetched_at: datetime, batch_size: int = BATCH_SIZE
) -> ImportReport:
    """Store every good line (one transaction per batch); a bad line is reported with its 1-based number.

    Blank lines and a byte-order mark are ignored. A (source, id) already stored gets its engagement
    updated, as on a re-crawl. Raises ``ImportAborted`` when the database cannot be written at all.
    """
    report = ImportReport()
    batch: list[NumberedRecord] = []
    for number, record in parse_lines(lines):
        if isinstance(record, str):
            report.errors.append((number, record))
            continue
        batch.append((number, record))
        if len(batch) >= batch_size:
            _store(db, batch, fetched_at, report)
            batch = []
    _store(db, batch, fetched_at, report)
    report.errors.sort()
    return report


def parse_lines(lines: Iterable[bytes | str]) -> Iterator[tuple[int, PostRecord | str]]:
    """Each record line's 1-based number with its record, or with why it is bad; blank lines and a BOM skipped.

    Read a file in binary mode: a bytes line that is not UTF-8 is then reported, never guessed at.
    """
    for number, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as exc:
            yield number, f"not UTF-8 (byte {exc.start + 1} of the line)"
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        try:
            yield number, parse_line(line)
        except ValueError as exc:
            yield number, str(exc)


def parse_line(line: str) -> PostRecord:
    """One JSON Lines record; raises ``ValueError`` (``RecordError`` or a JSON error) saying what is wrong."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise RecordError("invalid JSON: nested too deeply") from None
    record = PostRecord.from_json(data)
    for key in COUNT_KEYS:
        value = getattr(record, key)
        if value is not None and value > MAX_COUNT:
            raise RecordError(f"{key} {value} is too large")
    return record


def _store(db: Database, batch: list[NumberedRecord], fetched_at: datetime, report: ImportReport) -> None:
    """One transaction for the batch; if the database refuses a record's values, one transaction per record."""
    if not batch:
        return
    try:
        _upsert(db, [record for _, record in batch], fetched_at, report)
    except STORE_ERRORS as exc:
        _abort_unless_refused_value(exc, batch[0][0], report)
        log.info("lines %d-%d: a record was refused (%s); storing them one by one",
                 batch[0][0], batch[-1][0], _reason(exc))
        for number, record in batch:
            _store_one(db, number, record, fetched_at, report)


def _store_one(db: Database, number: int, record: PostRecord, fetched_at: datetime, report: ImportReport) -> None:
    try:
        _upsert(db, [record], fetched_at, report)
    except STORE_ERRORS as exc:
        _abort_unless_refused_value(exc, number, report)
        report.errors.append((number, f"not stored: {_reason(exc)}"))


def _upsert(db: Database, records: list[PostRecord], fetched_at: datetime, report: ImportReport) -> None:
    with db.session() as session:
        result = upsert_posts(session, records, fetched_at)
    report.add(result)  # only once committed


def _abort_unless_refused_value(exc: Exception, line: int, report: ImportReport) -> None:
    if not _is_refused_value(exc):
        raise ImportAborted(f"database error at line {line}, import stopped: {_reason(exc)}", report) from exc


def _is_refused_value(exc: Exception) -> bool:
    """Whether ``exc`` is about the values stored (so other records may succeed) rather than the database."""
    if isinstance(exc, DBAPIError):  # the database answered; "locked" or "unreachable" are OperationalErrors
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        return isinstance(exc, (DataError, IntegrityError)) or sqlstate.startswith(REFUSED_VALUE_SQLSTATES)
    if isinstance(exc, StatementError):  # a column type or the driver could not convert a value
        return isinstance(exc.orig, (ValueError, OverflowError))
    return isinstance(exc, (ValueError, OverflowError))


def _reason(exc: Exception) -> str:
    """The first line of the driver's message: never SQLAlchemy's SQL and parameters, which echo the batch."""
    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"
