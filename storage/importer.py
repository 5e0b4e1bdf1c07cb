"""``yuqing import``: store JSON Lines post records (CONTRACTS.md §1), skipping and reporting bad lines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from storage.db import Database
from storage.posts import UpsertResult, upsert_posts
from storage.records import COUNT_KEYS, PostRecord, RecordError

BATCH_SIZE = 1_000
MAX_COUNT = 2**63 - 1  # a BIGINT column's largest value


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


def import_jsonl(
    db: Database, lines: Iterable[bytes | str], fetched_at: datetime, batch_size: int = BATCH_SIZE
) -> ImportReport:
    """Store every good line (one transaction per batch); a bad line is reported with its 1-based number.

    Blank lines and a byte-order mark are ignored. A (source, id) already stored gets its engagement
    updated, as on a re-crawl.
    """
    report = ImportReport()
    batch: list[PostRecord] = []
    for number, record in parse_lines(lines):
        if isinstance(record, str):
            report.errors.append((number, record))
            continue
        batch.append(record)
        if len(batch) >= batch_size:
            _store(db, batch, fetched_at, report)
            batch = []
    _store(db, batch, fetched_at, report)
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
    record = PostRecord.from_json(data)
    for key in COUNT_KEYS:
        value = getattr(record, key)
        if value is not None and value > MAX_COUNT:
            raise RecordError(f"{key} {value} is too large")
    return record


def _store(db: Database, batch: list[PostRecord], fetched_at: datetime, report: ImportReport) -> None:
    if batch:
        with db.session() as session:
            report.add(upsert_posts(session, batch, fetched_at))
