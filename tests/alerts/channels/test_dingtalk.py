"""钉钉 robot channel against the local robot server: signature, markdown, at-mentions, errcodes."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import unquote_plus

import pytest

from alerts.channels import DeliveryError, build_channels
from alerts.channels.dingtalk import dingtalk_sign
from tests.alerts.channels.samples import make_config, make_message
from tests.alerts.servers import DINGTALK_TOKEN

PATH = "/robot/send"


def test_sign_is_the_url_encoded_base64_hmac_of_timestamp_and_secret():
    expected = base64.b64encode(hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()).decode()
    assert unquote_plus(dingtalk_sign("SECabc", 1700000000000)) == expected
    assert "+" not in dingtalk_sign("SECabc", 1700000000000).replace("%2B", "")


def test_a_signed_message_is_accepted_with_markdown_title_text_and_links(robot_channels, robot_server):
    robot_channels["dingtalk"].send(make_message(), "13800138000")
    (request,) = robot_server.on(PATH)
    assert robot_server.problems == []
    assert request.query["access_token"] == DINGTALK_TOKEN
    body = request.json
    assert body["markdown"]["title"] == "橙色预警 · 新告警：红梅街道某小区地下车库起火"
    text = body["markdown"]["text"]
    assert "**地点**：红梅街道" in text
    assert "[确认收到](http://127.0.0.1:8765/a/eyJhbGVydCI6IkEtMSJ9.c2lnbmF0dXJlLWFjaw)" in text


def test_mobiles_and_user_ids_are_mentioned_in_at_and_in_the_text(robot_channels, robot_server):
    robot_channels["dingtalk"].send(make_message(mentions=("manager01",)), "13800138000")
    body = robot_server.on(PATH)[0].json
    assert body["at"] == {"atMobiles": ["13800138000"], "atUserIds": ["manager01"], "isAtAll": False}
    assert body["markdown"]["text"].endswith("@manager01 @13800138000")


def test_a_wrong_secret_is_refused_with_310000_and_not_retried(robot_server):
    config = make_config({"ding": {"type": "dingtalk", "webhook": robot_server.dingtalk_url,
                                   "secret": "SECwrong", "timeout_s": 0.5}})
    with pytest.raises(DeliveryError) as failed:
        build_channels(config)["ding"].send(make_message(), "13800138000")
    assert robot_server.problems == ["bad sign"]
    assert not failed.value.retryable and "310000" in failed.value.reason


def test_errcode_130101_is_retryable(robot_channels, robot_server):
    robot_server.mode = "rate_limited"
    with pytest.raises(DeliveryError) as failed:
        robot_channels["dingtalk"].send(make_message(), "13800138000")
    assert failed.value.retryable and failed.value.retry_after == 60


def test_http_500_and_hangs_are_retryable(robot_channels, robot_server):
    for mode, words in (("http_500", "HTTP 500"), ("hang", "timed out")):
        robot_server.mode = mode
        with pytest.raises(DeliveryError) as failed:
            robot_channels["dingtalk"].send(make_message(), "13800138000")
        assert failed.value.retryable and words in failed.value.reason


def test_a_missing_secret_leaves_the_channel_out(robot_server, caplog):
    config = make_config({"ding": {"type": "dingtalk", "webhook": robot_server.dingtalk_url,
                                   "secret": {"$env": "YUQING_TEST_UNSET_DINGTALK_SECRET"}}})
    assert build_channels(config) == {}
    assert "channels.ding.secret is not set" in caplog.text
