"""The ``sources`` table: a row per source, created the first time a post or crawl run names it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.dialects import insert_ignoring_duplicates
from storage.models import Source


def ensure_sources(session: Session, names: Iterable[str], now: datetime) -> None:
    """Create the rows of any of ``names`` not yet in ``sources`` (spider unknown until registered)."""
    wanted = set(names)
    known = set(session.scalars(select(Source.name).where(Source.name.in_(wanted))))
    missing = [{"name": name, "spider": None, "created_at": now} for name in sorted(wanted - known)]
    if missing:
        session.execute(insert_ignoring_duplicates(session, Source.__table__), missing)


def register_source(session: Session, name: str, spider: str, now: datetime) -> None:
    """Record which spider crawls ``name``, creating its row if needed."""
    ensure_sources(session, [name], now)
    session.execute(Source.__table__.update().where(Source.name == name).values(spider=spider))
