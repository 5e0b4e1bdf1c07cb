"""The outbox dispatcher: claim a due notification under a lease, send it, record the attempt, then retry with
backoff, fall back to the person's next contact, or escalate when every contact failed.

At-least-once: a row is marked sent only after its channel accepted it. Rows are claimed one at a time, so a
dispatcher that dies (before or during a send) leaves at most that one row claimed; once its lease expires
another run sends it again — at most one duplicate on that channel. Two dispatchers never send the same row
at once: a claim is a compare-and-set UPDATE, its lease runs from the moment of the claim, and a send ends
well within it (a channel's ``timeout_s`` bounds the whole send and is held to half the lease). A send that
may have reached the endpoint (no answer after the request went out) gets one more try on that channel at
most — the one repeat a crash mid-send can also cause — then the person's next contact.

Leases are compared on the dispatchers' own clocks, so every dispatcher of one database must keep the same
time: the wall clock, or the same ``--now`` timeline (``yuqing alerts dispatch`` refuses to run beside a
``yuqing run`` on another clock).
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Row, and_, insert, or_, select, update
from sqlalchemy.orm import Session

from alerts.channels import Channel, DeliveryError, build_channels
from alerts.escalation import escalate_after_failure
from alerts.message import Message
from alerts.models import Alert, AlertAction, DeliveryAttempt, Notification
from alerts.outbox import enqueue_contact
from alerts.states import UNACKNOWLEDGED
from config import Config
from storage import Database

log = logging.getLogger(__name__)
FOLLOW_UP_KINDS = ("reminder", "escalation")
Now = datetime | Callable[[], datetime]  # an instant (--now), or a clock read at each use


@dataclass
class DispatchReport:
    """Notification ids by outcome of this run."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)


class _Claim(NamedTuple):
    """A notification this run claimed: what to send, and the token that proves the claim is still ours."""

    id: int
    token: str
    channel: str
    target: str
    message: Message
    alert_id: str
    kind: str
    person: str


class RunClock:
    """A dispatcher run's time: a clock read at each use, or an instant (``--now``) that every time the run records
    is, so the run is reproducible. A lease is a timer between processes and must run on real time even while an
    instant stands still: from an instant, a claim's lease counts from the instant plus the (monotonic) seconds
    elapsed in this run — the wall clock is never read."""

    def __init__(self, now: Now, lease_seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._given = now
        self._monotonic = monotonic
        self._mark = monotonic()
        self._lease = timedelta(seconds=lease_seconds)

    def now(self) -> datetime:
        return self._given() if callable(self._given) else self._given

    def lease_until(self) -> datetime:
        """When a claim taken now expires."""
        if callable(self._given):
            return self._given() + self._lease
        return self._given + timedelta(seconds=self._monotonic() - self._mark) + self._lease


def dispatch_due(db: Database, config: Config, now: Now,
                 channels: dict[str, Channel] | None = None) -> DispatchReport:
    """Send every notification due (including fall-backs and escalations this run creates), ``now`` being an
    instant or a clock (see :class:`RunClock`): each claim and each outcome takes the time it happens at.

    One transaction per message: it records the previous message's outcome and claims the next one.
    """
    if channels is None:
        channels = build_channels(config)
    clock = RunClock(now, config.alerts.lease_seconds)
    report = DispatchReport()
    sent: tuple[_Claim, DeliveryError | None, datetime] | None = None
    while True:
        with db.session() as session:
            if sent is not None:
                _record(session, config, *sent, report)
            claim = _claim_next(session, clock, report)
        if claim is None:
            return report
        sent = claim, _send(channels, claim.channel, claim.message, claim.target), clock.now()


def _due(now: datetime):
    return or_(and_(Notification.state == "pending", Notification.next_attempt_at <= now),
               and_(Notification.state == "sending", Notification.lease_until <= now))


def _claim_next(session: Session, clock: RunClock, report: DispatchReport) -> _Claim | None:
    """Claim the oldest due row in one compare-and-set UPDATE … RETURNING, or None when nothing is due; its lease
    runs from this moment.

    On PostgreSQL the row is picked ``FOR UPDATE SKIP LOCKED``, so concurrent dispatchers take different rows;
    SQLite runs one writer at a time; a plain SELECT first spares an idle run from waiting for the write lock
    (a crawl storing posts may hold it). Follow-ups of an alert handled meanwhile are cancelled, not returned.
    """
    now = clock.now()
    due = select(Notification.id).where(_due(now)).order_by(Notification.next_attempt_at, Notification.id).limit(1)
    if session.scalar(due) is None:
        return None
    token = uuid.uuid4().hex
    oldest = due.with_for_update(skip_locked=True).scalar_subquery()
    claim = (update(Notification).where(Notification.id == oldest, _due(now))
             .values(state="sending", claim=token, lease_until=clock.lease_until())
             .returning(Notification.id, Notification.channel, Notification.target, Notification.payload,
                        Notification.alert_id, Notification.kind, Notification.person)
             .execution_options(synchronize_session=False))
    while (row := session.execute(claim).first()) is not None:
        if not _cancel_if_moot(session, row, report):
            return _Claim(row.id, token, row.channel, row.target, Message.from_json(row.payload), row.alert_id,
                          row.kind, row.person)
    return None


def _record(session: Session, config: Config, claim: _Claim, error: DeliveryError | None, now: datetime,
            report: DispatchReport) -> None:
    """Log the attempt (``now``: when the send ended), then mark the row sent or schedule what follows a failure —
    unless it is no longer ours."""
    attempt = {"notification_id": claim.id, "at": now, "channel": claim.channel, "ok": error is None,
               "error": error.reason if error else None, "retryable": error.retryable if error else None}
    session.execute(insert(DeliveryAttempt), [attempt])
    if error is None:
        _mark_sent(session, claim, now, report)
        return
    row = session.get(Notification, claim.id)
    row.attempts += 1
    if row.claim == claim.token and row.state == "sending":
        _after_failure(session, config, row, error, now, report)
    # else: another dispatcher took it over after our lease ran out; it decides the outcome


def _cancel_if_moot(session: Session, row: Row, report: DispatchReport) -> bool:
    """Reminders and escalations of an alert someone acknowledged or closed meanwhile are not sent."""
    if row.kind not in FOLLOW_UP_KINDS:
        return False
    state = session.scalar(select(Alert.state).where(Alert.id == row.alert_id))
    if state is None or state in UNACKNOWLEDGED:
        return False
    session.execute(update(Notification).where(Notification.id == row.id)
                    .values(state="cancelled", lease_until=None, last_error=f"alert {state}")
                    .execution_options(synchronize_session=False))
    report.cancelled.append(row.id)
    return True


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


def _mark_sent(session: Session, claim: _Claim, now: datetime, report: DispatchReport) -> None:
    """Three statements: the row (only while our claim holds), its alert new → notified, the handling log."""
    ours = session.execute(update(Notification).where(Notification.id == claim.id, Notification.claim == claim.token,
                                                      Notification.state == "sending")
                           .values(state="sent", sent_at=now, lease_until=None, last_error=None,
                                   attempts=Notification.attempts + 1)
                           .execution_options(synchronize_session=False)).rowcount == 1
    if not ours:  # taken over after our lease ran out: count the attempt, let the new owner decide
        session.execute(update(Notification).where(Notification.id == claim.id)
                        .values(attempts=Notification.attempts + 1).execution_options(synchronize_session=False))
        return
    session.execute(update(Alert).where(Alert.id == claim.alert_id, Alert.state == "new")
                    .values(state="notified", updated_at=now).execution_options(synchronize_session=False))
    details = {"kind": claim.kind, "person": claim.person, "channel": claim.channel}
    session.execute(insert(AlertAction), [{"alert_id": claim.alert_id, "action": "notified", "actor": "system",
                                           "at": now, "note": "", "details": details}])
    report.sent.append(claim.id)


def _after_failure(session: Session, config: Config, row: Notification, error: DeliveryError, now: datetime,
                   report: DispatchReport) -> None:
    """Back off and retry on this channel until the deadline; otherwise the next contact, else escalate.

    A message that may have been delivered is tried once more at most: its deadline becomes that retry."""
    row.last_error, row.lease_until = error.reason, None
    retry_at = now + timedelta(seconds=backoff_seconds(config, row.attempts, error.retry_after))
    if error.maybe_delivered:
        row.deadline = min(row.deadline, retry_at)
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
