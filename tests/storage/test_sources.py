"""Source rows: created on first use, and told their spider when a crawl registers it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from storage import Source, register_source
from storage.sources import ensure_sources

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


def sources(db) -> list[tuple[str, str | None, datetime]]:
    with db.session() as session:
        return [(s.name, s.spider, s.created_at) for s in session.scalars(select(Source).order_by(Source.name))]


def test_ensure_sources_creates_only_the_missing_rows(db):
    with db.session() as session:
        ensure_sources(session, ["weibo"], NOW)
        ensure_sources(session, ["weibo", "tianning_gov"], NOW + timedelta(hours=1))
    assert sources(db) == [("tianning_gov", None, NOW + timedelta(hours=1)), ("weibo", None, NOW)]


def test_register_source_records_the_spider_of_new_and_existing_sources(db):
    with db.session() as session:
        ensure_sources(session, ["weibo"], NOW)
        register_source(session, "weibo", "weibo", NOW + timedelta(hours=1))
        register_source(session, "tianning_gov", "generic", NOW + timedelta(hours=1))
    assert sources(db) == [("tianning_gov", "generic", NOW + timedelta(hours=1)), ("weibo", "weibo", NOW)]
