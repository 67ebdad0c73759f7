"""Hybrid search over the evidence base: the store's lexical ranking (BM25: FTS5's on SQLite,
the same formula over tsvector matches on PostgreSQL) and multilingual embeddings, fused by reciprocal rank.

Raw scores of the two rankers live on different scales (BM25 is unbounded, cosine is in
[-1, 1]), so they are never added; reciprocal rank fusion (Cormack et al. 2009) combines the
*positions* instead: score = sum over rankers of w / (RRF_K + rank).
"""

from __future__ import annotations

import bisect
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corroborate.metadata import country_counts, names_country
from corroborate.models import SourceType
from corroborate.search.query import ParsedQuery, QueryError, parse_query
from corroborate.search.rank import candidate_texts, cosines_for, features
from corroborate.search.rank import model as rank_model
from corroborate.search.snippets import snippet
from corroborate.search.vectors import VectorIndex, cached_index
from corroborate.settings import Settings
from corroborate.store.base import ParagraphFilter
from corroborate.store.sidecar import read_arrays, write_arrays

MODES = ("hybrid", "lexical", "semantic")
LARGE_LIBRARY = 100_000  # paragraphs; above this the lexical side is pruned by document frequency
# How many postings one lexical query may make FTS5 visit (BM25 ranking scores every matching
# row, ~3 µs each): 1 % of the paragraphs, at least 10 000.
POSTINGS_BUDGET = 0.01
MIN_POSTINGS_BUDGET = 10_000
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="corroborate-vectors")
RRF_K = 60
MAX_K = 100
MAX_OFFSET = 10_000
DEPTH = 60  # candidates taken from each ranker before fusion
MIN_LEXICAL_WEIGHT = 0.25
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class Hit:
    pk: int
    score: float
    lexical_rank: int | None = None
    semantic_rank: int | None = None
    cosine: float | None = None


def normalise_since(since: str | None, name: str = "since") -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD -> the first day of that period (YYYY-MM-DD)."""
    if since is None or since == "":
        return None
    s = since.strip()
    if not _DATE.match(s):
        raise QueryError(f"{name}={since!r}: use a date like 2023, 2023-06 or 2023-06-01")
    parts = s.split("-")
    year, month, day = int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise QueryError(f"{name}={since!r}: not a valid date")
    return f"{year:04d}-{month:02d}-{day:02d}"


def period_end(until: str | None, name: str = "published_to") -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD -> the last day of that period, for `<=` on ISO strings."""
    first = normalise_since(until, name)
    if first is None:
        return None
    given = until.strip().count("-")
    return first[:4] + "-12-31" if given == 0 else first[:7] + "-31" if given == 1 else first


class Searcher:
    """Search one store. Cheap to create; the vector matrix is cached per database file."""

    def __init__(self, store, settings: Settings):
        self.store = store
        self.settings = settings
        self.query_vectors: dict[str, np.ndarray] = {}
        self.e5_queries: dict[str, Future] = {}  # the second encoder's query vector, under way
        self.lexical_readings: dict[str, ParsedQuery] = {}

    # ---- validation ---------------------------------------------------------------------

    def make_filter(self, report=None, section=None, source_type=None, since=None, country=None,
                    publisher=None, document_type=None, language=None, published_from=None,
                    published_to=None, source=None, source_language=None) -> ParagraphFilter:
        from corroborate.metadata import MetadataError, normalise_metadata

        report = report or None
        section = section or None
        source_type = source_type or None
        if report is not None and not self.store.report_exists(report):
            from corroborate.library import NotFound

            raise NotFound(f"no report {report!r} in {self.settings.db}")
        if source_type is not None:
            allowed = [t.value for t in SourceType]
            if source_type not in allowed:
                raise QueryError(f"source_type={source_type!r}: use one of {', '.join(allowed)}")
        if section is not None and not self.store.section_exists(section, report):
            where = f" in report {report!r}" if report else ""
            raise QueryError(f"section={section!r}: no such section{where}")
        try:
            meta = normalise_metadata({"country": country, "document_type": document_type,
                                       "language": language, "publisher": publisher})
        except MetadataError as exc:
            raise QueryError(str(exc)) from None
        source_language = (source_language or "").strip().lower() or None
        return ParagraphFilter(report=report, section=section, source_type=source_type,
                               since=normalise_since(since), source=source or None,
                               source_language=source_language,
                               published_from=normalise_since(published_from, "published_from"),
                               published_to=period_end(published_to), **meta)

    @staticmethod
    def check(mode: str, k: int) -> None:
        if mode not in MODES:
            raise QueryError(f"mode={mode!r}: use one of {', '.join(MODES)}")
        if not isinstance(k, int) or k < 1 or k > MAX_K:
            raise QueryError(f"k={k!r}: use a number of results between 1 and {MAX_K}")

    # ---- rankers ------------------------------------------------------------------------

    def lexical(self, q: ParsedQuery, depth: int, f: ParagraphFilter, optional: bool = False
                ) -> list[tuple[int, float]]:
        """Strict reading first (all words), then the relaxed one (any word) to fill up.

        In a large library the query is pruned to its rarest words; when even those are too
        common to rank within the budget and the ranking is `optional` (hybrid mode), it is
        skipped: words found in that many paragraphs carry little evidence, and the
        embeddings still rank (phrases and exclusions are still applied to their hits).
        Words the index does not hold are widened by their nearest library terms across
        languages (search/expand.py).
        """
        if self.settings.embeddings:
            from corroborate.search.expand import expanded

            q = expanded(self, q)
            self.lexical_readings[q.text] = q  # its alternatives are second-stage features
        stats = self.term_stats()
        if stats is not None:
            budget = max(POSTINGS_BUDGET * stats.paragraphs, MIN_POSTINGS_BUDGET)
            q = q.pruned(stats.cost, budget)
            if optional and q.cost(stats.cost) > budget:
                return []
        hits = self.store.lexical_search(q, depth, f)
        if len(hits) < depth and q.relaxable:
            seen = {pk for pk, _ in hits}
            for pk, s in self.store.lexical_search(q, depth, f, relaxed=True):
                if pk not in seen:
                    hits.append((pk, s))
                    if len(hits) >= depth:
                        break
        return hits

    def fingerprint(self) -> str:
        return self.store.index_fingerprint()

    def cache_key(self) -> str:
        return self.store.path if self.store.path != ":memory:" else f"mem:{id(self.store)}"

    def term_stats(self) -> TermStats | None:
        """Document frequencies of index terms, for large libraries only (cached, the answer
        for a small one too: a search asks several times, and the size query costs ~1 ms at
        1 M paragraphs)."""
        key, fp = self.cache_key(), self.fingerprint()
        with _stats_lock:
            hit = _stats_cache.get(key)
            if hit is not None and hit[0] == fp:
                return hit[1]
        stats = None
        if self.store.approximate_size() >= LARGE_LIBRARY:
            stats = TermStats.cached(self.store.derived_path("terms"), fp, self.store.term_document_counts)
        with _stats_lock:
            _stats_cache[key] = (fp, stats)
        return stats

    def holds(self, token: str) -> bool:
        """Whether a folded word occurs in the index as written: from the in-memory term counts
        of a large library (no index probe, a cold one costs ms at 1 M paragraphs), else the index."""
        stats = self.term_stats()
        return stats.docs(token) > 0 if stats is not None else self.store.term_in_index(token, stem=False)

    def vector_index(self) -> VectorIndex:
        from corroborate.search.embed import DIM

        return cached_index(self.cache_key(), self.fingerprint(), lambda: self.store.load_vectors(DIM),
                            self.store.derived_path("vectors"))

    def embed_query(self, text: str) -> np.ndarray:
        from corroborate.search.embed import embed_query

        return embed_query(text, self.settings)

    def semantic(self, q: ParsedQuery, depth: int, f: ParagraphFilter) -> list[tuple[int, float]]:
        return self.finish_semantic(q, depth, self.start_semantic(q, depth, f).result())

    def start_semantic(self, q: ParsedQuery, depth: int, f: ParagraphFilter):
        """Embed the query and scan the vectors on a worker thread (numpy releases the GIL), so
        that the lexical query can run meanwhile; the store is used from this thread only."""
        index = self.vector_index()
        allowed = self.store.filtered_pks(f) if f.active else None
        want = depth * 2 if q.exclusions or q.required else depth
        text = q.semantic_text()

        def work() -> list[tuple[int, float]]:
            if len(index) == 0:
                return []
            qv = self.embed_query(text)
            self.query_vectors[text] = qv  # kept for the second-stage ranking
            return index.search(qv, want, allowed)

        if len(index) and index.has_e5 is None:
            index.has_e5 = bool(self.store.e5_vectors([int(index.pks[0])]))
        if len(index) and index.has_e5 and text not in self.e5_queries:
            # a library stored with E5 vectors: its query vector (~30 ms, more for a fresh
            # process's first) is made meanwhile too; the C engine releases the GIL
            from corroborate.search import e5

            self.e5_queries[text] = _pool.submit(e5.embed_query, text)
        return _pool.submit(work)

    def finish_semantic(self, q: ParsedQuery, depth: int, hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
        # Phrases and exclusions are hard constraints in every mode.
        if q.required or q.exclusions:
            rows = self.store.paragraph_texts([pk for pk, _ in hits])
            hits = [h for h in hits if h[0] in rows and q.admits(rows[h[0]])]
        return hits[:depth]

    def semantic_available(self) -> bool:
        return self.settings.embeddings and len(self.vector_index()) > 0

    # ---- fusion -------------------------------------------------------------------------

    def rank(self, q: ParsedQuery, k: int, mode: str, f: ParagraphFilter, places: bool = True) -> list[Hit]:
        return self.ranked_pool(q, k, mode, f, places=places)[:k]

    def ranked_pool(self, q: ParsedQuery, k: int, mode: str, f: ParagraphFilter, offset: int = 0,
                    places: bool = True) -> list[Hit]:
        """Every ranked candidate, best first: the list that pages and facets are cut from.

        Lexical and semantic rankings do not depend on their depth, so they go as deep as the
        page asks. The fused ranking does (a deeper list adds rank credit to more paragraphs),
        so its depth depends on the page size only: pages of one size are slices of one list,
        disjoint and in order, and the first page is what `rank` returns. With `places`, a hybrid
        list puts the paragraphs that can speak for the countries the query names first
        (`place_first`).
        """
        depth = max(DEPTH, k) if mode == "hybrid" else max(DEPTH, k + offset)
        pending = self.start_semantic(q, depth, f) if mode != "lexical" and self.semantic_available() else None
        lex = self.lexical(q, depth, f, optional=pending is not None) if mode != "semantic" else []
        sem = self.finish_semantic(q, depth, pending.result()) if pending is not None else []
        if mode == "lexical" or (mode == "hybrid" and not sem):
            return [Hit(pk, s, lexical_rank=i) for i, (pk, s) in enumerate(lex)]
        if mode == "semantic":
            return [Hit(pk, s, semantic_rank=i, cosine=s) for i, (pk, s) in enumerate(sem)]
        if rank_model() is not None:
            hits = self.rerank(q, lex, sem, len(lex) + len(sem))
        else:
            hits = fuse(lex, sem, len(lex) + len(sem), lexical_weight=self.lexical_weight(q) if lex else 1.0)
        return self.place_first(q, hits) if places else hits

    def place_first(self, q: ParsedQuery, hits: list[Hit]) -> list[Hit]:
        """A question naming a country ('… in Peru?', 'peruanas') ranks first the paragraphs that
        can speak for it (`speaks_for`): a paragraph of a report on another country that does not
        name it comes after them, in its order. 'Is movement restricted in any part of Peru?'
        found the Home Office's paragraph on movement in Colombia first. A report of no known
        country (a law article, a judgment) stays where it ranked: nothing says it is elsewhere."""
        asked = set(country_counts(q.semantic_text()))
        if not asked or not hits:
            return hits
        speaking = self.speaking_for(asked, self.store.paragraphs_by_pk([h.pk for h in hits]))
        return sorted(hits, key=lambda h: speaking.get(h.pk) is False)  # stable: each side keeps its order

    def speaking_for(self, asked: set[str], rows: dict[int, dict]) -> dict[int, bool | None]:
        """Paragraph pk -> whether it can speak for one of the `asked` countries (`speaks_for`):
        True; False when its report is about another known country and it names none of them;
        None when nothing says where it is (a report of no known country that names none)."""
        of_report = self.store.report_countries(list({r["report_id"] for r in rows.values()}))
        out: dict[int, bool | None] = {}
        for pk, row in rows.items():
            country = of_report.get(row["report_id"])
            out[pk] = True if speaks_for(asked, row, country) else None if country is None else False
        return out

    def candidate_features(self, q: ParsedQuery, lex: list[tuple[int, float]], sem: list[tuple[int, float]]
                           ) -> tuple[list[int], np.ndarray, bool]:
        """The candidates of both rankings (lexical first), their second-stage features, and
        whether those include the second encoder's cosine (every candidate has its vector)."""
        pks = list(dict.fromkeys([pk for pk, _ in lex] + [pk for pk, _ in sem]))
        qv = self.query_vectors.get(q.semantic_text())
        if qv is None:
            qv = self.embed_query(q.semantic_text())
        cos = cosines_for(self.vector_index(), qv, pks)
        texts = candidate_texts(self.store, pks)
        sem_rank = {pk: i for i, (pk, _) in enumerate(sem)}
        read = self.lexical_readings.get(q.text, q)
        clauses = [[t for a in c.atoms for t in a.tokens] for c in read.clauses]
        e5_cos = self.e5_cosines(q, pks)
        x = features(q.text, q.content_tokens(), pks, texts, lex, sem_rank, cos, clauses, e5_cos)
        return pks, x, e5_cos is not None

    def e5_cosines(self, q: ParsedQuery, pks: list[int]) -> np.ndarray | None:
        """The second encoder's cosine of the question to each candidate (search/e5.py), or
        None when a candidate was stored without its vector. A library ranks the same for every
        reader: `settings.e5` decides what ingest stores, not how stored vectors are read."""
        if not pks:
            return None
        stored = self.store.e5_vectors(pks)
        if len(stored) < len(pks):
            return None
        from corroborate.search import e5

        text = q.semantic_text()
        pending = self.e5_queries.get(text)
        qv = pending.result() if pending is not None else e5.embed_query(text)
        return e5.cosines(qv, [stored[pk] for pk in pks])

    def rerank(self, q: ParsedQuery, lex: list[tuple[int, float]], sem: list[tuple[int, float]], k: int
               ) -> list[Hit]:
        pks, x, with_e5 = self.candidate_features(q, lex, sem)
        p = (rank_model(e5=True) if with_e5 else rank_model()).probability_of(x)
        lex_rank = {pk: i for i, (pk, _) in enumerate(lex)}
        sem_of = {pk: (i, c) for i, (pk, c) in enumerate(sem)}
        order = sorted(range(len(pks)), key=lambda i: (-p[i], pks[i]))[:k]
        return [Hit(pks[i], float(p[i]), lexical_rank=lex_rank.get(pks[i]),
                    semantic_rank=sem_of.get(pks[i], (None, None))[0], cosine=float(x[i][0]))
                for i in order]

    def lexical_weight(self, q: ParsedQuery) -> float:
        """Trust in the word-match ranking: the share of the query's words the library contains.

        A Spanish question over English reports may share a single word with them (Perú); its
        lexical ranking then orders paragraphs by that word alone and should not outvote the
        multilingual embeddings. An English question's words are nearly all in the index.
        """
        soft = q.soft
        if not soft:
            return 1.0
        stats = self.term_stats()

        def known(token: str) -> bool:
            if stats is None:
                return self.store.term_in_index(token)
            return stats.docs(token) > 0 or (len(token) > 5 and stats.docs(token[:5], prefix=True) > 0)

        present = sum(1 for c in soft if any(known(a.tokens[0]) for a in c.atoms))
        return max(MIN_LEXICAL_WEIGHT, present / len(soft))

    # ---- results ------------------------------------------------------------------------

    def search(self, query: str, k: int = 10, mode: str = "hybrid", offset: int = 0, facets: bool = False,
               **filters) -> dict:
        """One page of results (`offset`, `k`) with `total`, the size of the ranked list the page is
        cut from, and `more`: whether that list was cut short (lexical and semantic lists go as deep
        as the page asks; a hybrid list is complete). With `facets`, counts over that whole list,
        not only the page. Filters: see
        `make_filter`; they apply in SQL and in the vector scan, before any cut."""
        self.check(mode, k)
        if not isinstance(offset, int) or offset < 0 or offset > MAX_OFFSET:
            raise QueryError(f"offset={offset!r}: use a number between 0 and {MAX_OFFSET}")
        q = parse_query(query)
        f = self.make_filter(**filters)
        pool = self.ranked_pool(q, k, mode, f, offset)
        # Lexical and semantic lists stop at the depth this page needed: a full list may go on.
        more = mode != "hybrid" and len(pool) >= max(DEPTH, k + offset)
        out = {"query": query, "mode": mode, "offset": offset, "k": k, "total": len(pool), "more": more,
               "results": self.results(pool[offset : offset + k], q)}
        if facets:
            out["facets"] = self.store.facet_counts([h.pk for h in pool])
        return out

    def results(self, hits: list[Hit], q: ParsedQuery | None) -> list[dict]:
        rows = self.store.paragraphs_by_pk([h.pk for h in hits])
        wanted = {(r["report_pk"], m["n"]) for r in rows.values() for m in r["markers"]}
        notes = self.store.footnotes_for(wanted)
        exact, prefixes = q.highlight_terms() if q else (set(), set())
        out = []
        for h in hits:
            r = rows.get(h.pk)
            if r is None:  # deleted by another connection between ranking and fetching
                continue
            numbers: list[int] = []
            for m in r["markers"]:
                if m["n"] not in numbers:
                    numbers.append(m["n"])
            out.append({
                "paragraph_id": r["id"],
                "report_id": r["report_id"],
                "report_title": r["report_title"],
                "section": r["section_number"] or r["section_title"],
                "section_title": r["section_title"],
                "kind": r["kind"],
                "text": r["text"],
                "snippet": snippet(r["text"], exact, prefixes),
                "score": round(h.score, 6),
                "footnotes": [notes[(r["report_pk"], n)] for n in numbers],
            })
        return out


class TermStats:
    """Document counts of the index's terms; `cost` estimates the postings a query term visits."""

    def __init__(self, terms: list[str], cumulative: np.ndarray, paragraphs: int):
        self.terms = terms
        self.cumulative = cumulative
        self.paragraphs = paragraphs

    @classmethod
    def cached(cls, sidecar: Path | None, fingerprint: str, count) -> TermStats:
        """From the file beside the database written for this fingerprint, else `count()` (one
        scan of the index vocabulary, seconds at 1 M paragraphs), written there for next time."""
        stored = read_arrays(sidecar, fingerprint) if sidecar is not None else None
        if stored is not None:
            arrays, meta = stored
            terms = bytes(arrays["terms"]).decode("utf-8").split("\n") if len(arrays["terms"]) else []
            return cls(terms, np.asarray(arrays["cumulative"]), int(meta["paragraphs"]))
        terms, cumulative, paragraphs = count()
        if sidecar is not None:
            blob = np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)
            write_arrays(sidecar, fingerprint, {"terms": blob, "cumulative": cumulative},
                         {"paragraphs": paragraphs})
        return cls(terms, cumulative, paragraphs)

    def docs(self, token: str, prefix: bool = False) -> int:
        lo = bisect.bisect_left(self.terms, token)
        hi = bisect.bisect_left(self.terms, token + "\U0010ffff") if prefix else lo + (
            1 if lo < len(self.terms) and self.terms[lo] == token else 0)
        return int(self.cumulative[hi] - self.cumulative[lo])

    def cost(self, atom) -> float:
        """Postings a term (a parsed query `Atom`: word, prefix or phrase) reads."""
        toks = atom.tokens
        if not toks:
            return 0.0
        if len(toks) == 1:
            return float(self.docs(toks[0], atom.prefix))
        return float(sum(self.docs(t) for t in toks))  # a phrase reads every token's postings


_stats_lock = threading.Lock()
_stats_cache: dict[str, tuple[str, TermStats | None]] = {}


def speaks_for(asked: set[str], row: dict, report_country: str | None) -> bool:
    """Whether a paragraph can speak for one of the `asked` countries: its report is about one,
    or it, its section title or its report title names one."""
    return report_country in asked or names_country(
        " ".join((row["text"], row["section_title"] or "", row["report_title"])), asked)


def fuse(lex: list[tuple[int, float]], sem: list[tuple[int, float]], k: int,
         lexical_weight: float = 1.0, semantic_weight: float = 1.0) -> list[Hit]:
    """Reciprocal rank fusion of the two rankings."""
    hits: dict[int, Hit] = {}
    for i, (pk, _) in enumerate(lex):
        h = hits.setdefault(pk, Hit(pk, 0.0))
        h.lexical_rank = i
        h.score += lexical_weight / (RRF_K + i + 1)
    for i, (pk, cos) in enumerate(sem):
        h = hits.setdefault(pk, Hit(pk, 0.0))
        h.semantic_rank = i
        h.cosine = cos
        h.score += semantic_weight / (RRF_K + i + 1)
    return sorted(hits.values(), key=lambda h: (-h.score, h.pk))[:k]
