"""Retrieval quality: recall@k of /api/search per language and mode on a question set.

    .venv/bin/python benchmarks/eval_search.py [QUESTIONS.jsonl] [--db DB] [--k 5] [--json]

QUESTIONS defaults to tests/data/eval/dev-questions.jsonl; each line is
{"id", "lang", "q", "gold": [phrases]}. A question is a hit when one of the top-k results' full
`text` contains a gold phrase, ignoring case, accents and punctuation. Requests go through the
real FastAPI app in-process (TestClient) on a database with the sample report ingested (`--db`,
or a fresh temporary one). Goals: English >= 0.95, Spanish >= 0.85.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from corroborate.models import fold  # noqa: E402

DEFAULT_QUESTIONS = ROOT / "tests" / "data" / "eval" / "dev-questions.jsonl"
SAMPLE = ROOT / "samples" / "euaa-peru-country-focus-2023.txt"
MODES = ("lexical", "semantic", "hybrid")
GOALS = {"en": 0.95, "es": 0.85}


def normalise(text: str) -> str:
    """Case, accents and punctuation ignored: only word characters, single-spaced."""
    return " ".join(re.sub(r"[\W_]+", " ", fold(text)).split())


def is_hit(results: list[dict], gold: list[str]) -> bool:
    golds = [normalise(g) for g in gold]
    return any(g in normalise(r["text"]) for r in results for g in golds)


def load_questions(path: Path) -> list[dict]:
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                q = json.loads(line)
                out.append({"id": q["id"], "lang": q["lang"], "q": q["q"], "gold": q["gold"]})
            except (ValueError, KeyError) as exc:
                raise SystemExit(f"{path}:{i}: not a question line ({exc})") from exc
    return out


def evaluate(db: Path, questions: list[dict], k: int = 5, modes=MODES) -> dict:
    """{"recall": {mode: {lang: r}}, "misses": {mode: [ids]}, "k": k, "questions": n}."""
    from fastapi.testclient import TestClient

    from corroborate.settings import Settings
    from corroborate.web.app import create_app

    client = TestClient(create_app(Settings(db=str(db))))
    recall: dict[str, dict[str, float]] = {}
    misses: dict[str, list[str]] = {}
    for mode in modes:
        hits: dict[str, list[bool]] = {}
        misses[mode] = []
        for q in questions:
            resp = client.get("/api/search", params={"q": q["q"], "k": k, "mode": mode})
            resp.raise_for_status()
            ok = is_hit(resp.json()["results"], q["gold"])
            hits.setdefault(q["lang"], []).append(ok)
            if not ok:
                misses[mode].append(q["id"])
        recall[mode] = {lang: sum(v) / len(v) for lang, v in sorted(hits.items())}
    return {"k": k, "questions": len(questions), "recall": recall, "misses": misses}


# Questions no COI report on Peru answers: the "not found" threshold must reject them.
OFF_TOPIC = [
    "What is the capital of Mongolia's ski industry?", "How do I bake sourdough bread?",
    "Who won the 2018 FIFA World Cup?", "¿Cuál es la receta de la paella valenciana?",
    "What is the boiling point of mercury?", "How many moons does Jupiter have?",
    "¿Quién escribió Don Quijote?", "What is the price of Bitcoin today?",
    "How do penguins survive in Antarctica?", "¿Cuántos habitantes tiene Noruega?",
    "Which programming language is best for web development?", "What are the symptoms of the flu in cats?",
    "How tall is Mount Everest?", "¿Cuál es el río más largo de África?", "What is the GDP of Japan?",
    "Who painted the Mona Lisa?", "What is the situation of Rohingya refugees in Bangladesh?",
    "How are elections organised in Kenya?", "¿Hay ataques de tiburones en Australia?",
    "What is the unemployment rate in Germany?",
]


def evaluate_ask(db: Path, questions: list[dict]) -> dict:
    """Quote hit rate (a quote contains a gold phrase) and the best-score margins of /api/ask."""
    from fastapi.testclient import TestClient

    from corroborate.search.answer import FOUND_THRESHOLD
    from corroborate.settings import Settings
    from corroborate.web.app import create_app

    client = TestClient(create_app(Settings(db=str(db))))
    pos, hits, top1, neg = [], [], [], []
    misses_top1: list[str] = []
    seconds: list[float] = []
    client.get("/api/ask", params={"q": "police"})  # load the embedding model outside the timings
    for q in questions:
        t0 = time.perf_counter()
        a = client.get("/api/ask", params={"q": q["q"]}).json()
        seconds.append(time.perf_counter() - t0)
        pos.append((a["best_score"], q["id"]))
        hits.append(a["found"] and is_hit(a["quotes"], q["gold"]))
        top1.append(a["found"] and is_hit(a["quotes"][:1], q["gold"]))
        if not top1[-1]:
            misses_top1.append(q["id"])
    for text in OFF_TOPIC:
        a = client.get("/api/ask", params={"q": text}).json()
        neg.append((a["best_score"], text))
    return {
        "threshold": FOUND_THRESHOLD,
        "quote_hit_rate": sum(hits) / len(hits),
        "top1_hit_rate": sum(top1) / len(top1),
        "top1_misses": misses_top1,
        "seconds_per_question": {"median": sorted(seconds)[len(seconds) // 2], "max": max(seconds)},
        "answerable_found": sum(1 for s, _ in pos if s is not None and s >= FOUND_THRESHOLD) / len(pos),
        "off_topic_rejected": sum(1 for s, _ in neg if s is None or s < FOUND_THRESHOLD) / len(neg),
        "lowest_answerable": sorted(pos, key=lambda x: x[0] or 0)[:3],
        "highest_off_topic": sorted(neg, key=lambda x: -(x[0] or 0))[:3],
    }


def ingest_sample(db: Path) -> None:
    from corroborate import Library

    with Library(db) as lib:
        lib.ingest(SAMPLE)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("questions", nargs="?", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--db", help="database with the sample ingested: a file or a postgresql:// URL (default: a fresh file)")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--ask", action="store_true", help="also evaluate /api/ask (quotes, not-found margins)")
    ap.add_argument("--ask-only", action="store_true", help="evaluate /api/ask only (skip search recall)")
    args = ap.parse_args()
    if not args.questions.exists():
        raise SystemExit(f"{args.questions}: no such question file")
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "eval.db"
            ingest_sample(db)
        args.ask = args.ask or args.ask_only
        result = {} if args.ask_only else evaluate(db, questions, args.k)
        if args.ask:
            result["ask"] = evaluate_ask(db, questions)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    if not args.ask_only:
        print_recall(args, questions, result)
    if args.ask:
        a = result["ask"]
        print(f"ask on {args.questions}: the top quote contains a gold phrase for {a['top1_hit_rate']:.2f} "
              f"of questions, any of the top 3 for {a['quote_hit_rate']:.2f}; {a['answerable_found']:.2f} "
              f"answered; {a['off_topic_rejected']:.2f} of {len(OFF_TOPIC)} off-topic "
              f"questions rejected (threshold {a['threshold']})")
        print(f"  top-1 misses: {' '.join(a['top1_misses']) or '-'}")
        print(f"  seconds per question: median {a['seconds_per_question']['median']:.3f}, "
              f"max {a['seconds_per_question']['max']:.3f}")
        print(f"  lowest answerable best scores: {a['lowest_answerable']}")
        print(f"  highest off-topic best scores: {a['highest_off_topic']}")


def print_recall(args, questions: list[dict], result: dict) -> None:
    langs = sorted({q["lang"] for q in questions})
    counts = {lang: sum(1 for q in questions if q["lang"] == lang) for lang in langs}
    print(f"recall@{args.k} on {args.questions} ({', '.join(f'{n} {lang}' for lang, n in counts.items())})")
    print(f"| mode | {' | '.join(langs)} | misses |")
    print("|---|" + "---|" * len(langs) + "---|")
    for mode in MODES:
        r = result["recall"][mode]
        print(f"| {mode} | " + " | ".join(f"{r[lang]:.2f}" for lang in langs)
              + f" | {' '.join(result['misses'][mode]) or '-'} |")
    goals = ", ".join(f"{lang} >= {g}" for lang, g in GOALS.items())
    print(f"goals (hybrid): {goals}")


if __name__ == "__main__":
    main()
