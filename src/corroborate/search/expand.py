"""The library's own vocabulary in the multilingual embedding space: which of its words are
nearest to a word of a question, in whatever language the question is asked.

A Spanish question over English reports shares almost no word with them, so word matching says
nothing about it; the encoder embeds single words too ('periodistas' lies near 'journalists').
The library's terms (the FTS vocabulary, its most frequent `MAX_TERMS` alphabetic words) are
embedded once per process and database state and cached; a question word is then one matrix
product away from its nearest library terms.
The COI vocabulary list (coi_terms.py) comes first, for the words the encoder does not
pair ('pandillas' ~ gangs 0.59).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from corroborate.search.query import STOPWORDS

MAX_TERMS = 8000  # most frequent words embedded (~4 s per 1000 words on a small machine)
REMEMBERED_WORDS = 50_000


@dataclass
class Vocabulary:
    terms: list[str]
    docs: np.ndarray  # paragraphs holding each term
    vectors: np.ndarray  # unit rows, one per term
    # word -> its nearest terms: one product with the whole vocabulary costs ~5-15 ms of CPU,
    # and the same question words come back on every search that asks them
    remembered: dict[tuple[str, int], list[tuple[str, float]]] = field(default_factory=dict, repr=False)

    def nearest_words(self, words: list[str], k: int, settings) -> list[list[tuple[str, float]]]:
        """`nearest` for words (their vectors from `term_vectors`), remembered per word."""
        # Answered from a local copy: request threads share `remembered`, and another one may
        # clear it between our lookups.
        found = {w: near for w in dict.fromkeys(words) if (near := self.remembered.get((w, k))) is not None}
        missing = [w for w in dict.fromkeys(words) if w not in found]
        if missing:
            if len(self.remembered) > REMEMBERED_WORDS:
                self.remembered.clear()
            for w, near in zip(missing, self.nearest(term_vectors(missing, settings), k), strict=True):
                self.remembered[(w, k)] = found[w] = near
        return [found[w] for w in words]

    def nearest(self, vectors: np.ndarray, k: int = 3) -> list[list[tuple[str, float]]]:
        """The `k` library terms nearest to each row of `vectors`, with their cosines."""
        if len(self.terms) == 0 or len(vectors) == 0:
            return [[] for _ in range(len(vectors))]
        sims = vectors @ self.vectors.T
        k = min(k, len(self.terms))
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        out = []
        for row, idx in zip(sims, top, strict=True):
            idx = idx[np.argsort(-row[idx])]
            out.append([(self.terms[j], float(row[j])) for j in idx])
        return out


_lock = threading.Lock()
_cache: dict[str, tuple[str, Vocabulary]] = {}
_term_cache: OrderedDict[str, np.ndarray] = OrderedDict()
TERM_CACHE_SIZE = 40_000  # ~80 MB; a term's vector does not depend on the library


def term_vectors(words: list[str], settings) -> np.ndarray:
    """Vectors of single terms, remembered across database states: after an ingest only the
    report's new words are embedded."""
    from corroborate.search.embed import DIM, embed_texts

    with _lock:
        missing = [w for w in words if w not in _term_cache]
    fresh = embed_texts(missing, settings)
    with _lock:  # read before evicting: `words` (at most MAX_TERMS) all fit in the cache
        for w, v in zip(missing, fresh, strict=True):
            _term_cache[w] = v
        for w in words:
            _term_cache.move_to_end(w)
        out = np.vstack([_term_cache[w] for w in words]) if words else np.zeros((0, DIM), dtype=np.float32)
        while len(_term_cache) > TERM_CACHE_SIZE:
            _term_cache.popitem(last=False)
    return out


def library_vocabulary(searcher) -> Vocabulary:
    """The cached vocabulary of the searcher's database (rebuilt when the database changed).

    Embedding thousands of terms takes seconds, so the result is also kept in a file beside the
    database for this state (`store.sidecar`): a new process (each CLI command) maps it instead."""
    from corroborate.store.sidecar import read_arrays, write_arrays

    key, fp = searcher.cache_key(), searcher.fingerprint()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == fp:
            return hit[1]
    sidecar = searcher.store.derived_path("vocabulary")
    stored = read_arrays(sidecar, fp) if sidecar is not None else None
    if stored is not None:
        arrays, _ = stored
        words = bytes(arrays["terms"]).decode("utf-8").split("\n") if len(arrays["terms"]) else []
        vocab = Vocabulary(words, np.asarray(arrays["docs"]), np.asarray(arrays["vectors"]))
    else:
        terms, cumulative, _ = searcher.store.term_document_counts()
        docs = np.diff(cumulative)
        keep = [i for i, t in enumerate(terms) if len(t) >= 3 and t.isalpha() and t not in STOPWORDS]
        keep.sort(key=lambda i: (-docs[i], terms[i]))
        keep = keep[:MAX_TERMS]
        words = [terms[i] for i in keep]
        vocab = Vocabulary(words, docs[keep] if keep else np.zeros(0, dtype=np.int64),
                           term_vectors(words, searcher.settings))
        if sidecar is not None:
            blob = np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)
            write_arrays(sidecar, fp, {"terms": blob, "docs": np.asarray(vocab.docs, dtype=np.int64),
                                       "vectors": np.asarray(vocab.vectors, dtype=np.float32)})
    with _lock:
        _cache[key] = (fp, vocab)
    return vocab


EXPAND_COSINE = 0.8  # a translation or inflection ('periodistas' ~ 'journalists' 0.87), not a topic neighbour
EXPAND_TERMS = 2


def inflections(word: str) -> list[str]:
    """A singular word and its plurals in English or Spanish, as an index may hold them."""
    forms = [word, word + "s", word + "es"]
    if word.endswith("y"):
        forms.append(word[:-1] + "ies")
    return forms


def expanded(searcher, q):
    """`q` with each plain word the index does not hold widened by its nearest library terms.

    The index then matches a Spanish question's words through their English counterparts (and an
    English question's through a Spanish report's words), in the strict reading too: each
    clause is an OR of its alternatives. Words the index holds, phrases and prefixes are kept
    as they are.
    """
    from dataclasses import replace

    from corroborate.coi_terms import translations
    from corroborate.search.query import Atom, Clause

    missing = {}
    for i, c in enumerate(q.clauses):
        if c.hard or len(c.atoms) != 1:
            continue
        a = c.atoms[0]
        if a.prefix or a.phrase or len(a.tokens) != 1 or a.tokens[0].isdigit():
            continue
        if not searcher.holds(a.tokens[0]):
            missing[i] = a.tokens[0]
    if not missing:
        return q
    vocab = library_vocabulary(searcher)
    near = vocab.nearest_words(list(missing.values()), EXPAND_TERMS, searcher.settings)
    clauses = list(q.clauses)
    for (i, word), terms in zip(missing.items(), near, strict=True):
        # The COI vocabulary list first: the encoder does not pair every word ('pandillas' ~
        # gangs 0.59, below the cut). Its words are singular: they and their plurals are matched
        # as written, since a truncation stem ('prote*') reads every posting of every word it
        # begins, which at a million paragraphs costs more than the match is worth.
        listed = [Atom((f,), stemmed=False) for t in translations(word) for f in inflections(t)
                  if searcher.holds(f)]
        neighbours = [Atom((t,)) for t, cos in terms if cos >= EXPAND_COSINE]
        extra = list({a.tokens: a for a in listed + neighbours if a.tokens != (word,)}.values())
        if extra:
            clauses[i] = Clause([*clauses[i].atoms, *extra])
    return replace(q, clauses=clauses)
