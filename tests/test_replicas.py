"""Read routing over a real primary and a real streaming replica (pg_basebackup) on loopback."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
from psycopg.rows import dict_row

from corroborate.store.base import StoreError
from corroborate.store.replicas import ReplicaRouter, lsn_value, redact_url, replica_urls_from_env
from pg_fixtures import pg_port, scratch_folder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def replicated(pg_cluster):
    """(primary cluster, running replica, database name) with a `notes` table on both."""
    db = "routed"
    pg_cluster.create_database(db)
    pg_cluster.psql("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)", db)
    folder = scratch_folder("replica")
    replica = pg_cluster.replica(folder / "replica", pg_port(3)).start()
    yield pg_cluster, replica, db
    replica.destroy()
    shutil.rmtree(folder, ignore_errors=True)


def where(conn) -> str:
    return "replica" if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0] else "primary"


def count_notes(conn) -> int:
    return conn.execute("SELECT count(*) FROM notes").fetchone()[0]


def test_reads_go_to_the_replica_and_writes_to_the_primary(replicated):
    primary, replica, db = replicated
    with ReplicaRouter(primary.url(db), [replica.url(db)]) as router:
        assert router.in_rotation() == [replica.url(db)]
        assert router.read(where) == "replica"
        assert router.read(where, fresh=True) == "primary"
        assert router.write(where) == "primary"
        before = router.read(count_notes, fresh=True)
        router.write(lambda c: c.execute("INSERT INTO notes (body) VALUES ('written on the primary')"))
        replica.wait_replayed()
        # the write reached the replica by streaming replication, and a read is served there
        assert router.read(lambda c: (where(c), count_notes(c))) == ("replica", before + 1)
        assert replica.psql("SELECT count(*) FROM notes WHERE body = 'written on the primary'", db) == "1"


def test_a_read_right_after_a_write_sees_it(replicated):
    primary, replica, db = replicated
    served = {"replica": 0, "primary": 0}
    with ReplicaRouter(primary.url(db), [replica.url(db)]) as router:
        for i in range(60):
            body = f"read-your-writes {i}"
            router.write(lambda c, body=body: c.execute("INSERT INTO notes (body) VALUES (%s)", (body,)))
            node, seen = router.read(lambda c, body=body: (
                where(c), c.execute("SELECT count(*) FROM notes WHERE body = %s", (body,)).fetchone()[0]))
            assert seen == 1, f"write {i} not visible to the next read (served by the {node})"
            served[node] += 1
    # both routes were really taken: a lagging replica sends the read to the primary
    assert served["primary"] + served["replica"] == 60


def test_a_failed_write_leaves_nothing(replicated):
    primary, _replica, db = replicated
    with ReplicaRouter(primary.url(db)) as router:
        before = router.read(count_notes)

        def half_then_fail(conn):
            conn.execute("INSERT INTO notes (body) VALUES ('half')")
            raise RuntimeError("ingest failed half-way")

        with pytest.raises(RuntimeError, match="half-way"):
            router.write(half_then_fail)
        assert router.read(count_notes) == before


def test_killing_the_replica_during_reads_fails_none(replicated):
    primary, replica, db = replicated
    with ReplicaRouter(primary.url(db), [replica.url(db)], retry_after_s=1.0) as router:
        expected = router.read(count_notes, fresh=True)
        stop = threading.Event()
        failures: list[BaseException] = []
        served: dict[str, int] = {"replica": 0, "primary": 0}
        lock = threading.Lock()

        def reader() -> None:
            while not stop.is_set():
                try:
                    node, n = router.read(lambda c: (where(c), count_notes(c)))
                    assert n == expected, f"{node} answered {n} notes, expected {expected}"
                    with lock:
                        served[node] += 1
                except BaseException as exc:  # every failed read counts, whatever it is
                    failures.append(exc)

        threads = [threading.Thread(target=reader) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(1.0)
            on_replica_before_kill = served["replica"]
            replica.kill()
            time.sleep(1.5)
            after_kill = dict(served)
            assert router.in_rotation() == []
            time.sleep(0.5)
            assert served["primary"] > after_kill["primary"], "reads stopped after the replica died"
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        assert failures == [], f"{len(failures)} failed reads, first: {failures[:1]!r}"
        assert on_replica_before_kill > 0

        # back after retry_after_s: reads return to it
        replica.start()
        replica.wait_replayed()
        deadline = time.monotonic() + 30
        while router.read(where) != "replica":
            assert time.monotonic() < deadline, "the restarted replica never came back into rotation"
            time.sleep(0.2)
        assert router.in_rotation() == [replica.url(db)]


def test_a_replica_down_at_start_is_skipped_at_once(replicated):
    primary, _replica, db = replicated
    dead = f"postgresql://corroborate@127.0.0.1:{pg_port(8)}/{db}"
    started = time.monotonic()
    with ReplicaRouter(primary.url(db), [dead], retry_after_s=60) as router:
        assert router.in_rotation() == []
        assert [router.read(where) for _ in range(5)] == ["primary"] * 5
    assert time.monotonic() - started < 20


def test_an_unreachable_primary_is_a_store_error():
    with pytest.raises(StoreError, match="cannot connect to the PostgreSQL primary"):
        ReplicaRouter(f"postgresql://someone:secret@127.0.0.1:{pg_port(7)}/nothing").close()


def test_replica_urls_from_the_environment():
    env = {"CORROBORATE_DB_REPLICAS": " postgresql://a@h1/db , ,postgresql://b@h2:5433/db"}
    assert replica_urls_from_env(env) == ["postgresql://a@h1/db", "postgresql://b@h2:5433/db"]
    assert replica_urls_from_env({}) == []
    with pytest.raises(StoreError, match=r"\*\*\*.*not a postgresql:// URL"):
        replica_urls_from_env({"CORROBORATE_DB_REPLICAS": "mysql://u:pw@h/db"})
    assert redact_url("postgresql://u:pw@h:5/db") == "postgresql://u:***@h:5/db"
    assert lsn_value("1/0") > lsn_value("0/FFFFFFFF")


def test_autocommit_dict_row_connections_as_the_postgres_store_uses_them(replicated):
    primary, replica, db = replicated
    kwargs = {"autocommit": True, "row_factory": dict_row}
    with ReplicaRouter(primary.url(db), [replica.url(db)], connect_kwargs=kwargs) as router:
        with router.primary() as conn, conn.transaction():
            conn.execute("INSERT INTO notes (body) VALUES ('in a store transaction')")
            conn.execute("INSERT INTO notes (body) VALUES ('and a second write')")
        row = router.read(lambda c: c.execute(
            "SELECT count(*) AS n, pg_is_in_recovery() AS standby FROM notes "
            "WHERE body IN ('in a store transaction', 'and a second write')").fetchone())
        assert row["n"] == 2  # read-your-writes, whichever node answered
        replica.wait_replayed()
        assert router.read(lambda c: c.execute("SELECT pg_is_in_recovery() AS standby").fetchone()) == \
            {"standby": True}
        with pytest.raises(RuntimeError), router.primary() as conn, conn.transaction():
            conn.execute("INSERT INTO notes (body) VALUES ('rolled back')")
            raise RuntimeError("mid-transaction")
        assert router.read(lambda c: c.execute(
            "SELECT count(*) AS n FROM notes WHERE body = 'rolled back'").fetchone(), fresh=True) == {"n": 0}


def test_library_searches_on_the_replica_and_survives_its_death(replicated, monkeypatch, tmp_path):
    """The PostgreSQL store itself: with CORROBORATE_DB_REPLICAS set, searches are served by the
    replica; killing it during four threads of searches fails none of them."""
    from conftest import SAMPLE, SAMPLE_ID
    from corroborate import Library
    from corroborate.settings import Settings
    from corroborate.store.postgres import PostgresStore

    primary, replica, _db = replicated
    db = "routed_library"
    url = primary.create_database(db)
    with Library(url, settings=Settings(embeddings=False)) as lib:
        lib.ingest(SAMPLE)
        expected = [h["paragraph_id"] for h in lib.search("extortion of small businesses", mode="lexical")["results"]]
    assert expected
    replica.wait_replayed()
    monkeypatch.setenv("CORROBORATE_DB_REPLICAS", replica.url(db))

    with Library(url, settings=Settings(embeddings=False)) as lib:
        assert [h["paragraph_id"] for h in lib.search("extortion of small businesses", mode="lexical")["results"]] \
            == expected
        # Reads really come from the replica: with its replay paused, a report another process
        # writes on the primary is not (yet) in this library's answers, and is once replay resumes.
        replica.psql("SELECT pg_wal_replay_pause()")
        try:
            with Library(url, settings=Settings(embeddings=False), store=PostgresStore(url, replicas=[])) as other:
                variant = tmp_path / "written-elsewhere.txt"
                variant.write_text(SAMPLE.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
                assert other.ingest(variant).status == "added"
            assert [r["id"] for r in lib.reports()] == [SAMPLE_ID]
        finally:
            replica.psql("SELECT pg_wal_replay_resume()")
        replica.wait_replayed()
        assert sorted(r["id"] for r in lib.reports()) == sorted([SAMPLE_ID, "written-elsewhere"])
        expected = [h["paragraph_id"] for h in lib.search("extortion of small businesses", mode="lexical")["results"]]

        stop = threading.Event()
        failures: list[BaseException] = []
        answered = [0]

        def searcher() -> None:
            while not stop.is_set():
                try:
                    got = [h["paragraph_id"] for h in
                           lib.search("extortion of small businesses", mode="lexical")["results"]]
                    assert got == expected
                    answered[0] += 1
                except BaseException as exc:
                    failures.append(exc)

        threads = [threading.Thread(target=searcher) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(1.0)
            replica.kill()
            time.sleep(2.0)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=120)
        assert failures == [], f"{len(failures)} failed searches, first: {failures[:1]!r}"
        assert answered[0] > 0 and lib.store._router.in_rotation() == []
    replica.start()
    replica.wait_replayed()
