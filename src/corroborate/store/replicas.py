"""Where a PostgreSQL statement runs: writes on the primary, reads on a streaming replica.

`CORROBORATE_DB` names the primary, `CORROBORATE_DB_REPLICAS=url1,url2` its hot standbys. The
router keeps one `psycopg_pool.ConnectionPool` per node and:

- runs every write on the primary, in one transaction, and remembers the WAL position it reached;
- runs a read on the next replica in rotation that has replayed that position (read-your-writes:
  this process never reads older data than it wrote), otherwise on the primary;
- when a replica connection breaks (the server died, was shut down, the network went), drops that
  replica from rotation and re-runs the read on the next node, finally the primary: the caller
  sees no failed read. The dropped replica is probed again after `retry_after_s`.

Reads are functions of a connection (`read(work)`), not blocks, so that a read interrupted by a
dying replica can be run again elsewhere: a read must not write (it may run twice).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import tuple_row
from psycopg_pool import ConnectionPool, PoolTimeout

from corroborate.store.base import StoreError

T = TypeVar("T")
log = logging.getLogger(__name__)

REPLICAS_ENV = "CORROBORATE_DB_REPLICAS"
PROBE_TIMEOUT_S = 2  # libpq connect_timeout when checking whether a replica is back
CHECKOUT_TIMEOUT_S = 10.0  # waiting for a free pooled connection before trying the next node


def replica_urls_from_env(environ: dict[str, str] | None = None) -> list[str]:
    """The replica URLs in CORROBORATE_DB_REPLICAS (comma-separated; blanks ignored)."""
    raw = (environ if environ is not None else os.environ).get(REPLICAS_ENV, "")
    urls = [u.strip() for u in raw.split(",") if u.strip()]
    for url in urls:
        if not url.startswith(("postgresql://", "postgres://")):
            raise StoreError(f"{REPLICAS_ENV}: {redact_url(url)!r} is not a postgresql:// URL")
    return urls


def redact_url(url: str) -> str:
    """The URL without its password, for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def lsn_value(lsn: str) -> int:
    """A `pg_lsn` text ('16/B374D848') as a comparable integer."""
    high, low = lsn.split("/")
    return (int(high, 16) << 32) | int(low, 16)


@dataclass
class _Replica:
    url: str
    pool: ConnectionPool | None = None
    down_since: float | None = None  # None while in rotation
    replayed: int = 0  # highest replay position seen on it: skips the check when it is enough
    probing: bool = field(default=False)


class ReplicaRouter:
    """Connection pools for one primary and its replicas (see the module doc)."""

    def __init__(self, primary_url: str, replica_urls: Sequence[str] = (), *, max_size: int = 10,
                 retry_after_s: float = 5.0, connect_kwargs: dict | None = None):
        """`connect_kwargs` go to every connection (e.g. `autocommit`, `row_factory`)."""
        self.primary_url = primary_url
        self._kwargs = {"connect_timeout": PROBE_TIMEOUT_S, **(connect_kwargs or {})}
        self.max_size = max_size
        self.retry_after_s = retry_after_s
        self._lock = threading.Lock()
        self._turn = itertools.count()
        self._written = 0  # WAL position after this process's last write
        self._closed = False
        self._primary = self._pool(primary_url, "primary")
        try:
            self._primary.wait(timeout=CHECKOUT_TIMEOUT_S)
        except PoolTimeout:
            self._primary.close()
            raise StoreError(f"{redact_url(primary_url)}: cannot connect to the PostgreSQL primary") from None
        self._replicas = [_Replica(url) for url in replica_urls]
        for replica in self._replicas:
            self._bring_up(replica)

    def _pool(self, url: str, name: str) -> ConnectionPool:
        return ConnectionPool(url, min_size=1, max_size=self.max_size, name=name, open=True,
                              timeout=CHECKOUT_TIMEOUT_S, kwargs=self._kwargs)

    # -- replica health ---------------------------------------------------------------------
    def _bring_up(self, replica: _Replica) -> None:
        """Probe a replica with one short connection; pool it if it answers as a standby."""
        try:
            with psycopg.connect(replica.url, connect_timeout=PROBE_TIMEOUT_S) as conn:
                standby = conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        except psycopg.Error as exc:
            self._mark_down(replica, f"unreachable ({type(exc).__name__})")
            return
        if not standby:
            # A promoted ex-replica takes writes nobody routes through it: never read from it.
            self._mark_down(replica, "not in recovery (promoted?)")
            return
        pool = self._pool(replica.url, f"replica-{self._replicas.index(replica)}")
        with self._lock:
            replica.pool, replica.down_since, replica.replayed = pool, None, 0

    def _mark_down(self, replica: _Replica, why: str) -> None:
        with self._lock:
            pool, replica.pool = replica.pool, None
            if replica.down_since is None:
                log.warning("replica %s out of rotation: %s", redact_url(replica.url), why)
            replica.down_since = time.monotonic()
        if pool is not None:  # its workers may be stuck connecting: never make a read wait for them
            threading.Thread(target=pool.close, kwargs={"timeout": PROBE_TIMEOUT_S + 1}, daemon=True).start()

    def _candidates(self) -> list[_Replica]:
        """Replicas in rotation, starting with the next one's turn; probes those due a retry."""
        due: list[_Replica] = []
        now = time.monotonic()
        with self._lock:
            for replica in self._replicas:
                if (replica.down_since is not None and not replica.probing
                        and now - replica.down_since >= self.retry_after_s):
                    replica.probing = True
                    due.append(replica)
        for replica in due:
            try:
                self._bring_up(replica)
            finally:
                replica.probing = False
        with self._lock:
            live = [r for r in self._replicas if r.pool is not None]
        if not live:
            return []
        start = next(self._turn) % len(live)
        return live[start:] + live[:start]

    def in_rotation(self) -> list[str]:
        """URLs (redacted) of the replicas reads may go to now."""
        with self._lock:
            return [redact_url(r.url) for r in self._replicas if r.pool is not None]

    # -- reads and writes -------------------------------------------------------------------
    def read(self, work: Callable[[psycopg.Connection], T], *, fresh: bool = False) -> T:
        """`work(conn)` on a replica that has this process's writes, else on the primary."""
        if not fresh:
            for replica in self._candidates():
                outcome = self._read_on(replica, work)
                if outcome is not _MISSED:
                    return outcome  # type: ignore[return-value]
        with self._primary.connection() as conn:
            return work(conn)

    def _read_on(self, replica: _Replica, work: Callable[[psycopg.Connection], T]) -> T | object:
        pool = replica.pool
        if pool is None:
            return _MISSED
        conn: psycopg.Connection | None = None
        try:
            with pool.connection() as conn:
                if replica.replayed < self._written:
                    row = conn.cursor(row_factory=tuple_row).execute("SELECT pg_last_wal_replay_lsn()").fetchone()
                    replica.replayed = lsn_value(row[0]) if row and row[0] else 0
                    if replica.replayed < self._written:
                        return _MISSED  # lagging behind our own write: the primary has it
                return work(conn)
        except PoolTimeout:
            return _MISSED  # every pooled connection busy: the next node takes this read
        except pg_errors.SerializationFailure:
            return _MISSED  # cancelled by a conflict with WAL replay: harmless, read elsewhere
        except psycopg.OperationalError as exc:
            if conn is not None and not conn.broken:
                raise  # e.g. the caller's statement timeout: it would fail on any node
            self._mark_down(replica, f"{type(exc).__name__}: {str(exc).strip()[:200]}")
            return _MISSED

    def write(self, work: Callable[[psycopg.Connection], T]) -> T:
        """`work(conn)` in one transaction on the primary (rolled back if it raises)."""
        with self._primary.connection() as conn:
            with conn.transaction():
                result = work(conn)
            self._note_written(conn)
        return result

    @contextmanager
    def primary(self) -> Iterator[psycopg.Connection]:
        """A primary connection for work that manages its own transactions (migrations, a
        store's `transaction()`); what the block leaves uncommitted is committed at its end,
        unless it raised. Later reads in this process see what it wrote."""
        with self._primary.connection() as conn:
            yield conn
            if not conn.broken:
                self._note_written(conn)

    def _note_written(self, conn: psycopg.Connection) -> None:
        row = conn.cursor(row_factory=tuple_row).execute("SELECT pg_current_wal_insert_lsn()").fetchone()
        conn.commit()
        position = lsn_value(row[0])
        with self._lock:
            self._written = max(self._written, position)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pools = [r.pool for r in self._replicas if r.pool is not None]
            for replica in self._replicas:
                replica.pool = None
        for pool in pools:
            pool.close()
        self._primary.close()

    def __enter__(self) -> ReplicaRouter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_MISSED = object()  # a read that did not happen on that node: try the next

