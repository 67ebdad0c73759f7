"""The store test-suite's backends: each test taking `backend_db` or `backend_store` runs once on a SQLite
file and once on a fresh PostgreSQL database of the session's cluster (tests/pg_fixtures.py:
skipped without PostgreSQL's binaries, failed instead under CORROBORATE_REQUIRE_PG=1)."""

from __future__ import annotations

import itertools
import os

import pytest

from corroborate import Library
from corroborate.settings import Settings
from corroborate.store import open_store

BACKENDS = ("sqlite", "postgres")
_copies = itertools.count(1)


@pytest.fixture(params=BACKENDS)
def backend_db(request, tmp_path) -> str:
    """An empty database: a SQLite file path or a postgresql:// URL."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def backend_store(backend_db):
    s = open_store(backend_db)
    yield s
    s.close()


@pytest.fixture(scope="session")
def pg_sample_template(pg_cluster) -> str:
    """The name of a database holding the sample (ingested once, with embeddings) that nothing
    stays connected to: PostgreSQL copies it in a moment (CREATE DATABASE … TEMPLATE)."""
    from conftest import SAMPLE

    name = f"sample_template_{os.getpid()}"
    with Library(pg_cluster.create_database(name), settings=Settings(e5=True)) as lib:
        lib.ingest(SAMPLE)
    return name


def pg_sample_copy(pg_cluster, template: str) -> str:
    name = f"sample_{os.getpid()}_{next(_copies)}"
    pg_cluster.psql(f"CREATE DATABASE {name} TEMPLATE {template}")
    return pg_cluster.url(name)


@pytest.fixture(scope="session")
def pg_sample_db(pg_cluster, pg_sample_template) -> str:
    """The sample in a PostgreSQL database, for reading only (a copy of the template)."""
    return pg_sample_copy(pg_cluster, pg_sample_template)


@pytest.fixture(params=BACKENDS)
def sample_backend_db(request) -> str:
    """A private, writable copy of the ingested sample: a SQLite file or a PostgreSQL database."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sample_db"))
    return pg_sample_copy(request.getfixturevalue("pg_cluster"), request.getfixturevalue("pg_sample_template"))


@pytest.fixture(scope="session")
def backend_samples(request) -> dict[str, str]:
    """{backend: database} holding the sample; PostgreSQL's only where a cluster can run."""
    out = {"sqlite": str(request.getfixturevalue("sample_db_master"))}
    out["postgres"] = request.getfixturevalue("pg_sample_db")
    return out


@pytest.fixture(scope="module", params=BACKENDS)
def sample_backend_lib(request):
    """A read-only Library over the ingested sample, on each backend in turn."""
    fixture = "sample_db_master" if request.param == "sqlite" else "pg_sample_db"
    lib = Library(str(request.getfixturevalue(fixture)))
    yield lib
    lib.close()
