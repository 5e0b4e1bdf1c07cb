"""Robot keys, tokens, secrets and passwords never appear in logs or in delivery errors, whatever happens."""

from __future__ import annotations

import logging

import pytest

from alerts.channels import DeliveryError, build_channels
from tests.alerts.channels.samples import make_config, make_message
from tests.alerts.servers import DINGTALK_SECRET, DINGTALK_TOKEN, SMTP_PASSWORD, SMTP_USER, WECOM_KEY

SMS_TOKEN = "sms-gateway-token-77aa88bb99cc"
SMS_AUTH = "Bearer sms-auth-header-5566778899"
SECRETS = (WECOM_KEY, DINGTALK_TOKEN, DINGTALK_SECRET, SMS_TOKEN, SMS_AUTH, SMTP_PASSWORD, "wrong-pass-4411")


def channels_for(robot_server, smtp_server):
    return build_channels(make_config({
        "wecom": {"type": "wecom", "webhook": robot_server.wecom_url, "timeout_s": 0.3},
        "dingtalk": {"type": "dingtalk", "webhook": robot_server.dingtalk_url, "secret": DINGTALK_SECRET,
                     "timeout_s": 0.3},
        "sms": {"type": "webhook", "url": f"{robot_server.sms_url}?token={SMS_TOKEN}", "timeout_s": 0.3,
                "headers": {"Authorization": SMS_AUTH}},
        "mail": {"type": "smtp", "host": smtp_server.host, "port": smtp_server.port, "username": SMTP_USER,
                 "password": "wrong-pass-4411", "sender": "a@b.cn", "timeout_s": 2},
    }))


def test_no_secret_reaches_logs_or_errors_in_any_outcome(robot_server, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    channels = channels_for(robot_server, smtp_server)
    errors: list[DeliveryError] = []
    for mode in ("ok", "rate_limited", "rejected", "http_500", "hang"):
        robot_server.mode = mode
        for name in ("wecom", "dingtalk", "sms"):
            try:
                channels[name].send(make_message(), "13800138000")
            except DeliveryError as exc:
                errors.append(exc)
    with pytest.raises(DeliveryError) as mail_error:
        channels["mail"].send(make_message(), "officer@example.gov.cn")
    errors.append(mail_error.value)
    assert len(errors) == 13  # 4 failing modes × 3 robots + the refused login
    assert "HTTP Request: POST http://127.0.0.1" in caplog.text  # httpx did log, redacted
    shown = caplog.text + "\n".join(f"{e}\n{e!r}\n{e.reason}" for e in errors)
    for secret in SECRETS:
        assert secret not in shown


def test_an_unreachable_robot_error_names_only_the_host(robot_server, caplog):
    caplog.set_level(logging.DEBUG)
    webhook = f"http://127.0.0.1:1/cgi-bin/webhook/send?key={WECOM_KEY}"
    channel = build_channels(make_config({"wecom": {"type": "wecom", "timeout_s": 0.3, "webhook": webhook}}))["wecom"]
    with pytest.raises(DeliveryError) as failed:
        channel.send(make_message(), "zhangsan")
    assert failed.value.retryable
    assert failed.value.reason.startswith("http://127.0.0.1:1/***: ConnectError")
    assert WECOM_KEY not in caplog.text + str(failed.value)
