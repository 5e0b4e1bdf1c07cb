"""Generic HTTP webhook / SMS gateway: the request body is rendered from the channel's Jinja2 template.

Every ``{{ value }}`` in the template is JSON-string-escaped (write it between quotes); ``{{ value|json }}``
gives a complete JSON value. ``text`` is a short SMS-style summary cut to ``max_chars``, keeping the
signed 确认 / 误报 links whole; ``to`` is the addressee (e.g. a mobile number). Post text (``title``,
``reason``, ``excerpt``, ``place``, and inside ``text``) is :func:`alerts.render.inert`: no SMS app links or
mentions anything in it; ``link``, ``ack_url`` and ``false_alarm_url`` have passed ``safe_url``.
2xx is delivered; 408, 429 and 5xx are retryable; other answers are not.
"""

from __future__ import annotations

import json
import logging
from datetime import tzinfo
from typing import Any

from jinja2 import Environment, StrictUndefined, Template, TemplateError
from markupsafe import Markup

from alerts.channels.base import Channel, DeliveryError
from alerts.channels.http import RateLimit, Redactor, http_client, send_request, url_secrets
from alerts.message import Message
from alerts.render import Parts, cut_chars, fit, format_time, inert, links, message_parts, one_line, safe_url
from config.channels import WebhookChannelConfig

log = logging.getLogger(__name__)


def json_content(value: Any) -> str:
    """Default output of a template expression: the text JSON-escaped, without the surrounding quotes."""
    if isinstance(value, Markup):
        return value
    return json.dumps(one_line("" if value is None else str(value)), ensure_ascii=False)[1:-1]


def json_value(value: Any) -> Markup:
    """The ``json`` filter: a complete JSON value (strings cleaned of control characters)."""
    if isinstance(value, str):
        value = one_line(value)
    return Markup(json.dumps(value, ensure_ascii=False))


def compile_template(source: str) -> Template:
    """The body template; a syntax error raises :class:`jinja2.TemplateError`."""
    environment = Environment(autoescape=False, finalize=json_content, undefined=StrictUndefined)
    environment.filters["json"] = json_value
    return environment.from_string(source)


def sms_text(message: Message, parts: Parts, tz: tzinfo) -> str:
    """A one-paragraph summary with the 确认 / 误报 links at the end; post text can neither link nor mention."""
    pieces = [
        f"【舆情{message.headline}】{inert(parts['title'])}",
        f"地点：{inert(message.place) or '未识别'}，首次发现{format_time(message.first_seen, tz)}，"
        f"{message.post_count}条帖子、{message.source_count}个来源",
        f"研判：{inert(parts['reason'])}" if parts["reason"] else "",
        f"摘录：{inert(parts['excerpt'])}" if parts["excerpt"] else "",
        *(f"{label}：{url}" for label, url in links(message) if url != safe_url(message.link)),
    ]
    return "。".join(piece for piece in pieces if piece)


def template_context(message: Message, parts: Parts, limit: int) -> dict[str, Any]:
    """``message.to_json()`` with its post text inert and cut to ``limit`` and its links made safe."""
    texts = {name: cut_chars(inert(value), limit) for name, value in parts.items()}
    place = None if message.place is None else inert(message.place)
    safe_links = {name: safe_url(getattr(message, name)) for name in ("link", "ack_url", "false_alarm_url")}
    return {**message.to_json(), **texts, "place": place, **safe_links}


class WebhookChannel(Channel):
    """Sends each message as one HTTP request rendered from a template."""

    def __init__(self, name: str, config: WebhookChannelConfig, url: str, tz: tzinfo) -> None:
        self.name = name
        self.config = config
        self.url = url
        self.tz = tz
        self.template = compile_template(config.template)
        self.headers = {k: v.get_secret_value() for k, v in config.headers.items() if v is not None}
        content_type = next((v for k, v in self.headers.items() if k.lower() == "content-type"), None)
        if content_type is None:
            self.headers["Content-Type"] = content_type = config.content_type
        self.json_body = "json" in content_type.lower()
        self.redact = Redactor()
        self.redact.add([*url_secrets(url), *self.headers.values()])
        self.limit = RateLimit(config.rate_limit_per_minute)
        self.client = http_client(config.timeout_s)

    def body(self, message: Message, to: str) -> str:
        """The request body for ``message`` to ``to``; JSON bodies are checked to parse."""
        limit, raw = self.config.max_chars, message_parts(message)
        text = fit(lambda parts: sms_text(message, parts, self.tz), raw, limit, len)
        context = {**template_context(message, raw, limit), "to": to, "text": text,
                   "first_seen": format_time(message.first_seen, self.tz)}
        try:
            body = self.template.render(context)
        except TemplateError as exc:
            raise DeliveryError(f"channel {self.name}: template failed: {exc}", retryable=False) from None
        if self.json_body:
            try:
                json.loads(body)
            except ValueError:
                raise DeliveryError(f"channel {self.name}: template did not produce JSON", retryable=False) from None
        return body

    def send(self, message: Message, to: str) -> None:
        body = self.body(message, to).encode("utf-8")
        self.limit.take()
        send_request(self.client, self.config.method, self.url, self.redact, content=body, headers=self.headers)
        log.info("channel %s: alert %s delivered", self.name, message.alert_id)
