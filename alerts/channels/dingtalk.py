"""钉钉 group robot with 加签: a markdown message posted to the webhook URL plus ``timestamp`` and ``sign``.

``sign`` = base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded; ``timestamp`` is in
milliseconds. Answers carry ``errcode``: 0 delivered; 130101 (sending too fast) and -1 (busy) are
worth retrying; 310000 (signature, keyword or IP check failed) and the rest are not. Mentions go in
``at.atMobiles`` / ``at.atUserIds`` and as ``@id`` in the text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable
from datetime import tzinfo
from typing import Any
from urllib.parse import quote_plus

from alerts.channels.base import Channel
from alerts.channels.http import (RateLimit, Redactor, errcode_of, http_client, redact_url, robot_error,
                                  send_request, url_secrets)
from alerts.message import Message
from alerts.render import Parts, cut_chars, fit, markdown, markdown_body, mention_ids, message_parts
from config.channels import DingtalkChannelConfig

log = logging.getLogger(__name__)

TEXT_LIMIT = 20000  # bytes of markdown.text
TITLE_CHARS = 64
RATE_LIMITED = 130101
_MOBILE = re.compile(r"\+?[\d-]{5,20}")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The URL-encoded ``sign`` parameter for ``timestamp_ms``."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


class DingtalkChannel(Channel):
    """Posts signed markdown to one 钉钉 group robot."""

    def __init__(self, name: str, config: DingtalkChannelConfig, webhook: str, secret: str, tz: tzinfo,
                 clock: Callable[[], float] = time.time, pace: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.webhook = webhook
        self.secret = secret
        self.tz = tz
        self.clock = clock
        self.redact = Redactor()
        self.redact.add([*url_secrets(webhook), secret])
        self.limit = RateLimit(config.rate_limit_per_minute, pace)
        self.client = http_client(config.timeout_s)

    def payload(self, message: Message, to: str) -> dict[str, Any]:
        """The JSON body: markdown fitted to 20000 bytes, mentions in ``at`` and in the text."""
        ids = mention_ids(message, to)
        mobiles = [i for i in ids if _MOBILE.fullmatch(i)]
        users = [i for i in ids if i not in mobiles]
        tail = " ".join(f"@{i}" for i in ids)

        def compose(parts: Parts) -> str:
            body = markdown_body(message, parts, self.tz, newline="\n\n")
            return f"{body}\n\n{tail}" if tail else body

        text = fit(compose, message_parts(message), TEXT_LIMIT)
        title = cut_chars(f"{message.headline}：{markdown(message.title)}", TITLE_CHARS)
        at = {"atMobiles": mobiles, "atUserIds": users, "isAtAll": False}
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}, "at": at}

    def signed_url(self) -> str:
        timestamp = int(self.clock() * 1000)
        joiner = "&" if "?" in self.webhook else "?"
        return f"{self.webhook}{joiner}timestamp={timestamp}&sign={dingtalk_sign(self.secret, timestamp)}"

    def send(self, message: Message, to: str) -> None:
        payload = self.payload(message, to)
        self.limit.take()
        url = self.signed_url()
        response = send_request(self.client, "POST", url, self.redact, json=payload)
        code, errmsg = errcode_of(response, redact_url(url))
        if code != 0:
            raise robot_error(self.redact(f"钉钉 robot errcode {code}: {errmsg}"), code, RATE_LIMITED)
        log.info("channel %s: alert %s delivered", self.name, message.alert_id)
