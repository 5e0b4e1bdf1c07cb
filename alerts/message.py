"""The alert message handed to every channel: what happened, where, how big, and the two signed links.

A :class:`Message` carries raw (unescaped) text; each channel escapes and cuts it for its own format
(alerts/render.py). ``to_json()`` / ``from_json()`` give the JSON stored as a notification's payload.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

KINDS = ("new", "escalated", "reminder", "escalation", "resolved", "source_health")

KIND_ZH = {
    "new": "新告警",
    "escalated": "级别升高",
    "reminder": "提醒：尚未确认",
    "escalation": "升级通知：值班员未确认",
    "resolved": "已办结",
    "source_health": "数据源异常",
}

LEVEL_ZH = {"红": "红色", "橙": "橙色", "黄": "黄色", "蓝": "蓝色"}


@dataclass(frozen=True)
class Message:
    """One alert notification for one roster person; ``mentions`` are channel ids taken from the roster only."""

    alert_id: str
    kind: str
    level: str | None
    title: str
    place: str | None = None
    first_seen: datetime | None = None
    post_count: int = 0
    source_count: int = 0
    sources: tuple[str, ...] = ()
    growth: float = 0.0
    reason: str = ""
    excerpt: str = ""
    link: str | None = None
    ack_url: str | None = None
    false_alarm_url: str | None = None
    recipient: str = ""
    mentions: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown message kind {self.kind!r} (expected one of {', '.join(KINDS)})")
        if self.first_seen is not None and self.first_seen.tzinfo is None:
            raise ValueError("first_seen must be timezone-aware")
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "mentions", tuple(self.mentions))

    @property
    def headline(self) -> str:
        """``橙色预警 · 新告警`` — the level's colour word and what kind of notice this is."""
        level = f"{LEVEL_ZH[self.level]}预警" if self.level in LEVEL_ZH else "通知"
        return f"{level} · {KIND_ZH[self.kind]}"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``first_seen`` as ISO 8601 with offset)."""
        data = asdict(self)
        data["sources"] = list(self.sources)
        data["mentions"] = list(self.mentions)
        data["first_seen"] = self.first_seen.isoformat() if self.first_seen else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> Message:
        """The message of a ``to_json()`` dict (or its JSON text); unknown keys are ignored."""
        if isinstance(data, str):
            data = json.loads(data)
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("first_seen"):
            values["first_seen"] = datetime.fromisoformat(values["first_seen"])
        return cls(**values)
