"""The post record of CONTRACTS.md §1: what spiders yield, what import/export read and write.

A :class:`PostRecord` is the one shape a post takes between the crawlers, the JSON Lines files and
the database. ``author_id`` and ``raw`` travel with it from a spider to storage but are never
exported: the author id is stored only as a keyed hash, the raw fragment only compressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

COUNT_KEYS = ("reposts", "comments", "likes", "views")
REQUIRED_KEYS = ("id", "source", "url", "text", "published_at")
MAY_BE_EMPTY = frozenset({"text"})  # an image-only post has no text


class RecordError(ValueError):
    """A post record that does not follow CONTRACTS.md §1."""


@dataclass(slots=True)
class PostRecord:
    """One post as its source shows it (CONTRACTS.md §1)."""

    source: str
    id: str
    url: str
    title: str
    text: str
    author: str | None
    published_at: datetime
    reposts: int | None = None
    comments: int | None = None
    likes: int | None = None
    views: int | None = None
    truncated: bool = False
    author_id: str | None = field(default=None, repr=False)
    raw: str | bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.published_at.tzinfo is None:
            raise RecordError(f"{self.source}:{self.id}: published_at must carry a UTC offset")

    def to_json(self) -> dict[str, Any]:
        """The CONTRACTS.md §1 object: every key present, ``published_at`` as ISO 8601 with offset."""
        return {
            "id": self.id,
            "source": self.source,
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "author": self.author,
            "published_at": self.published_at.isoformat(),
            "reposts": self.reposts,
            "comments": self.comments,
            "likes": self.likes,
            "views": self.views,
            "truncated": self.truncated,
        }

    @classmethod
    def from_json(cls, data: Any) -> "PostRecord":
        """Read one decoded JSON object, tolerating null/"" titles and missing optional keys."""
        if not isinstance(data, dict):
            raise RecordError("a post record must be a JSON object")
        missing = [key for key in REQUIRED_KEYS if data.get(key) is None or (data[key] == "" and key not in MAY_BE_EMPTY)]
        if missing:
            raise RecordError(f"missing {', '.join(missing)}")
        return cls(
            source=_text(data, "source"),
            id=_text(data, "id"),
            url=_text(data, "url"),
            title=_text(data, "title") if data.get("title") else "",
            text=_text(data, "text"),
            author=_text(data, "author") if data.get("author") not in (None, "") else None,
            published_at=_timestamp(data["published_at"]),
            truncated=_flag(data, "truncated"),
            **{key: _count(data, key) for key in COUNT_KEYS},
        )

    def counts(self) -> tuple[int | None, int | None, int | None, int | None]:
        return (self.reposts, self.comments, self.likes, self.views)


@dataclass(slots=True)
class EngagementSighting:
    """A known post seen again on a list or search page: only its counts are news."""

    source: str
    id: str
    reposts: int | None = None
    comments: int | None = None
    likes: int | None = None
    views: int | None = None

    def counts(self) -> tuple[int | None, int | None, int | None, int | None]:
        return (self.reposts, self.comments, self.likes, self.views)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and key == "id":
        return str(value)
    if not isinstance(value, str):
        raise RecordError(f"{key} must be a string, not {type(value).__name__}")
    return value


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise RecordError("published_at must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise RecordError(f"published_at {value!r} is not ISO 8601") from exc
    if parsed.tzinfo is None:
        raise RecordError(f"published_at {value!r} has no UTC offset")
    return parsed


def _flag(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RecordError(f"{key} must be true or false, not {value!r}")
    return value


def _count(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{key} must be a non-negative integer or null, not {value!r}")
    return value
