"""BM25 as SQLite's FTS5 scores a match (fts5_aux.c: k1 = 1.2, b = 0.75, per phrase of the query
idf = ln((N - n + 0.5) / (n + 0.5)), at least 1e-6), for a backend without it.

PostgreSQL's `ts_rank_cd` has no IDF: a paragraph repeating a common word of the question
outranks one holding its rare word, so the two backends returned different paragraphs for the
same question (dev question d14: the answer first on PostgreSQL, 47th on SQLite). With the same
formula over the same query terms both rank alike and the second-stage ranker's lexical feature
(fitted on FTS5's BM25) means the same on both. Term frequencies are counted here on the folded
tokens FTS5 indexes (`search.query.tokens`); the backend gives each term's paragraph count and
the library's size. Lengths are in characters (the ratio to the average is what BM25 uses, and
the average is then one SQL aggregate); FTS5 counts tokens.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corroborate.search.query import Atom

K1 = 1.2
B = 0.75


def idf(rows: int, holding: int) -> float:
    value = math.log((rows - holding + 0.5) / (holding + 0.5))
    return value if value > 0 else 1e-6


def frequency(toks: tuple[str, ...], counts: Counter, atom: Atom) -> int:
    """How many times the word, prefix or phrase `atom` occurs in the token list `toks`
    (`counts`: the tokens counted)."""
    if len(atom.tokens) == 1:
        (t,) = atom.tokens
        return sum(n for w, n in counts.items() if w.startswith(t)) if atom.prefix else counts.get(t, 0)
    *head, last = atom.tokens
    n, count = len(atom.tokens), 0
    for i in range(len(toks) - n + 1):
        t = toks[i + n - 1]
        if (t == last or (atom.prefix and t.startswith(last))) and all(toks[i + j] == head[j] for j in range(n - 1)):
            count += 1
    return count


@lru_cache(maxsize=5_000)  # ~3 KB each (tokens and counts of a ~500-character paragraph)
def _tokens(text: str) -> tuple[tuple[str, ...], Counter]:
    """A paragraph's folded tokens and their counts. Folding is most of the scoring's CPU, and
    the same paragraphs come back in the pools of query after query: remembered per text (as
    `search.rank` remembers its words), read-only once made."""
    from corroborate.search.query import tokens

    toks = tuple(tokens(text))
    return toks, Counter(toks)


def score(text: str, atoms: list[Atom], idfs: list[float], average_length: float) -> float:
    """BM25 of one paragraph (larger is better, as `Store.lexical_search` returns it)."""
    toks, counts = _tokens(text)
    norm = K1 * (1 - B + B * len(text) / max(average_length, 1.0))
    total = 0.0
    for atom, weight in zip(atoms, idfs, strict=True):
        if weight:
            f = frequency(toks, counts, atom)
            total += weight * f * (K1 + 1) / (f + norm)
    return total
