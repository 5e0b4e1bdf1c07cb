"""The learned part of relevance: a two-class Bayes token model (safety matter or not), retrainable.

It shares the sentiment model's file format, features and scorer (``analysis.sentiment.model``): class
``pos`` is "a safety/emergency matter", class ``neg`` is "not one". The shipped model is built from the
research train sets by ``scripts/train_relevance.py`` (model card: ``analysis/models/relevance-v1.md``);
``yuqing train relevance FILE`` retrains it from the operator's labelled posts (the officers'
误报/确认 marks among them), on top of the shipped counts or alone.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from analysis.sentiment.corpora import parse_labelled_line, read_labelled
from analysis.sentiment.model import MODELS_DIR, SentimentModel, _logistic
from analysis.sentiment.train import TrainReport, counts_of_model, train_and_save

DEFAULT_RELEVANCE_MODEL = MODELS_DIR / "relevance-v1.json.gz"
EVIDENCE_FEATURES = 10


class RelevanceModel:
    """P(safety matter | tokens) from Bayes frequency tables."""

    def __init__(self, bayes: SentimentModel) -> None:
        self.bayes = bayes
        self.version = bayes.version

    @classmethod
    def load(cls, path: Path = DEFAULT_RELEVANCE_MODEL) -> "RelevanceModel":
        return cls(SentimentModel.load(path))

    def probability(self, tokens: Sequence[str]) -> float:
        """P(safety matter), with the evidence of a long text scaled down to that of ``EVIDENCE_FEATURES``.

        Naive Bayes adds one log-ratio per feature as if they were independent, so a 300-character post
        scores 0 or 1 on words that say little; scaling keeps a long post's score as confident as a headline's.
        """
        total, count = self.bayes.evidence(tokens)
        scale = min(1.0, EVIDENCE_FEATURES / count) if count else 1.0
        return _logistic(self.bayes.prior + total * scale)


@functools.cache
def default_relevance_model() -> RelevanceModel | None:
    """The shipped model, or None before one has been trained."""
    return RelevanceModel.load() if DEFAULT_RELEVANCE_MODEL.is_file() else None


def parse_relevance_line(line: str, where: str) -> tuple[str, int] | None:
    """One labelled line: ``{"text", "label": 0|1}``, ``{"title", "text", "relevance": 0|1|2}`` or ``label<TAB>text``.

    A ``relevance`` of 1 (a safety matter elsewhere) or 2 (in the district) is a safety matter: label 1.
    """
    if not line.lstrip().startswith("{") or '"relevance"' not in line:
        return parse_labelled_line(line, where)
    record = json.loads(line)
    relevance = record["relevance"]
    if relevance not in (0, 1, 2):
        raise ValueError(f"{where}: relevance must be 0, 1 or 2, got {relevance!r}")
    text = "\n".join(part for part in (record.get("title") or "", record.get("text") or "") if part)
    return text, int(relevance >= 1)


def read_relevance_labelled(path: Path) -> Iterator[tuple[str, int]]:
    """The labelled posts of a JSONL or TSV file (an optional ``label<TAB>text`` header line)."""
    return read_labelled(path, parse_relevance_line)


def train_relevance(rows: Iterable[tuple[str, int]], out: Path, base_data: bool) -> TrainReport:
    """Train on labelled posts (1 = a safety matter) and write the model to ``out``.

    With ``base_data`` the posts' counts are added to those of the shipped model, so the result keeps what
    the research data taught it; without, it learns from the posts alone (which then need both labels).
    """
    rows = list(rows)
    labels = {label for _, label in rows}
    if not rows or not labels <= {0, 1} or (not base_data and labels != {0, 1}):
        raise ValueError("need labels 0 and 1 (both, unless the shipped model's data is used)")
    shipped = default_relevance_model() if base_data else None
    if base_data and shipped is None:
        raise ValueError(f"no shipped relevance model at {DEFAULT_RELEVANCE_MODEL} to build on")
    base = counts_of_model(shipped.bayes) if shipped else (Counter(), Counter())
    version = ("relevance-v1+" if base_data else "relevance-") + f"operator-{len(rows)}"
    return train_and_save(rows, out, base, base_data, version)
