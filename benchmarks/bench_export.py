"""Time and peak memory of exporting the sample report in each format, and of compiling a
two-question response (the dev set's d01 and d03) in each document format.

    .venv/bin/python benchmarks/bench_export.py [--runs 3]

The sample is ingested once (with embeddings, as `ask` uses them). Each measurement runs in a
fresh subprocess, so peak RSS (ru_maxrss) is that export's alone. Results go to stdout and to
benchmarks/results/export.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "euaa-peru-country-focus-2023.txt"
REPORT_ID = "euaa-peru-country-focus-2023"
QUESTIONS = ROOT / "tests" / "data" / "eval" / "dev-questions.jsonl"

CHILD = r"""
import json, resource, sys, time
kind, fmt, db, out, questions = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
from corroborate import Library
lib = Library(db)
t0 = time.perf_counter()
if kind == "export":
    lib.export_report(REPORT_ID, fmt, out)
else:
    lib.compile(questions, fmt, out)
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""".replace("REPORT_ID", repr(REPORT_ID))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    questions = [r["q"] for r in rows if r["id"] in ("d01", "d03")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        subprocess.run([sys.executable, "-m", "corroborate", "--db", db, "ingest", str(SAMPLE)], check=True,
                       capture_output=True)
        plan = [("export", f) for f in ("md", "html", "docx", "pdf", "csl-json", "ris", "bibtex")]
        plan += [("compile", f) for f in ("md", "html", "docx", "pdf")]
        for kind, fmt in plan:
            runs = []
            for _ in range(args.runs):
                out = str(Path(tmp) / f"out.{fmt}")
                res = subprocess.run([sys.executable, "-c", CHILD, kind, fmt, db, out, json.dumps(questions)],
                                     check=True, capture_output=True, text=True)
                runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
            size = Path(tmp, f"out.{fmt}").stat().st_size
            results.append((kind, fmt, statistics.median(r["seconds"] for r in runs),
                            max(r["peak_mb"] for r in runs), size))
    lines = [f"# Export benchmark ({args.runs} runs each, median time, max peak RSS)", "",
             "| what | format | seconds | peak RSS MB | output KB |", "|---|---|---:|---:|---:|"]
    for kind, fmt, sec, mb, size in results:
        what = "report" if kind == "export" else "compile 2 questions"
        lines.append(f"| {what} | {fmt} | {sec:.2f} | {mb:.0f} | {size / 1024:.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "export.md").write_text(text)


if __name__ == "__main__":
    main()
