"""Server time and HTML size of each web page over the ingested sample report.

    .venv/bin/python benchmarks/bench_web_pages.py [--runs 5]

The sample is ingested once (with embeddings, as search and ask use them) into a temporary
database; each page is requested in-process through FastAPI's TestClient after one warm-up
request (which loads the embedding model), so the figures are the app's own time without
network. Median of `--runs`. Results go to stdout and to benchmarks/results/web_pages.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient

from corroborate import Library
from corroborate.settings import Settings
from corroborate.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "euaa-peru-country-focus-2023.txt"
REPORT_ID = "euaa-peru-country-focus-2023"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sample.db"
        with Library(db) as lib:
            lib.ingest(SAMPLE)
            source_id = lib.sources()[0]["id"]
        client = TestClient(create_app(Settings(db=str(db))))
        pages = {
            "home": "/",
            "search": "/search?q=" + quote("Tren de Aragua members"),
            "search+facet": "/search?source_type=media&q=" + quote("Tren de Aragua members"),
            "ask (es)": "/ask?q=" + quote("¿Está penalizado el aborto en casos de violación?"),
            "reader": f"/reports/{REPORT_ID}",
            "sources": "/sources",
            "source (most cited)": f"/sources/{source_id}",
            "404": "/reports/no-such-report",
        }
        client.get(pages["search"])  # warm-up: loads the embedding model and vector cache
        rows = []
        for name, url in pages.items():
            times, size = [], 0
            for _ in range(args.runs):
                start = time.perf_counter()
                r = client.get(url)
                times.append(time.perf_counter() - start)
                size = len(r.content)
            rows.append((name, r.status_code, statistics.median(times) * 1000, size / 1024))
    lines = [
        f"Web pages over the sample report (median of {args.runs}, in-process TestClient)",
        "",
        "| page | status | ms | HTML KiB |",
        "|---|---|---|---|",
        *[f"| {n} | {s} | {ms:.0f} | {kib:.0f} |" for n, s, ms, kib in rows],
    ]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "web_pages.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
