"""Analysis and alerting inside the daemon: the Analyzer (models) and the alert channels are built once, warm.

After each crawl the daemon analyses the new posts, raises or updates alerts, checks source health and
sends what is due at once, so an alert does not wait for the next dispatcher tick. The dispatcher's time runs
on from the job's ``now`` (a :class:`RunningClock`), so each claim's lease and each recorded send take the
moment they happen, after the analysis and the sends before them. Analysis is serialised
(one Analyzer, crawls finish in parallel); dispatching is serialised between the after-crawl step and the tick.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from config import Config
from storage import Database
from yuqing.daemon.clock import RunningClock

log = logging.getLogger(__name__)


class Pipeline(Protocol):
    """What the daemon's jobs need from the layers below; each returns JSON-ready details of what it did."""

    def warm(self) -> None: ...

    def after_crawl(self, now: datetime) -> dict[str, Any]: ...

    def tick(self, now: datetime) -> dict[str, Any]: ...


class WarmPipeline:
    """The real pipeline: ``analysis`` then ``alerts``, with the models and channels loaded once."""

    def __init__(self, db: Database, config: Config) -> None:
        self.db = db
        self.config = config
        self._analyzer: Any = None
        self._channels: dict[str, Any] | None = None
        self._analysis_lock = threading.Lock()
        self._dispatch_lock = threading.Lock()

    def warm(self) -> None:
        """Load the analysis models and build the channels (start-up, before the first job)."""
        from alerts.channels import build_channels
        from analysis import Analyzer

        self._analyzer = Analyzer(self.config)
        self._analyzer.warm()
        self._channels = build_channels(self.config)

    def after_crawl(self, now: datetime) -> dict[str, Any]:
        """Analyse new posts, raise/update alerts and source-health alerts, then send what is due."""
        from alerts import evaluate_events, evaluate_source_health
        from analysis.persist import analyse_stored_posts

        clock = RunningClock(now)
        with self._analysis_lock:
            started = time.monotonic()
            analysed = analyse_stored_posts(self.db, self.config, now, self._analyzer)
            analysed_at = time.monotonic()
            raised = evaluate_events(self.db, self.config, analysed.changed_events, now)
            health = evaluate_source_health(self.db, self.config, now)
            raised_at = time.monotonic()
        details = {"analysed": analysed.analysed, "changed_events": len(analysed.changed_events),
                   "alerts_opened": raised.opened, "alerts_escalated": raised.escalated,
                   "health_opened": health.opened, "health_recovered": health.recovered,
                   "analysis_ms": _ms(analysed_at - started), "alerts_ms": _ms(raised_at - analysed_at)}
        details |= self.dispatch(clock.now)
        details["dispatch_ms"] = _ms(time.monotonic() - raised_at)
        return details

    def tick(self, now: datetime) -> dict[str, Any]:
        """Enqueue due escalations and reminders, then send what is due."""
        from alerts import tick

        clock = RunningClock(now)
        escalations = tick(self.db, self.config, now)
        return {"escalated": escalations.escalated, "reminded": escalations.reminded} | self.dispatch(clock.now)

    def dispatch(self, clock: Callable[[], datetime]) -> dict[str, Any]:
        """Send what is due, reading ``clock`` at each claim and each send."""
        from alerts import dispatch_due

        with self._dispatch_lock:
            report = dispatch_due(self.db, self.config, clock, self._channels)
        return {"sent": len(report.sent), "retrying": len(report.retrying), "failed": len(report.failed)}


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
