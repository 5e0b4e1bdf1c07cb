"""Fixtures for the alerts core: a roster config on a controllable clock, seeded events, recording channels."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from alerts.channels.base import Channel, DeliveryError
from alerts.message import Message
from config import DEFAULT_CONFIG, Config, config_from_mapping
from storage import Database
from storage.analysis_models import Event, PostAnalysisRow
from storage.models import Post
from storage.sources import ensure_sources
from tests.alerts.servers import robot_server  # noqa: F401 — the local robot endpoints, for the fault tests

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=CST)  # a Monday morning: 值班员甲 is primary, 值班员乙 backup
ROSTER: dict[str, Any] = {
    "leaders": ["领导丙"],
    "operator": "运维丁",
    "people": [
        {"name": "值班员甲", "contacts": [{"channel": "wecom", "to": "jia"}, {"channel": "sms", "to": "13800000001"}]},
        {"name": "值班员乙", "contacts": [{"channel": "sms", "to": "13800000002"}]},
        {"name": "领导丙", "role": "leader", "contacts": [{"channel": "sms", "to": "13800000003"}]},
        {"name": "运维丁", "role": "operator", "contacts": [{"channel": "ops", "to": ""}]},
    ],
    "shifts": [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:30", "end": "17:30",
         "primary": "值班员甲", "backup": "值班员乙"},
        {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "17:30", "end": "08:30",
         "primary": "值班员乙", "backup": "值班员甲"},
    ],
}


def alerts_config(**alerts: Any) -> Config:
    """The test config: the roster above and [alerts] options; links signed with a test secret."""
    return config_from_mapping({"alerts": {"link_secret": "test-link-secret", **alerts}, "roster": ROSTER})


@pytest.fixture
def config() -> Config:
    return alerts_config()


class Recorder(Channel):
    """A channel that records what it was given and fails as told (a stand-in for unit tests of the outbox)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[tuple[Message, str]] = []
        self.failures: list[DeliveryError] = []

    def send(self, message: Message, to: str) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((message, to))


@pytest.fixture
def channels() -> dict[str, Recorder]:
    return {name: Recorder(name) for name in ("wecom", "sms", "ops")}


def add_post(session, source: str, post_id: str, published_at: datetime, text: str = "红梅新村楼道电瓶车着火",
             event_id: str | None = None, alert: bool = True, level: str | None = "橙") -> Post:
    """Store a post (with a raw fragment) and its analysis as a member of ``event_id``."""
    ensure_sources(session, [source], published_at)
    post = Post(source=source, source_post_id=post_id, url=f"https://example.com/{source}/{post_id}", title="",
                text=text, author="网友", published_at=published_at, fetched_at=published_at, updated_at=published_at,
                content_hash=hashlib.sha256(text.encode()).hexdigest(), raw=f"<p>{text}</p>", raw_format="html",
                reposts=3, comments=5, likes=10)
    session.add(post)
    session.flush()
    session.add(PostAnalysisRow(
        post_id=post.id, model_version="test", analysed_at=published_at, relevance=0.9, safety=True,
        in_district=True, sentiment=0.2, negative=True, category="incident", event_type="fire", place="红梅街道",
        terms=["着火"], rules=["火灾"], event_id=event_id, level=level, alert=alert, reason="测试"))
    session.flush()
    return post


def put_event(session, event_id: str, level: str | None, moment: datetime, *, in_district: bool = True,
              event_type: str = "fire", place: str | None = "红梅街道", sources: list[str] | None = None,
              title: str = "红梅新村楼道电瓶车着火") -> Event:
    """Create or update an event row the way analysis leaves it."""
    event = session.get(Event, event_id) or Event(id=event_id, first_seen=moment)
    event.title, event.event_type, event.type_name, event.category = title, event_type, "火灾", "incident"
    event.place, event.spots, event.in_district, event.last_seen = place, [], in_district, moment
    event.post_count, event.sources, event.engagement, event.growth = 1, sources or ["weibo"], 18, 0.0
    event.level, event.score, event.reason, event.updated_at = level, 0.8, f"{level}色：红梅街道火灾", moment
    session.add(event)
    session.flush()
    return event


@pytest.fixture
def incident(db: Database) -> Callable[..., str]:
    """``incident(event_id, level, moment, posts=1, **event_fields)``: an event with ``posts`` new alerting posts."""
    counter = iter(range(1, 10_000))

    def make(event_id: str = "ev-fire", level: str | None = "橙", moment: datetime = T0, posts: int = 1,
             source: str = "weibo", **fields: Any) -> str:
        with db.session() as session:
            put_event(session, event_id, level, moment, sources=[source], **fields)
            for _ in range(posts):
                add_post(session, source, f"{event_id}-{next(counter)}", moment, event_id=event_id, level=level)
        return event_id

    return make


def toml_text(mapping: dict[str, Any]) -> str:
    """A config mapping as TOML: one ``key = value`` line per top-level key, tables inline."""
    return "".join(f"{json.dumps(key, ensure_ascii=False)} = {_toml_value(value)}\n" for key, value in mapping.items())


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def write_config(path: Path, channels: dict[str, Any], *, roster: dict[str, Any] | None = None,
                 alerts: dict[str, Any] | None = None, with_analysis: bool = False) -> Path:
    """A config file for CLI runs: the shipped analysis scheme if asked, this roster, these channels."""
    base = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8")) if with_analysis else {}
    mapping = {key: value for key, value in base.items() if key not in ("alerts", "roster", "channels")}
    mapping |= {"alerts": {"link_secret": "test-link-secret", "allowed_hosts": ["127.0.0.1"], **(alerts or {})},
                "roster": roster or ROSTER, "channels": channels}
    path.write_text(toml_text(mapping), encoding="utf-8")
    return path
