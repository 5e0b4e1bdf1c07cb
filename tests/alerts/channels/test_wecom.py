"""企业微信 robot channel against the local robot server: valid markdown, mentions, errcodes, timeouts."""

from __future__ import annotations

import time

import pytest

from alerts.channels import DeliveryError
from alerts.channels.wecom import WecomChannel
from config.channels import WecomChannelConfig
from tests.alerts.channels.samples import make_message
from tests.alerts.servers import WECOM_KEY

PATH = "/cgi-bin/webhook/send"


def test_a_message_arrives_as_valid_markdown_with_the_facts_and_signed_links(robot_channels, robot_server):
    robot_channels["wecom"].send(make_message(), "zhangsan")
    (request,) = robot_server.on(PATH)
    assert robot_server.problems == []
    assert request.query["key"] == WECOM_KEY
    content = request.json["markdown"]["content"]
    assert content.startswith("### 橙色预警 · 新告警")
    assert "**事件**：红梅街道某小区地下车库起火" in content
    assert "**首次发现**：2026-11-20 14:05" in content  # 06:05 UTC shown in Asia/Shanghai
    assert "[确认收到](http://127.0.0.1:8765/a/eyJhbGVydCI6IkEtMSJ9.c2lnbmF0dXJlLWFjaw)" in content
    assert "[标记误报](http://127.0.0.1:8765/a/eyJhbGVydCI6IkEtMiJ9.c2lnbmF0dXJlLWZh)" in content


def test_mentions_come_from_the_roster_in_wecom_syntax(robot_channels, robot_server):
    robot_channels["wecom"].send(make_message(mentions=("wangwu",)), "zhangsan")
    content = robot_server.on(PATH)[0].json["markdown"]["content"]
    assert content.splitlines()[-1] == "<@wangwu> <@zhangsan>"


def test_errcode_45009_is_retryable_after_a_minute(robot_channels, robot_server):
    robot_server.mode = "rate_limited"
    with pytest.raises(DeliveryError) as failed:
        robot_channels["wecom"].send(make_message(), "zhangsan")
    assert failed.value.retryable and failed.value.retry_after == 60
    assert "45009" in failed.value.reason


def test_other_errcodes_are_not_retryable(robot_channels, robot_server):
    robot_server.mode = "rejected"
    with pytest.raises(DeliveryError) as failed:
        robot_channels["wecom"].send(make_message(), "zhangsan")
    assert not failed.value.retryable and "93000" in failed.value.reason


def test_http_500_is_retryable(robot_channels, robot_server):
    robot_server.mode = "http_500"
    with pytest.raises(DeliveryError) as failed:
        robot_channels["wecom"].send(make_message(), "zhangsan")
    assert failed.value.retryable and "HTTP 500" in failed.value.reason


def test_a_hanging_robot_is_a_retryable_timeout_within_the_client_timeout(robot_channels, robot_server):
    robot_server.mode = "hang"
    started = time.monotonic()
    with pytest.raises(DeliveryError) as failed:
        robot_channels["wecom"].send(make_message(), "zhangsan")
    assert time.monotonic() - started < 1.5  # timeout_s = 0.5; the server would hang 3 s
    assert failed.value.retryable and "timed out" in failed.value.reason


def test_more_than_20_messages_a_minute_are_held_back_client_side(robot_server):
    clock = [1000.0]
    config = WecomChannelConfig(type="wecom", timeout_s=2)
    channel = WecomChannel("wecom", config, robot_server.wecom_url, make_message().first_seen.tzinfo,
                           clock=lambda: clock[0])
    for _ in range(20):
        channel.send(make_message(), "zhangsan")
    clock[0] += 15
    with pytest.raises(DeliveryError) as held:
        channel.send(make_message(), "zhangsan")
    assert held.value.retryable and held.value.retry_after == pytest.approx(45)
    assert len(robot_server.on(PATH)) == 20
    clock[0] += 45
    channel.send(make_message(), "zhangsan")
    assert len(robot_server.on(PATH)) == 21
