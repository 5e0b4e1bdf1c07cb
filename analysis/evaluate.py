"""Offline evaluation against labels (CONTRACTS.md §5): precision / recall / F1 per decision, pairwise for events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

DECISIONS = ("safety", "in_district", "negative", "alert")


@dataclass(frozen=True, slots=True)
class Score:
    """Counts and derived precision / recall / F1 of one decision."""

    metric: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


def truth_of(label: Mapping[str, Any], decision: str) -> bool:
    """What a label file line says about a decision (``in_district`` means relevance == 2)."""
    if decision == "safety":
        return label["relevance"] >= 1
    if decision == "in_district":
        return label["relevance"] == 2
    return bool(label[decision])


def predicted(scored: Mapping[str, Any], decision: str) -> bool:
    if decision == "in_district":
        return bool(scored["safety"] and scored["in_district"])
    return bool(scored[decision])


def score_decision(decision: str, pairs: Iterable[tuple[Mapping, Mapping]]) -> Score:
    tp = fp = fn = 0
    for scored, label in pairs:
        guess, truth = predicted(scored, decision), truth_of(label, decision)
        tp += guess and truth
        fp += guess and not truth
        fn += truth and not guess
    return Score(decision, tp, fp, fn)


def score_events(pairs: Sequence[tuple[Mapping, Mapping]]) -> Score:
    """Pairwise: two posts in one predicted event vs two posts in one labelled event."""
    predicted_pairs = _same_group_pairs((s["event"], key) for key, (s, _) in _keyed(pairs))
    true_pairs = _same_group_pairs((l["event"], key) for key, (_, l) in _keyed(pairs))
    tp = len(predicted_pairs & true_pairs)
    return Score("events", tp, len(predicted_pairs - true_pairs), len(true_pairs - predicted_pairs))


def evaluate(scored: Sequence[Mapping], labels: Mapping[tuple[str, str], Mapping]) -> list[Score]:
    """Scores of every decision and of events, over the posts that have labels."""
    pairs = [(s, labels[(s["source"], s["id"])]) for s in scored if (s["source"], s["id"]) in labels]
    return [score_decision(decision, pairs) for decision in DECISIONS] + [score_events(pairs)]


def _keyed(pairs: Sequence[tuple[Mapping, Mapping]]) -> list[tuple[str, tuple[Mapping, Mapping]]]:
    return [(f"{s['source']}:{s['id']}", (s, l)) for s, l in pairs]


def _same_group_pairs(members: Iterable[tuple[str | None, str]]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for group, key in members:
        if group:
            groups[group].append(key)
    return {tuple(sorted(pair)) for keys in groups.values() for pair in combinations(keys, 2)}
