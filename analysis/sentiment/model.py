"""Sentiment scoring from the frequency tables of a SnowNLP Bayes classifier, without importing SnowNLP.

A model file (JSON, gzip-compressed) holds, for each class (`neg`, `pos`), SnowNLP's `AddOneProb`
table: `counts` (occurrences + 1 per feature) and `total` (occurrences + distinct features). For the
features f of a text, SnowNLP's `Bayes.classify` computes per class
    s_c = log(total_c) - log(total_neg + total_pos) + Σ_f log(count_c(f) / total_c)
with count_c(f) = 1 for an unseen feature, and returns P(pos) = 1 / (1 + exp(s_neg - s_pos)).
We precompute w(f) = log(count_pos(f) / total_pos) - log(count_neg(f) / total_neg), so a score is one
dictionary look-up per feature and a logistic function.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
from itertools import chain, repeat
from operator import add
from collections.abc import Iterable, Sequence
from pathlib import Path

from analysis.sentiment.batch import BatchFeatureSums, batch_words, lowered_words

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL = MODELS_DIR / "sentiment-v1.json.gz"
FORMAT = "yuqing-sentiment-bayes"
BIGRAM_JOIN = " "
MENTION_MAX_CHARS = 30


def _is_name_part(token: str) -> bool:
    return token.isalnum() or token in ("_", "-")


def _without_mentions(tokens: Sequence[str]) -> list[str]:
    """`tokens` without `@user` mentions: "@", the name tokens after it and a "回复" before it."""
    kept: list[str] = []
    budget = 0
    for token in tokens:
        if budget:
            if _is_name_part(token) and len(token) <= budget:
                budget -= len(token)
                continue
            budget = 0
        if token == "@":
            budget = MENTION_MAX_CHARS
            if kept and kept[-1] == "回复":
                kept.pop()
        else:
            kept.append(token)
    return kept


def words(tokens: Sequence[str]) -> list[str]:
    """The tokens that carry sentiment, lower-cased: without blanks and without `@user` mentions.

    A mention is "@" and the letters/digits/underscores after it (at most 30 characters, as the regular
    expression `@[\\w-]{1,30}` would take them), with a "回复" before it; user names are noise.
    """
    if "@" in tokens:
        tokens = _without_mentions(tokens)
    return lowered_words([t for t in tokens if not t.isspace()])


def _distinct_features(tokens: Sequence[str]) -> dict[str, None]:
    kept = words(tokens)
    bigrams = map(add, map(add, kept, repeat(BIGRAM_JOIN)), kept[1:])
    return dict.fromkeys(kept + list(bigrams))


def features(tokens: Sequence[str]) -> list[str]:
    """The classifier's features: the distinct words and adjacent word pairs (presence, not counts)."""
    return list(_distinct_features(tokens))


def _logistic(x: float) -> float:
    """Logistic function that never overflows."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _weights(neg: dict[str, int], pos: dict[str, int], log_total_ratio: float) -> dict[str, float]:
    """w(f) = log(count_pos(f) / count_neg(f)) + log(total_neg / total_pos) for every known feature.

    For speed only (the values are exact): features are inserted most frequent first, with fresh key
    strings, so the common ones sit together in memory, and equal weights (rare features share a few
    count pairs) share one float object.
    """
    known = sorted(neg.keys() | pos.keys(), key=lambda f: (-neg.get(f, 1) - pos.get(f, 1), f))
    shared: dict[float, float] = {}
    weights = {}
    for f in known:
        w = math.log(pos.get(f, 1) / neg.get(f, 1)) + log_total_ratio
        weights[f.encode().decode()] = shared.setdefault(w, w)
    return weights


class SentimentModel:
    """A trained SnowNLP-style Bayes sentiment classifier; `score` gives P(positive) in 0..1."""

    def __init__(self, tables: dict, version: str = "") -> None:
        self.version = version
        self.tables = tables
        neg, pos = tables["neg"], tables["pos"]
        log_neg, log_pos = math.log(neg["total"]), math.log(pos["total"])
        self.prior = log_pos - log_neg
        self.unseen = log_neg - log_pos
        self.weights = _weights(neg["counts"], pos["counts"], log_neg - log_pos)
        self._batch: BatchFeatureSums | None = None  # built on the first batch
        self._pairs: dict[tuple[str, str], float] | None = None  # built on the first `evidence`

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> SentimentModel:
        """Read a model file written by `save`."""
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
        if data.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} model file")
        return cls(data["classes"], data.get("version", ""))

    def save(self, path: Path) -> None:
        """Write the frequency tables; compact JSON, gzip-compressed, reproducible byte for byte."""
        data = {"format": FORMAT, "version": self.version, "classes": self.tables}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write(text.encode("utf-8"))

    def log_odds(self, tokens: Sequence[str]) -> float:
        """log P(pos) - log P(neg) of the text cut into `tokens`."""
        return self.prior + self._feature_sum(_distinct_features(tokens))

    def _feature_sum(self, found: Iterable[str]) -> float:
        """Σ w(f) over the features `found` (unseen ones count `unseen`), summed in their order."""
        return sum(map(self.weights.get, found, repeat(self.unseen)))

    def evidence(self, tokens: Sequence[str]) -> tuple[float, int]:
        """Σ w(f) over the distinct features of `tokens`, and their number: `log_odds` minus the prior.

        The same sum, term by term in the same order, as `log_odds`. For speed, word pairs are looked up as
        (word, word) tuples, hashed from the words' cached hashes, rather than as new "word word" strings; a
        post with a word holding a space (pair strings would be ambiguous) is summed the string way.
        """
        kept = words(tokens)
        if BIGRAM_JOIN in "".join(kept):
            found = _distinct_features(tokens)
            return self._feature_sum(found), len(found)
        singles, pairs = dict.fromkeys(kept), dict.fromkeys(zip(kept, kept[1:]))
        terms = chain(map(self.weights.get, singles, repeat(self.unseen)),
                      map(self._pair_table().get, pairs, repeat(self.unseen)))
        return sum(terms), len(singles) + len(pairs)

    def _pair_table(self) -> dict[tuple[str, str], float]:
        """w(f) of the word-pair features, keyed by (first word, second word); built on first use."""
        if self._pairs is None:
            self._pairs = {tuple(f.split(BIGRAM_JOIN)): w for f, w in self.weights.items()
                           if f.count(BIGRAM_JOIN) == 1}
        return self._pairs

    def score(self, tokens: Sequence[str]) -> float:
        """P(positive) of the text cut into `tokens`, as SnowNLP's Bayes.classify would give it."""
        return _logistic(self.log_odds(tokens))

    def evidence_batch(self, token_lists: Sequence[Sequence[str]]) -> tuple[list[float], list[int]]:
        """Per post: Σ w(f) over its distinct features, and their number — `log_odds` minus the prior, for a batch.

        Equal to the per-post sums up to floating-point rounding, several times faster (numpy, see
        `analysis.sentiment.batch`).
        """
        if self._batch is None:
            self._batch = BatchFeatureSums(self.weights, self.unseen, BIGRAM_JOIN)
        batch, spaced = batch_words(token_lists, _without_mentions, BIGRAM_JOIN)
        sums, counts = self._batch(batch)
        sums, counts = sums.tolist(), counts.tolist()
        for i in spaced:  # ambiguous pair strings: the per-post way
            found = _distinct_features(token_lists[i])
            sums[i], counts[i] = self._feature_sum(found), len(found)
        return sums, counts

    def score_batch(self, token_lists: Sequence[Sequence[str]]) -> list[float]:
        """`score` of every post of a batch."""
        prior = self.prior
        return [_logistic(prior + evidence) for evidence in self.evidence_batch(token_lists)[0]]


@functools.cache
def default_model() -> SentimentModel:
    """The shipped model, loaded on first use."""
    return SentimentModel.load(DEFAULT_MODEL)
