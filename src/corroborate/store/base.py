"""The store protocol: everything the library, search, audit and users need from storage.

Two backends implement it: `SqliteStore` (one file, the embedded default) and `PostgresStore`
(a server database many processes share). Nothing outside `store/` sees a connection, SQL or a
full-text dialect: search hands over the *parsed* query (`search.query.ParsedQuery`) and each
backend translates it into its own index language (`sqlite_fts`, `postgres_fts`).

Conventions every backend keeps:
- A paragraph is named inside the store by an integer `pk`, stable until its report is deleted
  or replaced; search results, facets and vectors are keyed by it.
- Writes happen in `transaction()`; one opened inside another joins the outer one, so a caller
  can make several writes (a user and its audit-log line) atomic.
- Lexical scores are "larger is better" and non-negative; their scale is the backend's own
  (BM25, ts_rank_cd): callers use ranks or scores relative to the best hit, never raw values.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from corroborate.models import GlossaryEntry, Report, Source

if TYPE_CHECKING:
    from corroborate.search.query import ParsedQuery


class StoreError(Exception):
    """A database that cannot be opened or used: names the database and the problem."""


# Report fields a user may correct after ingest (`report set`), as stored in `reports`.
EDITABLE_METADATA = ("title", "country", "publisher", "document_type", "published", "language")


@dataclass(frozen=True)
class ParagraphFilter:
    """Which paragraphs a search may return. `since`, `published_from` and `published_to` are
    full ISO dates (YYYY-MM-DD); the others match exactly (publisher ignoring case).

    Report metadata: country, publisher, document_type, language, published_from/_to (the
    report's publication date, else its information cut-off). Citations: source_type, since,
    source (a source id), source_language; one citation of the paragraph must match them all.
    """

    report: str | None = None
    section: str | None = None
    source_type: str | None = None
    since: str | None = None
    country: str | None = None
    publisher: str | None = None
    document_type: str | None = None
    language: str | None = None
    published_from: str | None = None
    published_to: str | None = None
    source: str | None = None
    source_language: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in vars(self).values())


def like_prefix(text: str) -> str:
    """A LIKE pattern (with `ESCAPE '\\'`) matching strings that start with `text` literally:
    a user's `%` or `_` is a character to find, never a wildcard."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@runtime_checkable
class Store(Protocol):
    """The evidence base and its users, whatever database holds them."""

    # Names the database in messages and keys per-database caches (a file path, or a
    # postgresql:// URL without its password).
    path: str

    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[None]:
        """Writes inside are committed together or not at all; nests (joins the outer one)."""
        ...

    def derived_path(self, name: str) -> Path | None:
        """Where arrays derived from this database (vectors, vocabulary) may be cached, or None."""
        ...

    # --- reports ---------------------------------------------------------------------------
    def find_by_hash(self, source_hash: str) -> str | None: ...
    def family_ids(self, family: str) -> list[str]: ...
    def next_version(self, family: str) -> int: ...

    def save_report(self, report: Report, family: str, sources: list[Source],
                    embeddings: list[bytes] | None = None, replace_ids: list[str] | None = None) -> None:
        """Write `report` with its index in one transaction, first dropping `replace_ids`.
        `embeddings`: one float32 vector (bytes) per paragraph in `report.paragraphs()` order."""
        ...

    def delete_report(self, report_id: str) -> bool: ...
    def list_reports(self, report_id: str | None = None) -> list[dict]: ...
    def report_ids(self) -> list[str]: ...
    def report_exists(self, report_id: str) -> bool: ...
    def report_pk(self, report_id: str) -> int | None: ...
    def set_report_metadata(self, report_id: str, values: dict[str, str | None]) -> bool: ...
    def load_report(self, report_id: str) -> Report | None: ...
    def load_excerpt(self, report_id: str, paragraph_ids: list[str]) -> Report | None: ...
    def paragraph_text(self, report_id: str, paragraph_id: str) -> str | None: ...
    def contents_key(self) -> str: ...
    def texts_naming(self, names: list[str]) -> tuple[list[str], list[GlossaryEntry]]: ...

    # --- sources ---------------------------------------------------------------------------
    def list_sources(self, report_id: str | None = None, source_type: str | None = None) -> list[dict]: ...
    def get_source(self, source_id: str) -> Source | None: ...
    def get_sources(self, source_ids: list[str]) -> dict[str, Source]: ...
    def source_citations(self, source_id: str) -> list[dict]: ...
    def set_confidential(self, source_id: str, confidential: bool) -> bool: ...
    def confidential_sources(self) -> list[Source]: ...

    # --- search ----------------------------------------------------------------------------
    def lexical_search(self, q: ParsedQuery, limit: int, f: ParagraphFilter | None = None,
                       relaxed: bool = False) -> list[tuple[int, float]]:
        """(paragraph pk, score) best first. Strict: every clause of `q` matches; `relaxed`:
        its phrases and any one of its other clauses (`q.relaxable` says whether that differs).
        Exclusions hold in both."""
        ...

    def term_in_index(self, token: str, stem: bool = True) -> bool:
        """Whether a folded word (or, with `stem`, a word sharing its truncation stem) occurs."""
        ...

    def term_document_counts(self) -> tuple[list[str], np.ndarray, int]:
        """(index terms sorted, cumulative paragraph counts, paragraph count): one full scan."""
        ...

    def filtered_pks(self, f: ParagraphFilter) -> np.ndarray: ...
    def section_exists(self, section: str, report: str | None) -> bool: ...
    def paragraphs_by_pk(self, pks: list[int]) -> dict[int, dict]: ...
    def paragraph_texts(self, pks: list[int]) -> dict[int, str]: ...
    def footnotes_for(self, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], dict]: ...
    def facet_counts(self, pks: list[int]) -> dict[str, list[dict]]: ...
    def index_fingerprint(self) -> str:
        """Changes whenever a report is added, replaced or deleted, or embeddings change."""
        ...

    def approximate_size(self) -> int: ...
    def load_vectors(self, dim: int) -> tuple[np.ndarray, np.ndarray]: ...
    def report_paragraph_vectors(self, report_id: str, dim: int) -> tuple[list[str], np.ndarray]: ...

    # --- users, sessions, audit log (secrets arrive already hashed) -------------------------
    def add_user(self, name: str, role: str, token_hash: str, token_expires: str) -> None: ...
    def get_user(self, name: str) -> dict | None: ...
    def user_by_token(self, token_hash: str) -> dict | None: ...
    def list_users(self) -> list[dict]: ...
    def count_users(self) -> int: ...
    def remove_user(self, name: str) -> bool: ...
    def set_token(self, name: str, token_hash: str, token_expires: str) -> bool: ...
    def set_password(self, name: str, password_hash: str) -> bool: ...
    def add_session(self, token_hash: str, user_name: str, expires: str) -> None: ...
    def session_user(self, token_hash: str) -> dict | None: ...
    def end_session(self, token_hash: str) -> None: ...
    def log(self, user: str, role: str, action: str, target: str | None, detail: str | None) -> None: ...
    def read_log(self, limit: int = 100, user: str | None = None) -> list[dict]: ...


class StorePoolProtocol(Protocol):
    """Stores for concurrent requests: `with pool.store() as s:` gives one request a store."""

    def store(self) -> AbstractContextManager[Store]: ...
    def close(self) -> None: ...


__all__ = ["EDITABLE_METADATA", "ParagraphFilter", "Store", "StoreError", "StorePoolProtocol",
           "like_prefix"]
