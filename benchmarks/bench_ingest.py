"""Time and peak memory of ingesting the sample report, stage by stage.

    .venv/bin/python benchmarks/bench_ingest.py [--runs 5] [--file PATH]

Each measurement runs in a fresh subprocess so that peak RSS (ru_maxrss) belongs to that
stage alone and the embedding model's first load is visible. Results go to stdout and to
benchmarks/results/ingest.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "euaa-peru-country-focus-2023.txt"

CHILD = r"""
import json, os, resource, sys, time
stage, path, db = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
if stage == "read":
    from corroborate.readers import read_document
    t0 = time.perf_counter()
    report = read_document(path)
elif stage == "read+cite":
    from corroborate.readers import read_document
    from corroborate.models import assign_paragraph_ids
    from corroborate.citations import link_citations
    t0 = time.perf_counter()
    report = read_document(path)
    assign_paragraph_ids(report, "x")
    link_citations(report)
else:
    os.environ["CORROBORATE_EMBEDDINGS"] = "1" if stage == "ingest+embeddings" else "0"
    from corroborate import Library
    lib = Library(db)
    t0 = time.perf_counter()
    lib.ingest(path)
elapsed = time.perf_counter() - t0
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_rss_mb": peak_mb}))
"""

STAGES = ["read", "read+cite", "ingest", "ingest+embeddings"]
LABELS = {
    "read": "read text into sections, paragraphs, footnotes",
    "read+cite": "… plus citation parsing and source registry",
    "ingest": "full ingest into SQLite + FTS5 (no embeddings)",
    "ingest+embeddings": "full ingest with multilingual embeddings",
}


def measure(stage: str, path: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, stage, str(path), str(Path(tmp) / "bench.db")],
            capture_output=True, text=True, check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--file", type=Path, default=SAMPLE)
    args = ap.parse_args()
    size_kb = args.file.stat().st_size / 1024
    rows = []
    for stage in STAGES:
        runs = [measure(stage, args.file) for _ in range(args.runs if stage != "ingest+embeddings" else 2)]
        secs = [r["seconds"] for r in runs]
        rows.append((stage, statistics.median(secs), min(secs), max(r["peak_rss_mb"] for r in runs)))
    lines = [
        f"Ingest of `{args.file.name}` ({size_kb:.0f} KB), median of {args.runs} fresh processes "
        "(embeddings: 2), Python " + sys.version.split()[0] + ", 2 cores, "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')} "
        "(this machine sets it; it slows numpy, and so the embedder, about 3x).",
        "",
        "| stage | median s | best s | peak RSS MB |",
        "|---|---:|---:|---:|",
    ]
    for stage, med, best, rss in rows:
        lines.append(f"| {LABELS[stage]} | {med:.3f} | {best:.3f} | {rss:.0f} |")
    text = "\n".join(lines)
    print(text)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "ingest.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
