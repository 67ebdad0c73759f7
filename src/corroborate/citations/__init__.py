"""Citation layer: footnote texts parsed into citations, citations deduplicated into sources.

    parse.py     one footnote -> citations (boundaries, notes, locator, url slots, date, kind)
    authors.py   where an author ends: citation structure + evidence from the whole report
    dates.py     `20 March 2023` -> `2023-03-20` at the precision written
    abbreviations.py  the report's abbreviation key (`JS7 Joint submission 7 …`) for short forms
    registry.py  citations -> Sources (stable id, type, language, latest date, URLs)
    knowledge.py generic COI knowledge (countries, IGOs, well-known publishers) as data

`link_citations(report)` runs the two passes: first every footnote is cut into pieces and the
author evidence of the whole report is counted, then each piece is resolved with that evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corroborate.models import Citation, CitationKind, IngestWarning, Link, Report, Source, fold

if TYPE_CHECKING:
    from corroborate.citations.authors import AuthorEvidence

# The parsing modules are imported where used, not here: importing `citations.format` or
# `citations.dates` (every search, the web pages) then does not load the whole parser.

__all__ = ["link_citations", "parse_footnote_text"]


def _pieces_by_footnote(report: Report) -> dict[int, list]:
    from corroborate.citations.parse import analyse_piece, split_pieces

    out = {}
    for fn in report.footnotes:
        if fn.text:
            out[fn.n] = [analyse_piece(p) for p in split_pieces(fn.text)]
    return out


def _evidence(pieces_by_fn: dict[int, list]) -> AuthorEvidence:
    from corroborate.citations.authors import AuthorEvidence

    ev = AuthorEvidence()
    for pieces in pieces_by_fn.values():
        for piece in pieces:
            if piece.role == "citation" and piece.kind not in (CitationKind.ANALYSIS, CitationKind.BOOK):
                ev.add(piece.head)
    return ev


def assign_urls(citations: list[Citation], url_slots: list[int], urls: list[str]) -> str | None:
    """Give the footnote's URLs, in order, to the citations that wrote `url`; report a mismatch."""
    from corroborate.citations.parse import is_dataset_url

    targets: list[int | None] = list(range(len(urls)))
    if 0 < len(urls) < len(url_slots):
        # Some links were lost: place the survivors by host/publisher fit, keeping their order,
        # so one lost link does not shift the others onto the wrong citations.
        try:
            from corroborate.readers.footnotes import align_urls

            targets = align_urls(urls, [citations[s].raw for s in url_slots])
        except ImportError:  # pragma: no cover - the reader helpers ship with the package
            pass
    for url, target in zip(urls, targets, strict=False):
        if target is None or target >= len(url_slots):
            continue
        cit = citations[url_slots[target]]
        cit.url = url
        if cit.kind == CitationKind.DOCUMENT and is_dataset_url(url):
            cit.kind = CitationKind.DATASET
    if urls and url_slots and len(urls) != len(url_slots):  # no slots: links of inline URLs
        return f"{len(url_slots)} 'url' placeholders but {len(urls)} URLs assigned"
    return None


def assign_linked_urls(citations: list[Citation], text: str, links: list[Link]) -> None:
    """A note written with hyperlinks (`Author, <a href=…>Title</a>, date`, GOV.UK and most web
    reports): each link belongs to the citation whose text holds the linked words; a citation
    shaped around its one link is read from that shape (see `linked.apply_link`)."""
    from corroborate.citations.linked import apply_link, drop_address_label
    from corroborate.citations.parse import is_dataset_url
    from corroborate.citations.registry import cites_a_source

    pos = 0
    web = [k for k in links if k.url.lower().startswith(("http://", "https://"))]
    for cit in citations:
        raw = cit.raw.strip()
        start = text.find(raw, pos) if raw else -1
        if start < 0:
            continue
        end = start + len(raw)
        pos = end
        inside = [k for k in web if start <= k.start < end]
        if len(inside) == 1 and apply_link(cit, raw, inside[0], start):
            continue
        if not inside or cit.url is not None:
            continue
        if cites_a_source(cit):
            cit.url = inside[0].url
            drop_address_label(cit, text[inside[0].start:inside[0].end])
            if cit.kind == CitationKind.DOCUMENT and is_dataset_url(cit.url):
                cit.kind = CitationKind.DATASET
        if cit.kind == CitationKind.DOCUMENT and cit.url and is_dataset_url(cit.url):
            cit.kind = CitationKind.DATASET


def _solved_by_link(problem: str, citations: list[Citation]) -> bool:
    """`citation without date or url` no longer holds once a link gave the citation its URL."""
    if not problem.startswith("citation without date or url"):
        return False
    return any(c.url and c.raw.strip() and c.raw.strip() in problem for c in citations)


def link_citations(report: Report) -> list[Source]:
    """Fill every `footnote.citations` (with `source_id`) and return the report's sources once each.

    Footnotes whose text is lost get no citations. What cannot be read is kept verbatim as an
    `unparsed` citation and reported in `report.warnings` (code `citation-unparsed`).
    """
    from corroborate.citations.abbreviations import abbreviation_key, short_citation
    from corroborate.citations.bibliography import link_bibliography
    from corroborate.citations.parse import resolve_pieces
    from corroborate.citations.registry import build_sources

    pieces_by_fn = _pieces_by_footnote(report)
    evidence = _evidence(pieces_by_fn)
    key = abbreviation_key(report)

    def short_form(text: str) -> Citation | None:
        return short_citation(text, key)

    all_citations: list[Citation] = []
    done: dict[int, list[Citation]] = {}
    previous: list[Citation] = []  # the last footnote's citations that name a source

    def referent(n: int | None, name: str | None) -> Citation | None:
        if n is None:  # Ibid.: the last citation of the footnote before
            return previous[-1] if previous else None
        words = fold(name or "").split()
        key = words[0] if words else ""

        def named(cits: list[Citation]) -> list[Citation]:
            real = [c for c in cits if c.author or c.title]
            return [c for c in real if key in fold(f"{c.author or ''} {c.title or ''}")] if key else real

        hits = named(done.get(n, []))
        if not hits and key:
            # The numbering of the short form may not match the extraction's: take the
            # nearest earlier footnote that cites a work by that name.
            for m in sorted((m for m in done if m < fn_n), reverse=True):
                hits = named(done[m])
                if hits:
                    break
        return hits[0] if hits else None

    fn_n = 0
    for fn in report.footnotes:
        fn_n = fn.n
        if not fn.text:
            fn.citations = []
            continue
        try:
            parsed = resolve_pieces(pieces_by_fn[fn.n], evidence, referent, short_form if key else None)
        except Exception as exc:  # a parser bug must not lose the footnote or stop the ingest
            fn.citations = [Citation(kind=CitationKind.UNPARSED, raw=fn.text)]
            report.warnings.append(IngestWarning(
                code="citation-unparsed", footnote=fn.n,
                message=f"footnote {fn.n}: parser error {type(exc).__name__}: {exc}; kept verbatim"))
            continue
        fn.citations = parsed.citations
        if fn.links and not parsed.url_slots:
            assign_linked_urls(parsed.citations, fn.text, fn.links)
            parsed.problems = [p for p in parsed.problems if not _solved_by_link(p, parsed.citations)]
        else:
            problem = assign_urls(parsed.citations, parsed.url_slots, fn.urls)
            if problem:
                report.warnings.append(IngestWarning(code="citation-url-mismatch", footnote=fn.n,
                                                     message=f"footnote {fn.n}: {problem}"))
        for p in parsed.problems:
            code = "citation-unparsed" if p.startswith("could not") else "citation-incomplete"
            report.warnings.append(IngestWarning(code=code, footnote=fn.n, message=f"footnote {fn.n}: {p}"))
        all_citations.extend(parsed.citations)
        done[fn.n] = parsed.citations
        named = [c for c in parsed.citations if c.kind not in (CitationKind.EMPTY, CitationKind.UNPARSED)]
        if named:
            previous = named
    sources = build_sources(all_citations, key)
    return link_bibliography(report, sources, evidence, assign_linked_urls)


def parse_footnote_text(text: str, urls: list[str] | None = None) -> list[Citation]:
    """Parse one footnote on its own (no report-wide author evidence): for tools and tests."""
    from corroborate.models import Footnote

    report = Report(footnotes=[Footnote(n=1, text=text, urls=urls or [])])
    link_citations(report)
    return report.footnotes[0].citations
