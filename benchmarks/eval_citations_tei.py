"""Informative: citation parsing of real PDFs against silver TEI references (OSCOLA-like styles).

    .venv/bin/python benchmarks/eval_citations_tei.py [--corpus tests/data/corpus/pdf] [--show-misses]

For each `<biblStruct source="fnN">` of a `*.tei.xml` beside its PDF, the PDF is read with the
project's reader, its footnotes parsed, and the reference is looked up among footnote N's
citations: the citation whose title is most similar (folded, quotes dropped; difflib ratio) is
its match when the ratio is >= 0.8. Reported, per document and overall:

- found: share of TEI references with a matching citation (title recall);
- author: of the found, the first TEI surname (or organisation) occurs in the citation's author;
- date: of the found with a TEI year, the citation's date has that year;
- container: of the found with a journal/book title, the citation's container matches (>= 0.8).

The TEI labels are machine-made (silver): read the figures as indicative, not as a score.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from corroborate.citations import link_citations  # noqa: E402
from corroborate.models import fold  # noqa: E402

TEI = "{http://www.tei-c.org/ns/1.0}"


def clean(text: str | None) -> str:
    return re.sub(r"[\"'“”‘’«».,:;]", "", fold(text or "")).strip()


def similar(a: str | None, b: str | None) -> float:
    a, b = clean(a), clean(b)
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def tei_references(path: Path) -> list[dict]:
    from lxml import etree

    refs = []
    for b in etree.parse(str(path)).iter(f"{TEI}biblStruct"):
        src = b.get("source") or ""
        if not src.startswith("fn") or not src[2:].isdigit():
            continue
        titles = {t.get("level"): (t.text or "").strip() for t in b.iter(f"{TEI}title")}
        analytic = titles.get("a")
        title = analytic or titles.get("m") or titles.get("j")
        container = (titles.get("j") or titles.get("m")) if analytic else None
        names = [s.text for s in b.iter(f"{TEI}surname") if s.text] + [o.text for o in b.iter(f"{TEI}orgName") if o.text]
        years = [m.group(0) for d in b.iter(f"{TEI}date") for m in [re.search(r"(1[89]|20)\d\d", d.text or "")] if m]
        refs.append({"n": int(src[2:]), "title": title, "container": container,
                     "name": names[0] if names else None, "year": years[0] if years else None})
    return refs


def evaluate(pdf: Path, tei: Path, show: bool) -> dict:
    from corroborate.readers import read_document

    report = read_document(pdf)
    link_citations(report)
    counts = dict(refs=0, found=0, author=0, author_n=0, date=0, date_n=0, container=0, container_n=0)
    for ref in tei_references(tei):
        counts["refs"] += 1
        fn = report.footnote(ref["n"])
        cits = fn.citations if fn else []
        best = max(cits, key=lambda c: similar(c.title, ref["title"]), default=None)
        if best is None or similar(best.title, ref["title"]) < 0.8:
            if show:
                got = [c.title for c in cits]
                print(f"  miss {pdf.stem[:30]} fn{ref['n']}: {ref['title']!r} not in {got}")
            continue
        counts["found"] += 1
        if ref["name"]:
            counts["author_n"] += 1
            counts["author"] += clean(ref["name"]) in clean(best.author)
        if ref["year"]:
            counts["date_n"] += 1
            counts["date"] += bool(best.date and best.date.startswith(ref["year"]))
        if ref["container"]:
            counts["container_n"] += 1
            counts["container"] += similar(best.container, ref["container"]) >= 0.8
    return counts


def rate(a: int, b: int) -> str:
    return f"{a / b:.2f} ({a}/{b})" if b else "n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "corpus" / "pdf")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args(argv)
    teis = sorted(args.corpus.glob("*.tei.xml"))
    if not teis:
        print(f"{args.corpus}: no *.tei.xml files", file=sys.stderr)
        return 2
    total: dict[str, int] = {}
    for tei in teis:
        pdf = tei.with_name(tei.name.removesuffix(".tei.xml") + ".pdf")
        if not pdf.exists():
            print(f"{tei.name}: no PDF beside it, skipped", file=sys.stderr)
            continue
        c = evaluate(pdf, tei, args.show_misses)
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
        print(f"{pdf.stem[:60]}: refs {c['refs']}  found {rate(c['found'], c['refs'])}  "
              f"author {rate(c['author'], c['author_n'])}  date {rate(c['date'], c['date_n'])}  "
              f"container {rate(c['container'], c['container_n'])}")
    print(f"ALL: refs {total['refs']}  found {rate(total['found'], total['refs'])}  "
          f"author {rate(total['author'], total['author_n'])}  date {rate(total['date'], total['date_n'])}  "
          f"container {rate(total['container'], total['container_n'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
