"""Are the readers linear? Time reading (reader + citation parsing) pathological inputs at two
sizes, the second four times the first: a linear reader takes about four times as long, a
quadratic one sixteen.

    .venv/bin/python benchmarks/bench_readers_linear.py [--scale 1]

The inputs are the shapes that used to blow up (issue 11) and a few neighbours; they are built
from tests/fuzz/inputs.py. Results go to stdout; figures are kept in
benchmarks/results/fuzz.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))

from inputs import HTML, TEXT, docx_bytes, docx_parts  # noqa: E402

from corroborate.citations import link_citations  # noqa: E402
from corroborate.models import assign_paragraph_ids  # noqa: E402
from corroborate.readers import ReaderError, read_document  # noqa: E402

AMNESTY = "https://www.amnesty.org/en/documents/amr46/6761/2023/en/"
SHAPES = {
    "text: one long word": lambda n: ("a.txt", TEXT.replace("Curfews were", f"Curfews {'a' * n} were")),
    "text: long URL in a footnote": lambda n: ("a.txt", TEXT.replace(AMNESTY, "https://e.org/" + "a" * n)),
    "text: line of dots": lambda n: ("a.txt", TEXT.replace("Curfews were", "Curfews " + "." * (n // 100) + " were")),
    "text: footnotes (n/500)": lambda n: ("a.txt", "Title\n\nBody" + "".join(
        f" word.{i}" for i in range(1, n // 500)) + "\n \n" + "".join(
        f"{i} Source {i}, report, 2020, url\n" for i in range(1, n // 500)) + "\n" + "".join(
        f"https://e.org/{i}\n" for i in range(1, n // 500))),
    "HTML: one long word": lambda n: ("a.html", HTML.replace("Roads were", f"Roads {'a' * n} were")),
    "HTML: nesting (n/100 deep)": lambda n: ("a.html", HTML.replace(
        "<h2>2. Human", "<div>" * (n // 100) + "<p>Deep text here.</p>" + "</div>" * (n // 100) + "<h2>2. Human")),
    "DOCX: one long word": lambda n: ("a.docx", docx_bytes(document=docx_parts()["word/document.xml"].replace(
        "We were shot", f"We {'a' * n} were shot"))),
    "DOCX: long URL field code": lambda n: ("a.docx", docx_bytes(
        footnotes=docx_parts()["word/footnotes.xml"].replace(AMNESTY, "https://e.org/" + "a" * n))),
}


def read(name: str, data: bytes | str) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        t0 = time.perf_counter()
        try:
            report = read_document(path)
            assign_paragraph_ids(report, "bench")
            link_citations(report)
            outcome = f"{sum(1 for _ in report.paragraphs())} paragraphs"
        except ReaderError as exc:
            outcome = f"refused: {exc.problem[:40]}"
        return time.perf_counter() - t0, outcome


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the sizes (1: 250 KB and 1 MB)")
    args = ap.parse_args()
    small, large = int(250_000 * args.scale), int(1_000_000 * args.scale)
    read("w.txt", TEXT)
    read("w.html", HTML)  # imports and models loaded before timing
    print("| input | n | time | 4n | time | ratio (linear ≈ 4) |")
    print("|---|---|---|---|---|---|")
    for label, make in SHAPES.items():
        t1, _ = read(*make(small))
        t2, outcome = read(*make(large))
        print(f"| {label} | {small:,} | {t1:.2f} s | {large:,} | {t2:.2f} s | {t2 / max(t1, 1e-3):.1f} |",
              flush=True)


if __name__ == "__main__":
    main()
