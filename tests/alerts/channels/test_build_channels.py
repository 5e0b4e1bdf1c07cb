"""Building channels from config: host allow-list, unset secrets, and every channel type."""

from __future__ import annotations

import pytest

from alerts.channels import build_channels
from alerts.channels.console import ConsoleChannel
from alerts.channels.dingtalk import DingtalkChannel
from alerts.channels.jsonl import JsonlChannel
from alerts.channels.smtp import SmtpChannel
from alerts.channels.webhook import WebhookChannel
from alerts.channels.wecom import WecomChannel
from config import DEFAULT_CONFIG, ConfigError, config_from_mapping, load_config
from tests.alerts.channels.samples import make_config

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef-123456"


def test_every_channel_type_is_built_under_its_name(tmp_path):
    config = config_from_mapping({"channels": {
        "console": {"type": "console"},
        "file": {"type": "jsonl", "path": str(tmp_path / "a.jsonl")},
        "mail": {"type": "smtp", "host": "127.0.0.1", "sender": "a@b.cn"},
        "wecom": {"type": "wecom", "webhook": WECOM},
        "ding": {"type": "dingtalk", "webhook": "https://oapi.dingtalk.com/robot/send?access_token=t",
                 "secret": "SECx"},
        "sms": {"type": "webhook", "url": "https://sms.example.cn/send"},
    }, "alerts": {"allowed_hosts": ["qyapi.weixin.qq.com", "oapi.dingtalk.com", "sms.example.cn"]}})
    channels = build_channels(config)
    kinds = {name: type(channel) for name, channel in channels.items()}
    assert kinds == {"console": ConsoleChannel, "file": JsonlChannel, "mail": SmtpChannel, "wecom": WecomChannel,
                     "ding": DingtalkChannel, "sms": WebhookChannel}
    assert all(channel.name == name for name, channel in channels.items())


def test_a_robot_host_outside_the_allow_list_is_a_config_error_naming_the_host_not_the_key():
    config = config_from_mapping({"channels": {"wecom": {
        "type": "wecom", "webhook": "https://evil.example.com/cgi-bin/webhook/send?key=abcdef-123456"}}})
    with pytest.raises(ConfigError, match="evil.example.com is not in alerts.allowed_hosts") as refused:
        build_channels(config)
    assert "abcdef-123456" not in str(refused.value)


def test_the_default_allow_list_accepts_the_real_robot_hosts():
    assert set(build_channels(config_from_mapping({"channels": {"w": {"type": "wecom", "webhook": WECOM}}}))) == {"w"}


def test_a_non_http_webhook_is_a_config_error():
    with pytest.raises(ConfigError, match="not an http"):
        build_channels(make_config({"sms": {"type": "webhook", "url": "file:///etc/passwd"}}))


def test_channels_whose_secret_env_is_unset_are_skipped_with_a_warning(caplog, monkeypatch):
    monkeypatch.delenv("YUQING_TEST_WECOM_URL", raising=False)
    config = make_config({"wecom": {"type": "wecom", "webhook": {"$env": "YUQING_TEST_WECOM_URL"}},
                          "console": {"type": "console"}})
    assert list(build_channels(config)) == ["console"]
    assert "channels.wecom.webhook is not set: contacts on channel wecom are skipped" in caplog.text


def test_an_unknown_channel_type_is_rejected_when_the_config_loads():
    with pytest.raises(ConfigError, match="channels.x"):
        config_from_mapping({"channels": {"x": {"type": "pager"}}})


def test_an_smtp_login_without_its_password_is_skipped(caplog):
    config = make_config({"mail": {"type": "smtp", "host": "127.0.0.1", "sender": "a@b.cn", "username": "u",
                                   "password": {"$env": "YUQING_TEST_UNSET_SMTP_PASSWORD"}}})
    assert build_channels(config) == {}
    assert "channels.mail.password is not set" in caplog.text


def test_the_shipped_config_builds_console_and_log_and_skips_channels_without_secrets(monkeypatch):
    for name in ("YUQING_WECOM_WEBHOOK", "YUQING_DINGTALK_WEBHOOK", "YUQING_DINGTALK_SECRET",
                 "YUQING_SMTP_PASSWORD", "YUQING_SMS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert set(build_channels(load_config(DEFAULT_CONFIG))) == {"console", "log"}
