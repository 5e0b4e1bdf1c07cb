"""Officer actions: each is checked against the state machine, logged with actor and time, and 确认 / 误报
leave relevance labels for training."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from alerts import (AlertNotFound, TransitionError, ack, evaluate_events, false_alarm, labels_for_training, note,
                    refer, resolve, respond)
from alerts.models import Alert, AlertAction
from tests.alerts.conftest import T0, write_config
from yuqing.cli import cli


@pytest.fixture
def alert_id(db, config, incident) -> str:
    incident("ev-fire", "橙", posts=2)
    evaluate_events(db, config, ["ev-fire"], T0)
    return "A-ev-fire-1"


def _log(db, alert_id):
    with db.session() as session:
        rows = session.scalars(select(AlertAction).where(AlertAction.alert_id == alert_id)
                               .order_by(AlertAction.id)).all()
        return [(r.action, r.actor, r.at, r.note, r.details) for r in rows]


def test_the_follow_up_with_the_cyberspace_office_is_recorded_step_by_step(db, alert_id):
    with db.session() as session:
        alert = ack(session, alert_id, "值班员甲", T0 + timedelta(minutes=3))
        assert (alert.state, alert.acknowledged_by) == ("acknowledged", "值班员甲")
        alert = note(session, alert_id, "现场核实：电瓶车起火，已扑灭", "值班员甲", T0 + timedelta(minutes=20))
        assert (alert.state, alert.follow_step) == ("following", "assessing")
        alert = refer(session, alert_id, "值班员甲", T0 + timedelta(minutes=40), contact="区网信办 王科长",
                      reference="网信〔2026〕118号")
        assert alert.follow_step == "referred"
        alert = respond(session, alert_id, "值班员甲", T0 + timedelta(hours=3), response="已安排正面回应")
        assert alert.follow_step == "responded"
        alert = resolve(session, alert_id, "值班员甲", T0 + timedelta(hours=4), note="处置完毕")
        assert (alert.state, alert.closed_at) == ("resolved", T0 + timedelta(hours=4))
    log = _log(db, alert_id)
    assert [row[0] for row in log] == ["raise", "ack", "note", "refer", "respond", "resolve"]
    assert log[3][4]["contact"] == "区网信办 王科长" and log[3][4]["reference"] == "网信〔2026〕118号"
    assert log[4][3] == "已安排正面回应" and log[5][1:4] == ("值班员甲", T0 + timedelta(hours=4), "处置完毕")


@pytest.mark.parametrize(("first", "then", "message"), [
    (false_alarm, resolve, "当前为“误报”，不能办结"),
    (resolve, false_alarm, "当前为“已办结”，不能误报"),
    (ack, ack, "已确认，无需重复确认"),
])
def test_invalid_transitions_are_refused_with_a_clear_reason(db, alert_id, first, then, message):
    with db.session() as session:
        first(session, alert_id, "值班员甲", T0)
    with pytest.raises(TransitionError, match=message), db.session() as session:
        then(session, alert_id, "值班员甲", T0 + timedelta(minutes=1))


def test_a_response_needs_a_referral_and_a_referral_needs_contact_and_reference(db, alert_id):
    with pytest.raises(TransitionError, match="不能网信办回应|尚未上报"), db.session() as session:
        respond(session, alert_id, "值班员甲", T0, response="x")
    with pytest.raises(TransitionError, match="--contact"), db.session() as session:
        refer(session, alert_id, "值班员甲", T0, contact="", reference="")
    with pytest.raises(AlertNotFound, match="A-nope"), db.session() as session:
        ack(session, "A-nope", "值班员甲", T0)


def test_an_action_dated_before_the_alert_or_its_latest_log_entry_is_refused(db, alert_id):
    with pytest.raises(TransitionError, match="发出于 2026-11-23 09:00:00，确认时间 2026-11-23 08:00:00 早于此"), \
            db.session() as session:
        ack(session, alert_id, "值班员甲", T0 - timedelta(hours=1))
    with db.session() as session:
        ack(session, alert_id, "值班员甲", T0 + timedelta(minutes=10))
    with pytest.raises(TransitionError, match="处置记录已记到 2026-11-23 09:10:00，办结时间 2026-11-23 09:05:00 早于此"), \
            db.session() as session:
        resolve(session, alert_id, "值班员甲", T0 + timedelta(minutes=5))
    with db.session() as session:
        alert = session.get(Alert, alert_id)
        assert (alert.state, alert.closed_at) == ("acknowledged", None)
    assert [row[0] for row in _log(db, alert_id)] == ["raise", "ack"]


def test_the_cli_refuses_a_back_dated_action_in_one_chinese_line(db, alert_id, tmp_path, monkeypatch):
    monkeypatch.setenv("YUQING_CONFIG", str(write_config(tmp_path / "yuqing.toml", {"wecom": {"type": "console"}})))
    monkeypatch.setenv("YUQING_DB_URL", db.url.render_as_string(hide_password=False))
    runner = CliRunner()
    early = runner.invoke(cli, ["alerts", "ack", alert_id, "--by", "值班员甲", "--now", "2026-11-23T08:00"])
    assert early.exit_code == 1 and early.output.splitlines() == [
        f"Error: 预警 {alert_id} 发出于 2026-11-23 09:00:00，确认时间 2026-11-23 08:00:00 早于此，"
        "不能记录（处置记录须按时间先后）"]
    ok = runner.invoke(cli, ["alerts", "ack", alert_id, "--by", "值班员甲", "--now", "2026-11-23T09:10"])
    assert ok.exit_code == 0, ok.output
    day_before = runner.invoke(cli, ["alerts", "resolve", alert_id, "--by", "值班员甲", "--now", "2026-11-22T08:00"])
    assert day_before.exit_code == 1 and "发出于 2026-11-23 09:00:00，办结时间 2026-11-22 08:00:00 早于此" in day_before.output


def test_ack_and_false_alarm_label_the_alert_posts_for_training_latest_verdict_wins(db, config, incident, alert_id):
    incident("ev-gas", "橙", posts=1)
    evaluate_events(db, config, ["ev-gas"], T0)
    with db.session() as session:
        ack(session, alert_id, "值班员甲", T0)
        ack(session, "A-ev-gas-1", "值班员甲", T0)
        false_alarm(session, "A-ev-gas-1", "值班员甲", T0 + timedelta(minutes=5), note="是演练")
    with db.session() as session:
        labels = sorted(labels_for_training(session), key=lambda pair: pair[1])
    assert labels == [("红梅新村楼道电瓶车着火", 0), ("红梅新村楼道电瓶车着火", 1), ("红梅新村楼道电瓶车着火", 1)]
