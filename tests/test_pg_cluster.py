"""The scratch PostgreSQL cluster helper (store/pg_cluster.py) on Debian's real binaries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corroborate.store.pg_cluster import PgCluster, PgClusterError, missing_binaries
from pg_fixtures import pg_port, require_postgres, scratch_folder


def test_missing_binaries_names_the_folder_and_the_package(tmp_path):
    reason = missing_binaries(tmp_path)
    assert reason is not None
    assert str(tmp_path) in reason and "initdb" in reason and "apt-get install postgresql" in reason


def test_cluster_serves_sql_on_loopback_with_its_socket_in_its_folder(pg_cluster):
    url = pg_cluster.create_database("cluster_smoke")
    assert url == f"postgresql://corroborate@127.0.0.1:{pg_cluster.port}/cluster_smoke"
    pg_cluster.psql("CREATE TABLE t (x int); INSERT INTO t VALUES (41), (1)", "cluster_smoke")
    assert pg_cluster.psql("SELECT sum(x) FROM t", "cluster_smoke") == "42"
    assert (pg_cluster.root / f".s.PGSQL.{pg_cluster.port}").is_socket()
    assert pg_cluster.psql("SHOW listen_addresses") == "127.0.0.1"
    # unaccent ships with Debian's server package: the PostgreSQL store's lexical search needs it
    pg_cluster.psql("CREATE EXTENSION IF NOT EXISTS unaccent", "cluster_smoke")
    assert pg_cluster.psql("SELECT unaccent('Perú')", "cluster_smoke") == "Peru"


def test_second_cluster_on_a_taken_port_is_refused(pg_cluster):
    other = PgCluster(root=scratch_folder("taken"), port=pg_cluster.port)
    try:
        other.init()
        with pytest.raises(PgClusterError, match=f"port {pg_cluster.port}.*in use"):
            other.start()
    finally:
        other.destroy()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the folder to the postgres user")
def test_folder_the_server_user_cannot_reach_is_a_clear_error(tmp_path):
    require_postgres()
    # pytest's own temp folders are mode 0700 under root: the server user cannot enter them
    with pytest.raises(PgClusterError, match="cannot reach this folder"):
        PgCluster(root=tmp_path / "pg", port=pg_port(9)).init()


@pytest.mark.slow
def test_replica_follows_the_primary_and_recovers_after_a_kill(pg_cluster):
    url = pg_cluster.create_database("replicated")
    pg_cluster.psql("CREATE TABLE notes (body text); INSERT INTO notes VALUES ('before')", "replicated")
    folder = scratch_folder("replica")
    replica = pg_cluster.replica(folder / "replica", pg_port(1))
    try:
        replica.start()
        assert replica.psql("SELECT pg_is_in_recovery()") == "t"
        pg_cluster.psql("INSERT INTO notes VALUES ('after the copy')", "replicated")
        replica.wait_replayed()
        assert replica.psql("SELECT string_agg(body, ',' ORDER BY body) FROM notes", "replicated") == \
            "after the copy,before"
        with pytest.raises(PgClusterError, match="read-only transaction"):
            replica.psql("INSERT INTO notes VALUES ('on the replica')", "replicated")

        replica.kill()
        assert not replica.is_running()
        pg_cluster.psql("INSERT INTO notes VALUES ('while it was down')", "replicated")
        replica.start()  # crash recovery, then it streams what it missed
        replica.wait_replayed()
        assert replica.psql("SELECT count(*) FROM notes", "replicated") == "3"
        assert url.endswith("/replicated")
    finally:
        replica.destroy()
        shutil.rmtree(folder, ignore_errors=True)


def test_stop_then_start_keeps_the_data(tmp_path):
    require_postgres()
    cluster = PgCluster(root=Path(scratch_folder("restart")), port=pg_port(2)).init().start()
    try:
        cluster.create_database("kept")
        cluster.psql("CREATE TABLE k (v text); INSERT INTO k VALUES ('kept')", "kept")
        cluster.stop()
        assert not cluster.is_running()
        cluster.start()
        assert cluster.psql("SELECT v FROM k", "kept") == "kept"
        with pytest.raises(PgClusterError, match="already holds a cluster"):
            cluster.init()
    finally:
        cluster.destroy()
    assert not cluster.root.exists()


@pytest.mark.slow
def test_pg_dev_starts_reports_and_stops_a_cluster_in_a_folder():
    require_postgres()
    folder = scratch_folder("pg-dev") / "pg"
    script = [sys.executable, str(Path(__file__).parent.parent / "scripts" / "pg-dev")]
    port = pg_port(4)
    try:
        started = subprocess.run([*script, "start", "--dir", str(folder), "--port", str(port)],
                                 capture_output=True, text=True, timeout=300)
        assert started.returncode == 0, started.stderr
        url = f"postgresql://corroborate@127.0.0.1:{port}/corroborate"
        assert started.stdout.strip() == f"export CORROBORATE_DB={url}"
        cluster = PgCluster(root=folder / "primary", port=port)
        assert cluster.psql("SELECT current_database()", "corroborate") == "corroborate"
        again = subprocess.run([*script, "start", "--dir", str(folder)], capture_output=True, text=True,
                               timeout=300)
        assert again.returncode == 0 and url in again.stdout  # idempotent, remembers its port
        subprocess.run([*script, "stop", "--dir", str(folder)], check=True, capture_output=True, timeout=300)
        stopped = subprocess.run([*script, "status", "--dir", str(folder)], capture_output=True, text=True)
        assert stopped.returncode == 3 and "primary: stopped" in stopped.stdout
    finally:
        subprocess.run([*script, "destroy", "--dir", str(folder)], capture_output=True, timeout=300)
    assert not folder.exists()


def test_pg_dev_without_binaries_says_what_to_install(tmp_path):
    script = [sys.executable, str(Path(__file__).parent.parent / "scripts" / "pg-dev")]
    env = {**os.environ, "CORROBORATE_PG_BIN": str(tmp_path)}
    done = subprocess.run([*script, "start", "--dir", str(tmp_path / "pg")], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 1 and "apt-get install postgresql" in done.stderr and not done.stdout
    assert "Traceback" not in done.stderr and not (tmp_path / "pg").exists()
