"""Console channel: the message as plain Chinese lines on stdout (what the offline demo prints)."""

from __future__ import annotations

import sys
from datetime import tzinfo

from alerts.channels.base import Channel, DeliveryError
from alerts.message import Message
from alerts.render import message_parts, one_line, plain_text

RULE = "─" * 40


class ConsoleChannel(Channel):
    """Writes each message to standard output, framed by rules, with whom it is for."""

    def __init__(self, name: str, tz: tzinfo) -> None:
        self.name = name
        self.tz = tz

    def render(self, message: Message, to: str) -> str:
        recipient = one_line(" ".join(filter(None, (message.recipient, to))))
        header = f"发送给：{recipient}" if recipient else ""
        body = plain_text(message, message_parts(message), self.tz)
        return "\n".join(filter(None, (RULE, header, body, RULE)))

    def send(self, message: Message, to: str) -> None:
        try:
            print(self.render(message, to), file=sys.stdout, flush=True)
        except OSError as exc:
            raise DeliveryError(f"stdout: {exc.strerror or exc}", retryable=True) from None
