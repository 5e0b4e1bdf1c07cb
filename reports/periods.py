"""Report periods: an ISO week or a calendar day in the configured timezone, as half-open instants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class PeriodError(ValueError):
    """A week or date that cannot be read (e.g. ``2026-W54``)."""


@dataclass(frozen=True)
class Period:
    """The instants ``start <= t < end``; ``days`` are the calendar days it covers in its timezone."""

    label: str
    first_day: date
    day_count: int
    tz: tzinfo

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.day_count)]

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.day_count - 1)

    @property
    def start(self) -> datetime:
        return midnight(self.first_day, self.tz)

    @property
    def end(self) -> datetime:
        return midnight(self.first_day + timedelta(days=self.day_count), self.tz)

    def day_bounds(self) -> list[datetime]:
        """The midnight starting each day after the first (the bucket edges of a day-by-day count)."""
        return [midnight(day, self.tz) for day in self.days[1:]]

    def previous(self) -> Period:
        """The period of the same length just before (last week for 环比, yesterday for a day)."""
        first = self.first_day - timedelta(days=self.day_count)
        if self.day_count == 7:
            return week_period(first, self.tz)
        return day_period(first, self.tz)


def midnight(day: date, tz: tzinfo) -> datetime:
    """00:00 local time of ``day`` (aware; correct across DST changes)."""
    return datetime.combine(day, time(), tzinfo=tz)


def week_period(monday: date, tz: tzinfo) -> Period:
    year, week, _ = monday.isocalendar()
    return Period(f"{year}-W{week:02d}", monday, 7, tz)


def day_period(day: date, tz: tzinfo) -> Period:
    return Period(day.isoformat(), day, 1, tz)


def parse_week(text: str, tz: tzinfo) -> Period:
    """``2026-W47`` → Monday 2026-11-16 00:00 … Sunday 23:59:59 in ``tz``."""
    match = _WEEK.match(text.strip())
    if not match:
        raise PeriodError(f"{text!r} is not an ISO week such as 2026-W47")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise PeriodError(f"{text!r} is not an ISO week: {exc}") from None
    return week_period(monday, tz)


def parse_day(text: str, tz: tzinfo) -> Period:
    try:
        return day_period(date.fromisoformat(text.strip()), tz)
    except ValueError:
        raise PeriodError(f"{text!r} is not a date such as 2026-11-20") from None


def last_complete_week(now: datetime, tz: tzinfo) -> Period:
    """The last ISO week that ended at or before ``now`` (on a Monday morning: the week just past)."""
    today = now.astimezone(tz).date()
    this_monday = today - timedelta(days=today.weekday())
    return week_period(this_monday - timedelta(days=7), tz)


def yesterday(now: datetime, tz: tzinfo) -> Period:
    """The last complete calendar day before ``now``."""
    return day_period(now.astimezone(tz).date() - timedelta(days=1), tz)
