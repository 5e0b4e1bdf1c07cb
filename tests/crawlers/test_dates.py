"""``parse_date``: every date style of FORMATS.md, read against a fixed "now" (2026-11-20 10:00 in Shanghai)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crawlers.parsing.dates import DateParseError, parse_date

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)

TABLE = [
    # absolute
    ("2026-11-19 08:05", "2026-11-19T08:05:00+08:00"),
    ("2026-11-19 08:05:09", "2026-11-19T08:05:09+08:00"),
    ("2021-1-20 10:12", "2021-01-20T10:12:00+08:00"),  # Discuz Y-n-j H:i, not zero-padded
    ("2021-1-2 9:05:30", "2021-01-02T09:05:30+08:00"),
    ("2026-11-19", "2026-11-19T00:00:00+08:00"),
    ("11月19日 08:05", "2026-11-19T08:05:00+08:00"),  # s.weibo.com, current year
    ("2025年11月19日 08:05", "2025-11-19T08:05:00+08:00"),  # s.weibo.com, other years
    (1763604000, "2025-11-20T10:00:00+08:00"),  # Toutiao unix seconds
    ("1763604000", "2025-11-20T10:00:00+08:00"),
    ("Sat Nov 28 19:59:07 +0800 2020", "2020-11-28T19:59:07+08:00"),  # m.weibo.cn created_at
    ("Tue Sep 22 10:00:00 +0000 2026", "2026-09-22T18:00:00+08:00"),
    ("Sat, 28 Nov 2020 19:59:07 +0800", "2020-11-28T19:59:07+08:00"),  # RSS
    ("2026-11-20T14:05:00+08:00", "2026-11-20T14:05:00+08:00"),  # ISO 8601
    ("2026-11-20T06:05:00Z", "2026-11-20T14:05:00+08:00"),
    ("2026-11-20T14:05:00", "2026-11-20T14:05:00+08:00"),  # naive ISO: in the configured zone
    # relative
    ("刚刚", "2026-11-20T10:00:00+08:00"),
    ("30秒前", "2026-11-20T09:59:30+08:00"),
    ("5分钟前", "2026-11-20T09:55:00+08:00"),
    ("半小时前", "2026-11-20T09:30:00+08:00"),
    ("3小时前", "2026-11-20T07:00:00+08:00"),
    ("15小时", "2026-11-19T19:00:00+08:00"),  # with the trailing 前 stripped, as some spiders do
    ("今天 08:05", "2026-11-20T08:05:00+08:00"),
    ("今天08:05", "2026-11-20T08:05:00+08:00"),
    ("昨天 23:10", "2026-11-19T23:10:00+08:00"),
    ("前天 08:00", "2026-11-18T08:00:00+08:00"),
    ("2天前", "2026-11-18T10:00:00+08:00"),
    ("1周前", "2026-11-13T10:00:00+08:00"),
    ("2月前", "2026-09-21T10:00:00+08:00"),  # a month counts as 30 days
    ("06-27", "2026-06-27T00:00:00+08:00"),  # MM-DD: this year …
    ("12-25", "2025-12-25T00:00:00+08:00"),  # … unless that is still to come
    ("11-19 08:05", "2026-11-19T08:05:00+08:00"),
    # noise around the text
    ("\n   2026-11-19 08:05  \n", "2026-11-19T08:05:00+08:00"),
    ("发表于：2026-11-19 08:05", "2026-11-19T08:05:00+08:00"),  # 化龙巷, full-width colon
    ("发表于 2026-11-19 08:05", "2026-11-19T08:05:00+08:00"),
    ("发布于 2026-11-19", "2026-11-19T00:00:00+08:00"),
    ("3\xa0分钟前", "2026-11-20T09:57:00+08:00"),  # Discuz &nbsp;
    ("昨天\xa023:10", "2026-11-19T23:10:00+08:00"),
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_each_date_style_is_read_against_now(text: str | int, expected: str) -> None:
    parsed = parse_date(text, NOW, TZ)
    assert parsed == datetime.fromisoformat(expected)
    assert parsed.tzinfo is not None and parsed.utcoffset() == NOW.utcoffset()


def test_year_less_dates_near_new_year_fall_in_the_past() -> None:
    new_year = datetime(2027, 1, 2, 9, 0, tzinfo=TZ)
    assert parse_date("12月31日 23:00", new_year, TZ) == datetime(2026, 12, 31, 23, 0, tzinfo=TZ)
    assert parse_date("01-01", new_year, TZ) == datetime(2027, 1, 1, tzinfo=TZ)


@pytest.mark.parametrize("text", ["", "   ", "明天", "abc", "2026-13-01", "昨天 25:00", "2月30日", None, "3月"])
def test_unknown_or_impossible_text_raises_a_date_parse_error(text: object) -> None:
    with pytest.raises(DateParseError):
        parse_date(text, NOW, TZ)  # type: ignore[arg-type]


def test_a_date_parse_error_is_a_value_error() -> None:
    assert issubclass(DateParseError, ValueError)
