"""CPU time per in-process search (Library.search with facets) over the dev questions: the
figure to compare two versions of the code on one database, unlike wall-clock time on a shared
machine.

    .venv/bin/python benchmarks/search_cpu.py DB [--repeat 5]

DB: a database with the sample ingested (a file or a postgresql:// URL). Each question is
searched once to warm the caches, then `repeat` times per mode; prints ms of process CPU per search.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "eval" / "dev-questions.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from corroborate import Library

    questions = [json.loads(line)["q"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    with Library(args.db) as lib:
        for mode in ("lexical", "hybrid"):
            for q in questions:
                lib.search(q, mode=mode)
            start = time.process_time()
            for _ in range(args.repeat):
                for q in questions:
                    lib.search(q, mode=mode, facets=True)
            per = (time.process_time() - start) / (args.repeat * len(questions)) * 1000
            print(f"{mode}: {per:.2f} ms CPU per search")


if __name__ == "__main__":
    sys.exit(main())
