"""Training of the sentiment model: SnowNLP's Bayes arithmetic on our segmenter's uni+bigram features.

`tables_from_counts` reproduces exactly what `snownlp.classification.bayes.Bayes.train` stores for
documents of features (importing SnowNLP loads all its models, seconds and hundreds of MB, so we
count with `collections.Counter` instead; a test checks the tables are SnowNLP's). `min_count`
selects the vocabulary first: features seen fewer times over all documents are dropped from them,
which keeps the model file small.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.segment import Segmenter, default_segmenter
from analysis.sentiment.metrics import roc_auc
from analysis.sentiment.model import SentimentModel, default_model, features

CLASS_NAMES = ("neg", "pos")
OPERATOR_MIN_COUNT = 1
HOLDOUT_EVERY = 10
MIN_ROWS_FOR_HOLDOUT = 50


@dataclass(frozen=True)
class TrainReport:
    """What `train_sentiment` did, for the CLI to print."""

    out: Path
    rows: int
    positives: int
    base_data: bool
    features: int
    holdout_auc: float | None  # on every 10th labelled row, held out from a preliminary fit


def count_features(
    rows: Iterable[tuple[str, int]], segmenter: Segmenter
) -> tuple[Counter[str], Counter[str]]:
    """Feature occurrences in the negative and the positive texts."""
    counts: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
    for text, label in rows:
        counts[label].update(features(segmenter.cut(text)))
    return counts


def tables_from_counts(
    counts: Sequence[Counter[str]], min_count: int = OPERATOR_MIN_COUNT
) -> dict[str, dict]:
    """SnowNLP `AddOneProb` tables per class: count = occurrences + 1, total = occurrences + distinct."""
    kept = {f for f, n in (counts[0] + counts[1]).items() if n >= min_count}
    tables = {}
    for name, class_counts in zip(CLASS_NAMES, counts):
        table = {f: n + 1 for f, n in class_counts.items() if f in kept}
        tables[name] = {"total": float(sum(table.values())), "counts": table}
    return tables


def counts_of_model(model: SentimentModel) -> tuple[Counter[str], Counter[str]]:
    """Feature occurrences behind a model's tables (the inverse of `tables_from_counts`)."""
    return tuple(  # type: ignore[return-value]
        Counter({f: c - 1 for f, c in model.tables[name]["counts"].items()}) for name in CLASS_NAMES
    )


def fit(
    rows: Sequence[tuple[str, int]],
    segmenter: Segmenter,
    min_count: int,
    base: Sequence[Counter[str]] = (Counter(), Counter()),
    version: str = "",
) -> SentimentModel:
    """A model from labelled texts, added to the feature counts `base` (e.g. of the shipped model)."""
    neg, pos = count_features(rows, segmenter)
    return SentimentModel(tables_from_counts((base[0] + neg, base[1] + pos), min_count), version)


def evaluate(model: SentimentModel, rows: Sequence[tuple[str, int]], segmenter: Segmenter) -> float:
    """ROC-AUC of the model on labelled texts."""
    scores = [model.score(segmenter.cut(text)) for text, _ in rows]
    return roc_auc([label for _, label in rows], scores)


def split_holdout(
    rows: Sequence[tuple[str, int]], every: int = HOLDOUT_EVERY, seed: int = 0
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(training rows, held-out rows): one row in `every`, chosen at random with a fixed seed."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    held = set(order[: len(rows) // every])
    train = [r for i, r in enumerate(rows) if i not in held]
    return train, [rows[i] for i in sorted(held)]


def _holdout_auc(
    rows: Sequence[tuple[str, int]], segmenter: Segmenter, base: Sequence[Counter[str]]
) -> float | None:
    train, held = split_holdout(rows)
    if len(rows) < MIN_ROWS_FOR_HOLDOUT or len({label for _, label in held}) < 2:
        return None
    return evaluate(fit(train, segmenter, OPERATOR_MIN_COUNT, base), held, segmenter)


def train_sentiment(rows: Iterable[tuple[str, int]], out: Path, base_data: bool) -> TrainReport:
    """Train on the operator's labelled posts (1 = positive) and write the model to `out`.

    With `base_data`, the posts' counts are added to those of the shipped model, so the result knows
    the research data's vocabulary and the operator's; without, it learns from the posts alone.
    """
    rows = list(rows)
    labels = {label for _, label in rows}
    if not labels <= {0, 1} or (not base_data and labels != {0, 1}):
        raise ValueError("need labels 0 and 1 (both, unless base_data is used)")
    base = counts_of_model(default_model()) if base_data else (Counter(), Counter())
    version = ("v1+" if base_data else "") + f"operator-{len(rows)}"
    return train_and_save(rows, out, base, base_data, version)


def train_and_save(
    rows: Sequence[tuple[str, int]], out: Path, base: Sequence[Counter[str]], base_data: bool, version: str
) -> TrainReport:
    """Fit `rows` on top of the feature counts `base`, write the model to `out`, and report on it
    (with the AUC of a preliminary fit on held-out rows). Shared by the sentiment and relevance models."""
    segmenter = default_segmenter()
    model = fit(rows, segmenter, OPERATOR_MIN_COUNT, base, version)
    model.save(out)
    return TrainReport(
        out=out,
        rows=len(rows),
        positives=sum(label for _, label in rows),
        base_data=base_data,
        features=len(model.weights),
        holdout_auc=_holdout_auc(rows, segmenter, base),
    )
