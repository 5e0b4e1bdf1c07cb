"""``yuqing run``: one APScheduler 3 process that crawls, analyses, alerts, reports and purges, 7×24.

Jobs (fixed ids, ``replace_existing``, ``coalesce``, ``max_instances=1``, ``misfire_grace_time``):
``crawl-<source>`` every ``sources.<source>.interval_minutes`` with jitter (``--replay``: one fixture round per
tick), followed in this warm process by analysis, alert evaluation and an immediate dispatch;
``alerts-tick`` (escalations, reminders, the dispatcher); ``report-weekly`` and the optional ``report-daily``
(``[reports]``, configured timezone); ``retention-purge`` (``[schedule.retention]``).
The briefings and the purge are never lost: they run however late the scheduler gets to them (no misfire grace),
and a live daemon that starts after such a job was due, with no successful run of it since, runs it at once
(catch-up: the Monday briefing is written even when the daemon was down at 08:30).
One daemon per database (a file lock beside a SQLite file, an advisory lock on PostgreSQL); SIGTERM/SIGINT stop
new jobs and let the running ones finish — a crawl within ``[schedule] stop_grace_seconds``, after which its child
is stopped (SIGTERM, then SIGKILL to its process group after ``CRAWL_STOP_GRACE_SECONDS``; its run is recorded
``interrupted``) — then shut the scheduler down (wait=True), record the stop in the heartbeat and release the lock.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
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

CRAWL_STOP_GRACE_SECONDS = 10.0  # SIGTERM → SIGKILL for a crawl child at stop; well within systemd's 90 s
CATCH_UP_LOOKBACK = timedelta(days=8)  # longer than the longest period of a catch-up job (weekly)


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: fixed id, Chinese name for ``yuqing status``, trigger, and the function it runs."""

    id: str
    name: str
    trigger: BaseTrigger
    func: Callable[[], None]
    first_run: datetime | None = None
    catch_up: bool = False  # never skipped as misfired; run at start-up when its last due run did not succeed


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
                     daemon.crawl_job(source), start)
             for source in _crawled_sources(daemon)]
    specs.append(JobSpec("alerts-tick", "预警派发与升级", IntervalTrigger(seconds=config.schedule.alerts_tick_seconds),
                         daemon.recorded("alerts-tick", daemon.alerts_tick)))
    day, (hour, minute) = config.reports.weekly_day, config.reports.weekly_time
    specs.append(JobSpec("report-weekly", "舆情周报", CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=tz),
                         daemon.recorded("report-weekly", daemon.weekly_report), catch_up=True))
    if config.reports.daily_enabled:
        hour, minute = (int(part) for part in config.reports.daily_time.split(":"))
        specs.append(JobSpec("report-daily", "每日舆情", CronTrigger(hour=hour, minute=minute, timezone=tz),
                             daemon.recorded("report-daily", daemon.daily_report), catch_up=True))
    if config.schedule.retention.enabled:
        hour, minute = config.schedule.retention.hour_minute
        specs.append(JobSpec("retention-purge", "过期数据清理", CronTrigger(hour=hour, minute=minute, timezone=tz),
                             daemon.recorded("retention-purge", daemon.purge), catch_up=True))
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
        if spec.catch_up:
            extra["misfire_grace_time"] = None  # however late: a busy daemon still writes the briefing
        scheduler.add_job(spec.func, spec.trigger, id=spec.id, name=spec.name, replace_existing=True, **extra)
    return scheduler


def with_catch_up(daemon: Daemon, specs: list[JobSpec], start: datetime) -> list[JobSpec]:
    """``specs``, each catch-up job missed while the daemon was down (its last due time, on the daemon's clock, has
    passed with no successful run since) set to run once at ``start``."""
    now = daemon.clock.now()
    return [replace(spec, first_run=start) if spec.catch_up and _missed(daemon, spec, now) else spec for spec in specs]


def _missed(daemon: Daemon, spec: JobSpec, now: datetime) -> bool:
    due = last_due(spec.trigger, now)
    if due is not None and not daemon.heartbeat.succeeded_since(spec.id, due):
        log.warning("%s was due at %s and has not run since: running it now", spec.id, due.isoformat())
        return True
    return False


def last_due(trigger: BaseTrigger, now: datetime) -> datetime | None:
    """The latest fire time of ``trigger`` at or before ``now`` (looking back ``CATCH_UP_LOOKBACK``)."""
    due, moment = None, trigger.get_next_fire_time(None, now - CATCH_UP_LOOKBACK)
    while moment is not None and moment <= now:
        due, moment = moment, trigger.get_next_fire_time(moment, moment + timedelta(microseconds=1))
    return due


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

    stop, signalled = threading.Event(), threading.Event()
    _on_signals(stop, signalled)
    db = open_database(options.db_url)
    db_lock = DatabaseLock(db)
    db_lock.acquire()
    try:
        daemon = _daemon(options, db, pipeline_factory(db, options.config), stop, signalled)
        daemon.pipeline.warm()
        if not stop.is_set():
            _serve(daemon, options)
    finally:
        db_lock.release()
        db.dispose()
    return 0


def _daemon(options: RunOptions, db: Any, pipeline: Pipeline, stop: threading.Event, signalled: threading.Event,
            ) -> Daemon:
    from crawlers import run_crawl_subprocess

    plan = None
    if options.replay_dir is not None:
        plan = ReplayPlan(options.replay_dir, replayable_sources(options.replay_dir, options.config.sources))
    return Daemon(options.config, db, _clock(options, plan), Heartbeat(db), pipeline, run_crawl_subprocess,
                  config_file=options.config_file, replay=plan, fixed_now=options.now is not None,
                  exit_after_replay=options.exit_after_replay, stop=stop, signalled=signalled)


def _clock(options: RunOptions, plan: ReplayPlan | None) -> Clock:
    start = options.now or (plan.first_capture() if plan else None)
    return RunningClock(start) if start else WallClock(options.config.tz)


def _serve(daemon: Daemon, options: RunOptions) -> None:
    start = datetime.now(options.config.tz)
    specs = job_specs(daemon, start)
    if daemon.replay is None:  # a replay's clock is the fixtures': nothing was missed
        specs = with_catch_up(daemon, specs, start)
    scheduler = build_scheduler(options.config, specs)
    daemon.heartbeat.started(daemon.clock.now(), "replay" if daemon.replay else "live")
    scheduler.start()
    log.info("yuqing run: %d jobs scheduled", len(scheduler.get_jobs()))
    try:
        while True:
            daemon.heartbeat.beat(daemon.clock.now(), next_runs(scheduler))
            if daemon.stop.wait(options.config.schedule.heartbeat_seconds):
                break
        daemon.heartbeat.beat(daemon.clock.now(), {}, state="stopping")
        _stop_jobs(scheduler, options.config.schedule.stop_grace_seconds if daemon.signalled.is_set() else None)
    finally:
        daemon.heartbeat.stopped(daemon.clock.now())


def _stop_jobs(scheduler: BaseScheduler, finish_grace_s: float | None) -> None:
    """No new jobs; on a signal (``finish_grace_s`` given) running crawls get that long to finish, then are
    stopped (SIGTERM, SIGKILL after ``CRAWL_STOP_GRACE_SECONDS``); then the running jobs finish."""
    from crawlers.runner import stop_crawl_subprocesses, wait_for_crawl_subprocesses

    scheduler.pause()
    if finish_grace_s is not None and not wait_for_crawl_subprocesses(finish_grace_s):
        stopped = stop_crawl_subprocesses(CRAWL_STOP_GRACE_SECONDS)
        log.warning("stopping: %d crawl process(es) still running after %g s were stopped", stopped, finish_grace_s)
    log.info("stopping: waiting for running jobs to finish")
    scheduler.shutdown(wait=True)


def _on_signals(stop: threading.Event, signalled: threading.Event) -> None:
    def handle(signum: int, _frame: Any) -> None:
        log.warning("received %s: finishing the running jobs (crawls within the stop grace), then stopping",
                    signal.Signals(signum).name)
        signalled.set()
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handle)
