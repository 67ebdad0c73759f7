"""Fit the second-stage ranking model (search/rank.py) on the tuning half of the library
questions, and measure its levers by cross-validation on that half.

    .venv/bin/python benchmarks/fit_rank.py [--db DB] [--write] [--levers]

For each tuning question the product's own two rankings (FTS5 and embeddings, depth 60) give
the candidates; a candidate is positive when its text holds the gold phrase. `--levers` prints
5-fold cross-validated recall@1/@5 and MRR@10 per language for feature subsets (questions are
folded, never paragraphs), and each subset fitted on the whole tuning half and measured on the
frozen half (reported, never used to choose); `--write` fits on the whole tuning half and writes
src/corroborate/search/rank_weights.json from the tuning half only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from eval_library import DEFAULT_DB, build  # noqa: E402
from eval_peers import load_questions, normalise  # noqa: E402

from corroborate.search import rank  # noqa: E402

LEVERS = {
    "all features": rank.FEATURES,
    "without Snowball stems": tuple(f for f in rank.FEATURES if "stem" not in f),
    "without per-language terms": tuple(f for f in rank.FEATURES if not f.startswith("es")),
    "without word coverage": tuple(f for f in rank.FEATURES if "cover" not in f),
    "ranks only (learned RRF)": ("sem_rr", "lex_rr"),
    "ranks + language": ("sem_rr", "lex_rr", "es", "es_lex_rr"),
}


def collect(db: Path, split: str = "tuning") -> list[dict]:
    from corroborate import Library
    from corroborate.search.engine import DEPTH, Searcher
    from corroborate.search.query import parse_query

    lib = Library(db)
    s = Searcher(lib.store, lib.settings)
    f = s.make_filter()
    out = []
    for q in load_questions(split):
        if not q["covered"]:
            continue
        pq = parse_query(q["q"])
        pending = s.start_semantic(pq, DEPTH, f)
        lex = s.lexical(pq, DEPTH, f, optional=True)
        sem = s.finish_semantic(pq, DEPTH, pending.result())
        pks, x = s.candidate_features(pq, lex, sem)
        texts = rank.candidate_texts(lib.store, pks)
        golds = [normalise(g) for g in q["gold"]]
        y = np.array([any(g in normalise(texts.get(pk, "")) for g in golds) for pk in pks], dtype=np.float64)
        out.append({"id": q["id"], "q": q["q"], "lang": q["lang"], "pks": pks, "x": x, "y": y})
    lib.close()
    return out


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


def cross_validate(rows: list[dict], names: tuple[str, ...], folds: int = 5, seed: int = 13) -> dict:
    cols = [rank.FEATURES.index(n) for n in names]
    order = np.random.default_rng(seed).permutation(len(rows))
    scores: list[np.ndarray | None] = [None] * len(rows)
    for k in range(folds):
        test = set(order[k::folds].tolist())
        train = [r for i, r in enumerate(rows) if i not in test]
        m = rank.fit(np.vstack([r["x"][:, cols] for r in train]), np.concatenate([r["y"] for r in train]),
                     names=names)
        for i in test:
            scores[i] = m.probability(rows[i]["x"][:, cols])
    return evaluate(rows, scores)


def fmt(m: dict) -> str:
    return " | ".join(f"{m[lang][k]:.2f}" for k in ("r1", "r5", "mrr") for lang in ("en", "es"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--levers", action="store_true")
    args = ap.parse_args()
    rows = collect(build(args.db))
    print(f"{len(rows)} tuning questions, {sum(len(r['y']) for r in rows)} candidates, "
          f"{sum(r['y'].max() > 0 for r in rows)} with the gold among them")
    if args.levers:
        # the frozen half only measures each lever once it has been fitted on the whole tuning half
        frozen = collect(build(args.db), "frozen")
        print("| features | half | R@1 en | R@1 es | R@5 en | R@5 es | MRR en | MRR es |")
        print("|---|---|---|---|---|---|---|---|")
        for label, names in LEVERS.items():
            cols = [rank.FEATURES.index(n) for n in names]
            m = rank.fit(np.vstack([r["x"][:, cols] for r in rows]), np.concatenate([r["y"] for r in rows]),
                         names=names)
            held = evaluate(frozen, [m.probability(r["x"][:, cols]) for r in frozen])
            print(f"| {label} | tuning (5-fold CV) | {fmt(cross_validate(rows, names))} |")
            print(f"| {label} | frozen | {fmt(held)} |")
    if args.write:
        m = rank.fit(np.vstack([r["x"] for r in rows]), np.concatenate([r["y"] for r in rows]))
        weights = {"ranking": m.to_json()}
        rank.WEIGHTS_FILE.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
        print(dict(zip(rank.FEATURES, m.coef.round(2).tolist(), strict=True)))
        print(f"wrote {rank.WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
