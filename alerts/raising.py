"""Raise and update alerts from the events analysis changed: one alert per incident, re-notified only when
its level rises, a new alert when a closed incident flares up again; notifications in the same transaction.

Two evaluations of one event (the daemon's, a manual ``yuqing analyze``) run one after the other under
``lock_alerts``: the second reads the alert the first opened or raised, and pages nobody again.

The changed events are read in a few batched queries (events, their alerting flag, their posts, their alerts and
the posts those alerts hold), so the time to raise stays small however many events one crawl touched.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.escalation import lock_alerts
from alerts.evidence import mark_evidence
from alerts.models import Alert, AlertAction, AlertPost
from alerts.outbox import enqueue
from alerts.roster import TIERS, Duty, on_duty
from alerts.silences import SilenceRule, active_silences
from alerts.states import CLOSED_STATES, level_rank
from config import Config
from storage import Database
from storage.analysis_models import Event, PostAnalysisRow
from storage.models import Post

log = logging.getLogger(__name__)
SYSTEM = "system"
CHUNK = 500  # event ids per IN (…) list, well under every backend's bound-parameter limit


@dataclass
class RaiseReport:
    """Alert ids opened or re-notified for a higher level, and event ids a silence held back."""

    opened: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    silenced: list[str] = field(default_factory=list)


@dataclass
class _Batch:
    """What the evaluation of a chunk of events reads up front, and the evidence it marks at the end."""

    now: datetime
    duty: Duty
    silences: list[SilenceRule]
    history: dict[str, list[Alert]]  # dedup key (= event id) → its alerts, oldest first
    members: dict[str, list[int]]  # event id → its post ids, ascending
    held: dict[str, set[int]]  # alert id → the post ids it holds
    evidence: dict[str, list[int]] = field(default_factory=dict)


def evaluate_events(db: Database, config: Config, event_ids: Iterable[str], now: datetime) -> RaiseReport:
    """Raise or update the alerts of the changed events, with their notifications, in one transaction.

    Events of the last event window that were never raised to their level are evaluated too: the analysis
    commits before this runs, so a crash in between (or in here) would otherwise leave an incident unalerted.
    """
    report = RaiseReport()
    wanted = list(dict.fromkeys(event_ids))
    with db.session() as session:
        lock_alerts(session)
        silences, duty = active_silences(session, config, now), on_duty(config, now)
        missed = _missed(session, config, now, silences, set(wanted))
        if missed:
            log.warning("raising %d alert-worthy events an earlier run analysed but did not alert", len(missed))
        for chunk in _chunks(wanted + missed):
            events = _alert_worthy(session, config, chunk)
            if not events:
                continue
            batch = _load(session, events, now, duty, silences)
            for event in events:
                _evaluate(session, config, event, batch, report)
            mark_evidence(session, batch.evidence, now)
    return report


def _missed(session: Session, config: Config, now: datetime, silences: list[SilenceRule], known: set[str]) -> list[str]:
    """Unsilenced alert-worthy events of the event window whose alert is missing or below their level."""
    since = now - timedelta(hours=config.analysis.event_window_hours)
    recent = (select(Event.id).where(Event.in_district, Event.level.is_not(None), Event.updated_at >= since)
              .order_by(Event.first_seen, Event.id))
    ids = [event_id for event_id in session.scalars(recent) if event_id not in known]
    missed = []
    for chunk in _chunks(ids):
        events = [event for event in _alert_worthy(session, config, chunk) if not _silenced(event, silences)]
        latest: dict[str, Alert] = {}
        for alert in session.scalars(select(Alert).where(Alert.dedup_key.in_(chunk)).order_by(Alert.opened_at)):
            latest[alert.dedup_key] = alert
        missed += [event.id for event in events if _behind(latest.get(event.id), event)]
    return missed


def _behind(alert: Alert | None, event: Event) -> bool:
    if alert is None:
        return True
    return alert.state not in CLOSED_STATES and level_rank(event.level) > level_rank(alert.last_notified_level)


def _silenced(event: Event, silences: list[SilenceRule]) -> bool:
    return any(rule.matches(event.event_type, event.place, event.sources) for rule in silences)


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _alert_worthy(session: Session, config: Config, event_ids: list[str]) -> list[Event]:
    """The events (in the given order) in the district, at or above the configured level, with an alerting post."""
    alerting = select(PostAnalysisRow.event_id).where(PostAnalysisRow.event_id.in_(event_ids), PostAnalysisRow.alert)
    query = select(Event).where(Event.id.in_(event_ids), Event.in_district, Event.id.in_(alerting))
    floor = level_rank(config.alerts.min_level)
    found = {event.id: event for event in session.scalars(query) if level_rank(event.level) >= floor}
    return [found[event_id] for event_id in event_ids if event_id in found]


def _load(session: Session, events: list[Event], now: datetime, duty: Duty, silences: list[SilenceRule]) -> _Batch:
    """The events' alerts, their posts, and the posts their latest alerts hold: three queries for the chunk."""
    ids = [event.id for event in events]
    history: dict[str, list[Alert]] = defaultdict(list)
    for alert in session.scalars(select(Alert).where(Alert.dedup_key.in_(ids)).order_by(Alert.opened_at, Alert.id)):
        history[alert.dedup_key].append(alert)
    members: dict[str, list[int]] = defaultdict(list)
    rows = session.execute(select(PostAnalysisRow.event_id, PostAnalysisRow.post_id)
                           .where(PostAnalysisRow.event_id.in_(ids)).order_by(PostAnalysisRow.post_id))
    for event_id, post_id in rows:
        members[event_id].append(post_id)
    return _Batch(now, duty, silences, history, members, _held(session, [alerts[-1].id for alerts in history.values()]))


def _held(session: Session, alert_ids: list[str]) -> dict[str, set[int]]:
    held: dict[str, set[int]] = defaultdict(set)
    if alert_ids:
        for alert_id, post_id in session.execute(select(AlertPost.alert_id, AlertPost.post_id)
                                                 .where(AlertPost.alert_id.in_(alert_ids))):
            held[alert_id].add(post_id)
    return held


def _evaluate(session: Session, config: Config, event: Event, batch: _Batch, report: RaiseReport) -> None:
    if _silenced(event, batch.silences):
        report.silenced.append(event.id)
        return
    alerts = batch.history[event.id]
    alert = alerts[-1] if alerts else None
    if alert is None or (alert.state in CLOSED_STATES and _flared_up(session, alert, event)):
        report.opened.append(_open(session, config, event, len(alerts) + 1, batch).id)
    elif alert.state not in CLOSED_STATES and _update(session, config, alert, event, batch):
        report.escalated.append(alert.id)


def _flared_up(session: Session, alert: Alert, event: Event) -> bool:
    """Whether the event has posts published after the alert was closed that the alert does not hold."""
    known = select(AlertPost.post_id).where(AlertPost.alert_id == alert.id)
    query = (select(func.count()).select_from(PostAnalysisRow).join(Post, Post.id == PostAnalysisRow.post_id)
             .where(PostAnalysisRow.event_id == event.id, Post.published_at > alert.closed_at,
                    PostAnalysisRow.post_id.not_in(known)))
    return session.scalar(query) > 0


def _open(session: Session, config: Config, event: Event, number: int, batch: _Batch) -> Alert:
    now = batch.now
    alert = Alert(id=f"A-{event.id}-{number}", kind="incident", dedup_key=event.id, event_id=event.id,
                  title=event.title, level=event.level, state="new", reason=event.reason, opened_at=now,
                  updated_at=now, policy_started_at=now, escalation_step=0, reminders_sent=0)
    session.add(alert)
    session.flush()  # the alert row before the rows that refer to it
    posts = _add_posts(session, alert, event, batch)
    batch.evidence[alert.id] = posts
    _log(session, alert, "raise", now, {"level": event.level, "posts": len(posts)})
    _notify(session, config, alert, "new", batch)
    log.info("alert %s opened (%s, %d posts)", alert.id, alert.level, len(posts))
    return alert


def _update(session: Session, config: Config, alert: Alert, event: Event, batch: _Batch) -> bool:
    """Take in the event's new posts and level; re-notify (True) only when the level rose above the last notice."""
    now = batch.now
    batch.evidence[alert.id] = _add_posts(session, alert, event, batch)
    alert.title, alert.reason, alert.updated_at = event.title, event.reason, now
    if level_rank(event.level) <= level_rank(alert.last_notified_level):
        alert.level = event.level or alert.level
        return False
    _log(session, alert, "level_raised", now, {"from": alert.level, "to": event.level})
    alert.level = event.level
    alert.policy_started_at, alert.escalation_step, alert.reminders_sent = now, 0, 0
    _notify(session, config, alert, "escalated", batch)
    return True


def _add_posts(session: Session, alert: Alert, event: Event, batch: _Batch) -> list[int]:
    """Attach the event's posts the alert does not hold yet; return their ids."""
    held = batch.held.get(alert.id, set())
    new = [post_id for post_id in batch.members.get(event.id, []) if post_id not in held]
    session.add_all(AlertPost(alert_id=alert.id, post_id=post_id, added_at=batch.now) for post_id in new)
    return new


def _notify(session: Session, config: Config, alert: Alert, kind: str, batch: _Batch) -> None:
    step, people = batch.duty.tier(0)
    enqueue(session, config, alert, people, kind, TIERS[step], batch.now)
    alert.escalation_step = step
    alert.last_notified_level, alert.last_notified_at = alert.level, batch.now


def _log(session: Session, alert: Alert, action: str, now: datetime, details: dict) -> None:
    session.add(AlertAction(alert_id=alert.id, action=action, actor=SYSTEM, at=now, note="", details=details))
