"""The multi-report evaluation library: the sample, the CPIN and the corpus PDFs in one database.

    .venv/bin/python benchmarks/eval_library.py [--db /tmp/eval-lib/library.db]

Built once and cached (embeddings are slow on a small machine): the database is rebuilt only
when it is missing or when one of the source files is newer than it. An HTML fragment (a file
that starts with a tag but has no <html> element, as GOV.UK serves a CPIN body) is ingested from
a copy wrapped in <html><body>…</body></html>, so that the format sniffer reads it as HTML.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_DB = Path("/tmp/eval-lib/library.db")
DOCUMENTS = [
    ROOT / "samples" / "euaa-peru-country-focus-2023.txt",
    *sorted((ROOT / "tests" / "data" / "corpus" / "cpin").glob("*.html")),
    *sorted((ROOT / "tests" / "data" / "corpus" / "pdf").glob("*.pdf")),
]
# Report ids as the library assigns them (the file stem, slugified).
REPORT_IDS = {
    "sample": "euaa-peru-country-focus-2023",
    "cpin": "cpin-colombia-internal-relocation-2026-03",
    "iachr": "iachr-merits-report-146-18",
    "klima": "mpilhlt-klimaseniorinnen-10-25364-01-11-2024-1-5",
    "molloy": "mpilhlt-molloy-police-human-rights-10-19164-ijple-v6i1-1295",
}


def html_fragment(path: Path) -> bool:
    head = path.read_text(encoding="utf-8", errors="replace")[:4096].lstrip()
    return head.startswith("<") and not re.search(r"<html[\s>]", head, re.I)


def build(db: Path, force: bool = False) -> Path:
    """The library database at `db`, (re)built when missing, stale or `force`."""
    from corroborate import Library

    newest = max(p.stat().st_mtime for p in DOCUMENTS)
    if db.exists() and not force and db.stat().st_mtime >= newest:
        return db
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    with Library(tmp) as lib, tempfile.TemporaryDirectory() as scratch:
        for path in DOCUMENTS:
            if path.suffix == ".html" and html_fragment(path):
                wrapped = Path(scratch) / path.name
                wrapped.write_text("<html><body>" + path.read_text(encoding="utf-8") + "</body></html>",
                                   encoding="utf-8")
                path = wrapped
            r = lib.ingest(path)
            print(f"{r.id}: {r.paragraphs} paragraphs", file=sys.stderr)
    tmp.replace(db)
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    print(build(args.db, args.force))


if __name__ == "__main__":
    main()
