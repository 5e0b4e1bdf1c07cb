"""Normalise engagement counts as the sources show them ("1.5万", "100万+", "转发" for zero) to integers."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿|[wW]|[kK])?")
_SCALE = {"万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000, "k": 1_000, "K": 1_000}


def parse_count(value: object) -> int | None:
    """The count ``value`` shows: ints pass through, text is read with 万/亿 scaling, labels alone are 0.

    ``None`` stays ``None`` (the source does not show the count); anything unreadable is 0 (FORMATS.md §0).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, float):
        return max(int(value), 0)
    if not isinstance(value, str):
        return 0
    match = _NUMBER.search(value.replace(",", "").replace("，", ""))
    if match is None:
        return 0
    return round(float(match[1]) * _SCALE.get(match[2] or "", 1))
