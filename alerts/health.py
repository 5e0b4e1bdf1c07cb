"""Source-health alerts: a source blocked, refused by robots.txt, failing, empty where posts were expected, with
list pages parsed to nothing (a likely layout change), or with parse failures rising — one alert per (source,
problem), sent to the roster's operator only. A run has several problems at once: blocked pages never hide empty ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import Alert, AlertAction
from alerts.outbox import enqueue
from alerts.roster import operator
from alerts.states import CLOSED_STATES
from config import Config
from storage import CrawlRun, Database, latest_crawl_runs

log = logging.getLogger(__name__)
PROBLEMS = {
    "blocked": "被封禁或拦截（验证码/登录墙）",
    "robots_refused": "robots.txt 不允许抓取",
    "failed": "采集失败",
    "empty": "未采到任何帖子（预期应有）",
    "parse_failures": "解析失败增多（页面格式可能已变）",
    "empty_pages": "有列表页解析为空（页面格式可能已变）",
}


@dataclass
class HealthReport:
    """Source-health alert ids opened, and those closed because the source recovered."""

    opened: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)


def evaluate_source_health(db: Database, config: Config, now: datetime) -> HealthReport:
    """Open an alert per new (source, problem) of the latest crawl runs; close those whose source recovered."""
    report = HealthReport()
    with db.session() as session:
        for run in latest_crawl_runs(session):
            if run.status != "running":
                problems = source_problems(session, config, run)
                _close_recovered(session, run.source, problems, now, report)
                for problem in problems:
                    _raise(session, config, run, problem, now, report)
    return report


def source_problems(session: Session, config: Config, run: CrawlRun) -> list[str]:
    """What is wrong with a finished crawl run, judged against the source's previous run."""
    problems = [run.status] if run.status in PROBLEMS else []
    previous = session.scalars(select(CrawlRun).where(CrawlRun.source == run.source, CrawlRun.id < run.id)
                               .order_by(CrawlRun.id.desc()).limit(1)).first()
    ratio = run.parse_failures / max(run.requests, 1)
    rising = previous is None or run.parse_failures > previous.parse_failures
    if run.parse_failures and rising and ratio >= config.crawl.parse_failure_warn_ratio:
        problems.append("parse_failures")
    if run.empty_pages:
        problems.append("empty_pages")
    return problems


def _raise(session: Session, config: Config, run: CrawlRun, problem: str, now: datetime,
           report: HealthReport) -> None:
    key = f"source:{run.source}:{problem}"
    states = session.scalars(select(Alert.state).where(Alert.dedup_key == key)
                             .order_by(Alert.opened_at, Alert.id)).all()
    if states and states[-1] not in CLOSED_STATES:
        return
    number = 1 + len(states)
    reason = f"{run.source} 最近一次采集（{run.started_at.astimezone(config.tz):%m-%d %H:%M}）{PROBLEMS[problem]}"
    alert = Alert(id=f"S-{run.source}-{problem}-{number}", kind="source_health", dedup_key=key, event_id=None,
                  title=f"信息源异常：{run.source}", level=None, state="new", reason=reason, opened_at=now,
                  updated_at=now, policy_started_at=now, escalation_step=0, reminders_sent=0)
    session.add(alert)
    session.flush()
    session.add(AlertAction(alert_id=alert.id, action="raise", actor="system", at=now, note="",
                            details={"source": run.source, "problem": problem, "crawl_run": run.id}))
    person = operator(config)
    if person is None:
        log.error("source-health alert %s: no roster.operator configured", alert.id)
    enqueue(session, config, alert, [person] if person else [], "source_health", "operator", now)
    report.opened.append(alert.id)


def _close_recovered(session: Session, source: str, problems: list[str], now: datetime,
                     report: HealthReport) -> None:
    prefix = Alert.dedup_key.startswith(f"source:{source}:", autoescape=True)
    query = select(Alert).where(Alert.kind == "source_health", prefix, Alert.state.not_in(CLOSED_STATES))
    for alert in session.scalars(query).all():
        if alert.dedup_key.rsplit(":", 1)[1] not in problems:
            alert.state, alert.closed_at, alert.updated_at = "resolved", now, now
            session.add(AlertAction(alert_id=alert.id, action="resolve", actor="system", at=now, note="信息源已恢复",
                                    details={}))
            report.recovered.append(alert.id)
