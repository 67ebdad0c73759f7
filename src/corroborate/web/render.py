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

from corroborate.citations import format as cite
from corroborate.citations.dates import human_date as _human_date
from corroborate.export.document import safe_links
from corroborate.i18n import N_, format_iso_date, gettext
from corroborate.models import Footnote, GlossaryEntry, Paragraph, Report, Source

MISSING_FOOTNOTE = N_("text missing in the source")  # shown through _() in the templates

def human_date(value: str | None) -> str:
    """A date for pages in the reader's language ("20 March 2023", "20 de marzo de 2023"), where
    no date shows as nothing (lists say `n.d.` themselves). Copied citations keep EUAA's English."""
    return format_iso_date(value) if value else _human_date(value, missing="")


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
    offsets, the report's own hyperlinks as links and glossary terms wrapped in `<abbr title>`."""
    text = p.text
    markers: dict[int, list[int]] = {}
    for m in p.markers:
        offset = max(0, min(m.offset, len(text)))
        markers.setdefault(offset, [])
        if m.n not in markers[offset]:
            markers[offset].append(m.n)
    links = safe_links(p.links, len(text), markers)
    abbrs = []
    for start, end, definition in (glossary.spans(text) if glossary else []):
        # A marker inside a term would be split by the <abbr>; keep the marker, drop the hint.
        # A term across a link's edge cannot nest with it; the link wins.
        if not any(start < off < end for off in markers) and not any(
                start < b and a < end and not (a <= start and end <= b) for a, b, _ in links):
            abbrs.append((start, end, definition))
    cuts = sorted({0, len(text), *markers, *(a for a, _, _ in abbrs), *(b for _, b, _ in abbrs),
                   *(a for a, _, _ in links), *(b for _, b, _ in links)})
    starts = {a: (b, d) for a, b, d in abbrs}
    link_starts = {a: (b, url) for a, b, url in links}
    out: list[str] = []
    abbr_end: int | None = None
    link_end: int | None = None
    for i, pos in enumerate(cuts):
        if abbr_end is not None and pos == abbr_end:
            out.append("</abbr>")
            abbr_end = None
        if link_end is not None and pos == link_end:
            out.append("</a>")
            link_end = None
        if pos in markers:
            out.append(_markers_html(markers[pos], footnotes, p.id, fn_href))
        if pos in link_starts and link_end is None and abbr_end is None:
            link_end, url = link_starts[pos]
            out.append(f'<a class="doc-link" href="{escape(url)}" rel="noopener nofollow">')
        if pos in starts and abbr_end is None:
            end, definition = starts[pos]
            out.append(f'<abbr title="{escape(definition)}">')
            abbr_end = end
        if i + 1 < len(cuts):
            out.append(str(escape(text[pos:cuts[i + 1]])))
    if abbr_end is not None:
        out.append("</abbr>")
    if link_end is not None:
        out.append("</a>")
    return Markup("".join(out))


def _markers_html(numbers: list[int], footnotes: Mapping[int, Footnote], pid: str, fn_href: str) -> str:
    links = []
    for n in numbers:
        missing = footnote_is_missing(footnotes.get(n))
        cls = "fn-ref fn-ref--missing" if missing else "fn-ref"
        label = gettext("Footnote %(n)s", n=n) + (f" ({gettext(MISSING_FOOTNOTE)})" if missing else "")
        links.append(
            f'<a class="{cls}" href="{escape(fn_href.format(n=n))}" data-fn="{n}" '
            f'aria-label="{escape(label)}">{n}</a>'
        )
    return f'<sup class="fn-marker">{", ".join(links)}</sup>'


def footnote_html(fn) -> Markup:
    """A footnote's text with its links where the one URL-placement rule puts them."""
    segs = cite.footnote_segments(fn) or []
    return Markup("".join(
        f'<a class="ext" href="{escape(s.href)}" rel="noopener noreferrer nofollow" target="_blank">'
        f'{escape(s.text)}<span class="visually-hidden"> (opens in a new tab)</span></a>'
        if s.href else str(escape(s.text)) for s in segs))


def paragraph_citation(
    report: Report,
    p: Paragraph,
    footnotes: Mapping[int, Footnote],
    sources: Mapping[str, Source] | None = None,
    span: tuple[int, int] | None = None,
    style: str = cite.DEFAULT_STYLE,
    base_url: str | None = None,
) -> str:
    """What "Copy citation" puts on the clipboard (`citations.format.passage_citation`), with
    sources a reviewer marked confidential replaced by a neutral label, as in every export."""
    from corroborate.redaction import shown_footnote

    if sources and any(s.confidential for s in sources.values()):
        footnotes = {n: shown_footnote(f, dict(sources)) for n, f in footnotes.items()}
    return cite.passage_citation(report, p, footnotes, span, style, base_url)


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
