"""``yuqing run``: one APScheduler 3 process that crawls, analyses, alerts, reports and purges, 7×24.

Jobs (fixed ids, ``replace_existing``, ``coalesce``, ``max_instances=1``, ``misfire_grace_time``):
``crawl-<source>`` every ``sources.<source>.interval_minutes`` with jitter (``--replay``: one fixture round per
tick), followed in this warm process by analysis, alert evaluation and an immediate dispatch;
``alerts-tick`` (escalations, reminders, the dispatcher); ``report-weekly`` and the optional ``report-daily``
(``[reports]``, configured timezone); ``retention-purge`` (``[schedule.retention]``).
One daemon per database (a file lock beside a SQLite file, an advisory lock on PostgreSQL); SIGTERM/SIGINT let
the running jobs finish, shut the scheduler down (wait=True), record the stop in the heartbeat and release the
lock.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from config import Config
from yuqing.daemon.clock import Clock, RunningClock, WallClock
from yuqing.daemon.heartbeat import Heartbeat
from yuqing.daemon.jobs import Daemon
from yuqing.daemon.lock import DatabaseLock, InstanceLock, lock_path
from yuqing.daemon.pipeline import Pipeline, WarmPipeline
from yuqing.daemon.replay import ReplayPlan, replayable_sources

log = logging.getLogger("yuqing.scheduler")


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: fixed id, Chinese name for ``yuqing status``, trigger, and the function it runs."""

    id: str
    name: str
    trigger: BaseTrigger
    func: Callable[[], None]
    first_run: datetime | None = None


@dataclass(frozen=True)
class RunOptions:
    """What ``yuqing run`` was asked for."""

    config: Config
    db_url: str
    config_file: Path | None = None
    replay_dir: Path | None = None
    now: datetime | None = None
    exit_after_replay: bool = False


def job_specs(daemon: Daemon, start: datetime) -> list[JobSpec]:
    """Every job of the daemon; crawls first run at ``start`` (wall clock), the rest by their triggers."""
    config, tz = daemon.config, daemon.config.tz
    specs = [JobSpec(f"crawl-{source}", f"采集 {source}", _crawl_trigger(config, source, daemon.replay is not None),
                     daemon.recorded(f"crawl-{source}", lambda s=source: daemon.crawl(s)), start)
             for source in _crawled_sources(daemon)]
    specs.append(JobSpec("alerts-tick", "预警派发与升级", IntervalTrigger(seconds=config.schedule.alerts_tick_seconds),
                         daemon.recorded("alerts-tick", daemon.alerts_tick)))
    day, (hour, minute) = config.reports.weekly_day, config.reports.weekly_time
    specs.append(JobSpec("report-weekly", "舆情周报", CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=tz),
                         daemon.recorded("report-weekly", daemon.weekly_report)))
    if config.reports.daily_enabled:
        hour, minute = (int(part) for part in config.reports.daily_time.split(":"))
        specs.append(JobSpec("report-daily", "每日舆情", CronTrigger(hour=hour, minute=minute, timezone=tz),
                             daemon.recorded("report-daily", daemon.daily_report)))
    if config.schedule.retention.enabled:
        hour, minute = config.schedule.retention.hour_minute
        specs.append(JobSpec("retention-purge", "过期数据清理", CronTrigger(hour=hour, minute=minute, timezone=tz),
                             daemon.recorded("retention-purge", daemon.purge)))
    return specs


def _crawled_sources(daemon: Daemon) -> list[str]:
    return daemon.replay.sources if daemon.replay is not None else list(daemon.config.enabled_sources())


def _crawl_trigger(config: Config, source: str, replay: bool) -> IntervalTrigger:
    if replay:
        return IntervalTrigger(seconds=config.schedule.replay_interval_seconds)
    return IntervalTrigger(minutes=config.sources[source].interval_minutes, jitter=config.schedule.jitter_seconds or None)


def build_scheduler(config: Config, specs: list[JobSpec], scheduler_class: type[BaseScheduler] = BackgroundScheduler,
                    ) -> BaseScheduler:
    """An APScheduler 3 scheduler holding ``specs`` with the daemon's job defaults."""
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": config.schedule.misfire_grace_seconds}
    scheduler = scheduler_class(executors={"default": ThreadPoolExecutor(config.schedule.max_workers)},
                                job_defaults=defaults, timezone=config.tz)
    for spec in specs:
        extra: dict[str, Any] = {"next_run_time": spec.first_run} if spec.first_run else {}
        scheduler.add_job(spec.func, spec.trigger, id=spec.id, name=spec.name, replace_existing=True, **extra)
    return scheduler


def next_runs(scheduler: BaseScheduler) -> dict[str, datetime | None]:
    return {job.id: job.next_run_time for job in scheduler.get_jobs()}


def run_daemon(options: RunOptions, pipeline_factory: Callable[..., Pipeline] = WarmPipeline) -> int:
    """Run until SIGTERM/SIGINT (or the end of a replay with ``exit_after_replay``); the exit code.

    Raises ``yuqing.daemon.lock.AlreadyRunning`` before doing anything when another daemon holds the lock.
    """
    lock = InstanceLock(lock_path(options.config, options.db_url))
    lock.acquire()
    try:
        return _run_locked(options, pipeline_factory)
    finally:
        lock.release()


def _run_locked(options: RunOptions, pipeline_factory: Callable[..., Pipeline]) -> int:
    from storage import open_database

    stop = threading.Event()
    _on_signals(stop)
    db = open_database(options.db_url)
    db_lock = DatabaseLock(db)
    db_lock.acquire()
    try:
        daemon = _daemon(options, db, pipeline_factory(db, options.config), stop)
        daemon.pipeline.warm()
        if not stop.is_set():
            _serve(daemon, options)
    finally:
        db_lock.release()
        db.dispose()
    return 0


def _daemon(options: RunOptions, db: Any, pipeline: Pipeline, stop: threading.Event) -> Daemon:
    from crawlers import run_crawl_subprocess

    plan = None
    if options.replay_dir is not None:
        plan = ReplayPlan(options.replay_dir, replayable_sources(options.replay_dir, options.config.sources))
    return Daemon(options.config, db, _clock(options, plan), Heartbeat(db), pipeline, run_crawl_subprocess,
                  config_file=options.config_file, replay=plan, fixed_now=options.now is not None,
                  exit_after_replay=options.exit_after_replay, stop=stop)


def _clock(options: RunOptions, plan: ReplayPlan | None) -> Clock:
    start = options.now or (plan.first_capture() if plan else None)
    return RunningClock(start) if start else WallClock(options.config.tz)


def _serve(daemon: Daemon, options: RunOptions) -> None:
    tz = options.config.tz
    scheduler = build_scheduler(options.config, job_specs(daemon, datetime.now(tz)))
    daemon.heartbeat.started(daemon.clock.now(), "replay" if daemon.replay else "live")
    scheduler.start()
    log.info("yuqing run: %d jobs scheduled", len(scheduler.get_jobs()))
    try:
        while True:
            daemon.heartbeat.beat(daemon.clock.now(), next_runs(scheduler))
            if daemon.stop.wait(options.config.schedule.heartbeat_seconds):
                break
        log.info("stopping: waiting for running jobs to finish")
        daemon.heartbeat.beat(daemon.clock.now(), {}, state="stopping")
        scheduler.shutdown(wait=True)
    finally:
        daemon.heartbeat.stopped(daemon.clock.now())


def _on_signals(stop: threading.Event) -> None:
    def handle(signum: int, _frame: Any) -> None:
        log.warning("received %s: finishing the running jobs, then stopping", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handle)
