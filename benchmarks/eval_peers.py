"""Corroborate's search and `ask` against simple peers, on the library questions.

    .venv/bin/python benchmarks/eval_peers.py [--split tuning|frozen|both|check] [--db DB] [--no-ask]
        [--only corroborate] [--json OUT] [--markdown] [--covered-in REPORT]

Every system ranks the same paragraphs (the product's own searched paragraphs of the multi-report
library that `eval_library.py` builds and caches: not the entries of a report's own list of
sources, which the product keeps out of its index) for the same questions
(`benchmarks/questions/library-questions.jsonl`):

  fts5     SQLite FTS5 BM25 over the paragraphs, the question's words joined by OR
  bm25s    bm25s (BM25, its default English stopwords, no stemming)
  use      plain cosine of the multilingual USE v3 embeddings of question and paragraph
  rrf      naive reciprocal rank fusion (k = 60) of fts5 and use
  corroborate  Library.search (hybrid), what /api/search returns

A question is a hit at rank r when the r-th paragraph's text contains the gold phrase (case,
accents, punctuation and whitespace ignored). Per language: recall@1, recall@5, MRR@10. `ask`
is measured on the same library: answered (found) on answerable questions, refused on the
not-covered ones, and whether a top-3 quote comes from a paragraph holding the gold phrase.

The frozen half is run only for reported figures (benchmarks/questions/README.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from eval_library import DEFAULT_DB, build  # noqa: E402

from corroborate.models import fold  # noqa: E402

QUESTIONS = ROOT / "benchmarks" / "questions" / "library-questions.jsonl"
# written in session 12, after the halves were worn: not-covered questions, and covered ones on the sample
CHECK = (ROOT / "benchmarks" / "questions" / "refusal-check.jsonl", ROOT / "benchmarks" / "questions" / "answer-check.jsonl")
DEPTH = 10
RRF_K = 60
SYSTEMS = ("fts5", "bm25s", "use", "rrf", "corroborate")


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", fold(text)).split())


def load_questions(split: str) -> list[dict]:
    paths = CHECK if split == "check" else (QUESTIONS,)
    rows = [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split == "both" or r["split"] == split]


class Peers:
    """The baselines over the library's searched paragraphs (those the product indexes)."""

    def __init__(self, db: Path):
        from corroborate.store import open_store

        self.store = open_store(str(db))
        rows = self.store.conn.execute("SELECT pk, text FROM paragraphs WHERE searched ORDER BY pk").fetchall()
        self.pks = [int(r[0]) for r in rows]
        self.texts = [r[1] for r in rows]
        self.norm = {pk: normalise(t) for pk, t in zip(self.pks, self.texts, strict=True)}
        self._fts()
        self._bm25s()
        self._vectors(db)

    def _fts(self) -> None:
        import sqlite3

        self.fts = sqlite3.connect(":memory:")
        self.fts.execute("CREATE VIRTUAL TABLE p USING fts5(text, tokenize='unicode61 remove_diacritics 2')")
        self.fts.executemany("INSERT INTO p(rowid, text) VALUES (?, ?)", zip(self.pks, self.texts, strict=True))

    def _bm25s(self) -> None:
        import bm25s

        self.bm25 = bm25s.BM25()
        self.bm25.index(bm25s.tokenize(self.texts, stopwords="en", show_progress=False), show_progress=False)

    def _vectors(self, db: Path) -> None:
        from corroborate.search.embed import embed_texts

        key = hashlib.sha256("\x00".join(self.texts).encode()).hexdigest()[:16]
        cache = db.parent / f"plain-use-{key}.npy"
        if cache.exists():
            self.vecs = np.load(cache)
        else:
            self.vecs = embed_texts(self.texts)
            np.save(cache, self.vecs)

    def rank_fts5(self, q: str) -> list[int]:
        words = re.findall(r"\w+", q)
        if not words:
            return []
        expr = " OR ".join(f'"{w}"' for w in words)
        return [r[0] for r in self.fts.execute(
            "SELECT rowid FROM p WHERE p MATCH ? ORDER BY rank LIMIT ?", (expr, DEPTH * 6))]

    def rank_bm25s(self, q: str) -> list[int]:
        import bm25s

        toks = bm25s.tokenize([q], stopwords="en", show_progress=False)
        if not toks.vocab:
            return []
        docs, scores = self.bm25.retrieve(toks, k=DEPTH, show_progress=False)
        return [self.pks[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def rank_use(self, q: str, qv: np.ndarray) -> list[int]:
        sims = self.vecs @ qv
        top = np.argsort(-sims)[: DEPTH * 6]
        return [self.pks[int(i)] for i in top]

    @staticmethod
    def rrf(*rankings: list[int]) -> list[int]:
        score: dict[int, float] = {}
        for ranking in rankings:
            for i, pk in enumerate(ranking):
                score[pk] = score.get(pk, 0.0) + 1.0 / (RRF_K + i + 1)
        return sorted(score, key=lambda pk: (-score[pk], pk))

    def hit_rank(self, ranking: list[int], gold: list[str]) -> int | None:
        golds = [normalise(g) for g in gold]
        for i, pk in enumerate(ranking[:DEPTH]):
            if any(g in self.norm[pk] for g in golds):
                return i
        return None


def corroborate_ranking(lib, peers: Peers, q: str) -> list[int]:
    ids = [r["paragraph_id"] for r in lib.search(q, k=DEPTH)["results"]]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    pk_of = dict(peers.store.conn.execute(f"SELECT id, pk FROM paragraphs WHERE id IN ({marks})", ids).fetchall())
    return [pk_of[i] for i in ids if i in pk_of]


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "r1": sum(r is not None and r < 1 for r in ranks) / n,
        "r5": sum(r is not None and r < 5 for r in ranks) / n,
        "mrr": sum(1.0 / (r + 1) for r in ranks if r is not None) / n,
    }


def run_search(db: Path, questions: list[dict], only: tuple[str, ...] = SYSTEMS) -> dict:
    from corroborate import Library
    from corroborate.search.embed import embed_texts

    peers = Peers(db)
    lib = Library(db)
    answerable = [q for q in questions if q["covered"]]
    qvecs = embed_texts([q["q"] for q in answerable])
    per_q: dict[str, dict[str, int | None]] = {}
    timings: dict[str, float] = {s: 0.0 for s in only}
    for q, qv in zip(answerable, qvecs, strict=True):
        rankings: dict[str, list[int]] = {}
        for system in only:
            t = time.perf_counter()
            if system == "fts5":
                rankings[system] = peers.rank_fts5(q["q"])
            elif system == "bm25s":
                rankings[system] = peers.rank_bm25s(q["q"])
            elif system == "use":
                rankings[system] = peers.rank_use(q["q"], qv)
            elif system == "rrf":
                rankings[system] = peers.rrf(peers.rank_fts5(q["q"]), peers.rank_use(q["q"], qv))
            else:
                rankings[system] = corroborate_ranking(lib, peers, q["q"])
            timings[system] += time.perf_counter() - t
        per_q[q["id"]] = {s: peers.hit_rank(r, q["gold"]) for s, r in rankings.items()}
    table: dict[str, dict[str, dict[str, float]]] = {}
    for system in only:
        for lang in ("en", "es"):
            ranks = [per_q[q["id"]][system] for q in answerable if q["lang"] == lang]
            table.setdefault(system, {})[lang] = metrics(ranks)
    lib.close()
    return {"table": table, "per_question": per_q, "n": {lang: sum(q["lang"] == lang for q in answerable)
                                                          for lang in ("en", "es")}}


def run_ask(db: Path, questions: list[dict]) -> dict:
    from corroborate import Library

    lib = Library(db)
    out: dict[str, dict] = {}
    for q in questions:
        a = lib.ask(q["q"], k=3)
        row = {"found": a["found"], "best": a["best_score"]}
        if q["covered"] and a["found"]:
            golds = [normalise(g) for g in q["gold"]]
            texts = lib.store.conn.execute(
                f"SELECT id, text FROM paragraphs WHERE id IN ({','.join('?' * len(a['quotes']))})",
                [x["paragraph_id"] for x in a["quotes"]]).fetchall()
            holds = {pid for pid, t in texts if any(g in normalise(t) for g in golds)}
            row["top3"] = any(x["paragraph_id"] in holds for x in a["quotes"][:3])
            row["top1"] = bool(a["quotes"]) and a["quotes"][0]["paragraph_id"] in holds
        out[q["id"]] = row
    summary: dict[str, dict[str, float]] = {}
    for lang in ("en", "es"):
        cov = [q for q in questions if q["lang"] == lang and q["covered"]]
        unc = [q for q in questions if q["lang"] == lang and not q["covered"]]
        summary[lang] = {
            "answered": sum(out[q["id"]]["found"] for q in cov) / max(1, len(cov)),
            "refused": sum(not out[q["id"]]["found"] for q in unc) / max(1, len(unc)),
            "gold_top1": sum(out[q["id"]].get("top1", False) for q in cov) / max(1, len(cov)),
            "gold_top3": sum(out[q["id"]].get("top3", False) for q in cov) / max(1, len(cov)),
            "n_covered": len(cov), "n_uncovered": len(unc),
        }
    lib.close()
    return {"summary": summary, "per_question": out}


def markdown(split: str, result: dict) -> str:
    lines = [f"### {split} half ({result['search']['n']['en']} en, {result['search']['n']['es']} es answerable)", "",
             "| system | R@1 en | R@1 es | R@5 en | R@5 es | MRR@10 en | MRR@10 es |",
             "|---|---|---|---|---|---|---|"]
    for system, by_lang in result["search"]["table"].items():
        en, es = by_lang["en"], by_lang["es"]
        lines.append(f"| {system} | {en['r1']:.2f} | {es['r1']:.2f} | {en['r5']:.2f} | {es['r5']:.2f} | "
                     f"{en['mrr']:.2f} | {es['mrr']:.2f} |")
    if "ask" in result:
        s = result["ask"]["summary"]
        lines += ["", "| ask | en | es |", "|---|---|---|"]
        for key, label in (("answered", "answerable questions answered"), ("refused", "not-covered questions refused"),
                           ("gold_top1", "first quote from the answering paragraph"),
                           ("gold_top3", "a top-3 quote from the answering paragraph")):
            lines.append(f"| {label} | {s['en'][key]:.2f} | {s['es'][key]:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("tuning", "frozen", "both", "check"), default="tuning",
                    help="check: the later sets (benchmarks/questions/README.md)")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--no-ask", action="store_true")
    ap.add_argument("--only", nargs="*", choices=SYSTEMS, default=list(SYSTEMS))
    ap.add_argument("--json", type=Path)
    ap.add_argument("--misses", action="store_true", help="list corroborate's misses (tuning half only)")
    ap.add_argument("--covered-in", metavar="REPORT",
                    help="a library of fewer reports (--db, not built here): only the covered questions "
                         "on REPORT count, e.g. euaa-peru-country-focus-2023 over the sample alone")
    args = ap.parse_args()
    if args.covered_in and not args.db.exists():
        ap.error(f"--db {args.db}: no such database (with --covered-in it is not built here)")
    db = args.db if args.covered_in else build(args.db)
    splits = ("tuning", "frozen") if args.split == "both" else (args.split,)
    results = {}
    for split in splits:
        qs = [q for q in load_questions(split) if not args.covered_in or not q["covered"]
              or q["report"] == args.covered_in]
        res = {"search": run_search(db, qs, tuple(args.only))}
        if not args.no_ask:
            res["ask"] = run_ask(db, qs)
        results[split] = res
        print(markdown(split, res))
        if args.misses and split in ("tuning", "check") and "corroborate" in args.only:
            byid = {q["id"]: q for q in qs}
            for qid, ranks in res.get("search", {}).get("per_question", {}).items():
                if ranks["corroborate"] is None or ranks["corroborate"] > 0:
                    print(f"  {qid} {byid[qid]['lang']} rank={ranks['corroborate']} {byid[qid]['q']}")
            if "ask" in res:
                for qid, row in res["ask"]["per_question"].items():
                    q = byid[qid]
                    if row["found"] != q["covered"] or (q["covered"] and not row.get("top3")):
                        print(f"  ask {qid} {q['lang']} found={row['found']} best={row['best']} "
                              f"top3={row.get('top3')} {q['q']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
