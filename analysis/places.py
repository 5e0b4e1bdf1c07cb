"""Gazetteer: which words name places of the district and which name places elsewhere.

Read from the same dictionary files as the segmenter, so every place word is also kept whole when
cutting: lines tagged `district` are places of 天宁区, lines tagged `elsewhere` are counter-places
(the other districts of 常州 and nearby cities); the fourth column is the canonical place
(e.g. 红梅新村 → 红梅街道, 湖塘 → 武进区).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analysis.segment import DOMAIN_DICTS, read_dict_files

DISTRICT_TAG = "district"
ELSEWHERE_TAG = "elsewhere"


@dataclass(frozen=True)
class Gazetteer:
    """Place words mapped to canonical places: `district` inside 天宁区, `elsewhere` outside it."""

    district: dict[str, str] = field(default_factory=dict)
    elsewhere: dict[str, str] = field(default_factory=dict)

    def district_places(self, tokens: Iterable[str]) -> list[str]:
        """Canonical district places named by `tokens`, in order of first mention, without repeats."""
        return _unique(self.district[t] for t in tokens if t in self.district)

    def elsewhere_places(self, tokens: Iterable[str]) -> list[str]:
        """Canonical counter-places named by `tokens`, in order of first mention, without repeats."""
        return _unique(self.elsewhere[t] for t in tokens if t in self.elsewhere)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def load_gazetteer(extra_dicts: Sequence[Path] = ()) -> Gazetteer:
    """The places of the shipped dictionaries plus those tagged in `extra_dicts` (later lines win)."""
    gazetteer = Gazetteer()
    for entry in read_dict_files(DOMAIN_DICTS + tuple(Path(p) for p in extra_dicts)):
        gazetteer.district.pop(entry.word, None)
        gazetteer.elsewhere.pop(entry.word, None)
        if entry.tag == DISTRICT_TAG:
            gazetteer.district[entry.word] = entry.canonical
        elif entry.tag == ELSEWHERE_TAG:
            gazetteer.elsewhere[entry.word] = entry.canonical
    return gazetteer


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The process-wide gazetteer of the shipped dictionaries, loaded on first use."""
    return load_gazetteer()
