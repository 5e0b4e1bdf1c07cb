"""Alert queries: times are written to the second, in the configured timezone, with their offset."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from alerts.queries import local_iso


def test_times_are_local_to_the_second_with_an_offset():
    moment = datetime(2026, 11, 20, 2, 0, 5, 14323, tzinfo=timezone.utc)
    assert local_iso(moment, ZoneInfo("Asia/Shanghai")) == "2026-11-20T10:00:05+08:00"
