"""The escalation policy, run by ``tick``: unacknowledged alerts go to the backup, then to the leaders, and
remind the on-duty officer every ``repeat_minutes`` up to ``max_reminders``; acknowledgement stops all of it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import Alert, AlertAction, Notification
from alerts.outbox import enqueue
from alerts.roster import TIERS, Duty, on_duty
from alerts.states import UNACKNOWLEDGED
from config import Config
from storage import Database

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    """Alert ids escalated (to the backup or the leaders) and reminded in one tick."""

    escalated: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)


def tick(db: Database, config: Config, now: datetime) -> TickReport:
    """Enqueue the escalations and reminders due at ``now``."""
    report = TickReport()
    with db.session() as session:
        duty = on_duty(config, now)
        query = select(Alert).where(Alert.kind == "incident", Alert.state.in_(UNACKNOWLEDGED)).order_by(Alert.id)
        for alert in session.scalars(query).all():
            if _escalate_by_time(session, config, alert, duty, now):
                report.escalated.append(alert.id)
            if _remind(session, config, alert, duty, now):
                report.reminded.append(alert.id)
    return report


def _escalate_by_time(session: Session, config: Config, alert: Alert, duty: Duty, now: datetime) -> bool:
    policy = config.alerts.escalation
    elapsed = now - alert.policy_started_at
    escalated = False
    for step, minutes in ((1, policy.backup_after_minutes), (2, policy.leader_after_minutes)):
        if alert.escalation_step < step and elapsed >= timedelta(minutes=minutes):
            escalated |= escalate(session, config, alert, duty, step, now, "no_ack")
    return escalated


def escalate(session: Session, config: Config, alert: Alert, duty: Duty, step: int, now: datetime,
             why: str) -> bool:
    """Notify the first staffed tier from ``step`` on, unless the alert already went that far."""
    actual, people = duty.tier(step)
    if actual <= alert.escalation_step or not people:
        return False
    enqueue(session, config, alert, people, "escalation", TIERS[actual], now)
    alert.escalation_step = actual
    session.add(AlertAction(alert_id=alert.id, action="escalate", actor="system", at=now, note="",
                            details={"tier": TIERS[actual], "to": [p.name for p in people], "why": why}))
    log.info("alert %s escalated to %s (%s)", alert.id, TIERS[actual], why)
    return True


def _remind(session: Session, config: Config, alert: Alert, duty: Duty, now: datetime) -> bool:
    due = (alert.last_notified_at or alert.opened_at) + timedelta(minutes=config.alerts.repeat_minutes)
    if alert.reminders_sent >= config.alerts.escalation.max_reminders or now < due:
        return False
    step, people = duty.tier(0)
    enqueue(session, config, alert, people, "reminder", TIERS[step], now)
    alert.reminders_sent += 1
    alert.last_notified_at = now
    return True


def escalate_after_failure(session: Session, config: Config, notification: Notification, now: datetime) -> bool:
    """Every contact of a primary/backup failed: page the next tier while the alert is unacknowledged."""
    alert = session.get(Alert, notification.alert_id)
    if alert is None or alert.kind != "incident" or alert.state not in UNACKNOWLEDGED \
            or notification.tier not in TIERS[:-1]:
        log.error("notification %s to %s could not be delivered on any contact", notification.id, notification.person)
        return False
    return escalate(session, config, alert, on_duty(config, now), TIERS.index(notification.tier) + 1, now,
                    "undeliverable")
