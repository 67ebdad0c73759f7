"""Retrieval quality: recall@k of /api/search per language and mode on a question set.

    .venv/bin/python benchmarks/eval_search.py [QUESTIONS.jsonl] [--db DB] [--k 5] [--json]

QUESTIONS defaults to ../shared/eval/dev-questions.jsonl beside the repository; each line is
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from corroborate.models import fold  # noqa: E402

DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
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


def ingest_sample(db: Path) -> None:
    from corroborate import Library

    with Library(db) as lib:
        lib.ingest(SAMPLE)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("questions", nargs="?", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--db", type=Path, help="database with the sample ingested (default: a fresh one)")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.questions.exists():
        raise SystemExit(f"{args.questions}: no such question file")
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "eval.db"
            ingest_sample(db)
        result = evaluate(db, questions, args.k)
    if args.json:
        print(json.dumps(result, indent=2))
        return
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
