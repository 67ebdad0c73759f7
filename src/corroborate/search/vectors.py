"""Nearest-neighbour search over paragraph embeddings, in numpy.

Two strategies, chosen by size (figures in benchmarks/results/search.md):

* exact: one float32 matrix-vector product. Best for a library of a few hundred thousand
  paragraphs (1 000 reports of ~700 paragraphs is ~0.7 M rows x 2 KB).
* binary + rescore: sign bits of each vector packed to 64 bytes (32x smaller), Hamming distance
  by XOR/popcount over all rows to shortlist candidates, then exact float16 dot products on the
  shortlist only. Scans 64 MB instead of 2 GB per query at 1 M paragraphs.

The matrix is built once per process from the store and cached until the store's fingerprint
changes (a report ingested, replaced or deleted), so the index never serves deleted paragraphs.
The built arrays (pks, codes, matrix) are also written beside the database for that fingerprint
(`store.sidecar`): a new process memory-maps them instead of reading every embedding row from
SQLite and packing codes again (~30 s at 1 M paragraphs).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BINARY_ABOVE = 300_000  # rows; below this exact float32 search is fast enough and exact
RESCORE_FACTOR = 40  # shortlist = max(k x this, MIN_SHORTLIST) rows, rescored exactly
MIN_SHORTLIST = 4000


def _popcount_table() -> np.ndarray:
    return np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


_POP8 = _popcount_table()


def pack_signs(mat: np.ndarray) -> np.ndarray:
    """Sign bits of each row packed into uint64 words, stored word-major: shape (dim/64, n).

    Word-major layout lets the Hamming scan run as a few long contiguous XOR/popcount passes,
    which numpy does far faster than many short per-row reductions.
    """
    bits = np.packbits(mat > 0, axis=1)
    pad = (-bits.shape[1]) % 8
    if pad:
        bits = np.pad(bits, ((0, 0), (0, pad)))
    return np.ascontiguousarray(np.ascontiguousarray(bits).view(np.uint64).T)


HAMMING_CHUNK = 32_768  # rows per pass: the XOR and count buffers stay in the CPU cache


def hamming(signs: np.ndarray, query_words: np.ndarray) -> np.ndarray:
    """Hamming distance of the query code to every row (uint16).

    Row blocks of HAMMING_CHUNK, each scanned word by word: the intermediate buffers stay in
    cache instead of streaming 8 MB per word through memory (1.6-1.8x faster at 1 M rows).
    """
    n = signs.shape[1]
    acc = np.zeros(n, dtype=np.uint16)
    buf = np.empty(min(n, HAMMING_CHUNK), dtype=np.uint64)
    cnt = np.empty(min(n, HAMMING_CHUNK), dtype=np.uint8)
    for start in range(0, n, HAMMING_CHUNK):
        end = min(n, start + HAMMING_CHUNK)
        m = end - start
        block = acc[start:end]
        for j in range(signs.shape[0]):
            np.bitwise_xor(signs[j, start:end], query_words[j], out=buf[:m])
            _popcount64(buf[:m], cnt[:m])
            np.add(block, cnt[:m], out=block)
    return acc


def _popcount64(x: np.ndarray, out: np.ndarray) -> None:
    if hasattr(np, "bitwise_count"):
        np.bitwise_count(x, out=out)
    else:  # pragma: no cover - numpy < 2.0
        out[:] = _POP8[x.view(np.uint8)].reshape(-1, 8).sum(axis=1)


def nearest_codes(dist: np.ndarray, m: int) -> np.ndarray:
    """Indices of (at least) the m smallest small-integer distances, by counting, not sorting."""
    counts = np.bincount(dist, minlength=1)
    cutoff = int(np.searchsorted(np.cumsum(counts), m))
    return np.flatnonzero(dist <= cutoff)


@dataclass
class VectorIndex:
    pks: np.ndarray  # int64, sorted ascending
    matrix: np.ndarray  # (n, dim) float32 or float16, unit rows
    signs: np.ndarray | None = None  # (dim/64, n) uint64 when binary search is used
    # Whether the library was stored with E5 vectors (search/e5.py): asked of the store once per
    # index, i.e. per library state, not once per search.
    has_e5: bool | None = None

    @classmethod
    def build(cls, pks: np.ndarray, matrix: np.ndarray, strategy: str = "auto") -> VectorIndex:
        if strategy == "auto":
            strategy = "binary" if len(pks) > BINARY_ABOVE else "exact"
        if strategy == "binary":
            return cls(pks, matrix.astype(np.float16, copy=False), pack_signs(matrix))
        return cls(pks, matrix.astype(np.float32, copy=False), None)

    def __len__(self) -> int:
        return len(self.pks)

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"pks": self.pks, "matrix": self.matrix}
        if self.signs is not None:
            out["signs"] = self.signs
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> VectorIndex:
        return cls(arrays["pks"], arrays["matrix"], arrays.get("signs"))

    @property
    def strategy(self) -> str:
        return "exact" if self.signs is None else "binary"

    def mask(self, allowed: np.ndarray) -> np.ndarray:
        """Boolean row mask of the allowed pks (pks are sorted, so a binary search each)."""
        allowed = np.asarray(allowed, dtype=np.int64)
        pos = np.searchsorted(self.pks, allowed)
        inside = pos < len(self.pks)
        pos, allowed = pos[inside], allowed[inside]
        pos = pos[self.pks[pos] == allowed]
        mask = np.zeros(len(self.pks), dtype=bool)
        mask[pos] = True
        return mask

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(pk, cosine) of the k nearest rows, best first; `allowed` restricts to those pks."""
        n = len(self.pks)
        if n == 0 or k <= 0:
            return []
        mask = None
        if allowed is not None:
            mask = self.mask(allowed)
            if not mask.any():
                return []
        if self.signs is None:
            scores = self.matrix @ query.astype(self.matrix.dtype)
            if mask is not None:
                scores = np.where(mask, scores, -np.inf)
            idx = _top(scores, k)
            return [(int(self.pks[i]), float(scores[i])) for i in idx if np.isfinite(scores[i])]
        qwords = pack_signs(query[None, :])[:, 0]
        dist = hamming(self.signs, qwords)
        if mask is not None:
            dist[~mask] = np.iinfo(np.uint16).max
        short = nearest_codes(dist, max(k * RESCORE_FACTOR, MIN_SHORTLIST))
        if mask is not None:
            short = short[mask[short]]
        exact = self.matrix[short].astype(np.float32) @ query.astype(np.float32)
        order = _top(exact, k)
        return [(int(self.pks[short[i]]), float(exact[i])) for i in order]


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


_cache_lock = threading.Lock()
_build_lock = threading.Lock()
_cache: dict[str, tuple[str, VectorIndex]] = {}
# How indexes were obtained in this process: "built" from the store, or "mapped" from the file
# beside it. Read by tests and benchmarks to tell a reused file from a rebuild.
counters: Counter = Counter()


def cached_index(key: str, fingerprint: str, load, sidecar: Path | None = None) -> VectorIndex:
    """The index for database `key`, rebuilt by `load()` when `fingerprint` changed.

    One build at a time: when many requests arrive at once on a cold or changed library, one
    loads the matrix and the others wait for it, instead of each holding its own copy.
    The index is never modified once built, so any number of threads may search it.
    With `sidecar`, a file written for this fingerprint is memory-mapped instead of rebuilding,
    and a rebuilt index is written there for the next process.
    """
    from corroborate.store.sidecar import read_arrays, write_arrays

    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == fingerprint:
        return hit[1]
    with _build_lock:
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] == fingerprint:
            return hit[1]
        stored = read_arrays(sidecar, fingerprint) if sidecar is not None else None
        if stored is not None:
            index = VectorIndex.from_arrays(stored[0])
            counters["mapped"] += 1
        else:
            pks, mat = load()
            index = VectorIndex.build(pks, mat)
            counters["built"] += 1
            if sidecar is not None:
                write_arrays(sidecar, fingerprint, index.arrays())
        with _cache_lock:
            _cache[key] = (fingerprint, index)
    return index
