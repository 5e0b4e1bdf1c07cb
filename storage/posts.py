"""Store posts in batches — the hot path of crawling — and answer which posts a source already has.

``upsert_posts`` costs a fixed number of statements per batch, whatever its size: one SELECT of the
batch's known posts, one bulk INSERT of new posts (``ON CONFLICT DO NOTHING``, so a post another writer
stored first is skipped rather than an error), one bulk INSERT of snapshots and bulk UPDATEs by primary key.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import LargeBinary, Update, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from storage.authors import author_hash_key, has_author_refs, hash_author, scrub_raw
from storage.daemon_models import Tombstone
from storage.dialects import insert_ignoring_duplicates
from storage.models import EngagementSnapshot, Post
from storage.records import EngagementSighting, PostRecord
from storage.sources import ensure_sources

log = logging.getLogger(__name__)

Counts = tuple[int | None, int | None, int | None, int | None]
Key = tuple[str, str]
SELECT_CHUNK = 5_000  # keys per SELECT, far below SQLite's and PostgreSQL's bound-parameter limits
RAW_LEVEL = 1  # zlib level of new posts' raw fragments: ~4x faster than the default 6, ~15 % larger
RAW_PARAM = "raw_zlib"


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """What one batch did. ``skipped``: sightings of posts this database does not have (nothing to update)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    snapshots: int = 0
    skipped: int = 0


@dataclass(slots=True)
class _Merged:
    """One (source, id) of the batch: its best full record, if any, and its latest counts."""

    record: PostRecord | None
    counts: Counts


@dataclass(frozen=True, slots=True)
class _Stored:
    id: int
    counts: Counts
    truncated: bool


def upsert_posts(
    session: Session, items: Sequence[PostRecord | EngagementSighting], fetched_at: datetime
) -> UpsertResult:
    """Store a batch: new posts are inserted with a first snapshot; known posts get changed counts and a snapshot.

    A count given as ``None`` (not shown on that page) keeps the stored value. A full ``PostRecord`` for a post
    stored ``truncated`` replaces its title, text and raw fragment. The same post twice in one batch is merged:
    the latest counts win, and a full text wins over a truncated one. A text over ``MAX_TEXT_CHARS`` is stored
    cut there and marked ``truncated`` (``PostRecord.capped``).
    """
    merged = _merge(items)
    if not merged:
        return UpsertResult()
    stored = _stored(session, merged)
    fresh = {key: item for key, item in merged.items() if key not in stored and item.record is not None}
    purged = tombstoned(session, list(fresh))
    fresh = {key: item for key, item in fresh.items() if key not in purged}
    needs_key = any(item.record is not None and (item.record.author_id or has_author_refs(item.record.raw))
                    for item in merged.values())
    key = author_hash_key(session) if needs_key else b""
    inserted = _insert_new(session, fresh, key, fetched_at)
    updated, changed_counts = _update_known(session, stored, merged, key, fetched_at)
    first_counts = [(pk, fresh[post_key].counts) for post_key, pk in inserted.items()]
    _insert_snapshots(session, first_counts + changed_counts, fetched_at)
    result = UpsertResult(
        new=len(inserted),
        updated=updated,
        unchanged=len(stored) - updated + len(fresh) - len(inserted),
        snapshots=len(inserted) + len(changed_counts),
        skipped=len(merged) - len(stored) - len(fresh),
    )
    if result.skipped:
        log.debug("%d engagement sightings of posts not in the database were skipped", result.skipped)
    return result


def known_post_ids(session: Session, source: str, since: datetime | None = None) -> set[str]:
    """The ids of ``source``'s stored (or purged) posts, only those published at or after ``since`` when given."""
    query = select(Post.source_post_id).where(Post.source == source)
    purged = select(Tombstone.source_post_id).where(Tombstone.source == source)
    if since is not None:
        query = query.where(Post.published_at >= since)
        purged = purged.where(Tombstone.published_at >= since)
    return set(session.scalars(query)) | set(session.scalars(purged))


def tombstoned(session: Session, keys: list[Key]) -> set[Key]:
    """Which of ``keys`` were purged by the retention purge (they must never be stored as new again)."""
    found: set[Key] = set()
    columns = (Tombstone.source, Tombstone.source_post_id)
    for start in range(0, len(keys), SELECT_CHUNK):
        query = select(*columns).where(_key_filter(*columns, keys[start:start + SELECT_CHUNK]))
        found.update((row.source, row.source_post_id) for row in session.execute(query))
    return found


def content_hash(title: str, text: str) -> str:
    """SHA-256 of title and text: equal for copies of one post, whatever their source or id."""
    return hashlib.sha256(f"{title}\n{text}".encode("utf-8")).hexdigest()


def raw_format(raw: str | bytes | None) -> str | None:
    """``json`` when the raw fragment is a JSON object or array, else ``html``."""
    if raw is None:
        return None
    head = raw[:64].lstrip()
    return "json" if head[:1] in ("{", "[", b"{", b"[") else "html"


def _merge(items: Iterable[PostRecord | EngagementSighting]) -> dict[Key, _Merged]:
    merged: dict[Key, _Merged] = {}
    for item in items:
        record = item.capped() if isinstance(item, PostRecord) else None
        seen = merged.get((item.source, item.id))
        if seen is None:
            merged[(item.source, item.id)] = _Merged(record, item.counts())
            continue
        seen.counts = _overlay(seen.counts, item.counts())
        if record is not None and not _less_complete(record, seen.record):
            seen.record = record
    return merged


def _less_complete(record: PostRecord, other: PostRecord | None) -> bool:
    return other is not None and record.truncated and not other.truncated


def _overlay(old: Counts, new: Counts) -> Counts:
    return tuple(o if n is None else n for o, n in zip(old, new, strict=True))  # type: ignore[return-value]


def _stored(session: Session, merged: dict[Key, _Merged]) -> dict[Key, _Stored]:
    keys = list(merged)
    found: dict[Key, _Stored] = {}
    columns = (Post.id, Post.source, Post.source_post_id, Post.reposts, Post.comments, Post.likes, Post.views,
               Post.truncated)
    for start in range(0, len(keys), SELECT_CHUNK):
        chunk = keys[start:start + SELECT_CHUNK]
        for row in session.execute(select(*columns).where(_key_filter(Post.source, Post.source_post_id, chunk))):
            found[(row.source, row.source_post_id)] = _Stored(row.id, tuple(row[3:7]), row.truncated)
    return found


def _key_filter(source_column: Any, id_column: Any, keys: list[Key]) -> Any:
    """``(source, id) IN keys``, written per source so that the (source, id) unique index serves it."""
    by_source: dict[str, list[str]] = {}
    for source, post_id in keys:
        by_source.setdefault(source, []).append(post_id)
    return or_(*(and_(source_column == source, id_column.in_(ids)) for source, ids in by_source.items()))


def _insert_new(session: Session, fresh: dict[Key, _Merged], key: bytes, fetched_at: datetime) -> dict[Key, int]:
    if not fresh:
        return {}
    ensure_sources(session, {source for source, _ in fresh}, fetched_at)
    rows = [_post_row(item.record, item.counts, key, fetched_at) for item in fresh.values()]  # type: ignore[arg-type]
    for row in rows:
        row[RAW_PARAM] = _compress(row.pop("raw"))
    table = Post.__table__
    statement = (insert_ignoring_duplicates(session, table).values(raw=bindparam(RAW_PARAM, type_=LargeBinary))
                 .returning(table.c.id, table.c.source, table.c.source_post_id))
    return {(row.source, row.source_post_id): row.id for row in session.execute(statement, rows)}


def _compress(raw: str | bytes | None) -> bytes | None:
    """The raw fragment as ``ZlibBytes`` stores it, compressed at a faster level (any level reads back the same)."""
    if raw is None:
        return None
    return zlib.compress(raw.encode("utf-8") if isinstance(raw, str) else bytes(raw), RAW_LEVEL)


def _post_row(record: PostRecord, counts: Counts, key: bytes, fetched_at: datetime) -> dict[str, Any]:
    author_hash = _author_hash(record, key)
    row = {
        "source": record.source,
        "source_post_id": record.id,
        "url": _clean(record.url),
        "author": _clean(record.author) if record.author is not None else None,
        "author_hash": author_hash,
        "published_at": record.published_at,
        "fetched_at": fetched_at,
        "updated_at": fetched_at,
    }
    return row | _count_columns(counts) | _content(record, key)


def _author_hash(record: PostRecord, key: bytes) -> str | None:
    return hash_author(key, record.source, record.author_id) if record.author_id else None


def _content(record: PostRecord, key: bytes) -> dict[str, Any]:
    """Title, text and the raw fragment as stored: no author id left in it (``storage.authors.scrub_raw``)."""
    title, text = _clean(record.title or ""), _clean(record.text)
    raw, fmt = record.raw, raw_format(record.raw)
    if raw is not None:
        raw = scrub_raw(raw, key, record.source, record.author_id, fmt or "html")
    return {"title": title, "text": text, "content_hash": content_hash(title, text), "truncated": record.truncated,
            "raw": raw, "raw_format": fmt}


def _clean(value: str) -> str:
    """PostgreSQL text cannot hold NUL characters; a page that has them must not fail the batch."""
    return value.replace("\x00", "") if "\x00" in value else value


def _update_known(
    session: Session, stored: dict[Key, _Stored], merged: dict[Key, _Merged], key: bytes, fetched_at: datetime
) -> tuple[int, list[tuple[int, Counts]]]:
    count_rows: list[dict[str, Any]] = []
    text_rows: list[dict[str, Any]] = []
    changed: list[tuple[int, Counts]] = []
    for post_key, row in stored.items():
        item = merged[post_key]
        counts = _overlay(row.counts, item.counts)
        if counts != row.counts:
            changed.append((row.id, counts))
            count_rows.append({"row_id": row.id, "updated_at": fetched_at, **_count_columns(counts)})
        if row.truncated and item.record is not None and not item.record.truncated:
            full_text = _content(item.record, key)
            text_rows.append({"row_id": row.id, "updated_at": fetched_at, **full_text})
    for rows in (count_rows, text_rows):
        if rows:
            session.execute(_update_by_id(rows[0].keys()), rows)
    updated_ids = {row["row_id"] for row in count_rows} | {row["row_id"] for row in text_rows}
    return len(updated_ids), changed


def _update_by_id(columns: Iterable[str]) -> Update:
    table = Post.__table__
    values = {name: bindparam(name) for name in columns if name != "row_id"}
    return update(table).where(table.c.id == bindparam("row_id")).values(values)


def _insert_snapshots(session: Session, counts: list[tuple[int, Counts]], taken_at: datetime) -> None:
    if not counts:
        return
    rows = [{"post_id": pk, "taken_at": taken_at, **_count_columns(values)} for pk, values in counts]
    session.execute(EngagementSnapshot.__table__.insert(), rows)


def _count_columns(counts: Counts) -> dict[str, int | None]:
    return {"reposts": counts[0], "comments": counts[1], "likes": counts[2], "views": counts[3]}

