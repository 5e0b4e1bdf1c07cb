"""Configuration of the duty roster (值班表): people and their contacts, shifts, leaders, the operator."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Literal, NamedTuple

from pydantic import Field, field_validator, model_validator

from config.sources import StrictModel

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Role = Literal["officer", "leader", "operator"]
DAY, WEEK = timedelta(days=1), timedelta(days=7)
REFERENCE_WEEK = datetime(2024, 1, 1)  # a Monday 00:00 (any would do): the week weekly cover is worked out on


class Contact(StrictModel):
    """One way to reach a person: a configured channel and the address on it (mailbox, userid, mobile…)."""

    channel: str = Field(description="name of a [channels.<name>] section")
    to: str = Field("", description="address, user id or mobile on that channel ('' for console/jsonl)")


class Person(StrictModel):
    """Someone on the roster; contacts are tried in order until one delivers."""

    name: str
    role: Role = "officer"
    contacts: list[Contact] = Field(default_factory=list)


class Shift(StrictModel):
    """A duty shift on some weekdays or dates; ``end`` at or before ``start`` runs overnight."""

    days: list[str] = Field(default_factory=lambda: list(WEEKDAYS), description="'mon'…'sun' or YYYY-MM-DD dates")
    start: time = time(0, 0)
    end: time = time(0, 0)
    primary: str
    backup: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: object) -> object:
        if isinstance(value, str) and not re.fullmatch(r"\d{1,2}:\d{2}", value):
            raise ValueError(f"{value!r} is not a clock time such as 08:30")
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, values: list[str]) -> list[str]:
        for value in values:
            if value.lower() not in WEEKDAYS:
                date.fromisoformat(value)  # raises ValueError with the bad value
        return [value.lower() for value in values]

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    def dates(self) -> set[date]:
        return {date.fromisoformat(day) for day in self.days if day not in WEEKDAYS}

    def runs_on_weekday(self, day: date) -> bool:
        """Whether ``day``'s weekday is one of the shift's days (its dates aside)."""
        return WEEKDAYS[day.weekday()] in self.days

    def covers(self, day: date, moment: datetime) -> bool:
        """Whether the shift started on ``day`` covers ``moment`` (a wall-clock time in the roster's timezone)."""
        start = datetime.combine(day, self.start, tzinfo=moment.tzinfo)
        end = datetime.combine(day + DAY if self.overnight else day, self.end, tzinfo=moment.tzinfo)
        return start <= moment < end


class WeeklyGap(NamedTuple):
    """Time of every week no shift covers: from ``start`` to ``end`` after Monday 00:00 (past a week: wraps)."""

    start: timedelta
    end: timedelta


class RosterConfig(StrictModel):
    """Who is on duty when, who leads, and who runs the crawlers (source-health alerts go to the operator)."""

    people: list[Person] = Field(default_factory=list)
    shifts: list[Shift] = Field(default_factory=list)
    leaders: list[str] = Field(default_factory=list)
    operator: str | None = None

    @model_validator(mode="after")
    def _known_names(self) -> RosterConfig:
        known = {person.name for person in self.people}
        named = [*self.leaders, *([self.operator] if self.operator else [])]
        named += [name for shift in self.shifts for name in (shift.primary, shift.backup) if name]
        unknown = sorted(set(named) - known)
        if unknown:
            raise ValueError(f"roster names not among roster.people: {', '.join(unknown)}")
        return self

    def person(self, name: str) -> Person | None:
        return next((person for person in self.people if person.name == name), None)

    def weekly_gaps(self) -> list[WeeklyGap]:
        """The times of the week no weekday shift covers; a gap from Sunday into Monday is one gap.

        A moment is covered as on-duty lookups cover it: by a shift started that day or, overnight, the day
        before. Dated shifts only add to their dates' cover, so they neither open nor close a weekly gap.
        """
        edges = sorted({timedelta(0)} | {edge for shift in self.shifts for edge in _weekly_edges(shift)})
        spans = zip(edges, [*edges[1:], WEEK], strict=True)
        uncovered = [WeeklyGap(start, end) for start, end in spans if not self._covered(start)]
        return _joined(uncovered)

    def _covered(self, offset: timedelta) -> bool:
        moment = REFERENCE_WEEK + offset
        return any(shift.runs_on_weekday(day) and shift.covers(day, moment)
                   for day in (moment.date(), moment.date() - DAY) for shift in self.shifts)


def _weekly_edges(shift: Shift) -> set[timedelta]:
    """Where in the week the shift's cover can begin or end (cover is constant between edges)."""
    clocks = [datetime.combine(REFERENCE_WEEK.date(), clock) - REFERENCE_WEEK for clock in (shift.start, shift.end)]
    return {(day * DAY + clock) % WEEK for day in range(7) for clock in clocks}


def _joined(gaps: list[WeeklyGap]) -> list[WeeklyGap]:
    """Adjacent gaps as one, including the one ending at Sunday 24:00 with the one starting at Monday 00:00."""
    joined: list[WeeklyGap] = []
    for gap in gaps:
        if joined and joined[-1].end == gap.start:
            joined[-1] = WeeklyGap(joined[-1].start, gap.end)
        else:
            joined.append(gap)
    if len(joined) > 1 and joined[0].start == timedelta(0) and joined[-1].end == WEEK:
        first = joined.pop(0)
        joined[-1] = WeeklyGap(joined[-1].start, WEEK + first.end)
    return joined
