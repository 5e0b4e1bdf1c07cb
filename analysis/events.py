"""Incidents (events): posts about the same incident, across sources, grouped within a time window.

A post that is an incident, hazard, complaint or rumour joins the best-fitting open event, or opens a
new one. A post fits an event when its wording is close to one of the event's posts, or when
- their incident families are compatible with those of the post that opened the event: a fire may be
  told as an explosion, smoke, a gas leak; generic words (伤亡, 救援, 事故) fit any family; merely
  related families (a fire and a chemical smell) must be within ``RELATED_JOIN`` of each other;
- their places do not conflict: another 小区 or road (spot), another street or town, another district or
  city is another incident; a post that names no firm place fits any place, and so does a post of the
  same family from a neighbouring street of the district within ``NEARBY_JOIN`` (smoke is seen and
  smelt from afar, people post from where they stand);
- it is close in time: within the window of the event's posts, and within ``OPEN_JOIN`` of the event's
  posts when nothing but the family ties them (no shared place, or a whole town or city elsewhere).
Among fitting events the one with the same place, shared wording, the same family and the nearest
posts wins. Grouping is incremental (existing events are passed in) and idempotent (a post already
grouped stays where it is; event ids derive from the first post, so replaying the same posts rebuilds
the same events).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from analysis.dedup import NUM_HASHES, has_signature

MAX_SIGNATURES = 12
MAX_ROWS = 20_000
"""Signatures kept for comparison before those of closed events are dropped."""
TEXT_JOIN = 0.45
OPEN_JOIN = timedelta(hours=24)
RELATED_JOIN = timedelta(hours=12)
NEARBY_JOIN = timedelta(hours=3)
DISTRICT, ELSEWHERE = "district", "elsewhere"
CLOSENESS_HOURS = 24.0
GENERIC_TYPES = frozenset({"casualty", "emergency", "work_safety", "other"})
RELATED_TYPES: dict[str, frozenset[str]] = {
    "fire": frozenset({"explosion", "gas", "fire_hazard", "chemical"}),
    "explosion": frozenset({"fire", "gas", "chemical"}),
    "gas": frozenset({"fire", "explosion", "poisoning"}),
    "chemical": frozenset({"fire", "explosion", "poisoning", "confined_space"}),
    "fire_hazard": frozenset({"fire"}),
    "construction": frozenset({"structure"}),
    "structure": frozenset({"construction", "disaster", "drowning"}),
    "confined_space": frozenset({"poisoning", "chemical"}),
    "poisoning": frozenset({"gas", "chemical", "confined_space"}),
    "flood": frozenset({"traffic", "disaster"}),
    "traffic": frozenset({"flood"}),
    "disaster": frozenset({"flood", "structure"}),
    "drowning": frozenset({"structure"}),
}
"""Incident families that one incident may show as (a fire reported as an explosion, …)."""


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
    types: frozenset[str] = frozenset()
    """Every incident family the post matched (default: ``event_type`` alone)."""
    region: str | None = None
    """``district`` or ``elsewhere`` when the post's own places settle it, else None."""

    def __post_init__(self) -> None:
        if not self.types:
            self.types = frozenset({self.event_type})


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
    types: set[str] = field(default_factory=set)
    """The incident families of the post that opened the event (what later posts must be compatible with)."""
    places: set[str] = field(default_factory=set)
    """The firm places its posts named (streets, towns, districts or cities elsewhere)."""
    region: str | None = None
    """``district`` or ``elsewhere``, from the first post whose own places settle it."""

    def absorb(self, post: EventPost) -> None:
        self.posts.append(post.key)
        self.sources.add(post.source)
        self.spots |= post.spots
        self.types = self.types or set(post.types)
        self.first_seen = min(self.first_seen, post.published_at)
        self.last_seen = max(self.last_seen, post.published_at)
        self.engagement += post.engagement
        if has_signature(post.signature) and len(self.signatures) < MAX_SIGNATURES:
            self.signatures.append(post.signature)
        if post.place:
            self.places.add(post.place)
            self.place = self.place or post.place
        self.region = self.region or post.region


def event_id(first: EventPost) -> str:
    """A stable id from the event's first post: ``evt-YYYYMMDD-<8 hex>``."""
    digest = hashlib.sha1(first.key.encode("utf-8")).hexdigest()[:8]
    return f"evt-{first.published_at:%Y%m%d}-{digest}"


@dataclass(frozen=True, slots=True)
class Family:
    """A post's specific incident families and the families related to them."""

    own: frozenset[str]
    related: frozenset[str]

    @classmethod
    def of(cls, types: Iterable[str]) -> "Family":
        own = frozenset(types) - GENERIC_TYPES
        return cls(own, own.union(*(RELATED_TYPES.get(kind, frozenset()) for kind in own)))


def types_compatible(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether posts of incident families ``a`` and ``b`` can tell the same incident."""
    mine, theirs = Family.of(a), frozenset(b) - GENERIC_TYPES
    return not mine.own or not theirs or not mine.related.isdisjoint(theirs)


class EventGrouper:
    """Assigns posts to events; holds the events still open within the window."""

    def __init__(self, window: timedelta, events: Iterable[Event] = ()) -> None:
        self.window = window
        self.events: dict[str, Event] = {}
        self._event_of: dict[str, str] = {}
        self._rows = SignatureRows()
        for event in events:
            self.add_event(event)

    def assign(self, post: EventPost) -> Event:
        """The event ``post`` belongs to, joined or newly opened."""
        known = self._event_of.get(post.key)
        if known is not None:
            return self.events[known]
        candidates = self._open_near(post)
        if self._rows.size >= MAX_ROWS:
            self._rows = SignatureRows.of(candidates)
        event = self._best(candidates, post)
        if event is None:
            event = Event(event_id(post), post.event_type, post.place, post.title, post.published_at,
                          post.published_at)
            self.events[event.id] = event
        kept = len(event.signatures)
        event.absorb(post)
        if len(event.signatures) > kept:
            self._rows.add(event.id, post.signature)
        self._event_of[post.key] = event.id
        return event

    def _best(self, candidates: list[Event], post: EventPost) -> Event | None:
        """The first of the best-fitting events, or None when none fits (a plain loop: it runs per candidate)."""
        fits = Family.of(post.types)
        best, best_score = None, 0.0
        for event, text in zip(candidates, self._similarities(candidates, post.signature)):
            score = self._score(event, post, text, fits)
            if score > best_score:
                best, best_score = event, score
        return best

    def _open_near(self, post: EventPost) -> list[Event]:
        return [event for event in self.events.values()
                if event.first_seen - self.window <= post.published_at <= event.last_seen + self.window]

    def _similarities(self, events: list[Event], signature: np.ndarray) -> list[float]:
        """For each event, the closest wording of its posts to ``signature`` (one numpy pass for all)."""
        if not events or not has_signature(signature):
            return [0.0] * len(events)
        best = self._rows.closest(signature)
        index = self._rows.index
        return [best[index[event.id]] if event.id in index else 0.0 for event in events]

    def _score(self, event: Event, post: EventPost, text: float, fits: Family) -> float:
        """How well ``post`` fits ``event`` whose closest wording is ``text`` alike: 0 means it does not belong."""
        if text >= TEXT_JOIN:
            return 2.0 + text
        theirs = event.types - GENERIC_TYPES
        same_type = not fits.own.isdisjoint(theirs)
        merely_related = not same_type and fits.own and theirs
        if merely_related and fits.related.isdisjoint(theirs):
            return 0.0
        gap = _gap(event, post.published_at)
        place = _place_fit(event, post, same_type and gap <= NEARBY_JOIN)
        loose = place == 0.0 or event.region == ELSEWHERE  # no shared place, or a town/city elsewhere
        if place is None or (loose and gap > OPEN_JOIN) or (merely_related and gap > RELATED_JOIN):
            return 0.0
        closeness = math.exp(-gap.total_seconds() / 3600 / CLOSENESS_HOURS)
        return 0.5 + place + 0.5 * closeness + text + (0.3 if same_type else 0.0)

    def add_event(self, event: Event) -> None:
        """Continue an existing event (e.g. loaded from storage, where only its main type and place are kept)."""
        event.types = event.types or {event.event_type}
        if event.place and not event.places:
            event.places.add(event.place)
        self.events[event.id] = event
        for key in event.posts:
            self._event_of[key] = event.id
        for signature in event.signatures:
            self._rows.add(event.id, signature)


class SignatureRows:
    """The signatures of every event's posts in one growing matrix, so a post is compared with all at once."""

    def __init__(self) -> None:
        self.rows = np.empty((256, NUM_HASHES), dtype=np.uint32)
        self.owners = np.empty(256, dtype=np.int64)
        self.size = 0
        self.index: dict[str, int] = {}

    @classmethod
    def of(cls, events: Iterable[Event]) -> "SignatureRows":
        """Rows of these events only (the grouper starts over with the open events when rows pile up)."""
        rows = cls()
        for event in events:
            for signature in event.signatures:
                rows.add(event.id, signature)
        return rows

    def add(self, event_id: str, signature: np.ndarray) -> None:
        if self.size == len(self.rows):
            self.rows = np.concatenate([self.rows, np.empty_like(self.rows)])
            self.owners = np.concatenate([self.owners, np.empty_like(self.owners)])
        self.rows[self.size] = signature
        self.owners[self.size] = self.index.setdefault(event_id, len(self.index))
        self.size += 1

    def closest(self, signature: np.ndarray) -> list[float]:
        """Per event (by ``index``), the highest share of MinHash values equal to ``signature``'s."""
        best = np.zeros(len(self.index), dtype=np.int64)
        equal = np.count_nonzero(self.rows[:self.size] == signature, axis=1)
        np.maximum.at(best, self.owners[:self.size], equal)
        return (best / NUM_HASHES).tolist()


def _place_fit(event: Event, post: EventPost, nearby: bool = False) -> float | None:
    """1 same place or spot, 0 open (a side names no firm place), None a conflict (another place or spot).

    ``nearby``: a post of the same family within hours of the event may come from a neighbouring place of
    the same region (smoke and smell travel, people post from where they stand): open, not a conflict.
    """
    if post.region and event.region and post.region != event.region:
        return None
    shared_spot = bool(post.spots & event.spots)
    if post.spots and event.spots and not shared_spot:
        return None
    if shared_spot or (post.place and post.place in event.places):
        return 1.0 + (0.2 if shared_spot else 0.0)
    if post.place and event.places:
        return 0.0 if nearby and post.region == event.region == DISTRICT else None
    return 0.0


def _gap(event: Event, moment: datetime) -> timedelta:
    """Time from ``moment`` to the nearest post of the event (zero inside its span)."""
    if moment < event.first_seen:
        return event.first_seen - moment
    return max(moment - event.last_seen, timedelta(0))
