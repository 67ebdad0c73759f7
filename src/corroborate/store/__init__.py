"""Persistence. All SQL lives in this package so that a second backend (PostgreSQL) can be
added beside `sqlite.py` without touching the pipeline."""

from corroborate.store.pool import StorePool
from corroborate.store.sqlite import SCHEMA_VERSION, SqliteStore, StoreError, connect

__all__ = ["SCHEMA_VERSION", "SqliteStore", "StoreError", "StorePool", "connect", "open_pool", "open_store"]


def open_store(path: str) -> SqliteStore:
    return SqliteStore(path)


def open_pool(path: str) -> StorePool:
    """Read-only stores for concurrent requests (see `StorePool`)."""
    return StorePool(path)
