"""Raising alerts: one per incident, re-notified only when the level rises, a new one after a closed incident
flares up, nothing for silenced or non-alerting events — with the notifications in the same transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from alerts import ack, evaluate_events, raising, resolve
from alerts.models import Alert, AlertAction, AlertPost, Notification
from alerts.silences import add_silence
from tests.alerts.conftest import T0, alerts_config
from tests.alerts.side_by_side import side_by_side


def _alerts(db):
    with db.session() as session:
        return session.scalars(select(Alert).order_by(Alert.opened_at, Alert.id)).all()


def _notifications(db):
    with db.session() as session:
        return session.scalars(select(Notification).order_by(Notification.id)).all()


def test_an_alerting_event_opens_one_alert_and_pages_the_primary_on_their_first_contact(db, config, incident):
    incident("ev-fire", "橙", posts=3)
    report = evaluate_events(db, config, ["ev-fire"], T0)
    [alert] = _alerts(db)
    assert report.opened == ["A-ev-fire-1"] and alert.id == "A-ev-fire-1"
    assert (alert.state, alert.level, alert.dedup_key, alert.event_id) == ("new", "橙", "ev-fire", "ev-fire")
    [notification] = _notifications(db)
    assert (notification.person, notification.channel, notification.target) == ("值班员甲", "wecom", "jia")
    assert (notification.kind, notification.tier, notification.state) == ("new", "primary", "pending")
    assert notification.payload["title"] == "红梅新村楼道电瓶车着火" and notification.payload["post_count"] == 1
    assert notification.payload["ack_url"].startswith("http://127.0.0.1:8765/a/")
    with db.session() as session:
        assert len(session.scalars(select(AlertPost).where(AlertPost.alert_id == alert.id)).all()) == 3


def test_the_same_level_again_does_not_renotify_but_takes_in_the_new_posts(db, config, incident):
    incident("ev-fire", "橙")
    evaluate_events(db, config, ["ev-fire"], T0)
    incident("ev-fire", "橙", T0 + timedelta(minutes=5), posts=2)
    report = evaluate_events(db, config, ["ev-fire"], T0 + timedelta(minutes=5))
    assert report.opened == [] and report.escalated == []
    assert len(_notifications(db)) == 1
    with db.session() as session:
        assert len(session.scalars(select(AlertPost)).all()) == 3


def test_a_higher_level_on_the_same_event_renotifies_as_escalated(db, config, incident):
    incident("ev-fire", "黄")
    evaluate_events(db, config, ["ev-fire"], T0)
    incident("ev-fire", "红", T0 + timedelta(minutes=10))
    report = evaluate_events(db, config, ["ev-fire"], T0 + timedelta(minutes=10))
    [alert] = _alerts(db)
    assert report.escalated == [alert.id] and alert.level == "红" and alert.last_notified_level == "红"
    assert [(n.kind, n.level) for n in _notifications(db)] == [("new", "黄"), ("escalated", "红")]
    incident("ev-fire", "橙", T0 + timedelta(minutes=20))
    assert evaluate_events(db, config, ["ev-fire"], T0 + timedelta(minutes=20)).escalated == []
    assert len(_notifications(db)) == 2


def test_after_resolution_new_posts_open_a_new_alert_for_the_same_event(db, config, incident):
    incident("ev-fire", "橙")
    evaluate_events(db, config, ["ev-fire"], T0)
    with db.session() as session:
        resolve(session, "A-ev-fire-1", "值班员甲", T0 + timedelta(hours=1))
    assert evaluate_events(db, config, ["ev-fire"], T0 + timedelta(hours=1, minutes=5)).opened == []
    incident("ev-fire", "橙", T0 + timedelta(hours=2))
    report = evaluate_events(db, config, ["ev-fire"], T0 + timedelta(hours=2))
    assert report.opened == ["A-ev-fire-2"]
    assert [(a.id, a.state) for a in _alerts(db)] == [("A-ev-fire-1", "resolved"), ("A-ev-fire-2", "new")]
    with db.session() as session:
        new_posts = session.scalars(select(AlertPost.post_id).where(AlertPost.alert_id == "A-ev-fire-2")).all()
    assert len(new_posts) == 2  # the event's posts, old and new


def test_events_that_do_not_alert_raise_nothing(db, config, incident):
    incident("ev-outside", "红", in_district=False)
    incident("ev-nolevel", None)
    with db.session() as session:
        from tests.alerts.conftest import add_post, put_event
        put_event(session, "ev-quiet", "红", T0)
        add_post(session, "weibo", "quiet-1", T0, event_id="ev-quiet", alert=False)
    incident("ev-blue", "蓝")
    report = evaluate_events(db, alerts_config(min_level="黄"), ["ev-outside", "ev-nolevel", "ev-quiet", "ev-blue",
                                                                 "ev-missing"], T0)
    assert report.opened == [] and _alerts(db) == [] and _notifications(db) == []


def test_config_and_runtime_silences_hold_back_matching_events_until_they_expire(db, incident):
    config = alerts_config(silences=[{"topic": "drill", "until": (T0 + timedelta(hours=1)).isoformat(),
                                      "reason": "演练"}])
    incident("ev-drill", "橙", event_type="drill")
    incident("ev-gas", "橙", event_type="gas", place="兰陵街道", source="toutiao")
    incident("ev-fire", "橙")
    with db.session() as session:
        add_silence(session, topic=None, place="兰陵街道", source="toutiao", until=T0 + timedelta(hours=1),
                    reason="已知施工", by="值班员甲", now=T0)
    report = evaluate_events(db, config, ["ev-drill", "ev-gas", "ev-fire"], T0)
    assert report.silenced == ["ev-drill", "ev-gas"] and report.opened == ["A-ev-fire-1"]
    later = evaluate_events(db, config, ["ev-drill", "ev-gas"], T0 + timedelta(hours=2))
    assert later.opened == ["A-ev-drill-1", "A-ev-gas-1"]


def test_an_acknowledged_alert_stays_acknowledged_when_its_level_rises(db, config, incident):
    incident("ev-fire", "黄")
    evaluate_events(db, config, ["ev-fire"], T0)
    with db.session() as session:
        ack(session, "A-ev-fire-1", "值班员甲", T0 + timedelta(minutes=2))
    incident("ev-fire", "红", T0 + timedelta(minutes=30))
    evaluate_events(db, config, ["ev-fire"], T0 + timedelta(minutes=30))
    [alert] = _alerts(db)
    assert (alert.state, alert.level) == ("acknowledged", "红")
    with db.session() as session:
        actions = session.scalars(select(AlertAction.action).order_by(AlertAction.id)).all()
    assert actions == ["raise", "ack", "level_raised"]


def test_an_event_a_crash_kept_from_being_raised_is_raised_by_the_next_evaluation(db, config, incident):
    incident("ev-fire", "橙", posts=2)  # analysed and committed; the process died before raising its alert
    incident("ev-gas", "黄", T0 + timedelta(minutes=10))
    report = evaluate_events(db, config, ["ev-gas"], T0 + timedelta(minutes=10))
    assert report.opened == ["A-ev-gas-1", "A-ev-fire-1"]
    again = evaluate_events(db, config, [], T0 + timedelta(minutes=20))
    assert (again.opened, again.escalated) == ([], [])  # caught up once, never twice


def test_a_level_rise_a_crash_kept_from_being_notified_is_notified_next_time(db, config, incident):
    incident("ev-fire", "黄")
    evaluate_events(db, config, ["ev-fire"], T0)
    incident("ev-fire", "红", T0 + timedelta(minutes=5))  # re-analysed to 红; the alerts step never ran
    report = evaluate_events(db, config, [], T0 + timedelta(minutes=6))
    assert report.escalated == ["A-ev-fire-1"] and _alerts(db)[0].level == "红"


def test_two_evaluations_of_a_new_event_at_once_open_one_alert_and_page_once(db, config, incident, monkeypatch):
    incident("ev-fire", "橙")
    reports = side_by_side(monkeypatch, raising, "_evaluate", lambda: evaluate_events(db, config, ["ev-fire"], T0),
                           lambda: evaluate_events(db, config, ["ev-fire"], T0))
    assert sorted(r.opened for r in reports) == [[], ["A-ev-fire-1"]]
    assert [(n.kind, n.level) for n in _notifications(db)] == [("new", "橙")]


def test_two_evaluations_of_a_level_rise_at_once_notify_it_once(db, config, incident, monkeypatch):
    incident("ev-fire", "黄")
    evaluate_events(db, config, ["ev-fire"], T0)
    later = T0 + timedelta(minutes=10)
    incident("ev-fire", "橙", later, posts=0)  # re-analysed to 橙: the daemon and `yuqing analyze` both evaluate it
    reports = side_by_side(monkeypatch, raising, "_evaluate", lambda: evaluate_events(db, config, ["ev-fire"], later),
                           lambda: evaluate_events(db, config, ["ev-fire"], later))
    assert sorted(r.escalated for r in reports) == [[], ["A-ev-fire-1"]]
    assert [(n.kind, n.level) for n in _notifications(db)] == [("new", "黄"), ("escalated", "橙")]
