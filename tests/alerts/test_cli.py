"""`yuqing alerts …` from the officer's side: the Chinese table, the CONTRACTS.md §6 lines, show, the actions
with --by/--now and their refusals, silences."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from alerts import evaluate_events
from config import load_config
from tests.alerts.conftest import T0, write_config
from yuqing.cli import cli


@pytest.fixture
def run(db, tmp_path, monkeypatch, incident):
    path = write_config(tmp_path / "yuqing.toml", {"wecom": {"type": "console"}, "sms": {"type": "console"},
                                                   "ops": {"type": "console"}})
    monkeypatch.setenv("YUQING_CONFIG", str(path))
    monkeypatch.setenv("YUQING_DB_URL", db.url.render_as_string(hide_password=False))
    incident("ev-fire", "橙", posts=2)
    incident("ev-gas", "红", title="兰陵路饭店燃气泄漏", source="toutiao")
    evaluate_events(db, load_config(path), ["ev-fire", "ev-gas"], T0)
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(cli, list(args))
        assert (result.exit_code == 0) == ok, result.output
        return result

    return invoke


def test_list_jsonl_follows_the_contract_exactly(run):
    lines = [json.loads(line) for line in run("alerts", "list", "--format", "jsonl").stdout.splitlines()]
    fire = next(line for line in lines if line["event"] == "ev-fire")
    assert fire == {"id": "A-ev-fire-1", "event": "ev-fire", "level": "橙", "state": "new",
                    "opened_at": "2026-11-23T09:00:00+08:00",
                    "posts": [{"source": "weibo", "id": "ev-fire-1"}, {"source": "weibo", "id": "ev-fire-2"}],
                    "reason": "橙色：红梅街道火灾"}
    assert {line["id"] for line in lines} == {"A-ev-fire-1", "A-ev-gas-1"}


def test_the_default_list_is_a_chinese_table_and_closed_alerts_need_all(run):
    table = run("alerts", "list").stdout
    assert "编号" in table and "状态" in table and "A-ev-gas-1" in table and "新" in table
    run("alerts", "false-alarm", "A-ev-gas-1", "--by", "值班员甲", "--now", T0.isoformat())
    assert "A-ev-gas-1" not in run("alerts", "list").stdout
    closed = run("alerts", "list", "--all", "--format", "jsonl").stdout
    assert '"state": "false_alarm"' in closed


def test_actions_take_by_and_now_and_show_prints_the_handling_log(run):
    moment = (T0 + timedelta(minutes=5)).isoformat()
    run("alerts", "ack", "A-ev-fire-1", "--by", "值班员甲", "--now", moment)
    run("alerts", "note", "A-ev-fire-1", "已电话核实", "--by", "值班员甲", "--now", moment)
    run("alerts", "refer", "A-ev-fire-1", "--contact", "网信办王科长", "--ref", "TN-118", "--by", "值班员甲",
        "--now", moment)
    run("alerts", "refer", "A-ev-fire-1", "--response", "已发布辟谣", "--by", "值班员甲", "--now", moment)
    shown = json.loads(run("alerts", "show", "A-ev-fire-1", "--format", "jsonl").stdout)
    assert shown["state"] == "following"
    assert [(row["action"], row["actor"]) for row in shown["log"]] == [
        ("raise", "system"), ("ack", "值班员甲"), ("note", "值班员甲"), ("refer", "值班员甲"), ("respond", "值班员甲")]
    assert shown["log"][3]["details"]["reference"] == "TN-118"
    assert shown["notifications"][0]["person"] == "值班员甲"
    table = run("alerts", "show", "A-ev-fire-1").stdout
    assert "跟进中（已回应）" in table and "上报网信办" in table


def test_refused_actions_exit_with_a_clear_message(run):
    run("alerts", "resolve", "A-ev-fire-1", "--by", "值班员甲", "--now", T0.isoformat())
    refused = run("alerts", "false-alarm", "A-ev-fire-1", "--by", "值班员甲", ok=False)
    assert "当前为“已办结”，不能误报" in refused.output
    assert "没有编号为 A-x 的预警" in run("alerts", "ack", "A-x", ok=False).output
    assert "name who acts" in run("alerts", "ack", "A-ev-fire-1", "--by", "  ", ok=False).output


def test_a_runtime_silence_is_stored_and_listed(run):
    run("alerts", "silence", "--place", "红梅街道", "--hours", "2", "--reason", "已处置", "--by", "值班员甲",
        "--now", T0.isoformat())
    listed = run("alerts", "silence", "--list", "--now", (T0 + timedelta(hours=1)).isoformat()).stdout
    assert "红梅街道" in listed and "已处置" in listed
    assert "红梅街道" not in run("alerts", "silence", "--list", "--now", (T0 + timedelta(hours=3)).isoformat()).stdout
    assert "至少需要" in run("alerts", "silence", "--hours", "1", ok=False).output
    [rule] = [json.loads(line) for line in run("alerts", "silence", "--list", "--format", "jsonl", "--now",
                                               (T0 + timedelta(hours=1)).isoformat()).stdout.splitlines()]
    assert rule == {"topic": None, "place": "红梅街道", "source": None, "until": "2026-11-23T11:00:00+08:00",
                    "reason": "已处置"}
