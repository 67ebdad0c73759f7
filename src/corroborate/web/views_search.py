"""Search results with facets, and Ask: cited answers made of verbatim quotes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from corroborate.i18n import N_, Labels, country_name, current_locale, question_language, translate
from corroborate.i18n import gettext as _
from corroborate.library import Library, NotFound
from corroborate.metadata import DOCUMENT_TYPE_LABELS
from corroborate.models import Footnote, Paragraph, Report, Source
from corroborate.search.query import QueryError
from corroborate.web import render
from corroborate.web.views_common import (
    LANGUAGE_LABELS,
    SOURCE_TYPE_LABELS,
    citation_options,
    error_page,
    get_library,
    not_found,
    page,
    templates,
)

router = APIRouter()

SEARCH_K = 50  # results per page; facets count over every ranked result, not only the page
NOT_FOUND_STATEMENT = N_("The answer could not be found among the sources consulted.")
# URL parameter -> search engine filter. The engine applies every filter before it ranks and cuts.
ENGINE_FILTERS = {
    "report": "report", "section": "section", "country": "country", "publisher": "publisher",
    "document_type": "document_type", "language": "language", "published_from": "published_from",
    "published_to": "published_to", "source_type": "source_type", "since": "since", "source": "source",
    "lang": "source_language",
}
ASK_EXPORTS = [("docx", N_("Word (.docx)")), ("pdf", "PDF"), ("md", "Markdown")]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    href: str
    selected: bool


@dataclass
class Facet:
    param: str
    title: str
    values: list[FacetValue] = field(default_factory=list)


class ReportCache:
    """What a page of hits (or quotes) needs from their reports, loaded once per request: per
    report only the hit paragraphs, the footnotes they cite and the sources those footnotes
    name (`Library.excerpt`), never the whole report nor its whole bibliography."""

    def __init__(self, lib: Library, items: list[dict]):
        self.lib = lib
        self._wanted: dict[str, list[str]] = {}
        for item in items:
            if item.get("report_id") and item.get("paragraph_id"):
                self._wanted.setdefault(item["report_id"], []).append(item["paragraph_id"])
        self._reports: dict[str, Report | None] = {}
        self._paragraphs: dict[str, dict[str, Paragraph]] = {}
        self._registry: dict[str, dict[str, Source]] = {}

    def registry(self, report_id: str) -> dict[str, Source]:
        """The sources cited by the loaded footnotes of this report, by id."""
        if report_id not in self._registry:
            report = self.report(report_id)
            ids = [c.source_id for f in report.footnotes for c in f.citations if c.source_id] if report else []
            self._registry[report_id] = self.lib.sources_by_id(ids)
        return self._registry[report_id]

    def report(self, report_id: str) -> Report | None:
        if report_id not in self._reports:
            try:
                self._reports[report_id] = self.lib.excerpt(report_id, self._wanted.get(report_id, []))
            except NotFound:
                self._reports[report_id] = None
        return self._reports[report_id]

    def paragraph(self, report_id: str, paragraph_id: str) -> Paragraph | None:
        if report_id not in self._paragraphs:
            report = self.report(report_id)
            self._paragraphs[report_id] = {p.id: p for p in report.paragraphs()} if report else {}
        return self._paragraphs[report_id].get(paragraph_id)


def _params(request: Request) -> dict[str, str]:
    return {k: v.strip() for k, v in request.query_params.items() if v and v.strip()}


def _href(params: dict[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return "/search?" + urlencode({k: v for k, v in merged.items() if v})


FACET_TITLES = {
    "report": N_("Report"), "country": N_("Country"), "document_type": N_("Type of report"),
    "publisher": N_("Publisher"), "language": N_("Language of the report"), "section": N_("Section"),
    "source_type": N_("Type of source"), "source": N_("Source"), "since": N_("Cited sources dated"),
    "lang": N_("Language of cited sources"),
}
# URL parameter -> the engine's facet of the same meaning
_ENGINE_FACET = {"lang": "source_language", "since": "cited_year"}
_FACET_LIMITS = {"section": 12, "source": 12, "publisher": 12, "country": 12}


def build_facets(counts: dict[str, list[dict]], params: dict[str, str]) -> list[Facet]:
    """Facets from the engine's counts over every ranked result (before the page is cut)."""
    facets = []
    for key, title in FACET_TITLES.items():
        entries = counts.get(_ENGINE_FACET.get(key, key), [])
        if key == "since":  # `since=Y` keeps paragraphs citing something dated Y or later
            years = sorted(((e["value"], e["count"]) for e in entries), reverse=True)
            entries = [{"value": y, "label": _("%(year)s or later", year=y), "count": sum(n for z, n in years if z >= y)}
                       for y, _count in years[:6]]
        else:
            entries = entries[: _FACET_LIMITS.get(key)]
        selected = params.get(key)
        if selected and not any(e["value"] == selected for e in entries):
            entries = [*entries, {"value": selected, "label": selected, "count": 0}]
        if not entries:
            continue
        facet = Facet(param=key, title=title)
        for e in entries:
            value = e["value"]
            label = {
                "source_type": SOURCE_TYPE_LABELS.get(value, value),
                "lang": LANGUAGE_LABELS.get(value, value),
                "language": LANGUAGE_LABELS.get(value, value),
                "country": country_name(value),
                "document_type": Labels(DOCUMENT_TYPE_LABELS).get(value, value),
            }.get(key) or e.get("label") or value
            is_sel = selected == value
            facet.values.append(FacetValue(
                value=value, label=label, count=e["count"], selected=is_sel,
                href=_href(params, page=None, **{key: None if is_sel else value}),
            ))
        facets.append(facet)
    return facets


def _citation_for(hit: dict, cache: ReportCache, options: tuple[str, str] = ("euaa", "")) -> str:
    """The copyable citation of a hit (a paragraph) or an ask quote (a sentence: start/end)."""
    rid = hit.get("report_id", "")
    report = cache.report(rid)
    p = cache.paragraph(rid, hit.get("paragraph_id", ""))
    if report is None or p is None:
        return f"“{hit.get('text', '')}”\n{hit.get('report_title', '')}"
    span = (hit["start"], hit["end"]) if isinstance(hit.get("start"), int) and isinstance(hit.get("end"), int) else None
    footnotes = {f.n: f for f in report.footnotes}
    return render.paragraph_citation(report, p, footnotes, cache.registry(rid), span, *options)


def _quote_footnotes(item: dict, cache: ReportCache) -> list[Any]:
    """Footnotes of an ask quote: as given, else looked up from the report."""
    if item.get("footnotes"):
        fns = item["footnotes"]
        if fns and isinstance(fns[0], dict):
            return fns
        report = cache.report(item.get("report_id", ""))
        by_n: dict[int, Footnote] = {f.n: f for f in report.footnotes} if report else {}
        return [by_n.get(n) or Footnote(n=n) for n in fns]
    return []


def _search_error(request: Request, exc: Exception, q: str) -> HTMLResponse:
    return error_page(request, 400, _("This search could not be run"), str(exc) or _("The query is not valid."), q=q)


@router.get("/search", response_class=HTMLResponse, name="search")
def search(request: Request) -> HTMLResponse:
    params = _params(request)
    q = params.get("q", "")
    if params.get("mode") == "ask":
        return _ask(request, q)
    if not q:
        return page(request, "search.html", q="", hits=[], facets=[], params=params, searched=False,
                    total=0)
    lib = get_library(request)
    if not hasattr(lib, "search"):
        return error_page(request, 503, _("Search is not available"), _("This installation cannot search yet."), q=q)
    if params.get("source") and not lib.sources_by_id([params["source"]]):
        return not_found(request, _("There is no source “%(source)s” in this library.", source=params["source"]))
    page_no = params.get("page", "1")
    if not page_no.isdigit() or int(page_no) < 1:
        return error_page(request, 400, _("This search could not be run"),
                          _("page=%(page)s: use 1, 2, 3 …", page=repr(page_no)), q=q)
    options = citation_options(request)
    try:
        shown = lib.remembered_bytes("search-page", (tuple(sorted(params.items())), *options, current_locale()),
                                     lambda: results_fragment(lib, params, options), _fragment_bytes)
    except QueryError as exc:
        return _search_error(request, exc, q)
    except NotFound as exc:
        return error_page(request, 400, _("This search could not be run"), str(exc), q=q)
    total, results_html = shown.split(b"\n", 1)
    shell = page(request, "search.html", q=q, params=params, searched=True, total=int(total),
                 mode=params.get("mode", ""), results_html=RESULTS_SLOT)
    return _with_results(shell, results_html)


# The remembered results (a 50-hit page is ~400 KB of HTML: every hit carries its footnotes) are
# put into the page as bytes, after the page around them is rendered, instead of passing through
# Jinja: copying, joining and encoding them again was most of a cached search page's CPU. The slot
# holds a '<', which no escaped text on the page can produce, and a per-process random part.
RESULTS_SLOT = Markup(f"<!--results-{secrets.token_hex(8)}-->")
_SLOT_BYTES = str(RESULTS_SLOT).encode()


def _fragment_bytes(fragment: dict) -> bytes:
    """A results fragment as remembered: its total, a newline, its HTML (UTF-8)."""
    return b"%d\n" % fragment["total"] + fragment["html"].encode()


def _with_results(shell: HTMLResponse, results_html: bytes) -> HTMLResponse:
    shell.body = shell.body.replace(_SLOT_BYTES, results_html, 1)
    shell.headers["content-length"] = str(len(shell.body))
    return shell


def results_fragment(lib: Library, params: dict[str, str], options: tuple[str, str]) -> dict:
    """The rendered results of a search page (`search_results.html`) and their total: one search
    with facets counted by the engine, and per report only the hit paragraphs' excerpt. Depends on
    nothing but the parameters, the citation options and what the library shows this caller, so
    a server remembers it (`Library.remembered`)."""
    q = params["q"]
    engine_args = {arg: params[key] for key, arg in ENGINE_FILTERS.items() if key in params}
    if params.get("mode"):
        engine_args["mode"] = params["mode"]
    page_no = params.get("page", "1")
    offset = (int(page_no) - 1) * SEARCH_K
    result = lib.search(q, k=SEARCH_K, offset=offset, facets=True, **engine_args)
    hits = list(result.get("results") or [])
    cache = ReportCache(lib, hits)
    facets = build_facets(result.get("facets") or {}, params)
    for h in hits:
        h["citation_text"] = _citation_for(h, cache, options)
    active = [
        (f.title, v.label, v.href) for f in facets for v in f.values if v.selected
    ]
    total = result.get("total", len(hits))
    shown_to = offset + len(hits)
    pager = {
        "first": offset + 1, "last": shown_to, "total": total,
        "prev": _href(params, page=str(int(page_no) - 1) if int(page_no) > 2 else None) if offset else None,
        "next": _href(params, page=str(int(page_no) + 1)) if shown_to < total or result.get("more") else None,
    }
    html = templates.get_template("search_results.html").render(
        q=q, hits=hits, facets=facets, params=params, total=total, limit=SEARCH_K, active=active,
        pager=pager, back=_href(params))
    return {"html": html, "total": total}


@router.get("/ask", response_class=HTMLResponse, name="ask")
def ask(request: Request) -> HTMLResponse:
    return _ask(request, _params(request).get("q", ""))


def _ask(request: Request, q: str) -> HTMLResponse:
    if not q:
        return page(request, "ask.html", q="", answer=None, quotes=[], exports=ASK_EXPORTS, answer_lang="en")
    lib = get_library(request)
    if not hasattr(lib, "ask"):
        return error_page(request, 503, _("Ask is not available"), _("This installation cannot answer questions yet."),
                          q=q)
    try:
        answer = lib.ask(q, report=_params(request).get("report"))
    except QueryError as exc:
        return _search_error(request, exc, q)
    except NotFound as exc:
        return error_page(request, 400, _("This question could not be asked"), str(exc), q=q)
    cache = ReportCache(lib, answer.get("quotes") or [])
    quotes = []
    for item in answer.get("quotes") or []:
        item = dict(item)
        item["footnotes"] = _quote_footnotes(item, cache)
        item["citation_text"] = (_citation_for(item, cache, citation_options(request)) if item.get("paragraph_id")
                                 else item.get("text", ""))
        quotes.append(item)
    found = bool(answer.get("found", bool(quotes))) and bool(quotes)
    # When found, `answer` only strings the quotes together; the page shows the quotes themselves.
    lang = answer.get("lang") or question_language(q)  # the answer's fixed texts: the question's language
    statement = "" if found else (answer.get("message") or translate(NOT_FOUND_STATEMENT, lang))
    return page(request, "ask.html", q=q, answer=answer, found=found, statement=statement, quotes=quotes,
                answer_lang=lang, unknown_words=answer.get("unknown_words") or [],
                synthesis=answer.get("synthesis") if found else None, exports=ASK_EXPORTS, mode="ask")
