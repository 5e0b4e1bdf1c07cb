"""Weekly roster cover: the times of the week no shift covers, found as on-duty lookups find them, and a shipped
roster that leaves no such time (a gap sends every new alert straight to the leaders)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from alerts.roster import on_duty
from config import DEFAULT_CONFIG, config_from_mapping, load_config
from config.roster import WeeklyGap

PEOPLE = [{"name": "甲"}, {"name": "乙"}]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
DAY_SHIFT = {"days": WEEKDAYS, "start": "08:30", "end": "17:30", "primary": "甲"}
NIGHT_SHIFT = {"days": WEEKDAYS, "start": "17:30", "end": "08:30", "primary": "乙"}
WEEKEND = {"days": ["sat", "sun"], "start": "00:00", "end": "00:00", "primary": "乙"}
ROSTERS = {
    "the roster shipped before: Monday's small hours open": [DAY_SHIFT, NIGHT_SHIFT, WEEKEND],
    "weekdays only, day and night": [DAY_SHIFT, NIGHT_SHIFT],
    "office hours": [DAY_SHIFT],
    "a holiday date and no weekly shift": [{"days": ["2026-10-01"], "primary": "甲"}],
    "overlapping, every day": [{"start": "06:00", "end": "22:00", "primary": "甲"},
                               {"start": "20:00", "end": "07:00", "primary": "乙"}],
}


def _roster(shifts: list[dict[str, Any]]):
    return config_from_mapping({"roster": {"people": PEOPLE, "shifts": shifts}})


def _at(day: int, hours: float) -> timedelta:
    return timedelta(days=day, hours=hours)


@pytest.mark.parametrize(("name", "gaps"), [
    ("the roster shipped before: Monday's small hours open", [WeeklyGap(_at(0, 0), _at(0, 8.5))]),
    ("weekdays only, day and night", [WeeklyGap(_at(5, 8.5), _at(7, 8.5))]),  # Friday's night ends Sat 08:30
    ("office hours", [*(WeeklyGap(_at(day, 17.5), _at(day + 1, 8.5)) for day in range(4)),
                      WeeklyGap(_at(4, 17.5), _at(7, 8.5))]),  # Friday evening into Monday morning: one gap
    ("a holiday date and no weekly shift", [WeeklyGap(_at(0, 0), _at(7, 0))]),
    ("overlapping, every day", []),
])
def test_weekly_gaps_name_the_uncovered_times_joined_across_midnight_and_the_week_end(name, gaps):
    assert _roster(ROSTERS[name]).roster.weekly_gaps() == gaps


@pytest.mark.parametrize("name", ROSTERS)
def test_a_moment_is_in_a_weekly_gap_exactly_when_nobody_is_on_duty_then(name):
    config = _roster(ROSTERS[name])
    gaps = config.roster.weekly_gaps()
    monday = datetime(2026, 11, 23, tzinfo=config.tz)
    for step in range(7 * 24 * 4):
        offset = timedelta(minutes=15 * step)
        in_gap = any(gap.start <= offset < gap.end or gap.start <= offset + timedelta(days=7) < gap.end
                     for gap in gaps)
        assert (on_duty(config, monday + offset).primary is None) == in_gap, f"{name}: {monday + offset}"


def test_the_shipped_roster_has_someone_on_duty_at_every_hour_of_the_week():
    config = load_config(DEFAULT_CONFIG)
    assert config.roster.weekly_gaps() == []
    monday_small_hours = datetime(2026, 11, 23, 3, 5, tzinfo=config.tz)  # the audit's night-time fire
    assert on_duty(config, monday_small_hours).primary.name == "值班员乙"
