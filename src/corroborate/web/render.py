"""Turning stored report text into safe HTML and into citations people paste into decisions.

Report text is untrusted: it comes from PDFs and web pages written by others. Everything here
escapes text first and only then inserts the few elements we generate ourselves (footnote
markers, glossary `<abbr>`, search `<mark>`), so no report can inject markup into the UI.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape

from corroborate.citations.dates import human_date as _human_date
from corroborate.models import Citation, CitationKind, Footnote, GlossaryEntry, Paragraph, Report, Source

MISSING_FOOTNOTE = "text missing in the source"

def human_date(value: str | None) -> str:
    """EUAA-style date for pages, where no date shows as nothing (lists say `n.d.` themselves)."""
    return _human_date(value, missing="")


def url_host(url: str | None) -> str:
    """A link's site, for short link labels (the full address is in the link's title)."""
    m = re.match(r"^[a-z][a-z0-9+.-]*://(?:www\.)?([^/?#:]+)", url or "", re.IGNORECASE)
    return m.group(1) if m else (url or "")


# --- search snippets -------------------------------------------------------------------------

_MARK_SPLIT = re.compile(r"(</?mark>)", re.IGNORECASE)


def snippet_html(snippet: str | None) -> Markup:
    """Render a search snippet (already HTML-escaped, with `<mark>` highlights) safely.

    We do not trust the snippet as HTML: every piece between the marks is unescaped and escaped
    again, and only balanced `<mark>`/`</mark>` pairs are re-inserted.
    """
    if not snippet:
        return Markup("")
    out: list[str] = []
    open_mark = False
    for piece in _MARK_SPLIT.split(snippet):
        low = piece.lower()
        if low == "<mark>":
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif low == "</mark>":
            if open_mark:
                out.append("</mark>")
                open_mark = False
        elif piece:
            out.append(str(escape(html.unescape(piece))))
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))


# --- glossary ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Glossary:
    """Glossary terms of a report, compiled once per page into one matcher."""

    definitions: Mapping[str, str]
    pattern: re.Pattern[str] | None

    @classmethod
    def build(cls, entries: Iterable[GlossaryEntry]) -> Glossary:
        definitions: dict[str, str] = {}
        for e in entries:
            term = " ".join(e.term.split())
            # One- or two-letter terms ("AI") collide with ordinary words too often to be
            # explained reliably; a wrong explanation is worse than none.
            if len(term) >= 3 or (len(term) == 2 and term.isupper()):
                definitions.setdefault(term, " ".join(e.definition.split()))
        if not definitions:
            return cls({}, None)
        alternatives = "|".join(re.escape(t) for t in sorted(definitions, key=len, reverse=True))
        # Case-sensitive and whole-word: "EU" explains EU, not "eu" inside a word.
        return cls(definitions, re.compile(rf"(?<![\w+])(?:{alternatives})(?![\w+])"))

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, definition) of the first match of each term in `text`."""
        if self.pattern is None:
            return []
        seen: set[str] = set()
        out = []
        for m in self.pattern.finditer(text):
            term = m.group(0)
            if term in seen:
                continue
            seen.add(term)
            out.append((m.start(), m.end(), self.definitions[term]))
        return out


# --- paragraphs --------------------------------------------------------------------------------


def footnote_is_missing(fn: Footnote | None) -> bool:
    return fn is None or not (fn.text or "").strip()


def paragraph_html(
    p: Paragraph,
    footnotes: Mapping[int, Footnote],
    glossary: Glossary | None = None,
    fn_href: str = "#fn-{n}",
) -> Markup:
    """The paragraph's text with footnote markers re-inserted as superscript links at their
    offsets and glossary terms wrapped in `<abbr title>`."""
    text = p.text
    markers: dict[int, list[int]] = {}
    for m in p.markers:
        offset = max(0, min(m.offset, len(text)))
        markers.setdefault(offset, [])
        if m.n not in markers[offset]:
            markers[offset].append(m.n)
    abbrs = []
    for start, end, definition in (glossary.spans(text) if glossary else []):
        # A marker inside a term would be split by the <abbr>; keep the marker, drop the hint.
        if not any(start < off < end for off in markers):
            abbrs.append((start, end, definition))
    cuts = sorted({0, len(text), *markers, *(a for a, _, _ in abbrs), *(b for _, b, _ in abbrs)})
    starts = {a: (b, d) for a, b, d in abbrs}
    out: list[str] = []
    abbr_end: int | None = None
    for i, pos in enumerate(cuts):
        if abbr_end is not None and pos == abbr_end:
            out.append("</abbr>")
            abbr_end = None
        if pos in markers:
            out.append(_markers_html(markers[pos], footnotes, p.id, fn_href))
        if pos in starts and abbr_end is None:
            end, definition = starts[pos]
            out.append(f'<abbr title="{escape(definition)}">')
            abbr_end = end
        if i + 1 < len(cuts):
            out.append(str(escape(text[pos:cuts[i + 1]])))
    if abbr_end is not None:
        out.append("</abbr>")
    return Markup("".join(out))


def _markers_html(numbers: list[int], footnotes: Mapping[int, Footnote], pid: str, fn_href: str) -> str:
    links = []
    for n in numbers:
        missing = footnote_is_missing(footnotes.get(n))
        cls = "fn-ref fn-ref--missing" if missing else "fn-ref"
        label = f"Footnote {n}" + (f" ({MISSING_FOOTNOTE})" if missing else "")
        links.append(
            f'<a class="{cls}" href="{escape(fn_href.format(n=n))}" data-fn="{n}" '
            f'aria-label="{escape(label)}">{n}</a>'
        )
    return f'<sup class="fn-marker">{", ".join(links)}</sup>'


def plain_with_markers(p: Paragraph, start: int = 0, end: int | None = None) -> str:
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


# --- citations in EUAA style ------------------------------------------------------------------


def citation_text(c: Citation) -> str:
    """One citation as EUAA writes it: Author, Title, Date, url, p. (fields that exist)."""
    if c.kind in (CitationKind.UNPARSED, CitationKind.EMPTY) or not (c.author or c.title):
        return " ".join((c.raw or "").split())
    fields = [c.author, c.title, c.container, human_date(c.date), c.url, c.locator]
    text = ", ".join(f.strip() for f in fields if f and f.strip())
    if c.note:
        text = f"{text} ({c.note.strip()})"
    return text


_URL_PLACEHOLDER = re.compile(r"\burl\b")


def footnote_text(fn: Footnote | None, n: int, sources: Mapping[str, Source] | None = None) -> str:
    """The footnote as the report wrote it (already EUAA style), with real addresses.

    PDF extraction leaves the word "url" where the report had a hyperlink; when the parsed
    citations recovered one address per placeholder they are put back in order, otherwise the
    known addresses are appended so the reader can still follow them. Sources a reviewer marked
    confidential are replaced by a neutral label, as in every export.
    """
    if footnote_is_missing(fn):
        return f"[{n}] ({MISSING_FOOTNOTE})"
    assert fn is not None
    if sources and any(c.source_id in sources and sources[c.source_id].confidential for c in fn.citations):
        from corroborate.redaction import shown_footnote

        text, urls = shown_footnote(fn, dict(sources))
        fn = fn.model_copy(update={"text": text, "urls": urls,
                                   "citations": [c for c in fn.citations if c.url in urls]})
    body = " ".join((fn.text or "").split())
    urls = [c.url for c in fn.citations if c.url] or list(fn.urls)
    placeholders = _URL_PLACEHOLDER.findall(body)
    if urls and len(placeholders) == len(urls):
        queue = iter(urls)
        body = _URL_PLACEHOLDER.sub(lambda _m: next(queue), body)
    else:
        extra = [u for u in dict.fromkeys(urls) if u not in body]
        if extra:
            body = f"{body} [{', '.join(extra)}]"
    return f"[{n}] {body}"


def report_reference(report: Report, p: Paragraph | None = None) -> str:
    """The report itself as the cited document: Publisher, Title, Date, p. N."""
    fields = [report.publisher, report.title, human_date(report.published)]
    if p is not None and p.page:
        fields.append(f"p. {p.page}")
    return ", ".join(f for f in fields if f)


def paragraph_citation(
    report: Report,
    p: Paragraph,
    footnotes: Mapping[int, Footnote],
    sources: Mapping[str, Source] | None = None,
    span: tuple[int, int] | None = None,
) -> str:
    """What "Copy citation" puts on the clipboard: the quote (the paragraph, or a sentence of it
    given as `span`), where it is in the report, and the footnotes it carries."""
    start, end = span if span else (0, len(p.text))
    quote = plain_with_markers(p, start, end).strip()
    numbers = [m.n for m in sorted(p.markers, key=lambda m: m.offset)
               if start < m.offset <= end or (m.offset == start == 0)]
    where = report_reference(report, p)
    if p.section:
        where += f", section {p.section}"
    lines = [f"“{quote}”", where]
    for n in dict.fromkeys(numbers):
        lines.append(footnote_text(footnotes.get(n), n, sources))
    return "\n".join(lines)


_SENTENCE_END = re.compile(r"[.!?…][”’\"')\]]*\s+")


def supported_claim(p: Paragraph, offset: int) -> str:
    """The words a footnote marker at `offset` supports: back to the start of its sentence or
    to the previous marker, whichever is nearer (EUAA puts a marker after each sourced claim)."""
    text = p.text
    offset = max(0, min(offset, len(text)))
    start = 0
    for m in _SENTENCE_END.finditer(text, 0, max(0, offset - 1)):
        start = m.end()
    previous = [m.offset for m in p.markers if m.offset < offset]
    if previous:
        start = max(start, max(previous))
    return text[start:offset].strip()
