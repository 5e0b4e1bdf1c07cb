"""企业微信 group robot: a markdown message (≤ 4096 bytes) posted to the robot's webhook URL.

The robot answers HTTP 200 with ``{"errcode", "errmsg"}``: 0 is delivered; 45009 (over 20 messages a
minute) and -1 (system busy) are worth retrying; anything else (bad key, bad payload) is not. Mentions
are ``<@userid>`` for the roster ids of the message and the addressee ``to``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import tzinfo

from alerts.channels.base import Channel
from alerts.channels.http import (RateLimit, Redactor, errcode_of, http_client, redact_url, robot_error,
                                  send_request, url_secrets)
from alerts.message import Message
from alerts.render import Parts, fit, markdown_body, mention_ids, message_parts
from config.channels import WecomChannelConfig

log = logging.getLogger(__name__)

CONTENT_LIMIT = 4096  # bytes of markdown.content
RATE_LIMITED = 45009


class WecomChannel(Channel):
    """Posts markdown to one 企业微信 group robot."""

    def __init__(self, name: str, config: WecomChannelConfig, webhook: str, tz: tzinfo,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.webhook = webhook
        self.tz = tz
        self.redact = Redactor()
        self.redact.add(url_secrets(webhook))
        self.limit = RateLimit(config.rate_limit_per_minute, clock)
        self.client = http_client(config.timeout_s)

    def render(self, message: Message, to: str) -> str:
        """The markdown content: the message fitted to 4096 bytes, then the roster mentions."""
        mentions = " ".join(f"<@{user}>" for user in mention_ids(message, to))

        def compose(parts: Parts) -> str:
            body = markdown_body(message, parts, self.tz)
            return f"{body}\n{mentions}" if mentions else body

        return fit(compose, message_parts(message), CONTENT_LIMIT)

    def send(self, message: Message, to: str) -> None:
        payload = {"msgtype": "markdown", "markdown": {"content": self.render(message, to)}}
        self.limit.take()
        response = send_request(self.client, "POST", self.webhook, self.redact, json=payload)
        code, errmsg = errcode_of(response, redact_url(self.webhook))
        if code != 0:
            raise robot_error(self.redact(f"企业微信 robot errcode {code}: {errmsg}"), code, RATE_LIMITED)
        log.info("channel %s: alert %s delivered", self.name, message.alert_id)
