"""Fault tests against the local robot endpoints, most with real ``yuqing alerts dispatch`` processes doing the
sending: a dispatcher killed after it claimed a committed notification but before the endpoint read a byte, and
one killed mid-send, then restarted; the endpoint down for ten (simulated, ``--now``) minutes; every contact of
the on-duty officer failing — nothing lost, at most one duplicate per channel, the backup paged. Then slow robots:
two dispatchers beside one whose run outlasts the lease; a robot that shows a message but answers late; a live
dispatch beside a replay daemon on the fixtures' clock — never the same message twice beyond the one repeat."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from alerts import dispatch_due, evaluate_events
from alerts.models import DeliveryAttempt, Notification
from config import Config, load_config
from tests.alerts.conftest import T0, write_config
from tests.alerts.servers import RobotServer
from yuqing.cli import cli
from yuqing.daemon.clock import WallClock
from yuqing.daemon.heartbeat import Heartbeat

REPO = Path(__file__).parents[2]
TITLES = {"ev-a": "红梅新村电瓶车着火", "ev-b": "兰陵路燃气泄漏", "ev-c": "青龙工地塔吊倒塌"}


def _config_file(tmp_path: Path, robot_server: RobotServer, alerts: dict[str, Any] | None = None,
                 **endpoint: Any) -> Path:
    """值班员甲 on 企业微信, then SMS (both with ``endpoint`` options); 值班员乙 as backup on a JSONL log."""
    roster = {"people": [
        {"name": "值班员甲", "contacts": [{"channel": "wecom", "to": "jia"}, {"channel": "sms", "to": "13800000001"}]},
        {"name": "值班员乙", "contacts": [{"channel": "log"}]}],
        "shifts": [{"primary": "值班员甲", "backup": "值班员乙"}]}
    channels = {"wecom": {"type": "wecom", "webhook": robot_server.wecom_url, "rate_limit_per_minute": 100,
                          **endpoint},
                "sms": {"type": "webhook", "url": robot_server.sms_url, **endpoint},
                "log": {"type": "jsonl", "path": str(tmp_path / "backup.jsonl")}}
    return write_config(tmp_path / "yuqing.toml", channels, roster=roster, alerts=alerts)


def _raise(db, incident, config: Config, titles: dict[str, str]) -> None:
    for event_id, title in titles.items():
        incident(event_id, "橙", title=title)
    evaluate_events(db, config, list(titles), T0)


@pytest.fixture
def setup(db, tmp_path, robot_server, incident):
    """Three incidents raised at T0 for 值班员甲 (企业微信, then SMS); 值班员乙 as backup on a JSONL log."""
    path = _config_file(tmp_path, robot_server)
    config = load_config(path)
    _raise(db, incident, config, TITLES)
    env = {**os.environ, "PYTHONPATH": str(REPO), "YUQING_CONFIG": str(path),
           "YUQING_DB_URL": db.url.render_as_string(hide_password=False)}
    return env, tmp_path, config


def _dispatch(env, *args: str) -> subprocess.Popen:
    """``yuqing alerts dispatch --follow`` as its own process."""
    command = [sys.executable, "-m", "yuqing", "alerts", "dispatch", *args, "--follow", "--interval", "0.2"]
    return subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _dispatch_once(env, now: datetime) -> None:
    """``yuqing alerts dispatch --now …`` as its own process: send what is due at ``now``, then exit."""
    command = [sys.executable, "-m", "yuqing", "alerts", "dispatch", "--now", now.isoformat()]
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _wecom_titles(server: RobotServer, titles: dict[str, str] = TITLES) -> Counter:
    contents = [request.json["markdown"]["content"] for request in server.on("/cgi-bin/webhook/send")]
    return Counter(title for content in contents for title in titles.values() if title in content)


def _states(db) -> list[tuple[str, str, str]]:
    with db.session() as session:
        rows = session.scalars(select(Notification).order_by(Notification.id)).all()
        return [(row.person, row.channel, row.state) for row in rows]


def test_a_dispatcher_killed_after_claiming_before_the_endpoint_read_a_byte_loses_nothing_and_repeats_nothing(
        db, setup, robot_server):
    env = setup[0]  # the three notifications were committed with their alerts (evaluate_events)
    robot_server.mode, robot_server.hang_seconds = "stall", 30
    dispatcher = _dispatch(env, "--now", T0.isoformat())
    _wait_for(lambda: robot_server.stalled == 1)  # the first row is claimed and its connection open, nothing read …
    dispatcher.send_signal(signal.SIGKILL)  # … when the dispatcher dies: between the commit and the send
    dispatcher.wait(10)
    assert [state for _, _, state in _states(db)] == ["sending", "pending", "pending"]
    assert robot_server.requests == []
    robot_server.mode = "ok"
    robot_server.released.set()
    _dispatch_once(env, T0 + timedelta(minutes=3))  # restarted once the lease (120 s) is over
    assert _states(db) == [("值班员甲", "wecom", "sent")] * 3
    assert _wecom_titles(robot_server) == Counter(TITLES.values())  # each delivered exactly once
    assert robot_server.problems == []


def test_a_dispatcher_killed_mid_send_loses_nothing_and_repeats_at_most_that_one_message(db, setup, robot_server):
    env = setup[0]
    robot_server.mode, robot_server.hang_seconds = "hang", 30
    dispatcher = _dispatch(env, "--now", T0.isoformat())
    _wait_for(lambda: len(robot_server.requests) == 1)  # the endpoint holds the first message …
    dispatcher.send_signal(signal.SIGKILL)  # … and the dispatcher dies mid-send; the other two are still queued
    dispatcher.wait(10)
    assert [state for _, _, state in _states(db)] == ["sending", "pending", "pending"]
    robot_server.mode = "ok"
    robot_server.released.set()
    restarted = _dispatch(env, "--now", (T0 + timedelta(minutes=3)).isoformat())  # lease (120 s) over
    _wait_for(lambda: _states(db) == [("值班员甲", "wecom", "sent")] * 3)
    restarted.send_signal(signal.SIGTERM)
    assert restarted.wait(10) == 0  # a graceful stop
    titles = _wecom_titles(robot_server)
    assert set(titles) == set(TITLES.values()) and sorted(titles.values()) == [1, 1, 2]
    assert robot_server.problems == []


def test_the_endpoint_down_for_ten_minutes_delivers_after_recovery_on_the_same_channel(db, setup, robot_server):
    env = setup[0]
    robot_server.mode = "http_500"
    for minutes in (0, 10):  # down: a dispatcher run at each is refused; the retry waits (10 s, then 20 s) …
        _dispatch_once(env, T0 + timedelta(minutes=minutes))  # … and stays on 企业微信 (deadline: 30 min)
    assert [state for _, _, state in _states(db)] == ["pending"] * 3
    robot_server.mode = "ok"
    _dispatch_once(env, T0 + timedelta(minutes=11))
    assert _states(db) == [("值班员甲", "wecom", "sent")] * 3
    assert sorted(_wecom_titles(robot_server).values()) == [3, 3, 3]  # two refused, one delivered each
    with db.session() as session:
        attempts = session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
        first = [a for a in attempts if a.notification_id == attempts[0].notification_id]
    assert [(a.at - T0, a.ok) for a in first] == [(timedelta(0), False), (timedelta(minutes=10), False),
                                                  (timedelta(minutes=11), True)]
    assert robot_server.on("/sms/send") == []


def test_when_every_channel_of_the_duty_officer_fails_the_backup_is_paged(db, setup, robot_server):
    env, tmp_path, _ = setup
    robot_server.mode = "rejected"  # 企业微信 errcode 93000, the SMS gateway HTTP 400: both permanent
    _dispatch_once(env, T0)  # one run: each failure falls back to the next contact, then escalates
    assert Counter(_states(db)) == Counter({("值班员甲", "wecom", "failed"): 3, ("值班员甲", "sms", "failed"): 3,
                                            ("值班员乙", "log", "sent"): 3})
    lines = (tmp_path / "backup.jsonl").read_text(encoding="utf-8").splitlines()
    pages = [json.loads(line)["message"] for line in lines]
    assert sorted(page["title"] for page in pages) == sorted(TITLES.values())
    assert {(page["recipient"], page["kind"]) for page in pages} == {("值班员乙", "escalation")}


def test_two_dispatchers_beside_a_slow_robot_never_send_one_message_twice(db, tmp_path, robot_server, incident):
    config = load_config(_config_file(tmp_path, robot_server, {"lease_seconds": 1.0}, timeout_s=0.5))
    titles = {f"ev-{n}": f"天宁区第{n}号仓库着火" for n in range(6)}
    _raise(db, incident, config, titles)
    robot_server.mode, robot_server.slow_seconds = "slow", 0.25  # each message shown, answered 0.25 s later
    wall = WallClock(config.tz).now
    first = threading.Thread(target=dispatch_due, args=(db, config, wall))
    started = time.monotonic()
    first.start()
    _wait_for(lambda: len(robot_server.requests) >= 5 and time.monotonic() - started > 1.05)
    dispatch_due(db, config, wall)  # the first run has outlasted the lease (1 s): its current claim must hold
    first.join(10)
    assert _wecom_titles(robot_server, titles) == Counter(titles.values())
    assert _states(db) == [("值班员甲", "wecom", "sent")] * 6


def test_a_robot_that_shows_the_message_but_answers_late_gets_it_twice_at_most_then_the_sms_goes_out(
        db, tmp_path, robot_server, incident):
    config = load_config(_config_file(tmp_path, robot_server, timeout_s=0.3))
    _raise(db, incident, config, {"ev-a": TITLES["ev-a"]})
    robot_server.path_modes["/cgi-bin/webhook/send"] = "slow"  # shows it, answers after 1 s: past timeout_s
    for seconds in (0, 10, 30, 70, 150, 310):  # the backoff retries a refused robot at each of these
        dispatch_due(db, config, T0 + timedelta(seconds=seconds))
    assert len(robot_server.on("/cgi-bin/webhook/send")) == 2  # the message, and the one repeat allowed
    assert len(robot_server.on("/sms/send")) == 1
    assert _states(db) == [("值班员甲", "wecom", "failed"), ("值班员甲", "sms", "sent")]


def test_a_live_dispatch_refuses_to_run_beside_a_replay_daemon_on_the_fixtures_clock(db, setup, robot_server,
                                                                                    monkeypatch):
    env = setup[0]
    for name in ("YUQING_CONFIG", "YUQING_DB_URL"):
        monkeypatch.setenv(name, env[name])
    Heartbeat(db).started(T0, "replay")  # `yuqing run --replay`, its clock at the fixtures' T0 …
    monkeypatch.setattr("yuqing.daemon.status.daemon_alive", lambda config, database: True)  # … holding its lock
    refused = CliRunner().invoke(cli, ["alerts", "dispatch"])  # on the wall clock: every lease would look expired
    assert refused.exit_code == 1 and "另一时钟" in refused.output and "Traceback" not in refused.output
    assert robot_server.requests == [] and [state for _, _, state in _states(db)] == ["pending"] * 3
    same_time = CliRunner().invoke(cli, ["alerts", "dispatch", "--now", (T0 + timedelta(seconds=40)).isoformat()])
    assert same_time.exit_code == 0, same_time.output
    assert _wecom_titles(robot_server) == Counter(TITLES.values())
