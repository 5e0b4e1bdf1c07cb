"""The escalation policy, run by ``tick``: unacknowledged alerts go to the backup, then to the leaders, and
remind the on-duty officer every ``repeat_minutes`` up to ``max_reminders``; acknowledgement stops all of it.

Everything that decides on an alert's state and then writes it (raising, this tick, officer actions) does so
under ``lock_alerts``: two ticks, or a daemon's evaluation and a manual one, never both page for one change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from alerts.models import Alert, AlertAction, Notification
from alerts.outbox import enqueue
from alerts.roster import TIERS, Duty, on_duty
from alerts.states import UNACKNOWLEDGED
from config import Config
from storage import Database

log = logging.getLogger(__name__)
ALERTS_LOCK = 7_160_403  # pg_advisory_xact_lock key of every writer of alert state (7_160_401: migrations, 402: daemon)


@dataclass
class TickReport:
    """Alert ids escalated (to the backup or the leaders) and reminded in one tick."""

    escalated: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)


def lock_alerts(session: Session) -> None:
    """Hold the alert-state lock until the session's transaction ends; read the alerts to change after this.

    A second holder waits, then reads what the first committed. PostgreSQL: a transaction-level advisory
    lock. SQLite, one writer at a time: the write lock, taken up front (``BEGIN IMMEDIATE``) unless the
    transaction already holds it (the driver begins a transaction at the first write, not at a read).
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ALERTS_LOCK})
    elif connection.dialect.name == "sqlite" and not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def tick(db: Database, config: Config, now: datetime) -> TickReport:
    """Enqueue the escalations and reminders due at ``now``.

    An idle tick (no unacknowledged alert) only reads: it does not wait for the lock, nor SQLite's write lock.
    """
    report = TickReport()
    query = select(Alert).where(Alert.kind == "incident", Alert.state.in_(UNACKNOWLEDGED)).order_by(Alert.id)
    with db.session() as session:
        if session.scalar(query.with_only_columns(Alert.id).limit(1)) is None:
            return report
        lock_alerts(session)
        duty = on_duty(config, now)
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
    lock_alerts(session)
    alert = session.get(Alert, notification.alert_id, populate_existing=True)  # as committed, now that we hold it
    if alert is None or alert.kind != "incident" or alert.state not in UNACKNOWLEDGED \
            or notification.tier not in TIERS[:-1]:
        log.error("notification %s to %s could not be delivered on any contact", notification.id, notification.person)
        return False
    return escalate(session, config, alert, on_duty(config, now), TIERS.index(notification.tier) + 1, now,
                    "undeliverable")
