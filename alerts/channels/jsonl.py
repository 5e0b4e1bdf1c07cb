"""JSONL channel: each message appended to a file as one JSON line, flushed and fsynced before returning."""

from __future__ import annotations

import os
from pathlib import Path

from alerts.channels.base import Channel, DeliveryError
from alerts.message import Message
from alerts.render import json_line


class JsonlChannel(Channel):
    """Appends ``{"channel", "to", "message"}`` lines; the message as ``Message.to_json()``."""

    def __init__(self, name: str, path: str | Path) -> None:
        self.name = name
        self.path = Path(path).expanduser()

    def send(self, message: Message, to: str) -> None:
        record = {
            "channel": self.name,
            "to": to,
            "message": message.to_json(),
        }
        line = json_line(record) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line)
                file.flush()
                os.fsync(file.fileno())
        except OSError as exc:
            raise DeliveryError(f"{self.path}: {exc.strerror or exc}", retryable=True) from None
