"""Persistence behind one protocol (`base.Store`): SQLite (`sqlite.py`, the embedded default)
and PostgreSQL (`postgres.py`, for a server many processes share). All SQL lives in this
package; `open_store` picks the backend from the database name."""

from corroborate.store.base import EDITABLE_METADATA, ParagraphFilter, Store, StoreError, StorePoolProtocol
from corroborate.store.pool import StorePool
from corroborate.store.sqlite import SCHEMA_VERSION, SqliteStore, connect

__all__ = ["EDITABLE_METADATA", "SCHEMA_VERSION", "ParagraphFilter", "SqliteStore", "Store", "StoreError",
           "StorePool", "connect", "is_postgres", "open_pool", "open_store"]


def is_postgres(db: str) -> bool:
    """Whether `db` names a PostgreSQL database (a postgresql:// or postgres:// URL)."""
    return str(db).startswith(("postgresql://", "postgres://"))


def open_store(db: str) -> Store:
    """The store of `db`: a SQLite file path, or a postgresql://user@host:port/name URL."""
    if is_postgres(db):
        from corroborate.store.postgres import PostgresStore

        return PostgresStore(db)
    return SqliteStore(db)


def open_pool(db: str) -> StorePoolProtocol:
    """Stores for concurrent requests (the web app): read-only pooled SQLite stores, or one
    PostgresStore whose connection pool its threads share."""
    if is_postgres(db):
        from corroborate.store.postgres import PostgresPool

        return PostgresPool(db)
    return StorePool(db)
