"""The daemon's tables: the tombstones its retention purge leaves, its heartbeat, and the log of its job runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime


class Tombstone(Base):
    """A purged post's (source, id): the store pipeline never takes it as new again."""

    __tablename__ = "tombstones"
    __table_args__ = (UniqueConstraint("source", "source_post_id"),
                      Index("ix_tombstones_source_published_at", "source", "published_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String)
    source_post_id: Mapped[str] = mapped_column(String)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DaemonHeartbeat(Base):
    """One ``yuqing run`` daemon: alive since when, last beat, and each job's next run time."""

    __tablename__ = "daemon_heartbeats"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # running | stopping | stopped
    pid: Mapped[int]
    host: Mapped[str] = mapped_column(String(255))
    mode: Mapped[str] = mapped_column(String(16))  # live | replay
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_runs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class JobRun(Base):
    """One run of one daemon job: when it started and ended, how it ended, and what it did."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_id_started_at", "job_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # running | ok | failed | interrupted
    error: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
