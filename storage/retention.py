"""The retention purge: delete posts older than the keep period, leave a tombstone for each, keep evidence.

A post is kept, whatever its age, while any table other than its own derived data (its engagement
snapshots and its analysis) refers to it: alert posts, alert evidence, officers' relevance labels, and any
table added later. So the purge never needs to know the alerts package, and never touches its rows.
A tombstone (source, id) is left for every purged post, so a later crawl never stores it as new again
(``storage.upsert_posts`` and ``storage.known_post_ids`` read them). Each batch is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, Select, Table, delete, func, select
from sqlalchemy.orm import Session

from storage.daemon_models import Tombstone
from storage.db import Database
from storage.dialects import insert_ignoring_duplicates
from storage.models import Post, complete_metadata

DERIVED_TABLES = frozenset({"engagement_snapshots", "post_analyses"})  # a post's own data, purged with it
BATCH = 1_000


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What one purge did: posts deleted (and tombstoned), and old posts kept because something refers to them."""

    cutoff: datetime
    purged: int
    kept: int


def purge_expired_posts(db: Database, keep_days: int, now: datetime, batch_size: int = BATCH) -> PurgeReport:
    """Delete posts published before ``now - keep_days`` that nothing but their own data refers to."""
    cutoff = now - timedelta(days=keep_days)
    expired = _expired(cutoff, batch_size)
    derived = [table for table in complete_metadata().sorted_tables if table.name in DERIVED_TABLES]
    purged = 0
    while True:
        with db.session() as session:
            done = _purge_batch(session, expired, derived, now)
        purged += done
        if done < batch_size:
            break
    with db.session() as session:
        kept = session.scalar(select(func.count()).select_from(Post).where(Post.published_at < cutoff)) or 0
    return PurgeReport(cutoff, purged, kept)


def protecting_columns() -> list[Column]:
    """Every column outside a post's derived data with a foreign key to ``posts.id``."""
    return [fk.parent for table in complete_metadata().sorted_tables if table.name not in DERIVED_TABLES
            for fk in table.foreign_keys if fk.column.table.name == "posts" and fk.parent.table.name != "posts"]


def _expired(cutoff: datetime, limit: int) -> Select:
    query = select(Post.id, Post.source, Post.source_post_id, Post.published_at).where(Post.published_at < cutoff)
    for column in protecting_columns():
        query = query.where(Post.id.not_in(select(column).where(column.is_not(None))))
    return query.order_by(Post.id).limit(limit)


def _purge_batch(session: Session, expired: Select, derived: list[Table], now: datetime) -> int:
    rows = session.execute(expired).all()
    if not rows:
        return 0
    tombstones = [{"source": row.source, "source_post_id": row.source_post_id, "published_at": row.published_at,
                   "purged_at": now} for row in rows]
    session.execute(insert_ignoring_duplicates(session, Tombstone.__table__), tombstones)
    ids = [row.id for row in rows]
    for table in derived:
        session.execute(delete(table).where(table.c.post_id.in_(ids)))
    session.execute(delete(Post).where(Post.id.in_(ids)))
    return len(rows)
