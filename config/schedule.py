"""Configuration of ``yuqing run``: jitter, misfire grace, the alert tick, the retention purge, the lock file.

Per-source crawl intervals are ``sources.<name>.interval_minutes``; the crawl timeout is
``crawl.crawl_timeout_minutes``; when the briefings are written is ``[reports]`` (``weekly_schedule``,
``daily_enabled``, ``daily_time``). Everything else the daemon needs is here, in ``[schedule]``.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from config.sources import StrictModel

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def clock_time(value: str, example: str) -> str:
    """``value`` stripped, if it is a 24-hour HH:MM time; else a ValueError citing ``example``."""
    if not _TIME.match(value.strip()):
        raise ValueError(f"expected HH:MM, e.g. '{example}'")
    return value.strip()


class RetentionConfig(StrictModel):
    """The nightly purge of old posts (alert evidence and handling logs are never purged)."""

    enabled: bool = True
    keep_days: int = Field(180, ge=1, description="posts published longer ago than this are purged")
    time: str = Field("03:30", description="daily, HH:MM in the configured timezone")

    @field_validator("time")
    @classmethod
    def _clock(cls, value: str) -> str:
        return clock_time(value, "03:30")

    @property
    def hour_minute(self) -> tuple[int, int]:
        hour, minute = self.time.split(":")
        return int(hour), int(minute)


class ScheduleConfig(StrictModel):
    """How ``yuqing run`` paces its jobs."""

    jitter_seconds: int = Field(60, ge=0, description="each crawl starts up to this many seconds late, at random")
    misfire_grace_seconds: int = Field(300, ge=1, description="a job late by more than this is skipped, not run")
    alerts_tick_seconds: float = Field(30, gt=0, description="alert dispatcher and escalation tick interval")
    heartbeat_seconds: float = Field(30, gt=0, description="how often the daemon records that it is alive")
    replay_interval_seconds: float = Field(5, gt=0, description="--replay: seconds between a source's rounds")
    max_workers: int = Field(8, ge=2, le=64, description="jobs running at the same time (crawls run in parallel)")
    crawl_niceness: int = Field(10, ge=0, le=19, description="CPU niceness of the crawl subprocesses: analysis "
                                "and alerts after a crawl go first, so a notification never waits on other crawls")
    stop_grace_seconds: float = Field(60, ge=0, description="on SIGTERM/SIGINT, how long running crawls may take "
                                      "to finish; then they are stopped (and killed 10 s later)")
    lock_file: str | None = Field(None, description="the daemon's lock file; default: <db file>.run.lock beside "
                                  "the SQLite file, none on PostgreSQL (its advisory lock is per database)")
    retention: RetentionConfig = RetentionConfig()
