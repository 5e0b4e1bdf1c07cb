"""Word segmentation: jieba's dictionary and algorithm (HMM off), run by rjieba, plus our domain dictionaries.

rjieba binds jieba-rs, which loads the same dictionary as jieba (its `dict.txt`) and finds the same
maximum-probability route through the word graph, about ten times faster than jieba itself. The
domain dictionaries in `analysis/dicts/` (and any extra files the operator configures) add words on
top: a word already in jieba's dictionary takes the file's frequency. The result equals
`jieba.Tokenizer(dictionary=<jieba's dict.txt merged with the domain words>).lcut(text, HMM=False)`.

Dictionary files are jieba user-dictionary lines, `word [freq] [tag]`, with an optional fourth column
(the canonical place, read by `analysis.places`) and `#` comment lines. A word without a frequency
gets jieba's suggested frequency, the least that keeps it whole.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import rjieba

DICTS_DIR = Path(__file__).parent / "dicts"
DOMAIN_DICTS: tuple[Path, ...] = (
    DICTS_DIR / "safety.txt",
    DICTS_DIR / "places_tianning.txt",
    DICTS_DIR / "places_elsewhere.txt",
)


@dataclass(frozen=True)
class DictEntry:
    """One dictionary line: a word, its frequency (None = suggest one), POS-style tag and canonical name."""

    word: str
    freq: int | None
    tag: str
    canonical: str


def parse_dict_line(line: str) -> DictEntry | None:
    """Parse `word [freq] [tag] [canonical]`; None for blank and comment lines."""
    fields = line.split()
    if not fields or fields[0].startswith("#"):
        return None
    word, rest = fields[0], fields[1:]
    freq = int(rest.pop(0)) if rest and rest[0].isdigit() else None
    tag = rest.pop(0) if rest else ""
    canonical = rest.pop(0) if rest else word
    return DictEntry(word, freq, tag, canonical)


def read_dict_file(path: Path) -> list[DictEntry]:
    """All entries of one dictionary file, in file order."""
    with open(path, encoding="utf-8") as lines:
        parsed = (parse_dict_line(line) for line in lines)
        return [entry for entry in parsed if entry is not None]


def read_dict_files(paths: Iterable[Path]) -> list[DictEntry]:
    """Entries of several files in order; a later line for the same word overrides an earlier one."""
    return [entry for path in paths for entry in read_dict_file(path)]


class Segmenter:
    """Cuts Chinese text into words; build it once (loading takes ~0.2 s) and reuse it."""

    def __init__(self, extra_dicts: Sequence[Path] = ()) -> None:
        self.dict_paths: tuple[Path, ...] = DOMAIN_DICTS + tuple(Path(p) for p in extra_dicts)
        self._jieba = rjieba.Jieba()
        self.entries: dict[str, DictEntry] = {}
        for entry in read_dict_files(self.dict_paths):
            self._add(entry)

    def _add(self, entry: DictEntry) -> None:
        freq = entry.freq if entry.freq is not None else self._jieba.suggest_freq(entry.word)
        self._jieba.add_word(entry.word, freq, entry.tag or None)
        self.entries[entry.word] = DictEntry(entry.word, freq, entry.tag, entry.canonical)

    def cut(self, text: str) -> list[str]:
        """Words of `text` in order, whitespace and punctuation included, as jieba.lcut(text, HMM=False)."""
        return self._jieba.cut(text, False)


@functools.cache
def default_segmenter() -> Segmenter:
    """The process-wide segmenter with the shipped dictionaries only, built on first use."""
    return Segmenter()
