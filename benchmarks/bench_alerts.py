"""What saved searches add to an ingest: the CPU time of matching N saved searches against a
newly stored report (`alerts.match_new_report`), lexical and hybrid.

    .venv/bin/python benchmarks/bench_alerts.py [--searches 1,10,50] [--db SAMPLE.db]

A library holding the sample (with embeddings, made here unless --db gives one) is copied for
each run; the questions of benchmarks/own-questions.jsonl are saved as searches and matched
against the sample as if every one of its 158 paragraphs were new (the most an ingest of a
report that size can ask; the query embedding cache is emptied first). CPU time (process_time: this process only, so
other work on the machine does not count) and wall time are printed and written to
benchmarks/results/alerts.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "euaa-peru-country-focus-2023.txt"
SAMPLE_ID = "euaa-peru-country-focus-2023"


def questions() -> list[str]:
    lines = (ROOT / "benchmarks" / "own-questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(x)["q"] for x in lines if x.strip()]


def run(db: Path, work: Path, n: int, mode: str) -> tuple[float, float, int]:
    from corroborate import Library
    from corroborate.alerts import SavedSearchIn, match_new_report
    from corroborate.search.embed import _cached_query

    copy = work / f"{mode}-{n}.db"
    shutil.copy(db, copy)
    qs = questions()
    with Library(copy) as lib:
        for i in range(n):
            lib.save_search(SavedSearchIn(name=f"q{i}", query=qs[i % len(qs)], mode=mode))
        # the sample's every paragraph taken as new: the work an ingest of a report that size adds
        fresh = {p.id for p in lib.report(SAMPLE_ID).paragraphs()}
        _cached_query.cache_clear()  # each query embedded again, as in a fresh ingest process
        cpu, wall = time.process_time(), time.perf_counter()
        match_new_report(lib, SAMPLE_ID, fresh)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        found = sum(s.passages for s in lib.saved_searches())
    return cpu, wall, found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--searches", default="1,10,50")
    ap.add_argument("--db", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = args.db
        if db is None:
            from corroborate import Library

            db = work / "sample.db"
            with Library(db) as lib:
                lib.ingest(SAMPLE)
        rows = []
        for mode in ("lexical", "hybrid"):
            for n in map(int, args.searches.split(",")):
                cpu, wall, found = run(db, work, n, mode)
                rows.append((mode, n, cpu, wall, found))
                print(f"{mode:8} {n:3} searches: {cpu:.2f} s CPU, {wall:.2f} s wall, {found} passages recorded")
    load = os.getloadavg()[0]
    out = ["# Saved searches: matching cost per ingest", "",
           "`.venv/bin/python benchmarks/bench_alerts.py --searches " + args.searches
           + (" --db <the sample ingested with embeddings>" if args.db else "") + "`, "
           f"load average {load:.1f} on this 2-core machine while it ran (wall times are unreliable under "
           "load; CPU time is this process's own).", "",
           "| mode | saved searches | CPU s | wall s | passages recorded |", "|---|---|---|---|---|"]
    out += [f"| {m} | {n} | {c:.2f} | {w:.2f} | {f} |" for m, n, c, w, f in rows]
    (ROOT / "benchmarks" / "results" / "alerts.md").write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
