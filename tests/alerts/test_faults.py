"""Fault tests against the local robot endpoints, each with real ``yuqing alerts dispatch`` processes doing the
sending: a dispatcher killed after it claimed a committed notification but before the endpoint read a byte, and
one killed mid-send, then restarted; the endpoint down for ten (simulated, ``--now``) minutes; every contact of
the on-duty officer failing — nothing lost, at most one duplicate per channel, the backup paged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts import evaluate_events
from alerts.models import DeliveryAttempt, Notification
from config import load_config
from tests.alerts.conftest import T0, write_config
from tests.alerts.servers import RobotServer

REPO = Path(__file__).parents[2]
TITLES = {"ev-a": "红梅新村电瓶车着火", "ev-b": "兰陵路燃气泄漏", "ev-c": "青龙工地塔吊倒塌"}


@pytest.fixture
def setup(db, tmp_path, robot_server, incident):
    """Three incidents raised at T0 for 值班员甲 (企业微信, then SMS); 值班员乙 as backup on a JSONL log."""
    roster = {"people": [
        {"name": "值班员甲", "contacts": [{"channel": "wecom", "to": "jia"}, {"channel": "sms", "to": "13800000001"}]},
        {"name": "值班员乙", "contacts": [{"channel": "log"}]}],
        "shifts": [{"primary": "值班员甲", "backup": "值班员乙"}]}
    channels = {"wecom": {"type": "wecom", "webhook": robot_server.wecom_url, "rate_limit_per_minute": 100},
                "sms": {"type": "webhook", "url": robot_server.sms_url},
                "log": {"type": "jsonl", "path": str(tmp_path / "backup.jsonl")}}
    path = write_config(tmp_path / "yuqing.toml", channels, roster=roster)
    for event_id, title in TITLES.items():
        incident(event_id, "橙", title=title)
    config = load_config(path)
    evaluate_events(db, config, list(TITLES), T0)
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


def _wecom_titles(server: RobotServer) -> Counter:
    contents = [request.json["markdown"]["content"] for request in server.on("/cgi-bin/webhook/send")]
    return Counter(title for content in contents for title in TITLES.values() if title in content)


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
