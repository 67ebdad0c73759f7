"""Saved searches and alerts: a caseworker saves a query with its filters and is told when a
newly ingested report says something on it.

What "new" means, precisely. After a report is stored (`Library.ingest`, the one ingest path of
the CLI, the API and the upload page), each saved search is run through `Library.search` (the
ranking the caseworker sees, with the search's mode and filters) over that report alone, acting
as the search's owner. Its first `ALERT_DEPTH` results are the report's matching passages. Of
those, a passage is new when

* its paragraph was not in the library before this ingest: a new version of a report
  (`<id>-v2`, or `--replace`) keeps the ids of its unchanged paragraphs (ids are derived from
  the family, the section and the text), so only added or changed paragraphs can be new; and
* its paragraph id was never recorded for this search (one row per search and paragraph id,
  written at match time).

A search saved today is therefore told about reports ingested from now on, not about what the
library held when it was saved (that is what running the search shows).

Who sees what. Matching runs as the owner (a reader's query never matches on the name of a
confidential source, see `Library._unnamed`); listing and feeds read the passages back through
the caller's redaction, so a confidential source is never named to someone who may not see it.
An Atom feed is fetched by feed readers without a session: it authenticates by the search's own
secret token in its URL, and a feed read that way shows confidential sources unnamed whatever
the owner's role, because a URL travels (feed readers, proxies, logs).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

ALERT_DEPTH = 10  # results per saved search and new report that count as its matches
MODES = ("hybrid", "lexical", "semantic")
LANGUAGES = ("en", "es")
# The search filters a saved search may keep (`Library.search` keyword arguments).
FILTERS = ("report", "section", "country", "publisher", "document_type", "language", "published_from",
           "published_to", "source_type", "source", "source_language", "since")


class SavedSearchIn(BaseModel):
    """What a caseworker saves: `POST /api/searches`, `corroborate searches save`."""

    name: str = Field(min_length=1, max_length=120)
    query: str = Field(min_length=1, max_length=1000)
    mode: str = "hybrid"
    filters: dict[str, str] = {}
    language: str = "en"  # the interface language the search was saved in (feed and page texts)

    @field_validator("name", "query")
    @classmethod
    def _stripped(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        if value not in MODES:
            raise ValueError(f"mode {value!r}: use one of {', '.join(MODES)}")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        value = (value or "en").lower()[:2]
        return value if value in LANGUAGES else "en"

    @field_validator("filters")
    @classmethod
    def _filters(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FILTERS))
        if unknown:
            raise ValueError(f"unknown filter {unknown[0]!r}: use {', '.join(FILTERS)}")
        return {k: v.strip() for k, v in value.items() if v and v.strip()}


class SavedSearch(BaseModel):
    id: int
    name: str
    query: str
    mode: str
    filters: dict[str, str]
    language: str
    owner: str | None  # user name; None: the database's own (no users, or the command line)
    created_at: str
    passages: int  # new passages recorded for it (of reports still in the library)
    feed: str  # the Atom feed's path with its secret token: give it only to its owner


class NewPassage(BaseModel):
    """A passage a saved search matched in a newly ingested report."""

    search_id: int
    search_name: str
    report_id: str
    report_title: str
    publisher: str | None
    paragraph_id: str
    section: str | None
    reference: str  # 'EUAA, Peru – Country Focus, September 2023, section 3.5.1 ‘Tren de Aragua’, p. 43'
    text: str  # as the caller may read it (confidential sources unnamed for readers)
    citation: str  # `citations.format.passage_citation`: quote, reference and footnotes
    reader: str  # the reader's address of the paragraph (path, or absolute with a base URL)
    found_at: str


def new_token() -> str:
    return secrets.token_urlsafe(24)


def feed_path(search_id: int, token: str) -> str:
    return f"/searches/{search_id}/feed.atom?token={token}"


def public(row: dict) -> SavedSearch:
    return SavedSearch(**{k: v for k, v in row.items() if k in SavedSearch.model_fields and k != "feed"},
                       feed=feed_path(row["id"], row["feed_token"]))


def match_new_report(lib: Any, report_id: str, fresh: set[str]) -> list[str]:
    """Record, for every saved search, the passages of the just-stored `report_id` it matches
    whose paragraph ids are in `fresh` (not in the library before this ingest). Returns notices
    for searches that could not be run (the ingest itself has succeeded by then)."""
    from corroborate.users import Caller

    notices: list[str] = []
    if not fresh:
        return notices
    for row in lib.store.saved_searches(every=True):
        filters = dict(row["filters"])
        wanted = filters.pop("report", None)
        if wanted and not report_id.startswith(wanted):
            continue
        owner = Caller(row["owner"], row["owner_role"]) if row["owner"] else lib.caller
        try:
            found = lib.as_caller(owner).search(row["query"], k=ALERT_DEPTH, mode=row["mode"],
                                                report=report_id, **filters)
        except (LookupError, ValueError):  # a section (or source) this report does not have
            continue  # (query and filters were checked when the search was saved)
        except Exception as exc:  # noqa: BLE001 - the report is stored: say so, do not fail it
            notices.append(f"saved search {row['name']!r} could not be run: {type(exc).__name__}: {exc}")
            continue
        ids = [h["paragraph_id"] for h in found["results"] if h["paragraph_id"] in fresh]
        if ids:
            lib.store.record_search_hits(row["id"], report_id, ids)
    return notices


def atom_feed(search: SavedSearch, passages: list[NewPassage], base_url: str) -> bytes:
    """The search's new passages as an Atom 1.0 document (RFC 4287)."""
    from xml.etree import ElementTree as ET

    from corroborate.i18n import translate

    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)

    def el(parent, tag: str, text: str | None = None, **attrs: str):
        node = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    base = base_url.rstrip("/")
    feed = ET.Element(f"{{{ns}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": search.language})
    el(feed, "id", f"{base}/searches/{search.id}")
    el(feed, "title", f"Corroborate: {search.name}")
    el(feed, "subtitle", translate("New passages for the saved search “%(query)s”", search.language,
                                   query=search.query))
    newest = max((p.found_at for p in passages), default=search.created_at)
    el(feed, "updated", _rfc3339(newest))
    el(feed, "link", rel="alternate", type="text/html", href=f"{base}/searches#search-{search.id}")
    el(el(feed, "author"), "name", search.owner or "Corroborate")
    el(feed, "generator", "Corroborate")
    for p in passages:
        entry = el(feed, "entry")
        el(entry, "id", f"{base}/searches/{search.id}/passages/{p.report_id}/{p.paragraph_id}")
        el(entry, "title", p.reference)
        el(entry, "updated", _rfc3339(p.found_at))
        el(entry, "link", rel="alternate", type="text/html", href=_absolute(p.reader, base))
        el(el(entry, "author"), "name", p.publisher or p.report_title)
        el(entry, "summary", p.citation, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _absolute(href: str, base: str) -> str:
    return href if href.startswith(("http://", "https://")) else base + href


def _rfc3339(stamp: str) -> str:
    when = datetime.fromisoformat(stamp)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.isoformat(timespec="seconds")
