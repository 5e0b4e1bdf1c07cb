"""The learned part of relevance: a two-class Bayes token model (safety matter or not), retrainable.

It shares the sentiment model's file format and scorer (``analysis.sentiment.model``): class ``pos`` is
"a safety/emergency matter", class ``neg`` is "not one". ``yuqing train relevance FILE`` retrains it from
labelled posts, the officers' 误报/确认 marks among them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from analysis.sentiment.model import SentimentModel

MODELS_DIR = Path(__file__).parent / "models"
DEFAULT_RELEVANCE_MODEL = MODELS_DIR / "relevance-v1.json.gz"


class RelevanceModel:
    """P(safety matter | tokens) from Bayes frequency tables."""

    def __init__(self, bayes: SentimentModel) -> None:
        self.bayes = bayes
        self.version = bayes.version

    @classmethod
    def load(cls, path: Path = DEFAULT_RELEVANCE_MODEL) -> "RelevanceModel":
        return cls(SentimentModel.load(path))

    def probability(self, tokens: Sequence[str]) -> float:
        return self.bayes.score(tokens)


@functools.cache
def default_relevance_model() -> RelevanceModel | None:
    """The shipped model, or None before one has been trained."""
    return RelevanceModel.load() if DEFAULT_RELEVANCE_MODEL.is_file() else None
