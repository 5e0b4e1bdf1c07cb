"""Generic webhook / SMS gateway channel: template bodies with strict JSON escaping, status handling."""

from __future__ import annotations

import pytest

from alerts.channels import DeliveryError, build_channels
from config import ConfigError
from tests.alerts.channels.samples import ACK_URL, FALSE_ALARM_URL, make_config, make_message

PATH = "/sms/send"


def test_the_template_renders_a_json_body_with_the_mobile_and_a_short_text(robot_channels, robot_server):
    robot_channels["sms"].send(make_message(), "13900139000")
    (request,) = robot_server.on(PATH)
    body = request.json
    assert body["mobile"] == "13900139000" and body["level"] == "橙"
    assert body["content"].startswith("【舆情橙色预警 · 新告警】红梅街道某小区地下车库起火。地点：红梅街道")
    assert body["content"].endswith(f"确认收到：{ACK_URL}。标记误报：{FALSE_ALARM_URL}")
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"


def test_the_text_leaves_out_the_post_link_even_when_safe_url_encodes_it(robot_channels, robot_server):
    robot_channels["sms"].send(make_message(link="https://evil.example/a(b)"), "13900139000")
    assert "evil.example" not in robot_server.on(PATH)[0].json["content"]


def test_quotes_and_braces_in_post_text_cannot_break_the_json(robot_channels, robot_server):
    robot_channels["sms"].send(make_message(title='火灾", "mobile": "110", "x": {"'), "13900139000")
    body = robot_server.on(PATH)[0].json
    assert body["mobile"] == "13900139000"
    assert '火灾", "mobile": "110"' in body["content"]


def test_the_text_is_cut_to_max_chars_keeping_both_signed_links(robot_server):
    config = make_config({"sms": {"type": "webhook", "url": robot_server.sms_url, "max_chars": 300}})
    build_channels(config)["sms"].send(make_message(excerpt="长" * 5000), "13900139000")
    text = robot_server.on(PATH)[0].json["text"]
    assert len(text) <= 300
    assert text.endswith(f"确认收到：{ACK_URL}。标记误报：{FALSE_ALARM_URL}")


def test_429_is_retryable_after_the_gateways_retry_after_and_400_is_not(robot_channels, robot_server):
    robot_server.mode = "rate_limited"
    with pytest.raises(DeliveryError) as limited:
        robot_channels["sms"].send(make_message(), "13900139000")
    assert limited.value.retryable and limited.value.retry_after == 30
    robot_server.mode = "rejected"
    with pytest.raises(DeliveryError) as rejected:
        robot_channels["sms"].send(make_message(), "13900139000")
    assert not rejected.value.retryable and "HTTP 400" in rejected.value.reason


def test_a_template_that_does_not_produce_json_fails_without_retry(robot_server):
    config = make_config({"sms": {"type": "webhook", "url": robot_server.sms_url, "template": "{{ to|json }} x"}})
    with pytest.raises(DeliveryError) as failed:
        build_channels(config)["sms"].send(make_message(), "13900139000")
    assert not failed.value.retryable and robot_server.requests == []


def test_a_broken_template_is_a_config_error_at_build_time(robot_server):
    config = make_config({"sms": {"type": "webhook", "url": robot_server.sms_url, "template": "{{ to "}})
    with pytest.raises(ConfigError, match="channels.sms.template"):
        build_channels(config)


def test_a_form_encoded_gateway_gets_its_own_content_type(robot_server):
    config = make_config({"sms": {"type": "webhook", "url": robot_server.sms_url,
                                  "template": "to={{ to|urlencode }}&level={{ level|urlencode }}",
                                  "headers": {"content-type": "application/x-www-form-urlencoded"}}})
    build_channels(config)["sms"].send(make_message(), "13900139000")
    request = robot_server.on(PATH)[0]
    assert request.text == "to=13900139000&level=%E6%A9%99"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
