"""``parse_count``: engagement counts as the sources print them (FORMATS.md §0)."""

from __future__ import annotations

import pytest

from crawlers.parsing.counts import parse_count


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (42, 42),
        (0, 0),
        ("28", 28),
        (" 28 ", 28),
        ("3,456", 3456),
        ("1.5万", 15000),
        ("100万+", 1_000_000),
        ("2亿", 200_000_000),
        ("1.2w", 12000),
        ("转发 28", 28),  # s.weibo.com: label and number
        ("转发", 0),  # the label alone means zero
        ("评论", 0),
        ("赞", 0),
        ("", 0),
        ("--", 0),
        (None, None),  # the source does not show it
        (-3, 0),
        (12.0, 12),
    ],
)
def test_counts_are_normalised_to_integers(value: object, expected: int | None) -> None:
    assert parse_count(value) == expected


def test_garbage_is_zero_not_an_error() -> None:
    assert parse_count({"count": 3}) == 0
    assert parse_count(True) == 0
