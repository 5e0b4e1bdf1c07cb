"""Scoring many posts at once: the Bayes classifier's feature sums for a whole batch, vectorised with numpy.

Per post the classifier sums one weight per distinct feature (word, or adjacent word pair joined by a
space). Here every word of the batch becomes an integer id (one dictionary look-up per word, no pair
strings are built), a pair becomes ``id_a * 2**24 + id_b``, and numpy finds the distinct features of
each post (``np.unique`` on post-prefixed codes), their weights (array indexing for words, a sorted
code array for pairs) and the per-post sums (``np.bincount``). The sums equal the per-post ones up to
floating-point rounding. A post with a word that itself contains a space (never produced by jieba,
which splits at spaces) would make pair strings ambiguous: such a post is scored the per-post way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain, islice, repeat
from operator import contains

import numpy as np

ID_BITS = 24
MAX_IDS = 1 << ID_BITS  # model words + the unknown words met since; beyond this the unknown ones are forgotten
MAX_POSTS = 1 << (62 - 2 * ID_BITS)  # posts per numpy pass, so (post, pair code) fits in an int64
_NUL = "\x00"


class BatchFeatureSums:
    """Σ weight(f) and the number of distinct features f, for every post of a batch, from a weight table."""

    def __init__(self, weights: dict[str, float], unseen: float, separator: str = " ") -> None:
        self.unseen = unseen
        self.ids: dict[str, int] = {}
        pairs: dict[tuple[str, str], float] = {}
        word_weights: list[float] = [unseen]  # id 0 is never given out
        for feature, weight in weights.items():
            for cut in _split_points(feature, separator):
                pairs[(feature[:cut], feature[cut + 1:])] = weight
            if separator not in feature:
                self.ids[feature] = len(word_weights)
                word_weights.append(weight)
        for first, second in pairs:
            for word in (first, second):
                if word not in self.ids:
                    self.ids[word] = len(word_weights)
                    word_weights.append(unseen)
        self.known = len(word_weights)
        if self.known >= MAX_IDS:
            raise ValueError(f"a model of {self.known} words does not fit {ID_BITS}-bit word ids")
        self.word_weights = np.array(word_weights, dtype=np.float64)
        codes = np.array([(self.ids[a] << ID_BITS) | self.ids[b] for a, b in pairs], dtype=np.int64)
        order = np.argsort(codes)
        self.pair_codes = codes[order]
        self.pair_weights = np.array(list(pairs.values()), dtype=np.float64)[order]
        self._next = self.known

    def __call__(self, word_lists: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Per post: the sum of its distinct features' weights (unseen ones count ``unseen``), and their number."""
        sums, counts = np.zeros(len(word_lists)), np.zeros(len(word_lists), dtype=np.int64)
        for start in range(0, len(word_lists), MAX_POSTS):
            chunk = slice(start, start + MAX_POSTS)
            sums[chunk], counts[chunk] = self._sums(word_lists[chunk])
        return sums, counts

    def _sums(self, word_lists: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        n = len(word_lists)
        lengths = np.fromiter(map(len, word_lists), dtype=np.int64, count=n)
        ids = self._word_ids(list(chain.from_iterable(word_lists)))
        post = np.repeat(np.arange(n, dtype=np.int64), lengths)
        words = np.unique((post << ID_BITS) | ids)
        word_ids = words & (MAX_IDS - 1)
        word_weight = np.where(word_ids < self.known, self.word_weights[np.minimum(word_ids, self.known - 1)],
                               self.unseen)
        adjacent = post[1:] == post[:-1]
        pair_post, first, second = post[1:][adjacent], ids[:-1][adjacent], ids[1:][adjacent]
        pairs = np.unique((pair_post << (2 * ID_BITS)) | (first << ID_BITS) | second)
        pair_weight = self._pair_weights(pairs & ((1 << (2 * ID_BITS)) - 1))
        word_post, pair_owner = words >> ID_BITS, pairs >> (2 * ID_BITS)
        sums = np.bincount(word_post, word_weight, n) + np.bincount(pair_owner, pair_weight, n)
        counts = np.bincount(word_post, minlength=n) + np.bincount(pair_owner, minlength=n)
        return sums, counts

    def _pair_weights(self, codes: np.ndarray) -> np.ndarray:
        if not len(self.pair_codes):
            return np.full(len(codes), self.unseen)
        where = np.minimum(np.searchsorted(self.pair_codes, codes), len(self.pair_codes) - 1)
        return np.where(self.pair_codes[where] == codes, self.pair_weights[where], self.unseen)

    def _word_ids(self, words: list[str]) -> np.ndarray:
        """Each word's id; a word the model lacks gets a fresh id of its own (kept for later batches)."""
        found = list(map(self.ids.get, words))
        if None in found:
            if self._next + len(words) >= MAX_IDS:
                self._forget_unknown()
                found = list(map(self.ids.get, words))
            for i, word_id in enumerate(found):
                if word_id is None:
                    found[i] = self.ids.setdefault(words[i], self._next)
                    self._next += found[i] == self._next
        return np.array(found, dtype=np.int64)

    def _forget_unknown(self) -> None:
        self.ids = {word: word_id for word, word_id in self.ids.items() if word_id < self.known}
        self._next = self.known


def _split_points(feature: str, separator: str) -> list[int]:
    return [i for i, char in enumerate(feature) if char == separator and 0 < i < len(feature) - 1]


def batch_words(token_lists: Sequence[Sequence[str]], words: Callable[[Sequence[str]], list[str]],
                separator: str = " ") -> tuple[list[list[str]], list[int]]:
    """Each post's classifier words (as ``words`` gives them), and which posts have a word containing ``separator``.

    Lower-casing is done once for the whole batch (one ``str.lower`` of the joined words); ``words`` itself
    is only called for posts with an ``@`` mention, whose removal needs the word sequence.
    """
    kept = [words(tokens) if "@" in tokens else [t for t in tokens if not t.isspace()] for tokens in token_lists]
    flat = list(chain.from_iterable(kept))
    joined = _NUL.join(flat)
    lowered = joined.lower()
    if lowered != joined:
        split = lowered.split(_NUL)
        if len(split) == len(flat):
            remaining = iter(split)
            kept = [list(islice(remaining, len(post))) for post in kept]
        else:  # a word holding a NUL character: lower-case post by post
            kept = [words(post) for post in kept]
    if separator not in joined:
        return kept, []
    return kept, [i for i, post in enumerate(kept) if any(map(contains, post, repeat(separator)))]
