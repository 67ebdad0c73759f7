"""Many processes on one database, through the real command line and the real server.

Four `corroborate ingest` processes write to the same database while `corroborate serve` answers
searches over it, on SQLite (one file, WAL: writers take turns, saying so when they wait) and on
PostgreSQL (the scratch cluster of tests/pg_fixtures.py). Nothing may be lost, no command may
fail, no search may get anything but a 200. A PostgreSQL ingest killed mid-transaction leaves
the database as it was.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, SAMPLE, SAMPLE_ID
from corroborate.store.pg_cluster import free_port
from corroborate.store.sqlite import connect

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_load import served  # noqa: E402

pytestmark = pytest.mark.slow

CORROBORATE = [sys.executable, "-m", "corroborate"]
WRITERS = 4
FILES_PER_WRITER = 2
SERVER_PORT = int(os.environ.get("CORROBORATE_TEST_PORT", "0"))  # 0: a free one
NO_EMBEDDINGS = {**os.environ, "CORROBORATE_EMBEDDINGS": "0"}  # embeddings only cost CPU here


def marker(writer: int, n: int) -> str:
    """A word found in no report but the one variant it marks (letters only: both indexes keep
    it as one token)."""
    return f"zq{'abcdefgh'[writer]}{'abcdefgh'[n]}marker"


def variants(folder: Path) -> dict[tuple[int, int], Path]:
    """The sample with one closing paragraph naming its marker: a distinct report per file."""
    text = SAMPLE.read_text(encoding="utf-8")
    files = {}
    for w in range(WRITERS):
        for n in range(FILES_PER_WRITER):
            path = folder / f"peru-variant-{w}-{n}.txt"
            path.write_text(text + f"\nThis copy carries the word {marker(w, n)} for the test.\n", encoding="utf-8")
            files[(w, n)] = path
    return files


def cli(db: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*CORROBORATE, "--db", db, *args], capture_output=True, text=True,
                          env=NO_EMBEDDINGS, timeout=600, **kwargs)


@contextmanager
def serving(db: str, tmp_path: Path) -> Iterator[str]:
    port = SERVER_PORT or free_port()
    with served(db, port, tmp_path / "serve.log", startup=300, env={"CORROBORATE_EMBEDDINGS": "0"}):
        yield f"http://127.0.0.1:{port}"


class Searcher(threading.Thread):
    """Asks the server the same question until stopped; keeps every non-200 answer."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.stop, self.answered, self.failures = base, threading.Event(), 0, []

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as client:
            while not self.stop.is_set():
                try:
                    r = client.get("/api/search", params={"q": "extortion of small businesses", "mode": "lexical"})
                    if r.status_code != 200 or not r.json()["results"]:
                        self.failures.append(f"{r.status_code}: {r.text[:300]}")
                    else:
                        self.answered += 1
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    """The sample ingested into an SQLite file or a PostgreSQL database: the --db value."""
    if request.param == "sqlite":
        db = str(tmp_path / "shared.db")
    else:
        db = request.getfixturevalue("pg_url")
    done = cli(db, "ingest", str(SAMPLE))
    assert done.returncode == 0, done.stderr
    return db


def report_rows(db: str) -> dict[str, dict]:
    done = cli(db, "reports", "--json")
    assert done.returncode == 0, done.stderr
    return {r["id"]: r for r in json.loads(done.stdout)["reports"]}


def test_four_ingests_while_the_server_searches(database, tmp_path):
    files = variants(tmp_path)
    with serving(database, tmp_path) as base:
        searcher = Searcher(base)
        searcher.start()
        try:
            writers = [subprocess.Popen(
                [*CORROBORATE, "--db", database, "ingest", *(str(files[(w, n)]) for n in range(FILES_PER_WRITER))],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=NO_EMBEDDINGS)
                for w in range(WRITERS)]
            outcomes = [(p.wait(timeout=900), *p.communicate()) for p in writers]
            time.sleep(0.5)  # searches keep running after the last commit
        finally:
            searcher.stop.set()
            searcher.join(timeout=120)
        found = {}
        with httpx.Client(base_url=base, timeout=60) as client:
            for key in files:
                r = client.get("/api/search", params={"q": marker(*key), "mode": "lexical"})
                found[key] = [hit["report_id"] for hit in r.json()["results"]]

    for code, _out, err in outcomes:
        assert code == 0, err
        assert "Traceback" not in err and "Error" not in err, err
    assert searcher.failures == [] and searcher.answered > 0
    # nothing lost: every file is a report, complete, and findable by its own word only
    rows = report_rows(database)
    sample = rows.pop(SAMPLE_ID)
    assert sorted(rows) == sorted(f"peru-variant-{w}-{n}" for w, n in files)
    for rid, row in rows.items():
        assert row["paragraphs"] == sample["paragraphs"] + 1, rid
        assert (row["sections"], row["footnotes"]) == (sample["sections"], sample["footnotes"]), rid
    assert found == {key: [f"peru-variant-{key[0]}-{key[1]}"] for key in files}


def test_sqlite_writer_waits_for_a_busy_file_and_says_so(tmp_path):
    db = tmp_path / "busy.db"
    assert cli(str(db), "ingest", str(SAMPLE)).returncode == 0
    other = variants(tmp_path)[(0, 0)]
    holder = connect(db)  # another process's long write transaction, held by the test
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO meta(key, value) VALUES ('held-by-test', '1')")
    writer = subprocess.Popen([*CORROBORATE, "--db", str(db), "ingest", str(other)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=NO_EMBEDDINGS)
    said, lines = threading.Event(), []

    def read_stderr() -> None:
        for line in writer.stderr:
            lines.append(line)
            if "database is busy (another process is writing), retrying" in line:
                said.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        # held until the writer has read the file, found the lock taken and said it waits
        assert said.wait(timeout=300), "".join(lines)
        assert writer.poll() is None
    finally:
        holder.execute("COMMIT")
        holder.close()
    writer.wait(timeout=300)
    reader.join(timeout=60)
    err = "".join(lines)
    assert writer.returncode == 0, err
    assert "Traceback" not in err
    rows = report_rows(str(db))
    assert set(rows) == {SAMPLE_ID, "peru-variant-0-0"}
    assert rows["peru-variant-0-0"]["paragraphs"] == rows[SAMPLE_ID]["paragraphs"] + 1


def test_sqlite_writer_gives_up_with_a_clear_error_not_a_traceback(tmp_path, monkeypatch):
    from corroborate import Library
    from corroborate.settings import Settings
    from corroborate.store import sqlite as sqlite_store

    db = tmp_path / "stuck.db"
    with Library(db):
        pass
    monkeypatch.setattr(sqlite_store, "WRITE_WAIT_S", 1)
    holder = connect(db)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Library(db, settings=Settings(embeddings=False)) as lib:
            with pytest.raises(sqlite_store.StoreError, match=r"stuck\.db: database is busy"):
                lib.ingest(SAMPLE)
            assert lib.reports() == []
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def pg_open_transactions(cluster, dbname: str) -> int:
    return int(cluster.psql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND xact_start IS NOT NULL AND pid <> pg_backend_pid() AND backend_type = 'client backend'", dbname))


def pg_counts(cluster, dbname: str) -> dict[str, str]:
    return {t: cluster.psql(f"SELECT count(*) FROM {t}", dbname)
            for t in ("reports", "sections", "paragraphs", "footnotes", "citations", "sources")}


def test_postgres_ingest_killed_mid_transaction_leaves_the_database_as_before(pg_cluster, pg_url, tmp_path):
    dbname = pg_url.rsplit("/", 1)[1]
    assert cli(pg_url, "ingest", str(SAMPLE)).returncode == 0
    before = pg_counts(pg_cluster, dbname)
    # a long report: its one transaction lasts long enough to be caught open from outside
    big = tmp_path / "peru-long.txt"
    big.write_text(SAMPLE.read_text(encoding="utf-8") * 6 + "\nA closing zqkillmarker paragraph.\n",
                   encoding="utf-8")
    child = subprocess.Popen([*CORROBORATE, "--db", pg_url, "ingest", str(big)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=NO_EMBEDDINGS)
    try:
        deadline = time.monotonic() + 300
        while pg_open_transactions(pg_cluster, dbname) == 0:
            assert child.poll() is None, f"ingest ended before its transaction was seen: {child.communicate()}"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    # the server notices the dead client and rolls its transaction back
    deadline = time.monotonic() + 60
    while pg_open_transactions(pg_cluster, dbname):
        assert time.monotonic() < deadline, "the killed ingest's transaction is still open"
        time.sleep(0.1)
    assert pg_counts(pg_cluster, dbname) == before
    again = cli(pg_url, "ingest", str(big))
    assert again.returncode == 0, again.stderr
    assert "peru-long" in report_rows(pg_url)
    found = cli(pg_url, "search", "zqkillmarker", "--mode", "lexical", "--json")
    assert [h["report_id"] for h in json.loads(found.stdout)["results"]] == ["peru-long"]
