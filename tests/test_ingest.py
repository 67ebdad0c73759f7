"""Ingest through the library and the CLI: idempotency, versions, atomicity, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLE, SAMPLE_ID
from corroborate import Library
from corroborate.cli import main
from corroborate.store import connect

pytestmark = pytest.mark.usefixtures("no_embeddings")

# The lone space line is how the PDF extraction opens a footnote block.
SMALL = """Country Report

1. Overview

The capital hosts most ministries.1

Another sentence follows here.2
""" + " \n" + """1 Ministry, Annual report, 3 May 2023, url
2 Agency, Second report, 2022, url

https://example.gov/report
https://agency.example.org/second
"""


@pytest.fixture
def no_embeddings(monkeypatch):
    """Structure tests don't need vectors; search tests exercise them."""
    monkeypatch.setenv("CORROBORATE_EMBEDDINGS", "0")


def counts(db: Path) -> dict:
    conn = connect(db)
    try:
        return {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("reports", "sections", "paragraphs", "footnotes", "citations", "markers")
        } | {"fts": conn.execute("SELECT COUNT(*) FROM paragraphs_fts").fetchone()[0]}
    finally:
        conn.close()


def run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def test_ingest_sample_json_counts(tmp_path):
    db = tmp_path / "c.db"
    res = run(db, "ingest", str(SAMPLE), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    (rep,) = data["reports"]
    assert rep["id"] == SAMPLE_ID
    assert rep["status"] == "added"
    assert rep["sections"] > 30 and rep["paragraphs"] > 120
    assert 400 <= rep["footnotes"] <= 440
    assert rep["warnings"] > 100  # ~160 lost footnotes are each a warning
    assert data["errors"] == []


def test_reingest_same_file_adds_nothing(tmp_path):
    db = tmp_path / "c.db"
    with Library(db) as lib:
        first = lib.ingest(SAMPLE)
        before = counts(db)
        again = lib.ingest(SAMPLE)
    assert again.status == "unchanged" and again.id == first.id
    assert counts(db) == before


def test_paragraph_ids_survive_reingest(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    with Library(a) as la, Library(b) as lb:
        la.ingest(SAMPLE)
        lb.ingest(SAMPLE)
        ids_a = [p.id for p in la.report(SAMPLE_ID).paragraphs()]
        ids_b = [p.id for p in lb.report(SAMPLE_ID).paragraphs()]
    assert ids_a == ids_b
    assert len(set(ids_a)) == len(ids_a)


def test_changed_file_becomes_new_version_and_keeps_ids(tmp_path):
    db = tmp_path / "c.db"
    path = tmp_path / "report.txt"
    path.write_text(SMALL, encoding="utf-8")
    with Library(db) as lib:
        v1 = lib.ingest(path)
        old = {p.text: p.id for p in lib.report(v1.id).paragraphs()}
        path.write_text(SMALL.replace("Another sentence", "A changed sentence"), encoding="utf-8")
        v2 = lib.ingest(path)
        assert (v1.id, v2.id, v2.status, v2.version) == ("report", "report-v2", "new-version", 2)
        assert [r["id"] for r in lib.reports()] == ["report", "report-v2"]
        new = {p.text: p.id for p in lib.report(v2.id).paragraphs()}
        unchanged = set(old) & set(new)
        assert unchanged and all(old[t] == new[t] for t in unchanged)
        path.write_text(SMALL.replace("capital", "big capital"), encoding="utf-8")
        v3 = lib.ingest(path, replace=True)
        assert (v3.id, v3.status) == ("report", "replaced")
        assert [r["id"] for r in lib.reports()] == ["report"]
        assert "big capital" in lib.report("report").sections[-1].paragraphs[0].text


def test_delete_removes_everything(tmp_path):
    db = tmp_path / "c.db"
    with Library(db) as lib:
        lib.ingest(SAMPLE)
        lib.delete(SAMPLE_ID)
    assert counts(db) == dict.fromkeys(
        ("reports", "sections", "paragraphs", "footnotes", "citations", "markers", "fts"), 0
    )
    res = run(db, "delete", SAMPLE_ID)
    assert res.exit_code == 1 and f"no report '{SAMPLE_ID}'" in res.output


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("empty.txt", b"", "file is empty"),
        ("blob.bin", bytes(range(256)) * 64, "unsupported file type"),
        ("fake.pdf", b"%PDF-1.7\n garbage that is not a pdf", "pdf"),
        ("fake.docx", b"PK\x03\x04 not really a zip", "docx"),
    ],
)
def test_bad_files_get_a_clear_error_and_write_nothing(tmp_path, name, content, problem):
    db = tmp_path / "c.db"
    run(db, "ingest", str(SAMPLE))
    before = counts(db)
    bad = tmp_path / name
    bad.write_bytes(content)
    res = run(db, "ingest", str(bad))
    assert res.exit_code == 1
    assert str(bad) in res.output and problem.lower() in res.output.lower()
    assert "Traceback" not in res.output
    assert counts(db) == before


def test_missing_path_and_directory(tmp_path):
    db = tmp_path / "c.db"
    res = run(db, "ingest", str(tmp_path / "nope.txt"))
    assert res.exit_code == 1 and "no such file" in res.output
    res = run(db, "ingest", str(tmp_path))
    assert res.exit_code != 0 and "Traceback" not in res.output


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    db = tmp_path / "c.db"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = run(db, "ingest", str(empty), str(SAMPLE), "--json")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert [r["id"] for r in data["reports"]] == [SAMPLE_ID]
    assert "file is empty" in data["errors"][0]


def test_cp1252_text_is_read_with_a_warning(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(SMALL.replace("capital", "capital of Perú’s").encode("cp1252"))
    with Library(tmp_path / "c.db") as lib:
        result = lib.ingest(path)
        report = lib.report(result.id)
    text = " ".join(p.text for p in report.paragraphs())
    assert "Perú’s" in text
    assert any("1252" in str(w) for w in report.warnings)


def test_text_without_footnotes(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text(
        "Notes on the visit\n\nIn 2023 the office had 1 428 visitors and 7.2 percent more staff.\n\n"
        "The second paragraph mentions 12 districts.\n",
        encoding="utf-8",
    )
    with Library(tmp_path / "c.db") as lib:
        report = lib.report(lib.ingest(path).id)
    paragraphs = list(report.paragraphs())
    assert report.footnotes == []
    assert all(p.markers == [] for p in paragraphs)
    assert any("1 428 visitors and 7.2 percent" in p.text for p in paragraphs)


def test_large_file_is_ingested_or_refused_cleanly(tmp_path):
    """A 50 MB text (the sample repeated) must not hang or crash."""
    big = tmp_path / "big.txt"
    chunk = SAMPLE.read_bytes()
    with open(big, "wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            fh.write(chunk)
    db = tmp_path / "c.db"
    res = run(db, "ingest", str(big), "--json")
    assert "Traceback" not in res.output
    if res.exit_code == 0:
        assert json.loads(res.stdout)["reports"][0]["paragraphs"] > 1000
    else:
        assert str(big) in res.output


def test_database_that_is_not_sqlite(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("just some text")
    res = run(bogus, "reports")
    assert res.exit_code == 1 and "not a SQLite database" in res.output
    assert bogus.read_text() == "just some text"


# --- atomicity -------------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys, time
    from corroborate import Library
    from corroborate.store.sqlite import SqliteStore

    real = SqliteStore._insert_section
    state = {"n": 0}

    def slow(self, *args, **kwargs):
        state["n"] += 1
        if state["n"] == 5:  # well inside the transaction: rows are written but not committed
            print("inside", flush=True)
            time.sleep(60)
        return real(self, *args, **kwargs)

    SqliteStore._insert_section = slow
    Library(sys.argv[1]).ingest(sys.argv[2], report_id="second")
    """
)


def test_kill_mid_ingest_leaves_the_database_as_it_was(tmp_path):
    db = tmp_path / "c.db"
    with Library(db) as lib:
        lib.ingest(SAMPLE)
    before = counts(db)
    other = tmp_path / "other.txt"
    other.write_text(SAMPLE.read_text(encoding="utf-8") + "\nA closing paragraph.\n", encoding="utf-8")
    env = dict(os.environ, CORROBORATE_EMBEDDINGS="0")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(other)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    try:
        assert child.stdout.readline().strip() == "inside", child.stderr.read()
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert counts(db) == before
    conn = connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO paragraphs_fts(paragraphs_fts) VALUES('integrity-check')")
    finally:
        conn.close()
    with Library(db) as lib:  # and the library still works afterwards
        assert lib.ingest(other, report_id="second").status == "added"
