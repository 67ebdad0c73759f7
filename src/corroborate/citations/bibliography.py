"""The report's own bibliography matched to the sources its notes cite.

Each entry is parsed like a footnote (`Author, Title, date. Accessed: …`) and placed in the
registry: on the source its notes already cite when the link is the same (the surest evidence:
notes often shorten the author, `USSD` for `United States Department of State (USSD)`), else
when the title is one only a single cited source has, else when author and title make the same
source key. What matches nothing becomes a source of its own; one listed only as consulted but
not cited is marked `cited=False`, so the registry tells what a report read from what it used.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from corroborate.citations.authors import AuthorEvidence
from corroborate.citations.linked import apply_link
from corroborate.citations.parse import analyse_piece, resolve_pieces, split_pieces
from corroborate.citations.registry import build_sources, cites_a_source, key_text, source_id
from corroborate.models import Citation, CitationKind, Link, Report, Source


def url_key(url: str | None) -> str:
    """How two links to the same page are compared: no scheme, `www.`, fragment or final `/`."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = parts.netloc.lower().removeprefix("www.")
    return urlunsplit(("", host, parts.path.rstrip("/"), parts.query, "")).lstrip("/")


def link_bibliography(report: Report, sources: list[Source], evidence: AuthorEvidence,
                      assign_linked: Callable[[list[Citation], str, list[Link]], None]) -> list[Source]:
    """Parse and place every `report.bibliography` entry; return `sources` plus the new ones."""
    if not report.bibliography:
        return sources
    by_url: dict[str, str] = {}
    by_title: dict[str, set[str]] = {}
    for fn in report.footnotes:
        for c in fn.citations:
            if c.source_id:
                if c.url:
                    by_url.setdefault(url_key(c.url), c.source_id)
                if c.title:
                    by_title.setdefault(key_text(c.title), set()).add(c.source_id)
    known = {s.id for s in sources}
    unmatched = []
    for entry in report.bibliography:
        cit = _read_entry(entry.text, entry.links, evidence, assign_linked)
        if cit is None:
            entry.citation = Citation(kind=CitationKind.UNPARSED, raw=entry.text)
            continue
        if cit.url is None and entry.urls:
            cit.url = entry.urls[0]
        entry.citation = cit
        titled = by_title.get(key_text(cit.title), set())
        sid = by_url.get(url_key(cit.url)) or (next(iter(titled)) if len(titled) == 1 else None)
        if sid is None and source_id(cit) in known:
            sid = source_id(cit)
        if sid is not None:
            cit.source_id = sid
        else:
            unmatched.append(entry)
    added = build_sources([e.citation for e in unmatched if e.citation])
    for src in added:
        src.cited = any(e.cited for e in unmatched if e.citation and e.citation.source_id == src.id)
    return sources + [s for s in added if s.id not in known]


def _read_entry(text: str, links: list[Link], evidence: AuthorEvidence,
                assign_linked: Callable[[list[Citation], str, list[Link]], None]) -> Citation | None:
    """One entry, one source: the shape around its one link when it has that shape, else the
    footnote parser's first citation (what follows it, `Accessed: …`, is a remark)."""
    web = [k for k in links if k.url.lower().startswith(("http://", "https://"))]
    if len(web) == 1:
        cit = Citation(raw=text)
        if apply_link(cit, text, web[0], 0) and cit.title:
            return cit
    pieces = [analyse_piece(p) for p in split_pieces(text)]
    named = [c for c in resolve_pieces(pieces, evidence).citations if cites_a_source(c)]
    if not named:
        return None
    cit = named[0]
    rest = [c.raw.strip() for c in named[1:]]
    if rest:
        cit.note = " ".join(filter(None, [cit.note, *rest]))
    assign_linked([cit], text, links)
    return cit
