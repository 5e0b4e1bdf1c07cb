"""The outbox dispatcher: sends due notifications once, backs off on retryable errors until the deadline, falls
back to the person's next contact, escalates when every contact failed, and never double-claims a row."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from alerts import dispatch_due, evaluate_events
from alerts.channels.base import DeliveryError
from alerts.dispatch import DispatchReport, _claim_next, backoff_seconds
from alerts.models import Alert, DeliveryAttempt, Notification
from tests.alerts.conftest import T0, alerts_config


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
    with db.session() as session:
        return _claim_next(session, config, now, DispatchReport())


def test_a_claimed_row_is_not_claimed_again_until_its_lease_expires(db, config, incident):
    _open_alert(db, config, incident)
    first = _claim(db, config, T0)
    assert first is not None
    assert _claim(db, config, T0 + timedelta(seconds=119)) is None  # another dispatcher finds nothing
    second = _claim(db, config, T0 + timedelta(seconds=120))  # the first one died: lease over
    assert second is not None and second[0] == first[0] and second[1] != first[1]
