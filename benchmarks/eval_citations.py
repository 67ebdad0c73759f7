"""Field accuracy of the citation parser against a hand-checked gold file.

    .venv/bin/python benchmarks/eval_citations.py                  # the sample, via the text reader
    .venv/bin/python benchmarks/eval_citations.py --source gold    # parser alone, on the gold texts
    .venv/bin/python benchmarks/eval_citations.py --gold other.jsonl --show-errors --json

Gold lines: {"n": 297, "text": "...", "urls": [...], "citations": [{author, title, container,
date, url, locator, kind, note}, ...]}. A field missing from a gold citation is not scored
(used where the truth cannot be known, e.g. a link lost by the extraction with several
candidates). Citations are compared in order; a missing or extra citation counts every field
of the gold citation as wrong. Strings are compared after collapsing spaces and trimming
surrounding spaces and `. , ;` — nothing else (case, accents and quotes must match).

`--source reader` reads the sample report with the project's reader (footnote texts and URLs
as ingest sees them, all footnotes feeding the author evidence); `--source gold` builds the
footnotes from the gold's own `text` and `urls` (the parser alone); `auto` (default) uses the
reader when it can read the report, else the gold texts, and says which.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from corroborate.citations import link_citations  # noqa: E402
from corroborate.models import Footnote, Report  # noqa: E402

FIELDS = ["author", "title", "container", "date", "url", "locator", "kind", "note"]
DEFAULT_GOLD = ROOT / "tests" / "data" / "citations-gold.jsonl"
SAMPLE = ROOT / "samples" / "euaa-peru-country-focus-2023.txt"


def norm(value):
    if value is None:
        return None
    s = " ".join(str(value).split()).strip(" .,;")
    return s or None


def load_gold(path: Path) -> list[dict]:
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{i}: not JSON ({exc})") from exc
    return rows


def report_from_reader(sample: Path) -> Report:
    from corroborate.readers import read_document

    return read_document(sample)


def report_from_gold(gold: list[dict]) -> Report:
    missing = [g["n"] for g in gold if not g.get("text")]
    if missing:
        raise SystemExit(f"gold lines without 'text' (needed by --source gold): footnotes {missing[:10]}")
    return Report(footnotes=[Footnote(n=g["n"], text=g["text"], urls=g.get("urls", [])) for g in gold])


def evaluate(gold: list[dict], report: Report) -> dict:
    right = dict.fromkeys(FIELDS, 0)
    total = dict.fromkeys(FIELDS, 0)
    errors = []
    count_ok = 0
    n_citations = 0
    for g in gold:
        fn = report.footnote(g["n"])
        predicted = [c.json_contract() for c in fn.citations] if fn else []
        if len(predicted) == len(g["citations"]):
            count_ok += 1
        for i, want in enumerate(g["citations"]):
            n_citations += 1
            got = predicted[i] if i < len(predicted) else {}
            for field in FIELDS:
                if field not in want:
                    continue
                total[field] += 1
                if norm(want[field]) == norm(got.get(field)):
                    right[field] += 1
                else:
                    errors.append({"n": g["n"], "citation": i, "field": field,
                                   "want": want[field], "got": got.get(field)})
        for extra in predicted[len(g["citations"]):]:
            errors.append({"n": g["n"], "citation": "extra", "field": "*", "want": None, "got": extra})
    per_field = {f: (right[f] / total[f] if total[f] else 1.0) for f in FIELDS}
    overall = sum(right.values()) / max(1, sum(total.values()))
    return {
        "footnotes": len(gold), "citations": n_citations,
        "citation_count_agreement": count_ok / max(1, len(gold)),
        "per_field": per_field, "overall": overall, "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--sample", type=Path, default=SAMPLE, help="report file the gold footnotes come from")
    ap.add_argument("--source", choices=["auto", "reader", "gold"], default="auto")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args(argv)
    if not args.gold.exists():
        print(f"{args.gold}: no such gold file", file=sys.stderr)
        return 2
    gold = load_gold(args.gold)
    source = args.source
    report = None
    if source in ("auto", "reader"):
        try:
            report = report_from_reader(args.sample)
            source = "reader"
        except Exception as exc:  # the reader may be missing or fail: say so, then fall back
            if args.source == "reader":
                print(f"{args.sample}: reader failed: {exc}", file=sys.stderr)
                return 2
            print(f"note: reader unavailable ({type(exc).__name__}: {exc}); using gold texts",
                  file=sys.stderr)
            source = "gold"
    if report is None:
        report = report_from_gold(gold)
    t0 = time.perf_counter()
    link_citations(report)  # timed on its own: the citation layer, without reading the file
    seconds = time.perf_counter() - t0
    result = evaluate(gold, report)
    result["source"] = source
    result["link_seconds"] = round(seconds, 3)
    result["report_footnotes"] = len(report.footnotes)
    if args.json:
        if not args.show_errors:
            result = {k: v for k, v in result.items() if k != "errors"}
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"gold: {args.gold.name}  footnotes: {result['footnotes']}  citations: {result['citations']}  "
          f"footnote texts from: {source}")
    print(f"citation count agreement: {result['citation_count_agreement']:.3f}   "
          f"(link_citations on all {result['report_footnotes']} footnotes: {result['link_seconds']:.2f} s)")
    for field, acc in result["per_field"].items():
        print(f"  {field:9} {acc:.3f}")
    print(f"  {'overall':9} {result['overall']:.3f}")
    if args.show_errors:
        for e in result["errors"]:
            print(f"  fn {e['n']} #{e['citation']} {e['field']}: want {e['want']!r} got {e['got']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
