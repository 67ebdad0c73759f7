"""Search results with facets, and Ask: cited answers made of verbatim quotes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from corroborate.library import Library, NotFound
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
)

router = APIRouter()

SEARCH_K = 50  # results fetched per query; facets count over these
NOT_FOUND_STATEMENT = "The answer could not be found among the sources consulted."
# Filters the search engine applies itself; `source` and `lang` are applied here on the hits.
ENGINE_FILTERS = ("report", "section", "source_type", "since")
PAGE_FILTERS = ("source", "lang")
ASK_EXPORTS = [("docx", "Word (.docx)"), ("pdf", "PDF"), ("md", "Markdown")]


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
        self._sources: dict[str, dict[int, list[dict]]] = {}
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

    def footnote_sources(self, report_id: str) -> dict[int, list[dict]]:
        """Footnote number -> the registry sources its citations point at."""
        if report_id not in self._sources:
            report = self.report(report_id)
            registry = {s.id: s.model_dump(mode="json") for s in self.registry(report_id).values()}
            out: dict[int, list[dict]] = {}
            for fn in report.footnotes if report else []:
                ids = dict.fromkeys(c.source_id for c in fn.citations if c.source_id in registry)
                out[fn.n] = [registry[sid] for sid in ids]
            self._sources[report_id] = out
        return self._sources[report_id]

    def hit_sources(self, hit: dict) -> list[dict]:
        by_fn = self.footnote_sources(hit.get("report_id", ""))
        out: dict[str, dict] = {}
        for fn in hit.get("footnotes") or []:
            for src in by_fn.get(fn.get("n"), []):
                out.setdefault(src["id"], src)
        return list(out.values())


def _params(request: Request) -> dict[str, str]:
    return {k: v.strip() for k, v in request.query_params.items() if v and v.strip()}


def _href(params: dict[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return "/search?" + urlencode({k: v for k, v in merged.items() if v})


def _source_label(src: dict) -> str:
    return src.get("author") or src.get("title") or src["id"]


def build_facets(hits: list[dict], cache: ReportCache, params: dict[str, str]) -> list[Facet]:
    counters: dict[str, Counter] = {p: Counter() for p in ("report", "section", "source_type", "source",
                                                          "since", "lang")}
    labels: dict[tuple[str, str], str] = {}
    newest: list[str] = []  # per hit, the year of its most recent cited source
    for h in hits:
        counters["report"][h["report_id"]] += 1
        labels["report", h["report_id"]] = h.get("report_title") or h["report_id"]
        if h.get("section"):
            counters["section"][h["section"]] += 1
            title = h.get("section_title") or ""
            labels["section", h["section"]] = f"{h['section']} {title}".strip() if title != h["section"] else title
        sources = cache.hit_sources(h)
        for key, values in (
            ("source_type", {s["type"] for s in sources if s.get("type")}),
            ("lang", {s["language"] for s in sources if s.get("language")}),
            ("source", {s["id"] for s in sources}),
        ):
            for v in values:
                counters[key][v] += 1
        for s in sources:
            labels["source", s["id"]] = _source_label(s)
        years = [str(c.get("date") or "")[:4] for fn in h.get("footnotes") or []
                 for c in fn.get("citations") or []]
        years = [y for y in years if y.isdigit()]
        if years:
            newest.append(max(years))
    # `since=Y` keeps hits citing something dated Y or later: count them the same way.
    for y in sorted(set(newest), reverse=True)[:6]:
        counters["since"][y] = sum(1 for n in newest if n >= y)

    titles = {
        "report": "Report", "section": "Section", "source_type": "Type of source",
        "source": "Source", "since": "Cited sources dated", "lang": "Language of cited sources",
    }
    limits = {"section": 12, "source": 12}
    facets = []
    for key, title in titles.items():
        counter = counters[key]
        selected = params.get(key)
        if selected and selected not in counter:
            counter[selected] = 0
        if not counter:
            continue
        facet = Facet(param=key, title=title)
        items = counter.most_common(limits.get(key)) if key != "since" else sorted(counter.items(), reverse=True)
        if selected and selected not in dict(items):
            items.append((selected, counter[selected]))
        for value, count in items:
            label = {
                "source_type": SOURCE_TYPE_LABELS.get(value, value),
                "lang": LANGUAGE_LABELS.get(value, value),
                "since": f"{value} or later",
            }.get(key) or labels.get((key, value), value)
            is_sel = selected == value
            facet.values.append(FacetValue(
                value=value, label=label, count=count, selected=is_sel,
                href=_href(params, **{key: None if is_sel else value}),
            ))
        facets.append(facet)
    return facets


def _apply_page_filters(hits: list[dict], cache: ReportCache, params: dict[str, str]) -> list[dict]:
    source, lang = params.get("source"), params.get("lang")
    if not (source or lang):
        return hits
    out = []
    for h in hits:
        sources = cache.hit_sources(h)
        if source and not any(s["id"] == source for s in sources):
            continue
        if lang and not any(s.get("language") == lang for s in sources):
            continue
        out.append(h)
    return out


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
    return error_page(request, 400, "This search could not be run", str(exc) or "The query is not valid.", q=q)


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
        return error_page(request, 503, "Search is not available", "This installation cannot search yet.", q=q)
    if params.get("source") and not lib.sources_by_id([params["source"]]):
        return not_found(request, f"There is no source “{params['source']}” in this library.")
    engine_args = {k: params[k] for k in ENGINE_FILTERS if k in params}
    if params.get("mode"):
        engine_args["mode"] = params["mode"]
    try:
        result = lib.search(q, k=SEARCH_K, **engine_args)
    except QueryError as exc:
        return _search_error(request, exc, q)
    except NotFound as exc:
        return error_page(request, 400, "This search could not be run", str(exc), q=q)
    hits = list(result.get("results") or [])
    cache = ReportCache(lib, hits)
    facets = build_facets(hits, cache, params)
    hits = _apply_page_filters(hits, cache, params)
    for h in hits:
        h["citation_text"] = _citation_for(h, cache, citation_options(request))
    active = [
        (f.title, v.label, v.href) for f in facets for v in f.values if v.selected
    ]
    return page(request, "search.html", q=q, hits=hits, facets=facets, params=params, searched=True,
                total=len(hits), limit=SEARCH_K, active=active, mode=params.get("mode", ""), result=result)


@router.get("/ask", response_class=HTMLResponse, name="ask")
def ask(request: Request) -> HTMLResponse:
    return _ask(request, _params(request).get("q", ""))


def _ask(request: Request, q: str) -> HTMLResponse:
    if not q:
        return page(request, "ask.html", q="", answer=None, quotes=[], exports=ASK_EXPORTS)
    lib = get_library(request)
    if not hasattr(lib, "ask"):
        return error_page(request, 503, "Ask is not available", "This installation cannot answer questions yet.",
                          q=q)
    try:
        answer = lib.ask(q)
    except QueryError as exc:
        return _search_error(request, exc, q)
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
    statement = "" if found else (answer.get("answer") or NOT_FOUND_STATEMENT)
    return page(request, "ask.html", q=q, answer=answer, found=found, statement=statement, quotes=quotes,
                synthesis=answer.get("synthesis") if found else None, exports=ASK_EXPORTS, mode="ask")
