"""CPU time per hybrid search on the library questions (tuning half), in one process.

    .venv/bin/python benchmarks/bench_rank_cpu.py [--db DB] [--src SRC]

CPU time (`time.process_time`, this process's user + system, all threads) rather than wall
time, which other jobs on a shared machine inflate. Two passes over the same questions: the
first pays for each new paragraph's word folding and sentence split and each question's
embedding; the second is what a repeated query costs. `--src` measures another checkout's code
(e.g. main's src/) on the same database, for a before/after figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("/tmp/eval-lib/library.db"))
    ap.add_argument("--src", type=Path, default=ROOT / "src")
    args = ap.parse_args()
    sys.path.insert(0, str(args.src))
    import corroborate
    from corroborate import Library

    rows = (ROOT / "benchmarks" / "questions" / "library-questions.jsonl").read_text(encoding="utf-8").splitlines()
    qs = [q["q"] for q in map(json.loads, filter(None, rows)) if q["split"] == "tuning"]
    lib = Library(args.db)
    lib.search("warm up the model and the vocabulary", k=10)
    print(f"code: {Path(corroborate.__file__).parent}; {len(qs)} questions")
    for label in ("first pass", "second pass"):
        cpu = []
        for q in qs:
            t = time.process_time()
            lib.search(q, k=10)
            cpu.append(time.process_time() - t)
        cpu.sort()
        print(f"{label}: CPU ms per search: mean {1000 * statistics.mean(cpu):.1f}, "
              f"median {1000 * statistics.median(cpu):.1f}, p95 {1000 * cpu[int(0.95 * (len(cpu) - 1))]:.1f}")
    lib.close()


if __name__ == "__main__":
    main()
