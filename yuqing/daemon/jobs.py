"""The daemon's jobs as plain methods taking their time from the daemon's clock, each recorded in ``job_runs``.

``crawl_job`` runs one source's crawl in a subprocess (killed at the crawl timeout) and then, in this warm
process, analysis and alerting; ``alerts_tick`` runs escalations and the dispatcher; ``weekly_report``,
``daily_report`` and ``purge`` write the briefings and apply retention. A job that raises is recorded as
``failed`` and never stops the others; a crawl that fails or times out is a ``failed`` run of that job only, a
crawl cut short by the daemon's stop an ``interrupted`` one. A replay crawl takes its round (and moves the clock
to the round's capture time) before its run is recorded; once the source's rounds are used up it records nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from config import Config
from storage import Database
from yuqing.daemon.clock import Clock
from yuqing.daemon.heartbeat import Heartbeat
from yuqing.daemon.pipeline import Pipeline
from yuqing.daemon.replay import ReplayPlan

log = logging.getLogger(__name__)

JOB_RUN_KEEP_DAYS = 14
CrawlFn = Callable[..., list[dict[str, Any]]]


@dataclass
class Daemon:
    """Everything a job needs; ``stop`` is set to end the daemon (SIGTERM, or the end of a replay), ``signalled``
    only by SIGTERM/SIGINT, when the running crawls are cut short."""

    config: Config
    db: Database
    clock: Clock
    heartbeat: Heartbeat
    pipeline: Pipeline
    crawl_fn: CrawlFn
    config_file: str | Path | None = None
    replay: ReplayPlan | None = None
    fixed_now: bool = False
    exit_after_replay: bool = False
    stop: threading.Event = field(default_factory=threading.Event)
    signalled: threading.Event = field(default_factory=threading.Event)

    def recorded(self, job_id: str, job: Callable[[], dict[str, Any]]) -> Callable[[], None]:
        """``job`` wrapped to record its run; an exception is logged and recorded, never raised."""
        def run() -> None:
            run_id = self.heartbeat.job_started(job_id, self.clock.now())
            try:
                details = job()
            except Exception as exc:  # noqa: BLE001 - one job's crash must not stop the daemon
                log.exception("job %s failed", job_id)
                details = {"error": f"{type(exc).__name__}: {exc}"}
            self.heartbeat.job_finished(run_id, self.clock.now(), _status(details), details.get("error"), details)
        return run

    def crawl_job(self, source: str) -> Callable[[], None]:
        """The scheduled crawl of ``source``, recorded as ``crawl-<source>`` from the moment its round is taken."""
        def run() -> None:
            options = self._crawl_options(source)
            if options is None:  # replay: every round of this source is done, there is nothing to run or record
                self._stop_if_replayed()
                return
            self.recorded(f"crawl-{source}", lambda: self.crawl(source, options))()
        return run

    def crawl(self, source: str, options: dict[str, Any]) -> dict[str, Any]:
        """Crawl ``source`` with ``options`` (:meth:`_crawl_options`), then analyse and alert at once.

        A crawl that failed because the daemon is stopping is ``interrupted``, and not analysed now (its stored
        posts are analysed after the next crawl).
        """
        summary = self.crawl_fn([source], **options)[0]
        if summary.get("status") == "failed" and self.signalled.is_set():
            reason = "；".join(summary.get("warnings") or [])
            return {"summary": summary, "round": options.get("round_no"), "interrupted": True,
                    "error": f"守护进程停止，爬取被中止：{reason}"}
        # Wall-clock marks for bench/alert_latency.py only (crawl committed → alerts sent); no result uses them.
        details: dict[str, Any] = {"summary": summary, "round": options.get("round_no"), "committed_unix": time.time()}
        details |= self.pipeline.after_crawl(self.clock.now())
        details["after_finished_unix"] = time.time()
        if summary.get("status") == "failed":
            details["error"] = "；".join(summary.get("warnings") or ["爬取失败"])
        self._stop_if_replayed()
        return details

    def _crawl_options(self, source: str) -> dict[str, Any] | None:
        options: dict[str, Any] = {"config_path": self.config_file, "db_url": self.db.url.render_as_string(
            hide_password=False), "timeout_s": self.config.crawl.crawl_timeout_minutes * 60,
            "niceness": self.config.schedule.crawl_niceness}
        if self.replay is None:
            return options | {"now": self.clock.now()}
        round_ = self.replay.take(source)
        if round_ is None:
            return None
        self.clock.advance_to(round_.captured_at)
        moment = self.clock.now() if self.fixed_now else None  # None: the round's own capture time
        return options | {"now": moment, "replay_dir": self.replay.directory, "round_no": round_.number}

    def _stop_if_replayed(self) -> None:
        if self.replay is not None and self.exit_after_replay and self.replay.exhausted():
            self.stop.set()

    def alerts_tick(self) -> dict[str, Any]:
        return self.pipeline.tick(self.clock.now())

    def weekly_report(self) -> dict[str, Any]:
        from reports import WEEKLY_FORMATS, build_weekly, last_complete_week, write_weekly

        now = self.clock.now()
        week = last_complete_week(now, self.config.tz)
        paths = write_weekly(build_weekly(self.db, self.config, week, now), WEEKLY_FORMATS, self._out_dir(),
                             self.config)
        return {"period": week.label, "files": [str(path) for path in paths]}

    def daily_report(self) -> dict[str, Any]:
        from reports import DAILY_FORMATS, build_daily, write_daily, yesterday

        now = self.clock.now()
        day = yesterday(now, self.config.tz)
        paths = write_daily(build_daily(self.db, self.config, day, now), DAILY_FORMATS, self._out_dir(), self.config)
        return {"period": day.label, "files": [str(path) for path in paths]}

    def purge(self) -> dict[str, Any]:
        """Retention: old posts go (tombstoned), evidence stays; old job runs are forgotten too."""
        from storage.retention import purge_expired_posts

        now = self.clock.now()
        report = purge_expired_posts(self.db, self.config.schedule.retention.keep_days, now)
        trimmed = self.heartbeat.trim(now - timedelta(days=JOB_RUN_KEEP_DAYS))
        return {"cutoff": report.cutoff.isoformat(), "purged": report.purged, "kept": report.kept,
                "job_runs_trimmed": trimmed}

    def _out_dir(self) -> Path:
        return Path(self.config.reports.output_dir)


def _status(details: dict[str, Any]) -> str:
    if details.get("interrupted"):
        return "interrupted"
    return "failed" if details.get("error") else "ok"
