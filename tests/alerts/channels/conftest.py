"""Fixtures for channel tests: the local servers, configs pointing at them, and ordinary and hostile messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from alerts.channels import Channel, build_channels
from tests.alerts.channels.samples import make_config
from tests.alerts.servers import (  # noqa: F401 — fixtures re-exported for pytest
    DINGTALK_SECRET,
    SMTP_PASSWORD,
    SMTP_USER,
    RobotServer,
    SmtpServer,
    robot_server,
    smtp_server,
)


@pytest.fixture
def channel_for() -> Callable[..., Channel]:
    """``channel_for(type=…, **settings)`` → the built channel named "test"."""

    def build(**settings: Any) -> Channel:
        return build_channels(make_config({"test": settings}))["test"]

    return build


@pytest.fixture
def robot_channels(robot_server: RobotServer) -> dict[str, Channel]:
    """企业微信, 钉钉 and SMS-gateway channels pointing at the local robot server (0.5 s timeout)."""
    config = make_config({
        "wecom": {"type": "wecom", "webhook": robot_server.wecom_url, "timeout_s": 0.5},
        "dingtalk": {"type": "dingtalk", "webhook": robot_server.dingtalk_url, "secret": DINGTALK_SECRET,
                     "timeout_s": 0.5},
        "sms": {"type": "webhook", "url": robot_server.sms_url, "timeout_s": 0.5,
                "template": '{"mobile": "{{ to }}", "content": "{{ text }}", "level": {{ level|json }}}'},
    })
    return build_channels(config)


@pytest.fixture
def smtp_channel(smtp_server: SmtpServer) -> Channel:
    config = make_config({"mail": {"type": "smtp", "host": smtp_server.host, "port": smtp_server.port,
                                   "username": SMTP_USER, "password": SMTP_PASSWORD,
                                   "sender": "舆情值班 <yuqing@example.gov.cn>", "timeout_s": 2}})
    return build_channels(config)["mail"]
