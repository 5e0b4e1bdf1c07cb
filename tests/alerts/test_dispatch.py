"""The outbox dispatcher: sends due notifications once, backs off on retryable errors until the deadline, falls
back to the person's next contact, escalates when every contact failed, and never double-claims a row; each claim
is leased from its own moment, each send recorded at its own moment, and a message that may have been delivered
is tried once more at most on that channel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from alerts import dispatch_due, evaluate_events
from alerts.channels.base import DeliveryError
from alerts.dispatch import DispatchReport, RunClock, _claim_next, backoff_seconds
from alerts.message import Message
from alerts.models import Alert, AlertAction, DeliveryAttempt, Notification
from tests.alerts.conftest import T0, Recorder, alerts_config


def _rows(db):
    with db.session() as session:
        return session.scalars(select(Notification).order_by(Notification.id)).all()


def _open_alert(db, config, incident):
    incident("ev-fire", "橙")
    evaluate_events(db, config, ["ev-fire"], T0)


def test_a_due_notification_is_sent_once_recorded_and_the_alert_becomes_notified(db, config, incident, channels):
    _open_alert(db, config, incident)
    report = dispatch_due(db, config, T0, channels)
    [(message, to)] = channels["wecom"].sent
    assert (message.alert_id, message.kind, message.recipient, to) == ("A-ev-fire-1", "new", "值班员甲", "jia")
    [row] = _rows(db)
    assert report.sent == [row.id] and (row.state, row.attempts, row.sent_at) == ("sent", 1, T0)
    assert dispatch_due(db, config, T0 + timedelta(hours=1), channels).sent == []
    assert len(channels["wecom"].sent) == 1
    with db.session() as session:
        assert session.get(Alert, "A-ev-fire-1").state == "notified"
        [attempt] = session.scalars(select(DeliveryAttempt)).all()
    assert (attempt.channel, attempt.ok, attempt.error) == ("wecom", True, None)


def test_retryable_errors_back_off_exponentially_and_honour_retry_after(db, config, incident, channels):
    _open_alert(db, config, incident)
    channels["wecom"].failures = [DeliveryError("HTTP 500"), DeliveryError("HTTP 500"),
                                  DeliveryError("45009", retry_after=60)]
    dispatch_due(db, config, T0, channels)
    assert _rows(db)[0].next_attempt_at == T0 + timedelta(seconds=10)
    assert dispatch_due(db, config, T0 + timedelta(seconds=9), channels).sent == []
    dispatch_due(db, config, T0 + timedelta(seconds=10), channels)
    assert _rows(db)[0].next_attempt_at == T0 + timedelta(seconds=30)
    dispatch_due(db, config, T0 + timedelta(seconds=30), channels)
    row = _rows(db)[0]
    assert (row.state, row.attempts, row.last_error) == ("pending", 3, "45009")
    assert row.next_attempt_at == T0 + timedelta(seconds=90)  # retry_after 60 s beats the 40 s backoff
    assert dispatch_due(db, config, T0 + timedelta(seconds=90), channels).sent == [row.id]
    assert backoff_seconds(config, 10, None) == 300


def test_past_the_deadline_or_on_a_permanent_error_the_next_contact_is_tried(db, incident, channels):
    config = alerts_config(delivery_deadline_minutes=1)
    _open_alert(db, config, incident)
    channels["wecom"].failures = [DeliveryError("HTTP 500")] * 4
    for seconds in (0, 10, 30):
        dispatch_due(db, config, T0 + timedelta(seconds=seconds), channels)
    wecom, sms = _rows(db)
    assert (wecom.state, wecom.attempts, wecom.channel) == ("failed", 3, "wecom")  # next try (70 s) > deadline
    assert (sms.state, sms.channel, sms.target, sms.contact_index) == ("sent", "sms", "13800000001", 1)
    assert [to for _, to in channels["sms"].sent] == ["13800000001"]


def test_when_every_contact_of_the_primary_fails_the_backup_is_paged(db, config, incident, channels):
    _open_alert(db, config, incident)
    channels["wecom"].failures = [DeliveryError("errcode 93000", retryable=False)]
    channels["sms"].failures = [DeliveryError("HTTP 400", retryable=False)]
    dispatch_due(db, config, T0, channels)
    rows = _rows(db)
    assert [(r.person, r.channel, r.kind, r.state) for r in rows] == [
        ("值班员甲", "wecom", "new", "failed"), ("值班员甲", "sms", "new", "failed"),
        ("值班员乙", "sms", "escalation", "sent")]
    assert [(m.recipient, to) for m, to in channels["sms"].sent] == [("值班员乙", "13800000002")]
    with db.session() as session:
        assert session.get(Alert, "A-ev-fire-1").escalation_step == 1


def test_a_channel_that_is_not_configured_is_skipped_for_the_next_contact(db, config, incident, channels):
    _open_alert(db, config, incident)
    del channels["wecom"]
    dispatch_due(db, config, T0, channels)
    wecom, sms = _rows(db)
    assert (wecom.state, wecom.last_error) == ("failed", "channel wecom unavailable")
    assert sms.state == "sent"


def _claim(db, config, now):
    """What another dispatcher, its clock reading ``now``, claims."""
    with db.session() as session:
        return _claim_next(session, RunClock(lambda: now, config.alerts.lease_seconds), DispatchReport())


def test_a_claimed_row_is_not_claimed_again_until_its_lease_expires(db, config, incident):
    _open_alert(db, config, incident)
    first = _claim(db, config, T0)
    assert first is not None
    assert _claim(db, config, T0 + timedelta(seconds=119)) is None  # another dispatcher finds nothing
    second = _claim(db, config, T0 + timedelta(seconds=120))  # the first one died: lease over
    assert second is not None and second[0] == first[0] and second[1] != first[1]


class Stopwatch:
    """A clock the test moves on: ``now`` reads it."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at


class SlowChannel(Recorder):
    """Each send takes ``seconds`` on the stopwatch; ``during(message)`` runs mid-send."""

    def __init__(self, name: str, stopwatch: Stopwatch, seconds: float,
                 during: Callable[[Message], None] = lambda message: None) -> None:
        super().__init__(name)
        self.stopwatch, self.seconds, self.during = stopwatch, seconds, during

    def send(self, message: Message, to: str) -> None:
        self.stopwatch.at += timedelta(seconds=self.seconds)
        self.during(message)
        super().send(message, to)


def _three_alerts(db, config, incident) -> None:
    for event_id in ("ev-a", "ev-b", "ev-c"):
        incident(event_id, "橙")
    evaluate_events(db, config, ["ev-a", "ev-b", "ev-c"], T0)


def test_each_claim_is_leased_from_its_own_moment_so_a_long_run_is_never_taken_over(db, config, incident):
    _three_alerts(db, config, incident)
    stopwatch, leases, rivals = Stopwatch(T0), [], []

    def meanwhile(message: Message) -> None:
        with db.session() as session:
            leases.append(session.scalar(select(Notification.lease_until).where(Notification.state == "sending")))
        if len(leases) == 3:  # nothing left pending: another dispatcher, at T0+300 s, could only take this one
            rivals.append(_claim(db, config, stopwatch.now()))

    channels = {"wecom": SlowChannel("wecom", stopwatch, 100, meanwhile)}  # 100 s a message, lease 120 s
    assert len(dispatch_due(db, config, stopwatch.now, channels).sent) == 3
    assert leases == [T0 + timedelta(seconds=s) for s in (120, 220, 320)]
    assert rivals == [None]
    assert len(channels["wecom"].sent) == 3


def test_each_send_is_recorded_at_the_moment_it_was_made(db, config, incident):
    _three_alerts(db, config, incident)
    stopwatch = Stopwatch(T0)
    dispatch_due(db, config, stopwatch.now, {"wecom": SlowChannel("wecom", stopwatch, 100)})
    moments = [T0 + timedelta(seconds=s) for s in (100, 200, 300)]
    assert [row.sent_at for row in _rows(db)] == moments
    with db.session() as session:
        assert [a.at for a in session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))] == moments
        notified = session.scalars(select(AlertAction).where(AlertAction.action == "notified")
                                   .order_by(AlertAction.id)).all()
    assert [action.at for action in notified] == moments


def test_given_an_instant_every_time_is_that_instant_while_leases_run_on_real_time():
    elapsed = [0.0]
    clock = RunClock(T0, 120, monotonic=lambda: elapsed[0])
    elapsed[0] = 30.0
    assert clock.now() == T0  # `yuqing alerts dispatch --now T0` records T0: reproducible
    assert clock.lease_until() == T0 + timedelta(seconds=150)  # claimed 30 s into the run: leased from then


def test_a_message_that_may_have_been_delivered_is_tried_once_more_then_the_next_contact(db, config, incident,
                                                                                         channels):
    _open_alert(db, config, incident)
    late = DeliveryError("timed out after the request was sent: maybe delivered", maybe_delivered=True)
    channels["wecom"].failures = [late] * 10
    for seconds in (0, 10, 30, 70, 150, 310):
        dispatch_due(db, config, T0 + timedelta(seconds=seconds), channels)
    wecom, sms = _rows(db)
    assert (wecom.channel, wecom.state, wecom.attempts) == ("wecom", "failed", 2)  # the first try and one more
    assert (sms.channel, sms.state, sms.sent_at) == ("sms", "sent", T0 + timedelta(seconds=10))
    assert len(channels["wecom"].failures) == 8 and len(channels["sms"].sent) == 1


def test_a_message_that_may_have_been_delivered_is_not_retried_past_its_deadline(db, incident, channels):
    config = alerts_config(delivery_deadline_minutes=0.1)  # 6 s: no room for the 10 s backoff
    _open_alert(db, config, incident)
    channels["wecom"].failures = [DeliveryError("maybe delivered", maybe_delivered=True)]
    dispatch_due(db, config, T0, channels)
    assert [(row.channel, row.state, row.attempts) for row in _rows(db)] == [("wecom", "failed", 1),
                                                                             ("sms", "sent", 1)]
