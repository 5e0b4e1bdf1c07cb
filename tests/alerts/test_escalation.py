"""The escalation timeline on a controlled clock: backup after N minutes, then the leaders; reminders every
repeat_minutes up to the limit; an acknowledgement (API or CLI) stops all of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from alerts import ack, dispatch_due, escalation, evaluate_events, tick
from alerts.models import Notification
from tests.alerts.conftest import T0, alerts_config
from tests.alerts.side_by_side import side_by_side
from yuqing.cli import cli
from yuqing.daemon.lock import PG_LOCK_KEY


def _minutes(n: float):
    return T0 + timedelta(minutes=n)


def _pages(db):
    with db.session() as session:
        rows = session.scalars(select(Notification).order_by(Notification.id)).all()
        return [(r.kind, r.person, r.state) for r in rows]


def test_unacknowledged_alerts_go_to_the_backup_then_the_leaders_with_reminders(db, incident):
    config = alerts_config(repeat_minutes=20, escalation={"backup_after_minutes": 15, "leader_after_minutes": 30,
                                                          "max_reminders": 2})
    incident("ev-fire", "红")
    evaluate_events(db, config, ["ev-fire"], T0)
    assert tick(db, config, _minutes(14)).escalated == []
    assert tick(db, config, _minutes(15)).escalated == ["A-ev-fire-1"]
    assert tick(db, config, _minutes(20)).reminded == ["A-ev-fire-1"]
    assert tick(db, config, _minutes(30)).escalated == ["A-ev-fire-1"]
    for minute in (40, 60, 80, 100):
        tick(db, config, _minutes(minute))
    assert [(kind, person) for kind, person, _ in _pages(db)] == [
        ("new", "值班员甲"), ("escalation", "值班员乙"), ("reminder", "值班员甲"), ("escalation", "领导丙"),
        ("reminder", "值班员甲")]  # the second reminder at 40 min; max_reminders = 2 stops the rest


def test_two_ticks_at_once_queue_each_escalation_and_reminder_once(db, incident, monkeypatch):
    config = alerts_config(repeat_minutes=15, escalation={"backup_after_minutes": 15, "leader_after_minutes": 30})
    incident("ev-fire", "红")
    evaluate_events(db, config, ["ev-fire"], T0)
    reports = side_by_side(monkeypatch, escalation, "_escalate_by_time",
                           lambda: tick(db, config, _minutes(15)), lambda: tick(db, config, _minutes(15)))
    assert sorted((r.escalated, r.reminded) for r in reports) == [([], []), (["A-ev-fire-1"], ["A-ev-fire-1"])]
    assert [(kind, person) for kind, person, _ in _pages(db)] == [
        ("new", "值班员甲"), ("escalation", "值班员乙"), ("reminder", "值班员甲")]


def test_an_acknowledgement_stops_escalation_and_cancels_pending_reminders(db, incident, channels):
    config = alerts_config(repeat_minutes=10)
    incident("ev-fire", "红")
    evaluate_events(db, config, ["ev-fire"], T0)
    dispatch_due(db, config, T0, channels)
    tick(db, config, _minutes(10))  # a reminder is queued …
    with db.session() as session:
        ack(session, "A-ev-fire-1", "值班员甲", _minutes(11))  # … and the officer acknowledges before it goes
    report = dispatch_due(db, config, _minutes(11), channels)
    assert len(report.cancelled) == 1
    assert tick(db, config, _minutes(60)).escalated == []
    assert _pages(db) == [("new", "值班员甲", "sent"), ("reminder", "值班员甲", "cancelled")]


def test_ack_from_the_cli_stops_the_escalation_to_the_backup(db, incident, tmp_path, monkeypatch):
    config_file = tmp_path / "yuqing.toml"
    config_file.write_text(_roster_toml(), encoding="utf-8")
    monkeypatch.setenv("YUQING_CONFIG", str(config_file))
    monkeypatch.setenv("YUQING_DB_URL", db.url.render_as_string(hide_password=False))
    incident("ev-fire", "红")
    runner = CliRunner()
    from config import load_config
    evaluate_events(db, load_config(config_file), ["ev-fire"], T0)
    result = runner.invoke(cli, ["alerts", "ack", "A-ev-fire-1", "--by", "值班员甲", "--now", _minutes(5).isoformat()])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["alerts", "tick", "--now", _minutes(45).isoformat()])
    assert result.exit_code == 0 and "升级 0 条" in result.output
    assert [(kind, person) for kind, person, _ in _pages(db)] == [("new", "值班员甲")]


def _roster_toml() -> str:
    return """
[alerts.escalation]
backup_after_minutes = 15
[roster]
leaders = ["领导丙"]
[[roster.people]]
name = "值班员甲"
contacts = [{ channel = "console" }]
[[roster.people]]
name = "值班员乙"
contacts = [{ channel = "console" }]
[[roster.people]]
name = "领导丙"
role = "leader"
contacts = [{ channel = "console" }]
[[roster.shifts]]
primary = "值班员甲"
backup = "值班员乙"
"""


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_alert_state_lock_is_not_the_running_daemons_lock(db):
    daemon = db.engine.connect()  # a running `yuqing run` holds its advisory lock for its whole life
    try:
        assert daemon.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": PG_LOCK_KEY}).scalar()
        with db.session() as session:
            session.execute(text("SET LOCAL lock_timeout = '2s'"))
            escalation.lock_alerts(session)  # taken at once, not waiting for the daemon to stop
    finally:
        daemon.close()
