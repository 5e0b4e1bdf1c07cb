"""Configuration of the duty roster (值班表): people and their contacts, shifts, leaders, the operator."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Literal

from pydantic import Field, field_validator, model_validator

from config.sources import StrictModel

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Role = Literal["officer", "leader", "operator"]


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
