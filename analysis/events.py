"""Incidents (events): posts about the same incident, across sources, grouped within a time window.

A post that is an incident, hazard, complaint or rumour joins the best-matching open event — same
incident family and place (and no conflicting spot such as two different 小区 of one 街道), or a text
close enough to one of the event's posts — or opens a new one. Grouping is incremental (existing events
are passed in) and idempotent (a post already grouped stays where it is; event ids derive from the
first post, so replaying the same posts in the same order rebuilds the same events).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from analysis.dedup import has_signature, similarity

MAX_SIGNATURES = 12
TEXT_JOIN = 0.45
TEXT_SUPPORT = 0.2


@dataclass(slots=True)
class EventPost:
    """What grouping needs to know of one post."""

    key: str
    source: str
    published_at: datetime
    event_type: str
    place: str | None
    spots: frozenset[str]
    signature: np.ndarray
    title: str
    engagement: int = 0


@dataclass(slots=True)
class Event:
    """An incident as the officer sees it: where, what, when, from which posts and sources."""

    id: str
    event_type: str
    place: str | None
    title: str
    first_seen: datetime
    last_seen: datetime
    posts: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    spots: set[str] = field(default_factory=set)
    signatures: list[np.ndarray] = field(default_factory=list)
    engagement: int = 0

    def absorb(self, post: EventPost) -> None:
        self.posts.append(post.key)
        self.sources.add(post.source)
        self.spots |= post.spots
        self.first_seen = min(self.first_seen, post.published_at)
        self.last_seen = max(self.last_seen, post.published_at)
        self.engagement += post.engagement
        if has_signature(post.signature) and len(self.signatures) < MAX_SIGNATURES:
            self.signatures.append(post.signature)
        if self.place is None and post.place:
            self.place = post.place


def event_id(first: EventPost) -> str:
    """A stable id from the event's first post: ``evt-YYYYMMDD-<8 hex>``."""
    digest = hashlib.sha1(first.key.encode("utf-8")).hexdigest()[:8]
    return f"evt-{first.published_at:%Y%m%d}-{digest}"


class EventGrouper:
    """Assigns posts to events; holds the events still open within the window."""

    def __init__(self, window: timedelta, events: Iterable[Event] = ()) -> None:
        self.window = window
        self.events: dict[str, Event] = {}
        self._event_of: dict[str, str] = {}
        for event in events:
            self.add_event(event)

    def assign(self, post: EventPost) -> Event:
        """The event ``post`` belongs to, joined or newly opened."""
        known = self._event_of.get(post.key)
        if known is not None:
            return self.events[known]
        best = max(((self._score(event, post), event) for event in self._open_near(post)),
                   key=lambda pair: pair[0], default=(0.0, None))
        event = best[1] if best[0] > 0 else None
        if event is None:
            event = Event(event_id(post), post.event_type, post.place, post.title, post.published_at,
                          post.published_at)
            self.events[event.id] = event
        event.absorb(post)
        self._event_of[post.key] = event.id
        return event

    def _open_near(self, post: EventPost) -> list[Event]:
        return [event for event in self.events.values()
                if event.first_seen - self.window <= post.published_at <= event.last_seen + self.window]

    def _score(self, event: Event, post: EventPost) -> float:
        """How well ``post`` fits ``event``: 0 means it does not belong."""
        text = max((similarity(s, post.signature) for s in event.signatures), default=0.0)
        same_type = event.event_type == post.event_type
        same_place = bool(post.place) and post.place == event.place
        spots_conflict = bool(post.spots and event.spots and not post.spots & event.spots)
        if text >= TEXT_JOIN:
            return 1.0 + text
        if same_type and same_place and not spots_conflict:
            return 0.5 + text + (0.2 if post.spots & event.spots else 0.0)
        if same_type and not post.place and text >= TEXT_SUPPORT:
            return text
        return 0.0

    def add_event(self, event: Event) -> None:
        """Continue an existing event (e.g. loaded from storage)."""
        self.events[event.id] = event
        for key in event.posts:
            self._event_of[key] = event.id
