"""The outbox dispatcher: claim a due notification under a lease, send it, record the attempt, then retry with
backoff, fall back to the person's next contact, or escalate when every contact failed.

At-least-once: a row is marked sent only after its channel accepted it. A dispatcher that dies mid-send
leaves the row claimed; once its lease expires another run sends it again — at most one duplicate on
that channel. Two dispatchers never send the same row at once: a claim is a compare-and-set UPDATE.
"""

from __future__ import annotations

import functools
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from alerts.channels.base import Channel, DeliveryError
from alerts.escalation import escalate_after_failure
from alerts.message import Message
from alerts.models import Alert, AlertAction, DeliveryAttempt, Notification
from alerts.outbox import enqueue_contact
from alerts.states import UNACKNOWLEDGED
from config import Config
from storage import Database

log = logging.getLogger(__name__)
FOLLOW_UP_KINDS = ("reminder", "escalation")


@dataclass
class DispatchReport:
    """Notification ids by outcome of this run."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)


def dispatch_due(db: Database, config: Config, now: datetime,
                 channels: dict[str, Channel] | None = None) -> DispatchReport:
    """Send every notification due at ``now`` (including fall-backs and escalations this run creates)."""
    if channels is None:
        from alerts.channels import build_channels

        channels = build_channels(config)
    report = DispatchReport()
    while (claimed := _claim_next(db, config, now)) is not None:
        notification_id, token = claimed
        _deliver(db, config, channels, notification_id, token, now, report)
    return report


def _due(now: datetime):
    return or_(and_(Notification.state == "pending", Notification.next_attempt_at <= now),
               and_(Notification.state == "sending", Notification.lease_until <= now))


def _claim_next(db: Database, config: Config, now: datetime) -> tuple[int, str] | None:
    """Claim the oldest due row (compare-and-set), or None when nothing is due."""
    token = uuid.uuid4().hex
    lease = now + timedelta(seconds=config.alerts.lease_seconds)
    with db.session() as session:
        candidates = session.scalars(select(Notification.id).where(_due(now))
                                     .order_by(Notification.next_attempt_at, Notification.id).limit(20)).all()
        for notification_id in candidates:
            claimed = session.execute(update(Notification).where(Notification.id == notification_id, _due(now))
                                      .values(state="sending", claim=token, lease_until=lease))
            if claimed.rowcount == 1:
                return notification_id, token
    return None


def _deliver(db: Database, config: Config, channels: dict[str, Channel], notification_id: int, token: str,
             now: datetime, report: DispatchReport) -> None:
    with db.session() as session:
        row = session.get(Notification, notification_id)
        if _cancel_if_moot(session, row, report):
            return
        message, channel_name, target = Message.from_json(row.payload), row.channel, row.target
    error = _send(channels, channel_name, message, target)
    with db.session() as session:
        row = session.get(Notification, notification_id)
        session.add(DeliveryAttempt(notification_id=row.id, at=now, channel=channel_name, ok=error is None,
                                    error=error.reason if error else None,
                                    retryable=error.retryable if error else None))
        row.attempts += 1
        if row.claim != token or row.state != "sending":
            return  # another dispatcher took it over after our lease ran out; it decides the outcome
        if error is None:
            _mark_sent(session, row, now, report)
        else:
            _after_failure(session, config, row, error, now, report)


def _cancel_if_moot(session: Session, row: Notification, report: DispatchReport) -> bool:
    """Reminders and escalations of an alert someone acknowledged or closed meanwhile are not sent."""
    alert = session.get(Alert, row.alert_id)
    if row.kind in FOLLOW_UP_KINDS and alert is not None and alert.state not in UNACKNOWLEDGED:
        row.state, row.lease_until, row.last_error = "cancelled", None, f"alert {alert.state}"
        report.cancelled.append(row.id)
        return True
    return False


@functools.cache
def _warn_once(name: str) -> None:
    """Say once per process that a channel is missing, not once per message."""
    log.warning("channel %s is not configured or not usable (unset secret?): trying the next contact", name)


def _send(channels: dict[str, Channel], name: str, message: Message, target: str) -> DeliveryError | None:
    channel = channels.get(name)
    if channel is None:
        _warn_once(name)
        return DeliveryError(f"channel {name} unavailable", retryable=False)
    try:
        channel.send(message, target)
    except DeliveryError as exc:
        log.warning("channel %s: alert %s not delivered: %s", name, message.alert_id, exc.reason)
        return exc
    except Exception as exc:  # a channel bug must not stop the other notifications
        log.exception("channel %s failed unexpectedly", name)
        return DeliveryError(f"{type(exc).__name__}: {exc}", retryable=True)
    return None


def _mark_sent(session: Session, row: Notification, now: datetime, report: DispatchReport) -> None:
    row.state, row.sent_at, row.lease_until, row.last_error = "sent", now, None, None
    alert = session.get(Alert, row.alert_id)
    if alert is not None and alert.state == "new":
        alert.state, alert.updated_at = "notified", now
    session.add(AlertAction(alert_id=row.alert_id, action="notified", actor="system", at=now, note="",
                            details={"kind": row.kind, "person": row.person, "channel": row.channel}))
    report.sent.append(row.id)


def _after_failure(session: Session, config: Config, row: Notification, error: DeliveryError, now: datetime,
                   report: DispatchReport) -> None:
    """Back off and retry on this channel until the deadline; otherwise the next contact, else escalate."""
    row.last_error, row.lease_until = error.reason, None
    retry_at = now + timedelta(seconds=backoff_seconds(config, row.attempts, error.retry_after))
    if error.retryable and retry_at <= row.deadline:
        row.state, row.next_attempt_at = "pending", retry_at
        report.retrying.append(row.id)
        return
    row.state = "failed"
    report.failed.append(row.id)
    person = config.roster.person(row.person)
    alert = session.get(Alert, row.alert_id)
    if person is not None and alert is not None and \
            enqueue_contact(session, config, alert, person, row.contact_index + 1, row.kind, row.tier, now):
        return
    escalate_after_failure(session, config, row, now)


def backoff_seconds(config: Config, attempts: int, retry_after: float | None) -> float:
    """``retry_base_seconds · 2^(attempts−1)``, capped at ``retry_max_seconds``, never before ``retry_after``."""
    delay = min(config.alerts.retry_base_seconds * 2 ** max(attempts - 1, 0), config.alerts.retry_max_seconds)
    return max(delay, retry_after or 0.0)
