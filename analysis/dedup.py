"""Near-duplicates: MinHash signatures of character 3-gram shingles, computed for a whole batch in numpy.

Reposts and copied articles (a 中吴网 report re-posted by a Toutiao account with 【突发】 in front)
share most of their shingles. A post's text becomes its Unicode code points; every 3-gram is hashed
arithmetically (stable across processes, no per-shingle Python call) and 32 multiply-shift hash
functions give the signature; the fraction of equal positions estimates the Jaccard similarity.
Candidates come from LSH bands (8 bands of 4 values), so a new post is compared only with the few
earlier posts that share a band, never with all of them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Sequence
from itertools import chain

import numpy as np

NUM_HASHES = 32
BAND_ROWS = 4
SHINGLE = 3
DEFAULT_THRESHOLD = 0.6
_NOISE = re.compile(r"[\s\u3000,.!?;:'\"()\[\]{}<>@#/\\|，。！？；：、“”‘’（）【】《》…—~·-]+")
_RNG = np.random.default_rng(20261120)
_MULTIPLIERS = _RNG.integers(1, 2**32, NUM_HASHES, dtype=np.uint32) | np.uint32(1)
_OFFSETS = _RNG.integers(0, 2**32, NUM_HASHES, dtype=np.uint32)
CHUNK = 256
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_EMPTY = np.iinfo(np.uint32).max


def normalise(text: str) -> str:
    """Lower-case text without spaces and punctuation: what copying keeps."""
    return _NOISE.sub("", text.lower())


def signatures(texts: Sequence[str]) -> np.ndarray:
    """A (len(texts), 32) uint32 MinHash matrix; rows of texts under 3 characters are all-max (no signature)."""
    parts = [_signatures(texts[i:i + CHUNK]) for i in range(0, len(texts), CHUNK)]
    return np.concatenate(parts) if parts else np.empty((0, NUM_HASHES), dtype=np.uint32)


def _signatures(texts: Sequence[str]) -> np.ndarray:
    result = np.full((len(texts), NUM_HASHES), _EMPTY, dtype=np.uint32)
    cleaned = [normalise(text) for text in texts]
    lengths = np.fromiter((len(t) for t in cleaned), dtype=np.int64, count=len(cleaned))
    counts = np.maximum(lengths - SHINGLE + 1, 0)
    present = counts > 0
    if not present.any():
        return result
    codes = np.frombuffer("".join(cleaned).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    with np.errstate(over="ignore"):
        grams = codes[:-2] * _MIX[0] ^ codes[1:-1] * _MIX[1] ^ codes[2:] * _MIX[2]
        grams = (grams ^ (grams >> np.uint64(32))).astype(np.uint32)
        starts = np.cumsum(lengths) - lengths
        grams = grams[_inside_mask(starts[present], counts[present], len(grams))]
    offsets = np.concatenate(([0], np.cumsum(counts[present])[:-1]))
    result[present] = np.minimum.reduceat(_hashed(grams), offsets, axis=1).T
    return result


def _hashed(grams: np.ndarray) -> np.ndarray:
    """Every 3-gram under each of the 32 hash functions: a (32, len(grams)) uint32 matrix (arithmetic mod 2**32).

    For speed the matrix is filled in place (no temporaries) one hash function per row, so the per-post
    minima are taken along contiguous memory: several times faster than a (len(grams), 32) matrix.
    """
    values = np.empty((NUM_HASHES, len(grams)), dtype=np.uint32)
    np.multiply(_MULTIPLIERS[:, None], grams[None, :], out=values)
    values += _OFFSETS[:, None]
    return values


def _inside_mask(starts: np.ndarray, counts: np.ndarray, total: int) -> np.ndarray:
    """Which 3-grams of the concatenated text lie wholly inside one post (not across two)."""
    delta = np.zeros(total + 1, dtype=np.int64)
    np.add.at(delta, starts, 1)
    np.add.at(delta, starts + counts, -1)
    return np.cumsum(delta)[:total] > 0


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / NUM_HASHES


def has_signature(signature: np.ndarray) -> bool:
    return bool(signature[0] != _EMPTY)


class NearDuplicateIndex:
    """Signatures seen so far; ``add`` links a new post to the canonical (first-seen) post it copies.

    Exact copies (a repost, the same text under another id) are the commonest duplicates. For speed, a post
    whose signature an indexed post already has is resolved by one dictionary look-up of the signature's
    bytes, and kept out of the LSH buckets, which hold one representative per distinct signature. This
    decides as scoring every copy would: a copy scores exactly like its representative, which precedes it
    in every bucket, and the first of the best-scoring posts wins.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self._buckets: dict[tuple[int, bytes], list[Hashable]] = defaultdict(list)
        self._signature: dict[Hashable, np.ndarray] = {}
        self._canonical: dict[Hashable, Hashable] = {}
        self._representative: dict[bytes, Hashable] = {}  # signature bytes → the first post with them
        self._copies: dict[Hashable, list[Hashable]] = defaultdict(list)  # representative → its exact copies

    def __contains__(self, key: Hashable) -> bool:
        """Whether ``key`` was indexed (posts too short for a signature never are)."""
        return key in self._signature

    def add(self, key: Hashable, signature: np.ndarray) -> Hashable | None:
        """Index a post; return the key of the canonical post it nearly duplicates, or None."""
        if key in self._signature:
            return self._canonical.get(key)
        if not has_signature(signature):
            return None
        raw = signature.tobytes()
        self._signature[key] = signature
        if raw in self._representative:
            return self._add_copy(key, self._representative[raw])
        bands = _band_keys(raw, signature.itemsize)
        match = self._best(*self._scored(signature, bands))
        if match is not None:
            self._canonical[key] = match
        self._representative[raw] = key
        for bucket in bands:
            self._buckets[bucket].append(key)
        return match

    def _add_copy(self, key: Hashable, representative: Hashable) -> Hashable | None:
        """Link an exact copy of ``representative`` (similarity 1) to the canonical post of the two."""
        self._copies[representative].append(key)
        if self.threshold > 1.0:
            return None
        canonical = self._canonical.get(representative, representative)
        self._canonical[key] = canonical
        return canonical

    def _best(self, keys: list[Hashable], scores: np.ndarray) -> Hashable | None:
        if not keys:
            return None
        best = int(np.argmax(scores))  # the first of the best, in band order
        if scores[best] < self.threshold:
            return None
        return self._canonical.get(keys[best], keys[best])

    def similar(self, signature: np.ndarray, threshold: float) -> list[tuple[Hashable, float]]:
        """Indexed posts sharing a band with ``signature`` whose similarity reaches ``threshold``.

        Exact copies of a post are listed right after it.
        """
        keys, scores = self._scored(signature, _band_keys(signature.tobytes(), signature.itemsize))
        return [(copy, score) for key, score in zip(keys, scores.tolist()) if score >= threshold
                for copy in [key, *self._copies.get(key, ())]]

    def _scored(self, signature: np.ndarray, bands: list[tuple[int, bytes]]) -> tuple[list[Hashable], np.ndarray]:
        """The posts sharing one of ``bands`` with ``signature`` (band order) and their similarities, in one numpy pass."""
        get = self._buckets.get
        keys = list(dict.fromkeys(chain.from_iterable(get(bucket, ()) for bucket in bands)))
        if not keys:
            return keys, np.empty(0)
        matrix = np.array([self._signature[key] for key in keys])
        return keys, np.count_nonzero(matrix == signature, axis=1) / NUM_HASHES


def _band_keys(raw: bytes, itemsize: int) -> list[tuple[int, bytes]]:
    """The LSH bucket keys of a signature given as bytes: (band number, the band's bytes)."""
    width = BAND_ROWS * itemsize
    return [(band, raw[band * width:(band + 1) * width]) for band in range(NUM_HASHES // BAND_ROWS)]
