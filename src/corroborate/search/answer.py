"""Cited answers without a language model: the sentences of the library that answer a question,
quoted verbatim with their offsets, footnotes and citations — or a plain statement that the
sources consulted hold nothing on it.

Pipeline: hybrid search picks the top paragraphs; each is split into sentences (offsets into
the stored text, so a quote is `text[start:end]` by construction); every sentence is scored
against the question by embedding cosine (multilingual: a Spanish question meets an English
sentence) plus the share of the question's content words it contains; the best sentences are
quoted. Whether anything answers at all is decided by a threshold on the best sentence's score,
calibrated on answerable and off-topic questions (benchmarks/eval_search.py prints the margins).
"""

from __future__ import annotations

import math

import numpy as np

from corroborate.search.engine import Searcher
from corroborate.search.query import STEM_LENGTH, parse_query, tokens
from corroborate.search.sentences import sentence_footnotes, split_sentences
from corroborate.settings import Settings
from corroborate.store import sqlite_search as sql

NOT_FOUND = "Information on this question could not be found among the sources consulted."

PARAGRAPHS = 8  # top paragraphs whose sentences compete
MAX_QUOTES = 3
COSINE_WEIGHT = 0.75
OVERLAP_WEIGHT = 0.25
FOUND_THRESHOLD = 0.40  # on the combined score of the best sentence; see module docstring
KEEP_WITHIN = 0.06  # further quotes must score within this of the best one


def _stems(words: list[str]) -> set[str]:
    return {w[:STEM_LENGTH] for w in words}


def overlap(question_words: list[str], sentence: str, idf: dict[str, float]) -> float:
    """IDF-weighted share of the question's content stems found in the sentence."""
    if not question_words:
        return 0.0
    have = _stems(tokens(sentence))
    qs = _stems(question_words)
    total = sum(idf.get(s, 1.0) for s in qs)
    got = sum(idf.get(s, 1.0) for s in qs if s in have)
    return got / total if total else 0.0


def answer(store, settings: Settings, question: str, k: int = 5, report: str | None = None) -> dict:
    searcher = Searcher(store, settings)
    q = parse_query(question)
    f = searcher.make_filter(report=report)
    if not 1 <= k <= 20:
        from corroborate.search.query import QueryError

        raise QueryError(f"k={k!r}: use a number of quotes between 1 and 20")
    hits = searcher.rank(q, PARAGRAPHS, "hybrid", f)
    rows = sql.paragraphs_by_pk(store.conn, [h.pk for h in hits])
    words = [t for t in q.content_tokens()]

    candidates = []  # (pk, start, end, sentence text, paragraph rank)
    for rank, h in enumerate(hits):
        text = rows[h.pk]["text"]
        for s, e in split_sentences(text):
            candidates.append((h.pk, s, e, text[s:e], rank))
    base = {"question": question, "found": False, "answer": NOT_FOUND, "quotes": [], "synthesis": None,
            "best_score": None}
    if not candidates:
        return base

    # IDF over the candidate sentences: words every sentence shares say little
    docs = [_stems(tokens(c[3])) for c in candidates]
    idf = {s: math.log(1 + len(docs) / (1 + sum(1 for d in docs if s in d))) for s in _stems(words)}
    if searcher.semantic_available():
        from corroborate.search.embed import embed_texts

        vecs = embed_texts([question] + [c[3] for c in candidates], settings)
        cos = vecs[1:] @ vecs[0]
    else:
        cos = np.zeros(len(candidates), dtype=np.float32)
    scored = []
    for c, cs in zip(candidates, cos, strict=True):
        ov = overlap(words, c[3], idf)
        score = COSINE_WEIGHT * float(cs) + OVERLAP_WEIGHT * ov
        if not searcher.semantic_available():
            score = ov
        scored.append((score, float(cs), ov, c))
    scored.sort(key=lambda x: (-x[0], x[3][4], x[3][1]))
    best = scored[0][0]
    threshold = FOUND_THRESHOLD if searcher.semantic_available() else 0.6
    if best < threshold:
        base["best_score"] = round(best, 4)
        return base

    chosen = [s for s in scored if s[0] >= best - KEEP_WITHIN][: min(k, MAX_QUOTES)]
    wanted = set()
    per_quote = []
    for score, cs, ov, (pk, s, e, text, _rank) in chosen:
        row = rows[pk]
        spans = split_sentences(row["text"])
        idx = spans.index((s, e))
        notes = sentence_footnotes(spans, row["markers"])[idx]
        wanted.update((row["report_pk"], n) for n in notes)
        per_quote.append((score, cs, ov, pk, s, e, text, notes))
    footnotes = sql.footnotes_for(store.conn, wanted)
    quotes = []
    for i, (score, _cos, _ov, pk, s, e, text, notes) in enumerate(per_quote, 1):
        row = rows[pk]
        quotes.append({
            "id": f"q{i}",
            "paragraph_id": row["id"],
            "report_id": row["report_id"],
            "report_title": row["report_title"],
            "section": row["section_number"] or row["section_title"],
            "section_title": row["section_title"],
            "start": s,
            "end": e,
            "text": text,
            "score": round(score, 4),
            "footnotes": [footnotes[(row["report_pk"], n)] for n in notes],
        })
    result = {
        "question": question,
        "found": True,
        "answer": " ".join(f"“{qt['text']}” [{qt['id']}]" for qt in quotes),
        "quotes": quotes,
        "synthesis": None,
        "best_score": round(best, 4),
    }
    if settings.llm_url:
        from corroborate.search.synthesis import synthesise

        result["synthesis"] = synthesise(settings, question, quotes)
    return result
