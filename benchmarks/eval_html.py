"""HTML reports: how many notes are recovered, numbered and linked to a marker, and how their
citations and the report's own bibliography end up, per document.

    .venv/bin/python benchmarks/eval_html.py [FILE.html ...]   (default: tests/data/corpus/**/*.html)

Per document: notes recovered (with text), notes linked to at least one marker in the body,
citations with author/title/URL, bibliography entries, entries placed on a source the notes
cite, entries listed as consulted but not cited, the title/date/version read from the content,
and the reader's warnings. Fragments without <html> (GOV.UK's content API) are read as they are.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from corroborate.citations import link_citations  # noqa: E402
from corroborate.citations.bibliography import url_key  # noqa: E402
from corroborate.readers.html import read_html_file  # noqa: E402


def evaluate(path: Path) -> dict:
    report = read_html_file(path, path.read_bytes())
    link_citations(report)
    linked = {m.n for p in report.paragraphs() for m in p.markers}
    notes = report.footnotes
    cits = [c for f in notes for c in f.citations]
    note_sources = {c.source_id for c in cits if c.source_id}
    bib = report.bibliography
    body_links = {url_key(k.url) for p in report.paragraphs() for k in p.links}
    return {
        "file": path.name,
        "notes": len(notes),
        "with text": sum(1 for f in notes if f.text),
        "linked": sum(1 for f in notes if f.n in linked),
        "citations": len(cits),
        "author+title+url": sum(1 for c in cits if c.author and c.title and c.url),
        "bibliography": len(bib),
        "bib on a note source": sum(1 for e in bib if e.citation and e.citation.source_id in note_sources),
        "bib cited only by a link in the body": sum(
            1 for e in bib if e.citation and e.citation.source_id not in note_sources
            and url_key(e.citation.url) in body_links),
        "consulted not cited": sum(1 for e in bib if not e.cited),
        "links in body": sum(len(p.links) for p in report.paragraphs()),
        "title": report.title,
        "published": report.published,
        "edition": report.edition,
        "cut_off": report.cut_off,
        "warnings": dict(collections.Counter(w.code for w in report.warnings)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    files = args.files or sorted((ROOT / "tests" / "data" / "corpus").rglob("*.html"))
    for path in files:
        row = evaluate(path)
        print(f"## {row.pop('file')}")
        for key, value in row.items():
            print(f"- {key}: {value}")


if __name__ == "__main__":
    main()
