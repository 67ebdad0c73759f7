"""Nearest-neighbour search over paragraph embeddings, in numpy.

Two strategies, chosen by size (figures in benchmarks/results/search.md):

* exact: one float32 matrix-vector product. Best for a library of a few hundred thousand
  paragraphs (1 000 reports of ~700 paragraphs is ~0.7 M rows x 2 KB).
* binary + rescore: sign bits of each vector packed to 64 bytes (32x smaller), Hamming distance
  by XOR/popcount over all rows to shortlist candidates, then exact float16 dot products on the
  shortlist only. Scans 64 MB instead of 2 GB per query at 1 M paragraphs.

The matrix is built once per process from the store and cached until the store's fingerprint
changes (a report ingested, replaced or deleted), so the index never serves deleted paragraphs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

BINARY_ABOVE = 300_000  # rows; below this exact float32 search is fast enough and exact
RESCORE_FACTOR = 40  # shortlist = k x this, rescored exactly


def _popcount_table() -> np.ndarray:
    return np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


_POP8 = _popcount_table()


def pack_signs(mat: np.ndarray) -> np.ndarray:
    """Sign bits of each row, packed into uint64 words (512 dims -> 8 words)."""
    bits = np.packbits(mat > 0, axis=1)
    pad = (-bits.shape[1]) % 8
    if pad:
        bits = np.pad(bits, ((0, 0), (0, pad)))
    return np.ascontiguousarray(bits).view(np.uint64)


def _popcount64(x: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x)
    return _POP8[x.view(np.uint8)].reshape(*x.shape, 8).sum(axis=-1)  # pragma: no cover


@dataclass
class VectorIndex:
    pks: np.ndarray  # int64, sorted ascending
    matrix: np.ndarray  # (n, dim) float32 or float16, unit rows
    signs: np.ndarray | None = None  # (n, dim/64) uint64 when binary search is used

    @classmethod
    def build(cls, pks: np.ndarray, matrix: np.ndarray, strategy: str = "auto") -> VectorIndex:
        if strategy == "auto":
            strategy = "binary" if len(pks) > BINARY_ABOVE else "exact"
        if strategy == "binary":
            return cls(pks, matrix.astype(np.float16, copy=False), pack_signs(matrix))
        return cls(pks, matrix.astype(np.float32, copy=False), None)

    def __len__(self) -> int:
        return len(self.pks)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(pk, cosine) of the k nearest rows, best first; `allowed` restricts to those pks."""
        n = len(self.pks)
        if n == 0 or k <= 0:
            return []
        mask = None
        if allowed is not None:
            mask = np.isin(self.pks, allowed, assume_unique=True)
            if not mask.any():
                return []
        if self.signs is None:
            scores = self.matrix @ query.astype(self.matrix.dtype)
            if mask is not None:
                scores = np.where(mask, scores, -np.inf)
            idx = _top(scores, k)
        else:
            qbits = pack_signs(query[None, :])[0]
            ham = _popcount64(self.signs ^ qbits).sum(axis=1, dtype=np.int32)
            if mask is not None:
                ham = np.where(mask, ham, np.iinfo(np.int32).max)
            short = _top(-ham, min(n, k * RESCORE_FACTOR))
            if mask is not None:
                short = short[mask[short]]
            exact = self.matrix[short].astype(np.float32) @ query.astype(np.float32)
            order = np.argsort(-exact)[:k]
            idx = short[order]
            scores = np.full(n, -np.inf, dtype=np.float32)
            scores[idx] = exact[order]
        return [(int(self.pks[i]), float(scores[i])) for i in idx if np.isfinite(scores[i])]


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


_cache_lock = threading.Lock()
_cache: dict[str, tuple[str, VectorIndex]] = {}


def cached_index(key: str, fingerprint: str, load) -> VectorIndex:
    """The index for database `key`, rebuilt by `load()` when `fingerprint` changed."""
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == fingerprint:
            return hit[1]
    pks, mat = load()
    index = VectorIndex.build(pks, mat)
    with _cache_lock:
        _cache[key] = (fingerprint, index)
    return index
