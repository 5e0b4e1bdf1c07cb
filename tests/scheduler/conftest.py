"""Daemons for the scheduler tests: a small config, a recording pipeline, a scripted crawl function."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from config import Config, config_from_mapping
from yuqing.daemon.clock import RunningClock
from yuqing.daemon.heartbeat import Heartbeat
from yuqing.daemon.jobs import Daemon

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def make_config(**schedule: Any) -> Config:
    sources = {name: {"spider": "weibo", "interval_minutes": minutes}
               for name, minutes in (("weibo", 15), ("toutiao", 20), ("zhong5", 30))}
    return config_from_mapping({"timezone": "Asia/Shanghai", "sources": sources,
                                "schedule": {"jitter_seconds": 60, "misfire_grace_seconds": 120, **schedule}})


class RecordingPipeline:
    """Stands for analysis + alerts: records the time of each call."""

    def __init__(self) -> None:
        self.after_crawls: list[datetime] = []
        self.ticks: list[datetime] = []
        self.lock = threading.Lock()

    def warm(self) -> None:
        """Nothing to load."""

    def after_crawl(self, now: datetime) -> dict[str, Any]:
        with self.lock:
            self.after_crawls.append(now)
        return {"analysed": 1}

    def tick(self, now: datetime) -> dict[str, Any]:
        self.ticks.append(now)
        return {"sent": 0}


def scripted_crawl(outcomes: dict[str, Callable[[], dict[str, Any]]]) -> Callable[..., list[dict[str, Any]]]:
    """A stand-in for ``run_crawl_subprocess``: each source's outcome function gives its summary or raises."""
    def crawl(sources: list[str], **_options: Any) -> list[dict[str, Any]]:
        return [outcomes[source]() for source in sources]
    return crawl


def ok_summary(source: str) -> Callable[[], dict[str, Any]]:
    return lambda: {"source": source, "status": "ok", "posts_new": 3, "warnings": []}


def planning_daemon(config: Config | None = None) -> Daemon:
    """A daemon only to plan jobs from (no database: its jobs are never run)."""
    return Daemon(config or make_config(), None, RunningClock(START), Heartbeat(None), RecordingPipeline(),
                  scripted_crawl({}))


@pytest.fixture
def make_daemon(db) -> Callable[..., Daemon]:
    def make(outcomes: dict[str, Callable[[], dict[str, Any]]], config: Config | None = None, **options: Any) -> Daemon:
        return Daemon(config or make_config(), db, RunningClock(START), Heartbeat(db), RecordingPipeline(),
                      scripted_crawl(outcomes), **options)
    return make
