"""Stores for concurrent readers (the web app): one writer connection that migrates the file and
keeps it in WAL mode, and a pool of read-only stores, each checked out by one request at a time.

No SQLite object is ever used by two threads at once: a request takes a store, uses it (from
whichever worker thread runs it) and gives it back. A PostgreSQL backend fits the same shape
(`psycopg_pool.ConnectionPool.connection()` per checkout).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corroborate.store.sqlite import SqliteStore


class StorePool:
    """Read-only `SqliteStore`s over one database file.

    A checkout never waits: it takes an idle store or opens a new one (~0.1 ms), so the pool
    cannot deadlock however the web server schedules requests; the caller bounds how many are
    checked out at once (the web app: `web.api.CONNECTIONS`). At most `max_idle` are kept
    between requests, so each keeps its page cache and index fingerprint warm.
    """

    def __init__(self, path: str | Path, max_idle: int = 16):
        self.path = str(path)
        self.max_idle = max_idle
        # Creates and migrates the file, switches it to WAL, and stays open so that the WAL
        # index (-shm) the read-only connections need exists for the life of the pool.
        self._writer = SqliteStore(self.path)
        self._idle: list[SqliteStore] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def store(self) -> Iterator[SqliteStore]:
        with self._lock:
            if self._closed:
                from corroborate.store.sqlite import StoreError

                raise StoreError(f"{self.path}: the store pool is closed")
            store = self._idle.pop() if self._idle else None
        if store is None:
            store = SqliteStore(self.path, readonly=True)
        try:
            yield store
        finally:
            self._give_back(store)

    def _give_back(self, store: SqliteStore) -> None:
        if store.conn.in_transaction:  # a reader left mid-statement: never reuse that state
            store.close()
            return
        with self._lock:
            if not self._closed and len(self._idle) < self.max_idle:
                self._idle.append(store)
                return
        store.close()

    @property
    def idle(self) -> int:
        return len(self._idle)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for store in idle:
            store.close()
        self._writer.close()
