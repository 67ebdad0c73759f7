"""Citations fit for a decision, and where a footnote's links go: the one formatter the reader,
the copy buttons, the CLI, the exports and compiled responses all use.

URL placement. EUAA footnotes write the literal word `url` where the PDF had a hyperlink; the
citation layer already gave each surviving link to the citation it belongs to (`Citation.url`,
aligned by host and publisher when links were lost). So a placeholder takes the link of the
citation it sits in, never simply "the next link of the footnote": a footnote that kept only its
third citation's link must not hang it on the first. A placeholder whose link was lost is left
out (with its comma) rather than printed as the word "url"; links written out in the text are
linked where they stand; links no citation took are appended, never dropped. The link text is
the address itself, so a printed decision still shows where the source is.

Passage citations name publisher, title and date of the report, the section (the nearest
section number and the heading: "section 3.5.1 ‘Tren de Aragua’"), the page and, when a base
address is known, the paragraph's permalink. Two styles: `euaa` (the EUAA COI methodology's
"Author, Title, Date, URL, p. N") and `oscola` (OSCOLA as UK tribunals use it: "Author, ‘Title’
(Date) pinpoint <URL> accessed D Month YYYY").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, field_validator

from corroborate.citations.dates import human_date
from corroborate.urls import link_urls, safe_url

STYLES = ("euaa", "oscola")
DEFAULT_STYLE = "euaa"


class Segment(BaseModel):
    """A piece of footnote or bibliography text; `href` makes it a link."""

    text: str
    href: str | None = None

    @field_validator("href")
    @classmethod
    def _only_safe(cls, href: str | None) -> str | None:
        return safe_url(href)  # a `javascript:` target stays text in every export format


def check_style(style: str | None) -> str:
    value = (style or DEFAULT_STYLE).strip().lower()
    if value not in STYLES:
        raise ValueError(f"unknown citation style {style!r}: use one of {', '.join(STYLES)}")
    return value


def _field(obj: Any, name: str) -> Any:
    """Citations and footnotes come as models (reader, exports) or as search JSON (dicts)."""
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


# --- where a footnote's links go -----------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:)\]]")
_PLACEHOLDER = re.compile(r"(?<![\w/.])url(?![\w/])")
_NOT_SOURCES = ("empty",)


def _citation_starts(text: str, citations: Iterable[Any]) -> list[tuple[int, Any]]:
    """Where each citation begins in `text`, in order (by its raw text, else its author or title)."""
    out: list[tuple[int, Any]] = []
    cursor = 0
    for c in citations:
        if str(_field(c, "kind") or "") in _NOT_SOURCES:
            continue
        for probe in (_field(c, "raw"), _field(c, "author"), _field(c, "title")):
            probe = (probe or "").strip()
            at = text.find(probe, cursor) if probe else -1
            if at >= 0:
                out.append((at, c))
                cursor = at + len(probe) if probe == (_field(c, "raw") or "").strip() else at + 1
                break
    return out


def link_segments(text: str, urls: Iterable[str] = (), citations: Iterable[Any] = ()) -> list[Segment]:
    """`text` cut into plain and linked segments by the one URL-placement rule (module doc).
    Only link targets (`urls.safe_url`) are placed: any other scheme never replaces a placeholder."""
    urls = link_urls(urls)
    spelled = [(m.start(), m.end(), m.group(0)) for m in _URL.finditer(text)]
    spelled_urls = {u for _, _, u in spelled}
    starts = _citation_starts(text, citations)
    taken = {_field(c, "url") for _, c in starts if _field(c, "url")}
    spare = [u for u in urls if u not in taken and u not in spelled_urls]
    given: set[int] = set()  # citations whose link is already placed

    def owner(pos: int) -> int | None:
        idx = None
        for i, (start, _) in enumerate(starts):
            if start <= pos:
                idx = i
        return idx

    placeholders = [m for m in _PLACEHOLDER.finditer(text) if not any(a <= m.start() < b for a, b, _ in spelled)]
    tokens: list[tuple[int, int, str | None]] = [(a, b, u) for a, b, u in spelled]
    for m in placeholders:
        i = owner(m.start())
        url = None
        if i is not None and i not in given:
            url = safe_url(_field(starts[i][1], "url"))
            if url and url in spelled_urls:
                url = None
            if url:
                given.add(i)
        if url is None and (i is None or _field(starts[i][1], "kind") == "unparsed") and spare:
            url = spare.pop(0)  # a placeholder no parsed citation owns: the footnote's next link
        tokens.append((m.start(), m.end(), url or ""))
    out: list[Segment] = []
    pos = 0
    for start, end, url in sorted(tokens):
        before = text[pos:start]
        if url:
            if before:
                out.append(Segment(text=before))
            out.append(Segment(text=url, href=url))
            pos = end
            continue
        # a lost link: drop the placeholder and the comma that introduced it
        trimmed = re.sub(r",\s*$", "", before)
        if trimmed:
            out.append(Segment(text=trimmed))
        pos = end
        if trimmed == before:  # nothing before it to trim: drop the comma after it instead
            pos = end + len(re.match(r"\s*,?\s*", text[end:]).group(0))
    rest = text[pos:]
    if rest:
        out.append(Segment(text=rest))
    placed = {s.href for s in out if s.href}
    for url in [u for _, c in starts if (u := _field(c, "url")) and u not in placed] + spare:
        if url not in placed:  # links with no placeholder left: shown, never dropped
            out += [Segment(text=", "), Segment(text=url, href=url)]
            placed.add(url)
    return _merge(out)


def _merge(segs: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for s in segs:
        if out and s.href is None and out[-1].href is None:
            out[-1] = Segment(text=out[-1].text + s.text)
        elif s.text:
            out.append(s)
    return out


def footnote_segments(fn: Any) -> list[Segment] | None:
    """A footnote (model or search JSON) as linked segments; None when its text is lost."""
    text = _field(fn, "text") if fn is not None else None
    if not text or not text.strip():
        return None
    return link_segments(" ".join(text.split()), _field(fn, "urls") or [], _field(fn, "citations") or [])


def plain(segments: Iterable[Segment]) -> str:
    return "".join(s.text for s in segments)


# --- citations of sources ---------------------------------------------------------------------

_PAGE = re.compile(r"^(?:pp?\.|pages?|p)\s*", re.IGNORECASE)


def citation_text(c: Any, style: str = DEFAULT_STYLE) -> str:
    """One parsed citation in `style`; what the parser could not split is given as written."""
    style = check_style(style)
    kind = str(_field(c, "kind") or "document")
    author, title = _field(c, "author"), _field(c, "title")
    if kind in ("unparsed", "empty") or not (author or title):
        raw = " ".join((_field(c, "raw") or "").split())
        return plain(link_segments(raw, [_field(c, "url")] if _field(c, "url") else [], [c])) if raw else ""
    container, when = _field(c, "container"), human_date(_field(c, "date"), missing="")
    url, locator, note = _field(c, "url"), _field(c, "locator"), _field(c, "note")
    # fields cut from the footnote may hold a lost link's placeholder too (a note citing more)
    locator, note = (plain(link_segments(x)) if x else x for x in (locator, note))
    if style == "euaa":
        fields = [author, title, container, when, url, locator]
        text = ", ".join(f.strip() for f in fields if f and f.strip())
        return f"{text} ({note.strip()})" if note else text
    head = ", ".join(x for x in (author, f"‘{title}’" if title else None) if x)
    paren = ", ".join(x for x in (container, when) if x)
    text = f"{head} ({paren})" if paren else head
    if locator:
        text += " " + _PAGE.sub("", locator.strip())
    if url:
        text += f" <{url}> accessed {human_date(date.today().isoformat())}"
    return f"{text} ({note.strip()})" if note else text


def footnote_line(fn: Any, n: int, style: str = DEFAULT_STYLE) -> str:
    """`[n] …`: the footnote as the report wrote it with its links placed (euaa), or its
    citations one by one (oscola)."""
    segs = footnote_segments(fn)
    if segs is None:
        return f"[{n}] (text missing in the source)"
    if check_style(style) == "euaa":
        return f"[{n}] {plain(segs)}"
    cits = [c for c in _field(fn, "citations") or [] if str(_field(c, "kind")) not in ("empty", "analysis")]
    parts = [t for t in (citation_text(c, style) for c in cits) if t]
    return f"[{n}] " + ("; ".join(parts) if parts else plain(segs))


# --- the report and a passage of it ---------------------------------------------------------


def report_date(report: Any) -> str:
    """The report's date as cited: month and year of publication (else of the drafting's end)."""
    iso = _field(report, "published") or _field(report, "cut_off")
    return human_date(iso[:7], missing="") if iso else ""


def report_reference(report: Any, style: str = DEFAULT_STYLE) -> str:
    """'EUAA, Peru – Country Focus, September 2023' (euaa) or '… (September 2023)' (oscola)."""
    style = check_style(style)
    who = [x for x in (_field(report, "publisher"), _field(report, "title") or _field(report, "id")) if x]
    when = report_date(report)
    if style == "oscola":
        return ", ".join(who) + (f" ({when})" if when else "")
    return ", ".join(who + ([when] if when else []))


def paragraph_section(report: Any, paragraph_id: str) -> tuple[str | None, str | None]:
    """(number, heading) of the paragraph's section; an unnumbered heading borrows the number
    of its nearest numbered ancestor ("3.5.1", "Tren de Aragua")."""

    def walk(sections, inherited: str | None):
        for s in sections:
            number = s.number or inherited
            if any(p.id == paragraph_id for p in s.paragraphs):
                return number, s.title
            found = walk(s.sections, number)
            if found:
                return found
        return None

    return walk(report.sections, None) or (None, None)


def permalink(base_url: str | None, report_id: str, paragraph_id: str) -> str | None:
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/reports/{report_id}#p-{paragraph_id}"


def where_in_report(report: Any, p: Any, style: str = DEFAULT_STYLE) -> str:
    """'section 3.5.1 ‘Tren de Aragua’, p. 43' (oscola: '…, 43')."""
    number, title = paragraph_section(report, p.id)
    parts = []
    if number and title and title.strip() != number:
        parts.append(f"section {number.rstrip('.')} ‘{title}’")
    elif number or title:
        parts.append(f"section {number.rstrip('.')}" if number else f"section ‘{title}’")
    if p.page:
        parts.append(f"p. {p.page}" if check_style(style) == "euaa" else str(p.page))
    return ", ".join(parts)


def passage_reference(report: Any, p: Any, style: str = DEFAULT_STYLE, base_url: str | None = None) -> str:
    """The report as the cited document, pinned to the passage, with its permalink."""
    style = check_style(style)
    ref, where = report_reference(report, style), where_in_report(report, p, style)
    link = permalink(base_url, report.id, p.id)
    if style == "oscola":
        text = f"{ref} {where}" if where else ref
        return f"{text} <{link}>" if link else text
    return ", ".join(x for x in (ref, where, link) if x)


def quote_with_markers(p: Any, start: int = 0, end: int | None = None) -> str:
    """The paragraph (or its span start:end) as plain text with markers as [n], for drafts.

    A marker right after the span's last character belongs to the span: footnote markers sit
    after the sentence they support.
    """
    text = p.text
    end = len(text) if end is None else end
    parts: list[str] = []
    last = start
    for m in sorted(p.markers, key=lambda m: m.offset):
        if not start < m.offset <= end and not (m.offset == start == 0):
            continue
        offset = max(last, min(m.offset, len(text)))
        parts.append(text[last:offset])
        parts.append(f"[{m.n}]")
        last = offset
    parts.append(text[last:end])
    return "".join(parts)


def passage_citation(report: Any, p: Any, footnotes: Mapping[int, Any], span: tuple[int, int] | None = None,
                     style: str = DEFAULT_STYLE, base_url: str | None = None) -> str:
    """What "Copy citation" (and the CLI) gives: the quote (the paragraph, or a sentence of it
    given as `span`), the passage reference, and the footnotes it carries. `footnotes` are the
    ones to show (confidential sources already replaced, see `corroborate.redaction`)."""
    start, end = span if span else (0, len(p.text))
    quote = quote_with_markers(p, start, end).strip()
    numbers = [m.n for m in sorted(p.markers, key=lambda m: m.offset)
               if start < m.offset <= end or (m.offset == start == 0)]
    lines = [f"“{quote}”", passage_reference(report, p, style, base_url)]
    lines += [footnote_line(footnotes.get(n), n, style) for n in dict.fromkeys(numbers)]
    return "\n".join(lines)
