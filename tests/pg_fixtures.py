"""A real PostgreSQL 15 cluster for the tests, started once per session (store/pg_cluster.py).

Without Debian's server binaries the PostgreSQL tests are skipped with the reason, unless
CORROBORATE_REQUIRE_PG=1 (CI sets it): then they fail, so a CI that lost its PostgreSQL cannot
pass green. CORROBORATE_PG_PORT picks the first port to use (the cluster takes it, a replica the
next); by default the kernel picks free ones.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from corroborate.store.pg_cluster import PgCluster, free_port, missing_binaries

REQUIRE_PG = os.environ.get("CORROBORATE_REQUIRE_PG") == "1"
_database_numbers = itertools.count(1)


def require_postgres() -> None:
    """Skip (or, under CORROBORATE_REQUIRE_PG=1, fail) when no cluster can be made here."""
    reason = missing_binaries()
    if reason is None:
        return
    if REQUIRE_PG:
        pytest.fail(f"CORROBORATE_REQUIRE_PG=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pg_port(offset: int) -> int:
    base = os.environ.get("CORROBORATE_PG_PORT")
    return int(base) + offset if base else free_port()


def scratch_folder(label: str) -> Path:
    # Not pytest's tmp_path: /tmp/pytest-of-root is mode 0700, and as root the server runs as the
    # `postgres` user, which must reach its folder.
    folder = Path(tempfile.mkdtemp(prefix=f"corroborate-{label}-"))
    folder.chmod(0o755)
    return folder


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A running primary for the whole session; each test takes its own database (`pg_url`)."""
    require_postgres()
    cluster = PgCluster(root=scratch_folder("pg"), port=pg_port(0)).init().start()
    yield cluster
    cluster.destroy()


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """A new, empty database on the session's cluster: `postgresql://corroborate@127.0.0.1:PORT/tNNN`."""
    return pg_cluster.create_database(f"t{os.getpid()}_{next(_database_numbers)}")
