"""The post record of CONTRACTS.md §1: what spiders yield, what import/export read and write.

A :class:`PostRecord` is the one shape a post takes between the crawlers, the JSON Lines files and
the database. ``author_id`` and ``raw`` travel with it from a spider to storage but are never
exported: the author id is stored only as a keyed hash, the raw fragment only compressed.

A text longer than ``MAX_TEXT_CHARS`` is cut there and the record marked ``truncated``, wherever posts
enter: ``from_json`` (import, ``analyze --input``) and ``storage.upsert_posts`` (the crawlers' store).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

COUNT_KEYS = ("reposts", "comments", "likes", "views")
REQUIRED_KEYS = ("id", "source", "url", "text", "published_at")
MAY_BE_EMPTY = frozenset({"text"})  # an image-only post has no text
NO_NUL_KEYS = frozenset({"id", "source", "url"})  # identify a post: never silently altered, so NUL is refused
# Far above any real post; analysis holds every text of a batch in memory, so one huge post must not exhaust it.
MAX_TEXT_CHARS = 100_000
# published_at must stay a valid datetime in UTC and in any timezone it is shown in (offsets are under a day).
EARLIEST = datetime(1, 1, 2, tzinfo=timezone.utc)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=timezone.utc)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # from a lone "\ud800" escape in JSON: no UTF-8 for it


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
        """Read one decoded JSON object, tolerating null/"" titles and missing optional keys.

        Refuses what no database could store (a lone surrogate, a NUL in id/source/url, a ``published_at``
        that has no UTC equivalent); cuts a text over ``MAX_TEXT_CHARS``.
        """
        if not isinstance(data, dict):
            raise RecordError("a post record must be a JSON object")
        missing = [key for key in REQUIRED_KEYS
                   if data.get(key) is None or (data[key] == "" and key not in MAY_BE_EMPTY)]
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
        ).capped()

    def capped(self) -> "PostRecord":
        """This record, or a copy whose text is cut at ``MAX_TEXT_CHARS`` and marked ``truncated``."""
        if len(self.text) <= MAX_TEXT_CHARS:
            return self
        return replace(self, text=self.text[:MAX_TEXT_CHARS], truncated=True)

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
    _check_characters(key, value)
    return value


def _check_characters(key: str, value: str) -> None:
    """Refuse what no database can store: a lone surrogate anywhere, a NUL in what identifies the post."""
    surrogate = None if value.isascii() else LONE_SURROGATE.search(value)
    if surrogate:
        code = f"\\u{ord(surrogate.group()):04x}"
        raise RecordError(f"{key} has a lone surrogate ({code}) at character {surrogate.start() + 1}")
    if key in NO_NUL_KEYS and "\x00" in value:
        raise RecordError(f"{key} contains a NUL character")


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise RecordError("published_at must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise RecordError(f"published_at {value!r} is not ISO 8601") from exc
    if parsed.tzinfo is None:
        raise RecordError(f"published_at {value!r} has no UTC offset")
    if not EARLIEST <= parsed <= LATEST:
        raise RecordError(f"published_at {value!r} is out of range (0001-01-02 to 9999-12-30 UTC)")
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
