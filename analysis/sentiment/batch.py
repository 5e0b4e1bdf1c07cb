"""Scoring many posts at once: the Bayes classifier's feature sums for a whole batch, vectorised with numpy.

Per post the classifier sums one weight per distinct feature (word, or adjacent word pair joined by a
space). Here every word of the batch becomes an integer id (one dictionary look-up per word, no pair
strings are built), a pair becomes ``id_a * 2**24 + id_b``, and numpy finds the distinct features of
each post (sorting post-prefixed codes), their weights (array indexing for words, a sorted
code array for pairs) and the per-post sums (``np.bincount``). The sums equal the per-post ones up to
floating-point rounding. A post with a word that itself contains a space (never produced by jieba,
which splits at spaces) would make pair strings ambiguous: such a post is scored the per-post way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, filterfalse, islice, repeat

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

    def __call__(self, words: "BatchWords") -> tuple[np.ndarray, np.ndarray]:
        """Per post: the sum of its distinct features' weights (unseen ones count ``unseen``), and their number."""
        n = len(words.lengths)
        sums, counts = np.zeros(n), np.zeros(n, dtype=np.int64)
        offsets = [0, *accumulate(words.lengths)]
        for start in range(0, n, MAX_POSTS):
            stop = min(start + MAX_POSTS, n)
            sums[start:stop], counts[start:stop] = self._sums(words.flat[offsets[start]:offsets[stop]],
                                                              words.lengths[start:stop])
        return sums, counts

    def _sums(self, flat: list[str], lengths: list[int]) -> tuple[np.ndarray, np.ndarray]:
        n = len(lengths)
        ids = self._word_ids(flat)
        post = np.repeat(np.arange(n, dtype=np.int64), lengths)
        words = _distinct((post << ID_BITS) | ids)
        word_ids = words & (MAX_IDS - 1)
        word_weight = np.where(word_ids < self.known, self.word_weights[np.minimum(word_ids, self.known - 1)],
                               self.unseen)
        adjacent = post[1:] == post[:-1]
        pair_post, first, second = post[1:][adjacent], ids[:-1][adjacent], ids[1:][adjacent]
        pairs = _distinct((pair_post << (2 * ID_BITS)) | (first << ID_BITS) | second)
        pair_weight = self._pair_weights(pairs & ((1 << (2 * ID_BITS)) - 1))
        word_post, pair_owner = words >> ID_BITS, pairs >> (2 * ID_BITS)
        sums = np.bincount(word_post, word_weight, n) + np.bincount(pair_owner, pair_weight, n)
        counts = np.bincount(word_post, minlength=n) + np.bincount(pair_owner, minlength=n)
        return sums, counts

    def _pair_weights(self, codes: np.ndarray) -> np.ndarray:
        """The weight of each pair code (``unseen`` for pairs the model lacks).

        For speed the codes are looked up in ascending order (binary searches then walk the model's codes
        forwards, cache-friendly) and the weights put back in the given order.
        """
        if not len(self.pair_codes):
            return np.full(len(codes), self.unseen)
        order = np.argsort(codes)
        ascending = codes[order]
        where = np.minimum(np.searchsorted(self.pair_codes, ascending), len(self.pair_codes) - 1)
        weights = np.empty(len(codes))
        weights[order] = np.where(self.pair_codes[where] == ascending, self.pair_weights[where], self.unseen)
        return weights

    def _word_ids(self, words: list[str]) -> np.ndarray:
        """Each word's id; a word the model lacks gets a fresh id of its own (kept for later batches).

        For speed the look-ups fill a numpy array directly, 0 (an id never given out) marking the unknown words.
        """
        found = np.fromiter(map(self.ids.get, words, repeat(0)), dtype=np.int64, count=len(words))
        unknown = np.flatnonzero(found == 0).tolist()
        if unknown and self._next + len(words) >= MAX_IDS:
            self._forget_unknown()
            found = np.fromiter(map(self.ids.get, words, repeat(0)), dtype=np.int64, count=len(words))
            unknown = np.flatnonzero(found == 0).tolist()
        for i in unknown:
            word_id = self.ids.setdefault(words[i], self._next)
            self._next += word_id == self._next
            found[i] = word_id
        return found

    def _forget_unknown(self) -> None:
        self.ids = {word: word_id for word, word_id in self.ids.items() if word_id < self.known}
        self._next = self.known


def _split_points(feature: str, separator: str) -> list[int]:
    return [i for i, char in enumerate(feature) if char == separator and 0 < i < len(feature) - 1]


def _distinct(codes: np.ndarray) -> np.ndarray:
    """The distinct values of ``codes``, ascending: ``np.unique``, but by sorting (numpy 2's hash-based
    ``np.unique`` is several times slower on these int64 codes)."""
    codes = np.sort(codes)
    if len(codes) < 2:
        return codes
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))]


@dataclass(slots=True)
class BatchWords:
    """The classifier words of a batch, all in one list (post after post), and how many each post has."""

    flat: list[str]
    lengths: list[int]

    def posts(self) -> list[list[str]]:
        """The words post by post."""
        remaining = iter(self.flat)
        return [list(islice(remaining, length)) for length in self.lengths]


def batch_words(token_lists: Sequence[Sequence[str]], without_mentions: Callable[[Sequence[str]], list[str]],
                separator: str = " ") -> tuple[BatchWords, list[int]]:
    """The batch's classifier words (tokens without mentions and blanks, lower-cased, as ``words`` gives
    them post by post), and which posts have a word containing ``separator``.

    For speed the batch is handled as one flat list: blanks are found with one ``map(str.isspace)`` and
    lower-casing is one ``str.lower`` of the joined words; only posts with an ``@`` mention go through
    ``without_mentions`` one by one.
    """
    posts = [without_mentions(tokens) if "@" in tokens else tokens for tokens in token_lists]
    flat, lengths = _without_blanks(list(chain.from_iterable(posts)), list(map(len, posts)))
    joined = _NUL.join(flat)
    lowered = joined.lower()
    if lowered != joined:
        split = lowered.split(_NUL)
        if len(split) == len(flat):
            flat = split
        else:  # a word holding a NUL character: lower-case post by post, as ``words`` does
            posts = [lowered_words(post) for post in BatchWords(flat, lengths).posts()]
            flat, lengths = list(chain.from_iterable(posts)), list(map(len, posts))
    words = BatchWords(flat, lengths)
    if separator not in joined:
        return words, []
    return words, [i for i, post in enumerate(words.posts()) if any(separator in word for word in post)]


def _without_blanks(flat: list[str], lengths: list[int]) -> tuple[list[str], list[int]]:
    """The words that are not whitespace, and how many of them each post keeps."""
    blank = np.fromiter(map(str.isspace, flat), dtype=bool, count=len(flat))
    if not blank.any():
        return flat, lengths
    owners = np.repeat(np.arange(len(lengths)), lengths)
    kept = np.asarray(lengths, dtype=np.int64) - np.bincount(owners[blank], minlength=len(lengths))
    return list(filterfalse(str.isspace, flat)), kept.tolist()


def lowered_words(words: list[str]) -> list[str]:
    """``words`` lower-cased, in one ``str.lower`` call (joined, lowered, split); ``words`` itself when unchanged."""
    joined = _NUL.join(words)
    lowered = joined.lower()
    return words if lowered == joined else lowered.split(_NUL)
