"""The citation benchmark on the hand-checked gold must stay at or above 0.95 field accuracy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "eval_citations.py"
GOLD = ROOT / "tests" / "data" / "citations-gold.jsonl"


def run_eval(*args: str) -> dict:
    out = subprocess.run([sys.executable, str(SCRIPT), "--json", *args], capture_output=True, text=True,
                         check=True, cwd=ROOT, timeout=300)
    return json.loads(out.stdout)


def test_gold_covers_the_hard_cases():
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 40
    cits = [c for r in rows for c in r["citations"]]
    kinds = {c["kind"] for c in cits}
    assert {"document", "oral", "analysis", "legislation", "book", "dataset", "empty"} <= kinds
    assert {120, 263, 297, 346} <= {r["n"] for r in rows}
    assert any(c["container"] for c in cits) and any(c["note"] for c in cits)
    assert any(c["date"] is None and c["kind"] == "document" for c in cits)  # n.d.


@pytest.mark.parametrize("source", ["reader", "gold"])
def test_field_accuracy_at_least_095(source):
    result = run_eval("--source", source)
    assert result["source"] == source
    assert result["citations"] >= 80
    assert result["overall"] >= 0.95, result
    for field, acc in result["per_field"].items():
        assert acc >= 0.9, (field, acc)


def test_eval_reports_errors_it_finds(tmp_path):
    """The benchmark is not blind: a wrong gold value is counted and listed."""
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows[0]["citations"][0]["author"] = "Somebody Else"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = run_eval("--source", "gold", "--gold", str(bad), "--show-errors")
    assert result["per_field"]["author"] < 1.0
    assert {"n": rows[0]["n"], "citation": 0, "field": "author", "want": "Somebody Else",
            "got": "International Crisis Group"} in result["errors"]
