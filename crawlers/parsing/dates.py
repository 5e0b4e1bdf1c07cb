"""Parse every date style the sources show (FORMATS.md §0) into an aware datetime, against an explicit "now"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from crawlers.parsing.text import clean

_PREFIX = re.compile(r"^(?:发表于|发布于|发布时间|更新于|时间)\s*[:：]?\s*")
_CLOCK = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_UNITS = {"秒": timedelta(seconds=1), "分钟": timedelta(minutes=1), "分": timedelta(minutes=1),
          "小时": timedelta(hours=1), "个小时": timedelta(hours=1), "天": timedelta(days=1),
          "周": timedelta(weeks=1), "星期": timedelta(weeks=1), "个月": timedelta(days=30),
          "月": timedelta(days=30), "年": timedelta(days=365)}
_DAY_WORDS = {"今天": 0, "昨天": 1, "前天": 2}


class DateParseError(ValueError):
    """A date text in none of the known styles."""


def parse_date(text: str | int | float, now: datetime, tz: ZoneInfo) -> datetime:
    """The moment ``text`` names, in ``tz``; relative forms count back from ``now``.

    Raises :class:`DateParseError` for text in no known style.
    """
    now = now.astimezone(tz) if now.tzinfo else now.replace(tzinfo=tz)
    if isinstance(text, int | float) and not isinstance(text, bool):
        return _from_epoch(float(text), tz)
    if not isinstance(text, str):
        raise DateParseError(f"not a date: {text!r}")
    cleaned = _clean(text)
    for parser in _PARSERS:
        parsed = parser(cleaned, now, tz)
        if parsed is not None:
            return parsed
    raise DateParseError(f"unknown date format: {text!r}")


def _clean(text: str) -> str:
    return _PREFIX.sub("", clean(text)).strip()


def _from_epoch(seconds: float, tz: ZoneInfo) -> datetime:
    if seconds > 1e12:  # milliseconds
        seconds /= 1000
    return datetime.fromtimestamp(seconds, tz)


def _epoch(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    if re.fullmatch(r"\d{9,10}|\d{13}", text):
        return _from_epoch(float(text), tz)
    return None


def _relative(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    if text in ("刚刚", "刚才"):
        return now
    if re.fullmatch(r"半(?:个)?小时(?:之|以)?前", text):
        return now - timedelta(minutes=30)
    match = re.fullmatch(r"(\d+) ?(秒|分钟|分|个小时|小时|天|周|星期|个月|月|年) ?(?:之|以)?前?", text)
    if match is None or (match[2] in ("分", "月", "年") and not text.endswith("前")):
        return None
    return now - int(match[1]) * _UNITS[match[2]]


def _day_word(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    match = re.fullmatch(rf"(今天|昨天|前天) ?(?:{_CLOCK})?", text)
    if match is None:
        return None
    day = now.date() - timedelta(days=_DAY_WORDS[match[1]])
    return _at(day, match.group(2, 3, 4), tz)


def _numeric_date(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    match = re.fullmatch(rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}})(?:[ T]{_CLOCK})?", text)
    if match is None:
        return None
    return _at(_date(match[1], match[2], match[3]), match.group(4, 5, 6), tz)


def _chinese_date(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    match = re.fullmatch(rf"(?:(\d{{4}}) ?年 ?)?(\d{{1,2}}) ?月 ?(\d{{1,2}}) ?[日号]? ?(?:{_CLOCK})?", text)
    if match is None:
        return None
    if match[1]:
        return _at(_date(match[1], match[2], match[3]), match.group(4, 5, 6), tz)
    return _this_year(now, int(match[2]), int(match[3]), match.group(4, 5, 6), tz)


def _month_day(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    match = re.fullmatch(rf"(\d{{1,2}})-(\d{{1,2}})(?: {_CLOCK})?", text)
    if match is None:
        return None
    return _this_year(now, int(match[1]), int(match[2]), match.group(3, 4, 5), tz)


def _clock_only(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    match = re.fullmatch(_CLOCK, text)
    if match is None:
        return None
    moment = _at(now.date(), match.groups(), tz)
    return moment - timedelta(days=1) if moment > now else moment


def _weibo_rfc(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """``Sat Nov 28 19:59:07 +0800 2020`` (m.weibo.cn ``created_at``)."""
    match = re.fullmatch(rf"[A-Za-z]{{3}},? ([A-Za-z]{{3}}) (\d{{1,2}}) {_CLOCK} ([+-]\d{{4}}) (\d{{4}})", text)
    if match is None or match[1].lower() not in _MONTHS:
        return None
    stamp = f"{match[7]}-{_MONTHS[match[1].lower()]:02d}-{int(match[2]):02d}T{int(match[3]):02d}:{match[4]}:{match[5] or '00'}{match[6]}"
    return _checked(datetime.fromisoformat, stamp, tz)


def _rfc2822(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """``Sat, 28 Nov 2020 19:59:07 +0800`` (RSS feeds)."""
    if not re.match(r"(?:[A-Za-z]{3}, )?\d{1,2} [A-Za-z]{3} \d{4} ", text):
        return None
    return _checked(parsedate_to_datetime, text, tz)


def _iso(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    if not re.match(r"\d{4}-\d{2}-\d{2}T", text):
        return None
    return _checked(datetime.fromisoformat, text.replace("Z", "+00:00"), tz)


def _checked(build: Callable[[str], datetime], text: str, tz: ZoneInfo) -> datetime:
    try:
        moment = build(text)
    except (ValueError, TypeError) as exc:
        raise DateParseError(f"impossible date: {text!r}") from exc
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)


def _date(year: str | int, month: str | int, day: str | int) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise DateParseError(f"impossible date: {year}-{month}-{day}") from exc


def _at(day: date, clock: tuple[str | None, ...], tz: ZoneInfo) -> datetime:
    hour, minute, second = (int(part) if part else 0 for part in clock)
    try:
        return datetime.combine(day, time(hour, minute, second), tz)
    except ValueError as exc:
        raise DateParseError(f"impossible time: {hour}:{minute}:{second}") from exc


def _this_year(now: datetime, month: int, day: int, clock: tuple[str | None, ...], tz: ZoneInfo) -> datetime:
    """A year-less date: this year, unless that is still to come, then last year."""
    try:
        moment: datetime | None = _at(_date(now.year, month, day), clock, tz)
    except DateParseError:  # 29 February outside a leap year
        moment = None
    if moment is None or moment > now + timedelta(days=1):
        moment = _at(_date(now.year - 1, month, day), clock, tz)
    return moment


_PARSERS = (_epoch, _relative, _day_word, _iso, _numeric_date, _chinese_date, _month_day, _clock_only,
            _weibo_rfc, _rfc2822)
