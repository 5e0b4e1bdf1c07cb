"""The database schema as SQLAlchemy 2 typed models: sources, posts, engagement snapshots, crawl runs, settings.

Other layers' tables live in sibling ``storage/*models.py`` modules and in ``alerts/models.py``, on the
same ``Base``. Every change to any of them needs an Alembic revision in ``storage/migrations/versions``
(a test compares the two).
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship

from storage.types import UTCDateTime, ZlibBytes

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
RUN_MODES = ("live", "replay")
RUN_STATUSES = ("running", "ok", "blocked", "robots_refused", "failed", "empty")
RAW_FORMATS = ("json", "html")
Count = BigInteger


class Base(DeclarativeBase):
    """Declarative base carrying the constraint naming convention Alembic's batch mode relies on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def complete_metadata() -> MetaData:
    """``Base.metadata`` once every table module is imported: each ``storage/*models.py`` and ``alerts.models``.

    The migrations compare against it and the retention purge finds the tables protecting posts in it,
    so neither may depend on what the process happened to import before.
    """
    package = __name__.rpartition(".")[0]
    for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if module.name.endswith("models"):
            importlib.import_module(f"{package}.{module.name}")
    # The one allowed import against the layer direction (storage ← alerts); lazy, so importing storage
    # never imports the alerts package.
    importlib.import_module("alerts.models")
    return Base.metadata


class Source(Base):
    """A place posts come from (``weibo``, ``toutiao``, … or a configured source), created on first use."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    spider: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Post(Base):
    """One post, unique per (source, source_post_id); counts are the latest seen, history is in snapshots."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("source", "source_post_id"),
        Index("ix_posts_source_published_at", "source", "published_at"),
        Index("ix_posts_published_at", "published_at"),
        CheckConstraint(f"raw_format IN {RAW_FORMATS!r}", name="raw_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String, ForeignKey("sources.name"))
    source_post_id: Mapped[str] = mapped_column(String)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    author_hash: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    raw: Mapped[bytes | None] = deferred(mapped_column(ZlibBytes))
    raw_format: Mapped[str | None] = mapped_column(String(8))
    reposts: Mapped[int | None] = mapped_column(Count)
    comments: Mapped[int | None] = mapped_column(Count)
    likes: Mapped[int | None] = mapped_column(Count)
    views: Mapped[int | None] = mapped_column(Count)
    truncated: Mapped[bool] = mapped_column(default=False)

    snapshots: Mapped[list[EngagementSnapshot]] = relationship(
        back_populates="post", order_by="EngagementSnapshot.taken_at", passive_deletes=True
    )

    @property
    def raw_text(self) -> str | None:
        """The raw fragment the post was parsed from, decompressed and decoded (UTF-8, bad bytes replaced)."""
        return None if self.raw is None else self.raw.decode("utf-8", errors="replace")


class EngagementSnapshot(Base):
    """A post's counts as seen at one time: one row when first stored, one more whenever they change."""

    __tablename__ = "engagement_snapshots"
    __table_args__ = (Index("ix_engagement_snapshots_post_id_taken_at", "post_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reposts: Mapped[int | None] = mapped_column(Count)
    comments: Mapped[int | None] = mapped_column(Count)
    likes: Mapped[int | None] = mapped_column(Count)
    views: Mapped[int | None] = mapped_column(Count)

    post: Mapped[Post] = relationship(back_populates="snapshots")


class CrawlRun(Base):
    """One crawl of one source: when, how it ended, and what it saw (see ``storage.crawl_runs.CrawlStats``).

    ``status`` is ``running`` from ``start_crawl_run`` until ``finish_crawl_run``; a run left ``running``
    was killed before it could finish.
    """

    __tablename__ = "crawl_runs"
    __table_args__ = (
        Index("ix_crawl_runs_source_started_at", "source", "started_at"),
        CheckConstraint(f"mode IN {RUN_MODES!r}", name="mode"),
        CheckConstraint(f"status IN {RUN_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String, ForeignKey("sources.name"))
    mode: Mapped[str] = mapped_column(String(8))
    round_no: Mapped[int | None]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    requests: Mapped[int] = mapped_column(default=0)
    responses_by_status: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    posts_new: Mapped[int] = mapped_column(default=0)
    posts_updated: Mapped[int] = mapped_column(default=0)
    parse_failures: Mapped[int] = mapped_column(default=0)
    blocked_pages: Mapped[int] = mapped_column(default=0)
    empty_pages: Mapped[int] = mapped_column(default=0)
    challenges: Mapped[int] = mapped_column(default=0)
    robots_refused: Mapped[int] = mapped_column(default=0)
    missing_fixtures: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)


class Setting(Base):
    """A named value the database keeps about itself (e.g. the fallback author-hash key)."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
