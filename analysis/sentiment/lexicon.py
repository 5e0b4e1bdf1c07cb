"""Negative-event lexicon and its blending with the classifier: an accident report is negative however calm.

    blended = p × Π (1 − weight(w))   over the distinct lexicon words w among the post's tokens

where p is the classifier's P(positive) and weight(w) ∈ (0, 1) comes from `analysis/dicts/negative_events.txt`
(0.6 deaths, explosions, fires, collapses; 0.5 injuries, leaks, accidents; 0.3 complaints and hazards).
A neutral report (p ≈ 0.5) naming one accident word drops to ≤ 0.35; a post naming none is unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analysis.segment import DICTS_DIR

NEGATIVE_EVENTS = DICTS_DIR / "negative_events.txt"


@dataclass(frozen=True)
class NegativeLexicon:
    """Negative-event words (whole segmenter tokens) and the share of positivity each one removes."""

    weights: dict[str, float]
    _words: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_words", frozenset(self.weights))

    @classmethod
    def load(cls, paths: Iterable[Path] = (NEGATIVE_EVENTS,)) -> NegativeLexicon:
        """Read `word weight` lines (later files override earlier ones; # starts a comment line)."""
        weights: dict[str, float] = {}
        for path in paths:
            with open(path, encoding="utf-8") as lines:
                for number, line in enumerate(lines, 1):
                    fields = line.split()
                    if not fields or fields[0].startswith("#"):
                        continue
                    weight = float(fields[1])
                    if not 0.0 < weight < 1.0:
                        raise ValueError(f"{path}:{number}: weight must be between 0 and 1, got {weight}")
                    weights[fields[0]] = weight
        return cls(weights)

    def matches(self, tokens: Iterable[str]) -> list[str]:
        """The distinct lexicon words among `tokens`, in order of first appearance."""
        return list(dict.fromkeys(t for t in tokens if t in self.weights))

    def blend(self, classifier_score: float, tokens: Sequence[str]) -> float:
        """The classifier's P(positive) scaled down by each distinct negative-event word present."""
        if self._words.isdisjoint(tokens):  # most posts: one C-level pass instead of a generator
            return classifier_score
        score = classifier_score
        for word in self.matches(tokens):
            score *= 1.0 - self.weights[word]
        return score


@functools.cache
def default_lexicon() -> NegativeLexicon:
    """The shipped lexicon, loaded on first use."""
    return NegativeLexicon.load()


def blend(classifier_score: float, tokens: Sequence[str]) -> float:
    """`classifier_score` blended with the shipped negative-event lexicon (see the module docstring)."""
    return default_lexicon().blend(classifier_score, tokens)
