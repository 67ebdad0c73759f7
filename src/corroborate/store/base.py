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
- Lexical scores are "larger is better" and non-negative; both backends give BM25 (FTS5's
  formula), but callers use ranks or scores relative to the best hit, never raw values.
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
                    embeddings: list[bytes] | None = None, replace_ids: list[str] | None = None,
                    e5: list[bytes] | None = None) -> None:
        """Write `report` with its index in one transaction, first dropping `replace_ids`.
        The search index holds `report.searchable_paragraphs()`, not the entries of the report's
        own lists of sources. `embeddings`: one float32 vector (bytes) per such paragraph, in
        that order; `e5`: the second encoder's vectors (search/e5.py) in the same order, or None."""
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

    def term_in_index(self, token: str, stem: bool = True, stem_length: int | None = None) -> bool:
        """Whether a folded word (or, with `stem`, a word sharing its first `stem_length` letters,
        five by default) occurs."""
        ...

    def term_document_counts(self) -> tuple[list[str], np.ndarray, int]:
        """(index terms sorted, cumulative paragraph counts, paragraph count): one full scan."""
        ...

    def paragraphs_holding(self, token: str, cap: int) -> int:
        """Paragraphs holding a folded token or a word sharing its stem, counted up to `cap` + 1."""
        ...

    def report_countries(self, report_ids: list[str]) -> dict[str, str | None]:
        """ISO country of each report (None when unknown), keyed by report id."""
        ...

    def filtered_pks(self, f: ParagraphFilter) -> np.ndarray: ...
    def section_exists(self, section: str, report: str | None) -> bool: ...
    def paragraphs_by_pk(self, pks: list[int]) -> dict[int, dict]: ...
    def paragraph_texts(self, pks: list[int]) -> dict[int, str]: ...
    def e5_vectors(self, pks: list[int]) -> dict[int, bytes]:
        """The second encoder's stored vector (float16 bytes) of each of `pks` that has one."""
        ...

    def footnotes_for(self, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], dict]: ...
    def facet_counts(self, pks: list[int]) -> dict[str, list[dict]]: ...
    def index_fingerprint(self) -> str:
        """Changes whenever a report is added, replaced or deleted, or embeddings change."""
        ...

    def change_marker(self) -> object:
        """Changes whenever anything at all is committed to the database (a report, a source's
        confidentiality, a user), by any connection or process. Cheap: a server asks it per
        request to know whether answers it remembers (`read_cache`) still hold."""
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

    # --- cases (issue 16) --------------------------------------------------------------------
    # A case belongs to `owner`, a user's name, or None for the database's own (no users): the
    # methods taking an owner see only that owner's cases, so another's case id reads as absent.
    # Item methods take a case id the caller has already checked is theirs.
    def create_case(self, name: str, language: str, owner: str | None) -> int:
        """The new case's id; ValueError when the owner already has a case of that name."""
        ...

    def list_cases(self, owner: str | None) -> list[dict]:
        """The owner's cases (id, name, language, owner, created_at, updated_at, items), most
        recently changed first."""
        ...

    def get_case(self, case_id: int, owner: str | None) -> dict | None: ...
    def case_id_by_name(self, name: str, owner: str | None) -> int | None: ...
    def update_case(self, case_id: int, owner: str | None, values: dict[str, str]) -> bool:
        """Set `name` and/or `language`; False when the owner has no such case, ValueError on
        another field or a name the owner already uses."""
        ...

    def delete_case(self, case_id: int, owner: str | None) -> bool: ...
    def case_items(self, case_id: int) -> list[dict]:
        """The items in position order (id, position, report_id, paragraph_id, start, end,
        quote, footnotes as a list of numbers, note, added_at)."""
        ...

    def add_case_item(self, case_id: int, report_id: str, paragraph_id: str, start: int | None,
                      end: int | None, quote: str, footnotes: list[int], note: str) -> int:
        """Append an item (last position); its id."""
        ...

    def remove_case_item(self, case_id: int, item_id: int) -> bool:
        """Remove an item; the ones after it move up, so positions stay 1..N."""
        ...

    def set_case_item_note(self, case_id: int, item_id: int, note: str) -> bool: ...
    def reorder_case_items(self, case_id: int, item_ids: list[int]) -> bool:
        """Put the items in this order; False (nothing changed) unless `item_ids` are exactly
        the case's items, each once."""
        ...

    # --- saved searches and their alerts ----------------------------------------------------
    # A saved search is owned by a user (by name; None: the database's own). A paragraph id is
    # "new" for a search once a hit records it (the ingest records only paragraphs the library
    # did not hold before); it stays recorded, and is listed while its report is stored.
    def add_saved_search(self, name: str, query: str, mode: str, filters: dict, language: str,
                         owner: str | None, feed_token: str) -> int:
        """The new search's id; StoreError when `owner` is no user or already has this name."""
        ...

    def saved_searches(self, owner: str | None = None, every: bool = False) -> list[dict]:
        """The owner's searches (or with `every` all of them) by id: id, name, query, mode,
        filters (a dict), language, feed_token, created_at, owner, owner_role, passages (hits
        whose report is still stored)."""
        ...

    def saved_search(self, search_id: int) -> dict | None:
        """One search, whoever owns it (the caller checks `owner`)."""
        ...

    def delete_saved_search(self, search_id: int) -> bool: ...
    def paragraph_ids(self, report_ids: list[str]) -> set[str]:
        """The paragraph ids of these stored reports (what an ingest does not count as new)."""
        ...

    def record_search_hits(self, search_id: int, report_id: str, paragraph_ids: list[str]) -> int:
        """Record matches (in rank order) not recorded for this search before; how many were new."""
        ...

    def search_hits(self, search_ids: list[int], limit: int = 200) -> list[dict]:
        """The recorded hits of these searches whose report is still stored (search_id,
        paragraph_id, report_id, rank, found_at), newest first."""
        ...


class StorePoolProtocol(Protocol):
    """Stores for concurrent requests: `with pool.store() as s:` gives one request a store."""

    def store(self) -> AbstractContextManager[Store]: ...
    def close(self) -> None: ...


__all__ = ["EDITABLE_METADATA", "ParagraphFilter", "Store", "StoreError", "StorePoolProtocol",
           "like_prefix"]
