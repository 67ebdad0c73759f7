"""Fit the second-stage ranking model (search/rank.py) on the tuning half of the library
questions, and measure its levers by cross-validation on that half.

    .venv/bin/python benchmarks/fit_rank.py [--db DB] [--levers] [--l2] [--write] [--extra]

For each tuning question the product's own two rankings (FTS5 with cross-lingual expansion and
embeddings, depth 60) give the candidates; a candidate is positive when its text holds the gold
phrase. `--levers` prints 5-fold cross-validated recall@1/@5 and MRR@10 per language (questions
are folded, never paragraphs; the folds are repeated over three seeds and averaged) for each
lever: a feature subset and a way of fitting. `--write` fits the kept lever on the whole tuning
half and writes src/corroborate/search/rank_weights.json. The frozen half is never read here:
it is measured once, end to end, by eval_peers.py.
`--extra` also fits (never scores) on the sample-only question sets; measured in session 10 and
not kept (benchmarks/results/peers.md).

A lever marked "(bench)" uses a signal the product does not compute (here the best sentence's
cosine, which needs every candidate sentence embedded): it is measured to decide whether
building it is worth its cost.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from eval_library import DEFAULT_DB, build  # noqa: E402
from eval_peers import load_questions, normalise  # noqa: E402

from corroborate.search import rank  # noqa: E402

BENCH = ("sent_cos", "sent_cos_z", "es_sent_cos", "read_cos_z", "es_read_cos_z")  # computed here only (see the module doc)
NAMES = rank.ALL_FEATURES + BENCH
BASE = rank.FEATURES
LEXICAL_NEW = ("clause_cover", "sent_cover", "es_clause_cover", "es_sent_cover")
KEPT = "kept: 10 features (few, without bm25_rel), pointwise logistic"
# Kept for a library whose paragraphs have the second encoder's vectors (search/e5.py); KEPT
# stays the model of one without them.
KEPT_E5 = "kept with E5: the 10 + E5 cosine z-score and its Spanish term"
E5_FEATURES = ("cos_z", "sem_rr", "lex_rr", "clause_cover", "sent_cover", "log_len", "es",
               "es_cos_z", "es_clause_cover", "es_sent_cover", "e5_cos_z", "es_e5_cos_z")
LEVERS: dict[str, tuple[tuple[str, ...], str]] = {
    "main: 13 features, pointwise logistic": (BASE, "pointwise"),
    "main features, listwise (softmax) LTR": (BASE, "listwise"),
    "+ expanded-clause cover": (BASE + ("clause_cover", "es_clause_cover"), "pointwise"),
    "+ best-sentence cover": (BASE + ("sent_cover", "es_sent_cover"), "pointwise"),
    "+ paragraph length": (BASE + ("log_len",), "pointwise"),
    "+ all lexical (clause and sentence cover)": (BASE + LEXICAL_NEW, "pointwise"),
    "+ all lexical + length": (BASE + LEXICAL_NEW + ("log_len",), "pointwise"),
    "+ all lexical + length, listwise LTR": (BASE + LEXICAL_NEW + ("log_len",), "listwise"),
    "+ all lexical, listwise LTR": (BASE + LEXICAL_NEW, "listwise"),
    "+ best-sentence cosine (bench)": (BASE + BENCH, "pointwise"),
    "+ all lexical + best-sentence cosine (bench)": (BASE + LEXICAL_NEW + BENCH, "pointwise"),
    "+ all lexical + best-sentence cosine, listwise (bench)": (BASE + LEXICAL_NEW + BENCH, "listwise"),
    "+ all lexical + length + best-sentence cosine (bench)": (BASE + LEXICAL_NEW + ("log_len",) + BENCH,
                                                               "pointwise"),
    "+ all lexical + length + best-sentence cosine, listwise (bench)": (BASE + LEXICAL_NEW + ("log_len",) + BENCH,
                                                                        "listwise"),
    "few features: cos_z, sem_rr, lex_rr, bm25_rel, clause/sentence cover, length, es terms":
        (("cos_z", "sem_rr", "lex_rr", "bm25_rel", "clause_cover", "sent_cover", "log_len", "es",
          "es_cos_z", "es_clause_cover", "es_sent_cover"), "pointwise"),
    KEPT: (("cos_z", "sem_rr", "lex_rr", "clause_cover", "sent_cover", "log_len", "es",
            "es_cos_z", "es_clause_cover", "es_sent_cover"), "pointwise"),
    KEPT_E5: (E5_FEATURES, "pointwise"),
    "kept with E5, listwise (softmax) LTR": (E5_FEATURES, "listwise"),
    "kept with E5, per-language models": (E5_FEATURES, "per-language"),
    "kept + E5 cosine, z-score and its Spanish term":
        (("cos_z", "sem_rr", "lex_rr", "clause_cover", "sent_cover", "log_len", "es",
          "es_cos_z", "es_clause_cover", "es_sent_cover", "e5_cos", "e5_cos_z", "es_e5_cos_z"), "pointwise"),
    "kept with E5's z-score in place of USE's":
        (("e5_cos_z", "sem_rr", "lex_rr", "clause_cover", "sent_cover", "log_len", "es",
          "es_e5_cos_z", "es_clause_cover", "es_sent_cover"), "pointwise"),
    "kept + cosine to the lexical reading (bench)":
        (("cos_z", "sem_rr", "lex_rr", "clause_cover", "sent_cover", "log_len", "es",
          "es_cos_z", "es_clause_cover", "es_sent_cover", "read_cos_z", "es_read_cos_z"), "pointwise"),
    "per-language models, all lexical": (BASE + LEXICAL_NEW, "per-language"),
}
# L2 penalty each written model is fitted with, chosen by the same cross-validation on the tuning
# half (`--l2`, 5 seeds; benchmarks/results/peers.md, session 9): the model with E5 fits its twelve
# weights best at 10, the one without at 1.
L2 = {"ranking": 1.0, "ranking_e5": 10.0}
L2_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


def sentence_cosines(s, pq, pks: list[int], texts: dict[int, str]) -> np.ndarray:
    """(bench) the best sentence's cosine to the question, its z-score among the candidates."""
    from corroborate.search.embed import sentence_vectors
    from corroborate.search.sentences import split_sentences

    qv = s.query_vectors.get(pq.semantic_text())
    best = np.zeros(len(pks))
    for i, pk in enumerate(pks):
        t = texts.get(pk, "")
        sents = [t[a:b] for a, b in split_sentences(t)] or [t]
        best[i] = float((sentence_vectors(sents, s.settings) @ qv).max())
    top = np.sort(best)[::-1][: max(10, len(best) // 2)]
    z = (best - top.mean()) / (top.std() + 1e-6)
    return np.column_stack([best, z])


def reading_cosines(s, pq, pks: list[int]) -> np.ndarray:
    """(bench) z-scored cosine of the candidates to the embedding of the lexical reading: the
    question's content words with their expansions (a Spanish question's English words)."""
    read = s.lexical_readings.get(pq.text, pq)
    qv = s.embed_query(" ".join(t for c in read.clauses for a in c.atoms for t in a.tokens))
    c = rank.cosines_for(s.vector_index(), qv, pks).astype(np.float64)
    top = np.sort(c)[::-1][: max(10, len(c) // 2)]
    return ((c - top.mean()) / (top.std() + 1e-6))[:, None]


# The sample-only question sets: more questions to fit on, never scored in cross-validation.
EXTRA_FILES = (ROOT / "tests" / "data" / "eval" / "dev-questions.jsonl", ROOT / "benchmarks" / "own-questions.jsonl",
               ROOT / "benchmarks" / "ask-questions.jsonl")


def extra_questions() -> list[dict]:
    """The sample-only sets' questions, less any whose gold phrase meets a library question's
    (either half: a paraphrase of a frozen question must not be fitted on) and repeats."""
    library = [normalise(g) for q in load_questions("both") for g in q.get("gold", ())]
    out, seen = [], set()
    for path in EXTRA_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            q = json.loads(line)
            golds = [normalise(g) for g in q["gold"]]
            if q["q"] in seen or any(g in lg or lg in g for g in golds for lg in library):
                continue
            seen.add(q["q"])
            out.append({**q, "id": f"{path.stem}:{q['id']}", "covered": True})
    return out


def collect(db: Path, split: str = "tuning", bench: bool = True, questions: list[dict] | None = None) -> list[dict]:
    from corroborate import Library
    from corroborate.search.engine import DEPTH, Searcher
    from corroborate.search.query import parse_query

    lib = Library(db)
    s = Searcher(lib.store, lib.settings)
    f = s.make_filter()
    out = []
    for q in load_questions(split) if questions is None else questions:
        if not q["covered"]:
            continue
        pq = parse_query(q["q"])
        pending = s.start_semantic(pq, DEPTH, f)
        lex = s.lexical(pq, DEPTH, f, optional=True)
        sem = s.finish_semantic(pq, DEPTH, pending.result())
        pks, x, with_e5 = s.candidate_features(pq, lex, sem)
        if not with_e5:
            raise SystemExit(f"{db}: its paragraphs have no E5 vectors; rebuild it (eval_library.py --force)")
        texts = rank.candidate_texts(lib.store, pks)
        if bench:
            sc = sentence_cosines(s, pq, pks, texts)
            es = x[:, rank.ALL_FEATURES.index("es")][:, None]
            rc = reading_cosines(s, pq, pks)
            x = np.hstack([x, sc, es * sc[:, :1], rc, es * rc])
        golds = [normalise(g) for g in q["gold"]]
        y = np.array([any(g in normalise(texts.get(pk, "")) for g in golds) for pk in pks], dtype=np.float64)
        out.append({"id": q["id"], "q": q["q"], "lang": q["lang"], "pks": pks, "x": x, "y": y})
    lib.close()
    return out


def fit_listwise(groups: list[tuple[np.ndarray, np.ndarray]], names: tuple[str, ...], l2: float = 1.0,
                 iters: int = 100) -> rank.Model:
    """Listwise learning to rank: a linear score whose softmax over each question's candidates
    puts its mass on the answering paragraphs (ListNet's top-one loss; convex, fitted by damped
    Newton steps). Each question counts once, however many candidates it has; a
    question whose pool holds no answer teaches nothing and is skipped. The scores are then
    mapped to probabilities by a one-feature logistic fit (Platt scaling), so the model is a
    `rank.Model` like the pointwise one."""
    groups = [(x, y) for x, y in groups if y.max() > 0 and y.min() == 0]
    allx = np.vstack([x for x, _ in groups])
    mean = allx.mean(axis=0)
    scale = allx.std(axis=0)
    scale[scale < 1e-9] = 1.0
    zs = [((x - mean) / scale, y / y.sum()) for x, y in groups]

    def loss(w: np.ndarray) -> float:
        total = 0.5 * l2 * float(w @ w)
        for z, t in zs:
            s = z @ w
            top = s.max()
            total += top + math.log(float(np.exp(s - top).sum())) - float(t @ s)
        return total

    w = np.zeros(len(names))
    current = loss(w)
    for _ in range(iters):
        grad = l2 * w
        hess = l2 * np.eye(len(w))
        for z, t in zs:
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            grad += z.T @ (p - t)
            zp = z.T @ p
            hess += (z * p[:, None]).T @ z - np.outer(zp, zp)
        step = np.linalg.solve(hess + 1e-9 * np.eye(len(w)), grad)
        size = 1.0  # damped: a full Newton step can overshoot the softmax's flat regions
        while size > 1e-4 and loss(w - size * step) > current:
            size /= 2
        w = w - size * step
        new = loss(w)
        if current - new < 1e-9:
            break
        current = new
    score = np.concatenate([z @ w for z, _ in zs])[:, None]
    platt = rank.fit(score, np.concatenate([y > 0 for _, y in groups]).astype(np.float64), l2=0.0, names=("s",))
    a = platt.coef[0] / platt.scale[0]
    return rank.Model(names, mean, scale, w * a, float(platt.bias - a * platt.mean[0]))


def evaluate(rows: list[dict], scores: list[np.ndarray]) -> dict[str, dict[str, float]]:
    res: dict[str, list[int | None]] = {"en": [], "es": []}
    for r, sc in zip(rows, scores, strict=True):
        order = np.argsort(-sc, kind="stable")[:10]
        hit = next((i for i, j in enumerate(order) if r["y"][j] > 0), None)
        res[r["lang"]].append(hit)
    out = {}
    for lang, ranks in res.items():
        n = len(ranks) or 1
        out[lang] = {"r1": sum(h == 0 for h in ranks) / n, "r5": sum(h is not None and h < 5 for h in ranks) / n,
                     "mrr": sum(1 / (h + 1) for h in ranks if h is not None) / n}
    return out


def fit_kind(rows: list[dict], names: tuple[str, ...], kind: str, l2: float = 1.0):
    """A scorer (rows -> scores) fitted on `rows`."""
    cols = [NAMES.index(n) for n in names]
    if kind == "per-language":
        fitted = {lang: fit_kind([r for r in rows if r["lang"] == lang],
                                 tuple(n for n in names if not n.startswith("es")), "pointwise", l2)
                  for lang in ("en", "es")}
        return lambda r: fitted[r["lang"]](r)
    if kind == "listwise":
        m = fit_listwise([(r["x"][:, cols], r["y"]) for r in rows], names, l2=l2)
    else:
        m = rank.fit(np.vstack([r["x"][:, cols] for r in rows]), np.concatenate([r["y"] for r in rows]),
                     l2=l2, names=names)
    scorer = lambda r: m.probability(r["x"][:, cols])  # noqa: E731
    scorer.model = m
    return scorer


def cross_validate(rows: list[dict], names: tuple[str, ...], kind: str, folds: int = 5,
                   seeds: tuple[int, ...] = (13, 14, 15), l2: float = 1.0, extra: list[dict] = ()) -> dict:
    runs = []
    for seed in seeds:
        order = np.random.default_rng(seed).permutation(len(rows))
        scores: list[np.ndarray | None] = [None] * len(rows)
        for k in range(folds):
            test = set(order[k::folds].tolist())
            scorer = fit_kind([r for i, r in enumerate(rows) if i not in test] + list(extra), names, kind, l2)
            for i in test:
                scores[i] = scorer(rows[i])
        runs.append(evaluate(rows, scores))
    return {lang: {m: float(np.mean([r[lang][m] for r in runs])) for m in ("r1", "r5", "mrr")}
            for lang in ("en", "es")}


def fmt(m: dict) -> str:
    return " | ".join(f"{m[lang][k]:.2f}" for k in ("r1", "r5", "mrr") for lang in ("en", "es"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--cache", type=Path, help="keep the collected tuning candidates in this file")
    ap.add_argument("--write", action="store_true",
                    help="fit the kept levers missing from the weights file (KEPT: 'ranking', without E5; "
                         "KEPT_E5: 'ranking_e5') and write it")
    ap.add_argument("--refit", nargs="*", default=[], metavar="KEY",
                    help="with --write: fit these models again even if present (ranking, ranking_e5)")
    ap.add_argument("--levers", action="store_true")
    ap.add_argument("--l2", action="store_true", help="cross-validate the kept models over a grid of L2 penalties")
    ap.add_argument("--no-bench", action="store_true", help="skip the (bench) signals (faster)")
    ap.add_argument("--extra", action="store_true",
                    help="also fit on the sample-only question sets (EXTRA_FILES); they are never scored")
    args = ap.parse_args()

    if args.cache and args.cache.exists():
        rows = pickle.loads(args.cache.read_bytes())
    else:
        rows = collect(build(args.db), bench=not args.no_bench)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(rows))
    print(f"{len(rows)} tuning questions, {sum(len(r['y']) for r in rows)} candidates, "
          f"{sum(r['y'].max() > 0 for r in rows)} with the gold among them")
    extra: list[dict] = []
    if args.extra:
        cache = args.cache.with_suffix(".extra") if args.cache else None
        if cache and cache.exists():
            extra = pickle.loads(cache.read_bytes())
        else:
            extra = collect(build(args.db), bench=not args.no_bench, questions=extra_questions())
            if cache:
                cache.write_bytes(pickle.dumps(extra))
        print(f"+ {len(extra)} sample-only questions to fit on, {sum(r['y'].max() > 0 for r in extra)} with the gold")
    if args.levers:
        print("| lever | R@1 en | R@1 es | R@5 en | R@5 es | MRR en | MRR es |")
        print("|---|---|---|---|---|---|---|")
        print(f"| current rank_weights.json (fitted before; not CV) | "
              f"{fmt(evaluate(rows, [rank.model().probability_of(r['x'][:, :len(rank.ALL_FEATURES)]) for r in rows]))} |")
        for label, (names, kind) in LEVERS.items():
            if args.no_bench and any(n in BENCH for n in names):
                continue
            print(f"| {label} | {fmt(cross_validate(rows, names, kind, extra=extra))} |", flush=True)
    if args.l2:
        for key, lever in (("ranking", KEPT), ("ranking_e5", KEPT_E5)):
            print(f"\n{key} ({lever}), written with L2 = {L2[key]}")
            print("| L2 | R@1 en | R@1 es | R@5 en | R@5 es | MRR en | MRR es |")
            print("|---|---|---|---|---|---|---|")
            names, kind = LEVERS[lever]
            for l2 in L2_GRID:
                print(f"| {l2} | {fmt(cross_validate(rows, names, kind, l2=l2, seeds=(13, 14, 15, 16, 17), extra=extra))} |",
                      flush=True)
    if args.write:
        out = json.loads(rank.WEIGHTS_FILE.read_text(encoding="utf-8")) if rank.WEIGHTS_FILE.exists() else {}
        for key, lever in (("ranking", KEPT), ("ranking_e5", KEPT_E5)):
            if key in out and key not in args.refit:
                continue
            names, kind = LEVERS[lever]
            m = fit_kind(rows + extra, names, kind, L2[key]).model
            out[key] = m.to_json()
            print(key, dict(zip(names, m.coef.round(2).tolist(), strict=True)))
        rank.WEIGHTS_FILE.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {rank.WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
