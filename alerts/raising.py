"""Raise and update alerts from the events analysis changed: one alert per incident, re-notified only when
its level rises, a new alert when a closed incident flares up again; notifications in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.evidence import mark_evidence
from alerts.models import Alert, AlertAction, AlertPost
from alerts.outbox import enqueue
from alerts.roster import TIERS, on_duty
from alerts.silences import SilenceRule, active_silences
from alerts.states import CLOSED_STATES, level_rank
from config import Config
from storage import Database
from storage.analysis_models import Event, PostAnalysisRow
from storage.models import Post

log = logging.getLogger(__name__)
SYSTEM = "system"


@dataclass
class RaiseReport:
    """Alert ids opened or re-notified for a higher level, and event ids a silence held back."""

    opened: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    silenced: list[str] = field(default_factory=list)


def evaluate_events(db: Database, config: Config, event_ids: Iterable[str], now: datetime) -> RaiseReport:
    """Raise or update the alerts of the changed events, with their notifications, in one transaction."""
    report = RaiseReport()
    with db.session() as session:
        silences = active_silences(session, config, now)
        for event_id in event_ids:
            event = session.get(Event, event_id)
            if event is not None and _alert_worthy(session, config, event):
                _evaluate(session, config, event, silences, now, report)
    return report


def _alert_worthy(session: Session, config: Config, event: Event) -> bool:
    """In the district, at or above the configured level, and with at least one alerting post."""
    if not event.in_district or level_rank(event.level) < level_rank(config.alerts.min_level):
        return False
    alerting = select(PostAnalysisRow.post_id).where(PostAnalysisRow.event_id == event.id, PostAnalysisRow.alert)
    return session.scalar(select(func.count()).select_from(alerting.subquery())) > 0


def _evaluate(session: Session, config: Config, event: Event, silences: list[SilenceRule], now: datetime,
              report: RaiseReport) -> None:
    if any(rule.matches(event.event_type, event.place, event.sources) for rule in silences):
        report.silenced.append(event.id)
        return
    alert = latest_alert(session, event.id)
    if alert is None or (alert.state in CLOSED_STATES and _flared_up(session, alert, event)):
        report.opened.append(_open(session, config, event, now).id)
    elif alert.state not in CLOSED_STATES and _update(session, config, alert, event, now):
        report.escalated.append(alert.id)


def latest_alert(session: Session, dedup_key: str) -> Alert | None:
    """The most recently opened alert with this dedup key."""
    query = select(Alert).where(Alert.dedup_key == dedup_key).order_by(Alert.opened_at.desc(), Alert.id.desc())
    return session.scalars(query.limit(1)).first()


def _flared_up(session: Session, alert: Alert, event: Event) -> bool:
    """Whether the event has posts published after the alert was closed that the alert does not hold."""
    known = select(AlertPost.post_id).where(AlertPost.alert_id == alert.id)
    query = (select(func.count()).select_from(PostAnalysisRow).join(Post, Post.id == PostAnalysisRow.post_id)
             .where(PostAnalysisRow.event_id == event.id, Post.published_at > alert.closed_at,
                    PostAnalysisRow.post_id.not_in(known)))
    return session.scalar(query) > 0


def _open(session: Session, config: Config, event: Event, now: datetime) -> Alert:
    number = session.scalar(select(func.count()).where(Alert.dedup_key == event.id)) + 1
    alert = Alert(id=f"A-{event.id}-{number}", kind="incident", dedup_key=event.id, event_id=event.id,
                  title=event.title, level=event.level, state="new", reason=event.reason, opened_at=now,
                  updated_at=now, policy_started_at=now, escalation_step=0, reminders_sent=0)
    session.add(alert)
    session.flush()
    posts = _add_posts(session, alert, event, now)
    mark_evidence(session, alert.id, posts, now)
    _log(session, alert, "raise", now, {"level": event.level, "posts": len(posts)})
    _notify(session, config, alert, "new", now)
    log.info("alert %s opened (%s, %d posts)", alert.id, alert.level, len(posts))
    return alert


def _update(session: Session, config: Config, alert: Alert, event: Event, now: datetime) -> bool:
    """Take in the event's new posts and level; re-notify (True) only when the level rose above the last notice."""
    mark_evidence(session, alert.id, _add_posts(session, alert, event, now), now)
    alert.title, alert.reason, alert.updated_at = event.title, event.reason, now
    if level_rank(event.level) <= level_rank(alert.last_notified_level):
        alert.level = event.level or alert.level
        return False
    _log(session, alert, "level_raised", now, {"from": alert.level, "to": event.level})
    alert.level = event.level
    alert.policy_started_at, alert.escalation_step, alert.reminders_sent = now, 0, 0
    _notify(session, config, alert, "escalated", now)
    return True


def _add_posts(session: Session, alert: Alert, event: Event, now: datetime) -> list[int]:
    """Attach the event's posts the alert does not hold yet; return their ids."""
    known = select(AlertPost.post_id).where(AlertPost.alert_id == alert.id)
    new = list(session.scalars(select(PostAnalysisRow.post_id).where(
        PostAnalysisRow.event_id == event.id, PostAnalysisRow.post_id.not_in(known)).order_by(PostAnalysisRow.post_id)))
    session.add_all(AlertPost(alert_id=alert.id, post_id=post_id, added_at=now) for post_id in new)
    session.flush()
    return new


def _notify(session: Session, config: Config, alert: Alert, kind: str, now: datetime) -> None:
    step, people = on_duty(config, now).tier(0)
    enqueue(session, config, alert, people, kind, TIERS[step], now)
    alert.escalation_step = step
    alert.last_notified_level, alert.last_notified_at = alert.level, now


def _log(session: Session, alert: Alert, action: str, now: datetime, details: dict) -> None:
    session.add(AlertAction(alert_id=alert.id, action=action, actor=SYSTEM, at=now, note="", details=details))
