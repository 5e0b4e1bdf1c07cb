"""Configuration of alert channels: ``[channels.<name>]`` tables, one per console, file, mailbox, robot or gateway.

Every key, password and robot URL is a ``$env`` / ``$file`` / ``$secret`` reference (an unset one leaves the
channel unusable: its contacts are skipped with a warning, never a crash).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from config.secrets import OptionalSecret
from config.sources import StrictModel


class _HttpChannel(StrictModel):
    timeout_s: float = Field(10, gt=0, description="the longest one whole send may take (connect ≤ 5 s); "
                                                    "held to half of alerts.lease_seconds")


class ConsoleChannelConfig(StrictModel):
    """Print alerts as plain Chinese lines on stdout (the offline demo)."""

    type: Literal["console"]


class JsonlChannelConfig(StrictModel):
    """Append each alert message as one JSON line to a file (fsynced)."""

    type: Literal["jsonl"]
    path: str = Field(description="file to append to; its folder is created")


class SmtpChannelConfig(StrictModel):
    """E-mail over SMTP: plain text with an HTML alternative."""

    type: Literal["smtp"]
    host: str
    port: int = Field(25, ge=1, le=65535)
    starttls: bool = False
    username: str | None = None
    password: OptionalSecret = None
    sender: str = Field(description="From: address, e.g. 舆情值班 <yuqing@example.gov.cn>")
    timeout_s: float = Field(10, gt=0)


class WecomChannelConfig(_HttpChannel):
    """企业微信 group robot (markdown); the webhook URL carries the robot's key."""

    type: Literal["wecom"]
    webhook: OptionalSecret = Field(None, description="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…")
    rate_limit_per_minute: int = Field(20, ge=1)


class DingtalkChannelConfig(_HttpChannel):
    """钉钉 group robot (markdown) with 加签: the URL carries access_token, ``secret`` signs each request."""

    type: Literal["dingtalk"]
    webhook: OptionalSecret = Field(None, description="https://oapi.dingtalk.com/robot/send?access_token=…")
    secret: OptionalSecret = Field(None, description="the robot's 加签 secret (SEC…)")
    rate_limit_per_minute: int = Field(20, ge=1)


class WebhookChannelConfig(_HttpChannel):
    """A generic HTTP webhook or SMS gateway; ``template`` (Jinja2) renders the request body."""

    type: Literal["webhook"]
    url: OptionalSecret = None
    method: Literal["POST", "PUT"] = "POST"
    template: str = Field(
        '{"to": "{{ to }}", "text": "{{ text }}"}',
        description="Jinja2 body; every {{ value }} is JSON-string-escaped, {{ value|json }} gives a JSON value",
    )
    headers: dict[str, OptionalSecret] = Field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    max_chars: int = Field(500, ge=70, description="the message text is cut to this many characters (SMS)")
    rate_limit_per_minute: int | None = Field(None, ge=1)


ChannelConfig = Annotated[
    ConsoleChannelConfig
    | JsonlChannelConfig
    | SmtpChannelConfig
    | WecomChannelConfig
    | DingtalkChannelConfig
    | WebhookChannelConfig,
    Field(discriminator="type"),
]
