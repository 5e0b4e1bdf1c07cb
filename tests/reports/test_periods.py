"""Report periods: ISO weeks and days in the configured timezone, the default week, the previous period."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from reports.periods import PeriodError, last_complete_week, parse_day, parse_week, yesterday

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_an_iso_week_runs_from_monday_midnight_to_the_next_monday_in_the_timezone():
    week = parse_week("2026-W47", SHANGHAI)
    assert week.start == datetime(2026, 11, 16, tzinfo=SHANGHAI)
    assert week.start.utcoffset() == timedelta(hours=8)
    assert week.end == datetime(2026, 11, 23, tzinfo=SHANGHAI)
    assert (week.first_day, week.last_day, week.label) == (date(2026, 11, 16), date(2026, 11, 22), "2026-W47")
    assert week.day_bounds()[0] == datetime(2026, 11, 17, tzinfo=SHANGHAI)


def test_week_53_exists_in_2026_and_week_54_does_not():
    assert parse_week("2026-W53", SHANGHAI).first_day == date(2026, 12, 28)
    with pytest.raises(PeriodError, match="2026-W54"):
        parse_week("2026-W54", SHANGHAI)
    with pytest.raises(PeriodError, match="ISO week"):
        parse_week("2026-47", SHANGHAI)


@pytest.mark.parametrize("now, expected", [
    ("2026-11-23T08:30:00+08:00", "2026-W47"),   # Monday morning: the week just ended
    ("2026-11-22T23:59:00+08:00", "2026-W46"),   # still Sunday of W47: W47 is not complete
    ("2026-11-23T00:30:00+00:00", "2026-W47"),   # 08:30 in Shanghai, whatever the given offset
    ("2026-11-22T16:30:00+00:00", "2026-W47"),   # = Monday 00:30 in Shanghai
])
def test_the_default_week_is_the_last_complete_one_before_now(now, expected):
    assert last_complete_week(datetime.fromisoformat(now), SHANGHAI).label == expected


def test_the_previous_period_has_the_same_length():
    assert parse_week("2026-W01", SHANGHAI).previous().label == "2025-W52"
    assert parse_day("2026-11-01", SHANGHAI).previous().label == "2026-10-31"


def test_a_day_and_yesterday_are_calendar_days_in_the_timezone():
    day = parse_day("2026-11-20", SHANGHAI)
    assert (day.start, day.end, day.days) == (datetime(2026, 11, 20, tzinfo=SHANGHAI),
                                              datetime(2026, 11, 21, tzinfo=SHANGHAI), [date(2026, 11, 20)])
    utc_evening = datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc)  # already 11-21 01:00 in Shanghai
    assert yesterday(utc_evening, SHANGHAI).label == "2026-11-20"
    with pytest.raises(PeriodError):
        parse_day("20-11-2026", SHANGHAI)


def test_days_follow_local_midnights_across_a_dst_change():
    berlin = ZoneInfo("Europe/Berlin")
    week = parse_week("2026-W13", berlin)  # clocks go forward on Sunday 2026-03-29
    assert week.end.astimezone(timezone.utc) - week.start.astimezone(timezone.utc) == timedelta(days=7, hours=-1)
    assert [b.hour for b in week.day_bounds()] == [0] * 6
