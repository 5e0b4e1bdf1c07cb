"""Who is on duty at a moment: the shift's primary and backup officer, the leaders, and the operator."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from config import Config
from config.roster import Person, RosterConfig, Shift

log = logging.getLogger(__name__)
TIERS = ("primary", "backup", "leader")


@dataclass(frozen=True)
class Duty:
    """The people to page at one moment, by escalation tier."""

    primary: Person | None
    backup: Person | None
    leaders: list[Person] = field(default_factory=list)

    def tier(self, step: int) -> tuple[int, list[Person]]:
        """The first staffed tier from ``step`` on (0 primary, 1 backup, 2 leaders) and its people."""
        for index in range(step, len(TIERS)):
            people = self._people(TIERS[index])
            if people:
                return index, people
        return min(step, len(TIERS) - 1), []

    def _people(self, tier: str) -> list[Person]:
        if tier == "leader":
            return self.leaders
        person = self.primary if tier == "primary" else self.backup
        return [person] if person else []


def on_duty(config: Config, now: datetime) -> Duty:
    """The duty at ``now`` (taken in the configured timezone); a date-specific shift overrides weekday shifts."""
    roster = config.roster
    local = now.astimezone(config.tz)
    shift = _covering(roster.shifts, local)
    leaders = [p for p in (roster.person(name) for name in roster.leaders) if p]
    if shift is None:
        log.warning("no roster shift covers %s: alerts go to the leaders", local.isoformat())
        return Duty(None, None, leaders)
    backup = roster.person(shift.backup) if shift.backup else None
    return Duty(roster.person(shift.primary), backup, leaders)


def operator(config: Config) -> Person | None:
    """The person who runs the crawlers: source-health alerts go to them only."""
    roster: RosterConfig = config.roster
    return roster.person(roster.operator) if roster.operator else None


def _covering(shifts: list[Shift], local: datetime) -> Shift | None:
    """The shift covering ``local``: dated shifts first, then weekday shifts; overnight ones from the day before."""
    candidates: list[tuple[bool, Shift]] = []  # (started on one of its dates, shift)
    for day in (local.date(), local.date() - timedelta(days=1)):
        for shift in shifts:
            dated = day in shift.dates()
            if (dated or shift.runs_on_weekday(day)) and shift.covers(day, local):
                candidates.append((dated, shift))
    return next((shift for dated, shift in candidates if dated), candidates[0][1] if candidates else None)
