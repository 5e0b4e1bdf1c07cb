"""Silences: static ones from config and runtime ones from the database, by topic, place or source, with expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import Silence
from config import Config


@dataclass(frozen=True)
class SilenceRule:
    """Every given field must match; ``None`` matches anything."""

    topic: str | None
    place: str | None
    source: str | None
    until: datetime
    reason: str

    def matches(self, topic: str | None, place: str | None, sources: list[str]) -> bool:
        return ((self.topic is None or self.topic == topic)
                and (self.place is None or self.place == place)
                and (self.source is None or self.source in sources))


def active_silences(session: Session, config: Config, now: datetime) -> list[SilenceRule]:
    """The silences in force at ``now``: config's and the database's."""
    rules = [SilenceRule(s.topic, s.place, s.source, s.until, s.reason) for s in config.alerts.silences_at(now)]
    rows = session.scalars(select(Silence).where(Silence.until > now)).all()
    return rules + [SilenceRule(s.topic, s.place, s.source, s.until, s.reason) for s in rows]


def add_silence(session: Session, *, topic: str | None, place: str | None, source: str | None, until: datetime,
                reason: str, by: str, now: datetime) -> Silence:
    """Store a runtime silence; at least one of topic, place, source is required and ``until`` is after ``now``."""
    if not (topic or place or source):
        raise ValueError("静默规则至少需要指定 topic、place、source 之一")
    if until <= now:
        raise ValueError(f"静默截止时间 {until.isoformat()} 早于当前时间")
    silence = Silence(topic=topic, place=place, source=source, until=until, reason=reason, created_by=by,
                      created_at=now)
    session.add(silence)
    session.flush()
    return silence

