"""BM25 as SQLite's FTS5 scores a match (fts5_aux.c: k1 = 1.2, b = 0.75, per phrase of the query
idf = ln((N - n + 0.5) / (n + 0.5)), at least 1e-6), for a backend without it.

PostgreSQL's `ts_rank_cd` has no IDF: a paragraph repeating a common word of the question
outranks one holding its rare word, so the two backends returned different paragraphs for the
same question (dev question d14: the answer first on PostgreSQL, 47th on SQLite). With the same
formula over the same query terms both rank alike and the second-stage ranker's lexical feature
(fitted on FTS5's BM25) means the same on both. `postgres_search.lexical_search` computes it in
SQL: the IDFs from here, each word's count in each paragraph from the `tfv` index.
"""

from __future__ import annotations

import math

K1 = 1.2
B = 0.75


def idf(rows: int, holding: int) -> float:
    value = math.log((rows - holding + 0.5) / (holding + 0.5))
    return value if value > 0 else 1e-6
