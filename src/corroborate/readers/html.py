"""HTML report -> Report: h1-h6 as the section tree, paragraphs, list items, quotes and
captions as plain text (markup is never stored, its hyperlinks are kept as spans), footnote and
endnote markers linked to their notes.

Notes are found from their markers, not from one generator's class names: a marker is a link
to an in-page anchor whose visible text is a note label ("1", "[1]", GOV.UK's "[footnote 1]",
"*", "[iv]"), in <sup>, named like a note (href, class, DPUB-ARIA `doc-noteref`) or linked back
from its note. Its target (by id, or by <a name> in Word-exported HTML) is inside the note; a
DPUB-ARIA `doc-footnote`/`doc-endnote` around it is the note. A link from inside a note back to
the marker pointing at that note is the note's back-link, whatever it shows (↩, ^, a, [1]).
That covers kramdown/GOV.UK govspeak (`#fn:1` -> `<li id="fn:1">`), pandoc and markdown-it
(`#fn1`), Word (`#_ftn1` <-> `#_ftnref1`, two links pointing at each other: the marker comes
first), Wikipedia (`#cite_note-x-3`) and the EUAA/USDOS web layouts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import lxml.html
from lxml import etree

from corroborate.models import (
    Footnote,
    IngestWarning,
    Link,
    Marker,
    Paragraph,
    ParagraphKind,
    Report,
    Section,
)
from corroborate.readers import ReaderError
from corroborate.readers.bibliography import bibliography_entries
from corroborate.readers.html_meta import head_fields, read_html_metadata
from corroborate.readers.text_metadata import title_from_filename
from corroborate.urls import safe_url

URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"“”‘’]+", re.I)
_HEADING_NUMBER = re.compile(
    r"^(?P<num>(?:[IVXLC]{1,6}|[A-Za-z])[.)]|\d{1,2}(?:\.\d{1,2}){0,4}[.)]?)\s+(?P<title>\S.*)$")
# What a marker shows: `1`, `[1]`, `(1)`, `[footnote 1]` (GOV.UK), `note 1`, or a symbol (`*`, `†`,
# `[a]`, Word's endnote `[iv]`); a symbol gets the next free number.
_HEADING_LINE = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(?P<title>[A-ZÁÉÍÓÚÑ][^.:;,!?]{1,110}[^\s.:;,!?])$")
_MARK_TEXT = re.compile(
    r"^\s*[\[(]?\s*(?:(?:(?:foot|end)?note|fn|nota|n\.)\s*)?(?:(\d{1,4})|[*†‡§¶]{1,3}|[a-z]|[ivxlc]{2,7})"
    r"\s*[\])]?\s*$", re.I)
_NOTE_ROLES = {"doc-footnote", "doc-endnote"}
_NOTE_LEAD = re.compile(r"^\s*(?:\^\s*)?[\[(]?(?:(?:foot|end)?note\s*)?(\d{1,4})[\])]?\.?\s*", re.I)
_NOTE_TAIL = re.compile(r"\s*(?:[↩↑][\ufe0e\ufe0f]?\s*)+$")
_DROP = {"script", "style", "noscript", "nav", "form", "iframe", "svg", "template", "button", "select",
         "textarea", "object", "embed", "canvas", "head", "menu", "input"}
_BLOCK = {"p", "div", "section", "article", "main", "aside", "header", "footer", "ul", "ol", "li", "dl",
          "dt", "dd", "blockquote", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "td",
          "th", "caption", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "details",
          "summary", "center", "body", "html"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BACKLINK = re.compile(r"^\s*(?:[↩↑^]|\^?\s*[a-z]{1,2}\b|back)", re.I)


class Outline:
    """Builds the Section tree from headings (with a level) and paragraphs in reading order."""

    def __init__(self) -> None:
        self.roots: list[Section] = []
        self.stack: list[Section] = []
        self.raw_levels: list[int] = []
        self.front: Section | None = None

    def heading(self, title: str, level: int, page: int | None = None) -> Section:
        title = " ".join(title.split())
        m = _HEADING_NUMBER.match(title)
        number = None
        if m and len(m.group("title")) > 1:
            number, title = m.group("num").rstrip(".)"), m.group("title")
        parent = self._numbered_parent(number)
        if parent is not None:
            # `1.2` written one heading level above its sibling `1.1` still belongs under `1`
            del self.stack[parent + 1:], self.raw_levels[parent + 1:]
        while self.stack and self.raw_levels[-1] >= level and parent is None:
            self.stack.pop()
            self.raw_levels.pop()
        if number and not re.fullmatch(r"\d+(\.\d+)+", number) and self.stack and self.stack[-1].number:
            number = f"{self.stack[-1].number}.{number}"
        section = Section(number=number, title=title, level=len(self.stack) + 1, page=page)
        (self.stack[-1].sections if self.stack else self.roots).append(section)
        self.stack.append(section)
        self.raw_levels.append(level)  # h1..h6 or Word outline level, compared as written
        return section

    def numbered_heading_level(self, text: str) -> int | None:
        """The heading level of a line of body text that is a numbered heading: `3.2 Title`
        (short, capitalised, no closing punctuation) while section `3` is open; else None."""
        m = _HEADING_LINE.match(" ".join(text.split()))
        if not m:
            return None
        parent = self._numbered_parent(m.group("num"))
        return None if parent is None else self.raw_levels[parent] + 1

    def _numbered_parent(self, number: str | None) -> int | None:
        """Where in the open stack the section numbered like this heading's parent is."""
        if not number or not re.fullmatch(r"\d+(\.\d+)+", number):
            return None
        prefix = number.rsplit(".", 1)[0]
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].number == prefix:
                return i
        return None

    def add(self, para: Paragraph) -> None:
        if not para.text:
            return
        if self.stack:
            self.stack[-1].paragraphs.append(para)
            return
        if self.front is None:
            self.front = Section(title="Front matter", level=1)
            self.roots.insert(0, self.front)
        self.front.paragraphs.append(para)


def footnote_urls(linked: list[str], text: str) -> list[str]:
    """A note's URLs: its link targets, then addresses written out in its text, each once."""
    urls = list(dict.fromkeys(linked))
    for m in URL_RE.finditer(text):
        url = m.group(0).rstrip(".,;:)]}'’”»")
        if not any(u.rstrip("/") == url.rstrip("/") for u in urls):
            urls.append(url)
    return urls


@dataclass
class TextRun:
    """Whitespace-collapsed text built piece by piece, with marker offsets."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    markers: list[Marker] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    cuts: dict[int, int] = field(default_factory=dict)  # note number -> where its text starts

    def add(self, text: str) -> None:
        if not text:
            return
        text = re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u200b", ""))
        if text.startswith(" ") and (not self.parts or self.parts[-1].endswith(" ")):
            text = text[1:]
        if text:
            self.parts.append(text)
            self.length += len(text)

    def mark(self, n: int) -> None:
        offset = self.length
        if self.parts and self.parts[-1].endswith(" "):
            offset -= 1  # the marker hugs the preceding word
        self.markers.append(Marker(n=n, offset=offset))

    def link(self, url: str, start: int) -> None:
        """Text added since `start` links to `url` (a space at either end is not linked)."""
        raw = "".join(self.parts)
        while start < self.length and raw[start] == " ":
            start += 1
        end = self.length
        while end > start and raw[end - 1] == " ":
            end -= 1
        if end > start:
            self.links.append(Link(start=start, end=end, url=url))

    def text(self) -> str:
        raw = "".join(self.parts)
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        for m in self.markers:
            m.offset = max(0, min(m.offset - lead, len(text)))
        for k in self.links:
            k.start = max(0, min(k.start - lead, len(text)))
            k.end = max(k.start, min(k.end - lead, len(text)))
        self.links = [k for k in self.links if k.end > k.start]
        return text


# Characters XML (and so lxml's tree) cannot hold: the parser keeps them in text nodes, and
# lxml refuses them when the text is moved, as dropping an element does with its tail
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_DEPTH = 100  # deeper elements are unwrapped: no report nests so, and reading recurses


def read_html_file(path: Path, data: bytes) -> Report:
    text = _NOT_XML.sub(" ", _decode(data))
    if not text.strip():
        raise ReaderError(path, "HTML file has no content")
    parser = lxml.html.HTMLParser(huge_tree=True)  # long text nodes, nesting up to 2048
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ReaderError(path, f"unreadable HTML ({exc})") from exc
    warnings = []
    if any("depth" in e.message for e in parser.error_log):
        warnings.append(IngestWarning(code="html-depth", message=(
            "elements are nested more than 2048 deep: the parser drops what is inside them")))
    if _flatten(root):
        warnings.append(IngestWarning(code="html-depth", message=(
            f"elements nested more than {MAX_DEPTH} deep were unwrapped into their ancestors")))
    report = HtmlReader(root).report(path.name)
    report.warnings[:0] = warnings
    return report


def _flatten(root) -> bool:
    """Unwrap the elements deeper than MAX_DEPTH (in document order, so each is moved once)."""
    deep, stack = [], [(root, 0)]
    while stack:
        el, depth = stack.pop()
        if depth > MAX_DEPTH and isinstance(el.tag, str):
            deep.append(el)
        stack.extend((child, depth + 1) for child in reversed(el))
    for el in deep:
        el.drop_tag()
    return bool(deep)


def _decode(data: bytes) -> str:
    """Bytes to text: BOM, then the declared charset, then UTF-8, then Windows-1252 (Word)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", data[:4096], re.I) or re.search(
        rb"""<\?xml[^>]+encoding=["']([\w-]+)""", data[:512])
    candidates = [m.group(1).decode("ascii", "ignore")] if m else []
    for enc in [*candidates, "utf-8"]:
        try:
            text = data.decode(enc)
            break
        except (LookupError, UnicodeDecodeError):
            continue
    else:
        text = data.decode("cp1252", "replace")
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text)


class HtmlReader:
    def __init__(self, root) -> None:
        self.root = root
        self.head = head_fields(root)
        for bad in list(root.iter(*_DROP)):
            if bad.getparent() is not None:
                bad.drop_tree()
        for comment in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
            if comment.getparent() is not None:
                comment.drop_tree()
        self.warnings: list[IngestWarning] = []
        self.carriers: dict[object, int] = {}  # marker element -> note number
        self.backlinks: set[int] = set()
        self.notes: dict[int, object] = {}  # note number -> note element
        self.note_starts: dict[int, object] = {}  # number -> its anchor, when one block holds several notes
        self._cut_at: dict[int, int] = {}
        self.ids: dict[str, object] = {}
        self.names: dict[str, object] = {}
        for el in root.iter():
            if isinstance(el.tag, str):
                if el.get("id"):
                    self.ids.setdefault(el.get("id"), el)
                if el.tag == "a" and el.get("name"):
                    self.names.setdefault(el.get("name"), el)
        self._find_notes()

    # --- notes ---------------------------------------------------------------------------

    def _target(self, anchor_id: str):
        """The element an in-page link points at: by id, else (Word) by <a name>."""
        found = self.ids.get(anchor_id)
        return found if found is not None else self.names.get(anchor_id)

    def _note_element(self, target):
        """The whole note: an element with a DPUB-ARIA note role around the target, else the
        list item, or the block holding the anchor (a Word note's div)."""
        for i, el in enumerate(target.iterancestors()):
            if i > 4:
                break
            if el.get("role") in _NOTE_ROLES:
                return el
        if target.get("role") in _NOTE_ROLES:
            return target
        el = target
        while el is not None and el.tag not in ("li", "p", "div", "dd", "aside", "section", "td", "body"):
            el = el.getparent()
        if el is None or el.tag == "body":
            return None
        parent = el.getparent()
        if el.tag == "p" and parent is not None and parent.tag == "div" and re.search(
                r"(?i)ftn|edn|footnote|endnote|note", parent.get("id", "") + parent.get("class", "")):
            return parent
        return el

    @staticmethod
    def _zone(a) -> list:
        """A link and the inline wrappers that hold nothing else (`<sup id=fnref:1><a>…`)."""
        zone = [a]
        text = (a.text_content() or "").strip()
        el = a.getparent()
        while el is not None and el.tag in ("sup", "span", "a", "small") and (
                (el.text_content() or "").strip() == text):
            zone.append(el)
            el = el.getparent()
        return zone

    def _find_notes(self) -> None:
        """Markers are in-page links to notes; a link from inside a note back to (the wrapper
        of) a link pointing at that note is the note's back-link, never a marker."""
        links = []
        for a in self.root.iter("a"):
            href = (a.get("href") or "").strip()
            if href.startswith("#") and len(href) > 1:
                target = self._target(unquote(href[1:]))
                if target is not None and target is not a:
                    links.append((a, target))
        # ids of lxml proxies are stable only while the proxies live: keep them referenced
        self._alive = [(a, target, self._zone(a)) for a, target in links]
        in_zone: dict[int, object] = {}  # element -> the link whose zone it is in
        for a, _, zone in self._alive:
            for el in zone:
                in_zone.setdefault(id(el), a)
        targets = {id(a): t for a, t in links}
        order = {id(a): i for i, (a, _) in enumerate(links)}
        backlinks: set[int] = set()
        for a, target in links:
            other = in_zone.get(id(target))
            if other is None or other is a:
                continue
            if in_zone.get(id(targets[id(other)])) is a and order[id(a)] < order[id(other)]:
                continue  # two links pointing at each other (Word): the note comes after its marker
            back_note = self._note_element(targets[id(other)])
            if back_note is not None and self._contains(back_note, a):
                backlinks.add(id(a))
        self.backlinks = backlinks
        pointed_back = {id(in_zone[id(t)]) for a, t in links if id(a) in backlinks and id(t) in in_zone}
        numbered: list[tuple[object, object, int | None]] = []
        for a, target in links:
            if id(a) in backlinks:
                continue
            text = " ".join((a.text_content() or "").split())
            href = a.get("href") or ""
            m = _MARK_TEXT.match(text)
            role = (a.get("role") or "") + " " + " ".join((x.get("role") or "") for x in self._zone(a))
            hinted = "doc-noteref" in role or re.search(
                r"(?i)fn|ftn|edn|note|foot|ref|cite", href + " " + a.get("class", ""))
            in_sup = any(x.tag == "sup" for x in a.iterancestors()) or a.find(".//sup") is not None
            if not m or not (in_sup or hinted or id(a) in pointed_back):
                continue
            note = self._note_element(target)
            if note is None or self._contains(note, a) or self._contains(a, note) or not self._note_like(note):
                continue
            numbered.append((a, note, int(m.group(1)) if m.group(1) else None, target))
        # Several notes in one block (`<p><a name=n1>1</a> … <br><a name=n2>2</a> …</p>`): each
        # note is that block's text from its own anchor to the next one.
        anchors: dict[int, set[int]] = {}
        for _, note, _, target in numbered:
            anchors.setdefault(id(note), set()).add(id(target))
        self._number_notes([(a, (note, target) if len(anchors[id(note)]) > 1 else (note, None), n)
                            for a, note, n, target in numbered])

    def _number_notes(self, numbered: list[tuple[object, tuple[object, object], int | None]]) -> None:
        """Each note keeps the number its first marker shows; a marker without a number (`*`)
        or a second series reusing numbers gets the next free number, with a warning."""
        by_note: dict[tuple[int, int], int] = {}
        for a, (note, start), n in numbered:
            key = (id(note), id(start))
            if key in by_note:
                n = by_note[key]
            else:
                if n is None or n in self.notes:
                    wanted = n
                    n = max(self.notes, default=0) + 1
                    if wanted is not None:
                        self.warnings.append(IngestWarning(
                            code="footnote-renumbered", footnote=n,
                            message=f"a second note numbered {wanted} is kept as footnote {n}"))
                self.notes[n] = note
                if start is not None:
                    self.note_starts[n] = start
                by_note[key] = n
            zone = self._zone(a)
            self.carriers[zone[-1]] = n

    @staticmethod
    def _note_like(el) -> bool:
        """A note holds no heading and is not a chapter: a link into the body is navigation."""
        if any(True for _ in el.iter(*_HEADINGS)):
            return False
        return len(el.text_content() or "") <= 6000

    @staticmethod
    def _contains(outer, inner) -> bool:
        return any(x is outer for x in inner.iterancestors())

    def footnotes(self) -> list[Footnote]:
        out: list[Footnote] = []
        texts: dict[int, tuple[str, list[Link], list[str]]] = {}
        for el in {id(e): e for e in self.notes.values()}.values():
            ns = [n for n in self.notes if self.notes[n] is el]
            starts = {id(self.note_starts[n]): n for n in ns if n in self.note_starts}
            run = TextRun()
            if id(el) in starts:
                run.cuts[starts[id(el)]] = 0
            self._cut_at = starts
            self._inline(el, run, note=True)
            self._cut_at = {}
            if not starts:
                texts[ns[0]] = (run.text(), run.links, run.urls)
                continue
            raw = "".join(run.parts)
            cuts = sorted((off, n) for n, off in run.cuts.items())
            for i, (off, n) in enumerate(cuts):
                end = cuts[i + 1][0] if i + 1 < len(cuts) else len(raw)
                piece = raw[off:end]
                lead = len(piece) - len(piece.lstrip())
                text = piece.strip()
                links = [Link(start=k.start - off - lead, end=min(k.end, end) - off - lead, url=k.url)
                         for k in run.links if off <= k.start < end]
                texts[n] = (text, links, [k.url for k in links if k.url.lower().startswith("http")])
        for n in sorted(self.notes):
            text, links, urls = texts.get(n, ("", [], []))
            lead = _NOTE_LEAD.match(text)
            cut = lead.end() if lead and int(lead.group(1)) == n else 0
            tail = _NOTE_TAIL.search(text)
            end = tail.start() if tail else len(text)
            text = text[cut:end]
            links = [Link(start=k.start - cut, end=min(k.end, end) - cut, url=k.url)
                     for k in links if cut <= k.start < end]
            out.append(Footnote(n=n, text=text or None, urls=footnote_urls(urls, text), links=links))
        return out

    # --- text ----------------------------------------------------------------------------

    def _inline(self, el, run: TextRun, note: bool = False, skip_blocks: bool = False) -> None:
        """Text of el and its inline descendants; markers become offsets, links spans."""
        run.add(el.text or "")
        for child in el:
            self._child(child, run, note, skip_blocks)

    def _child(self, child, run: TextRun, note: bool = False, skip_blocks: bool = False) -> None:
        """One inline child of a block, then its tail."""
        if note and id(child) in self._cut_at:
            run.cuts[self._cut_at[id(child)]] = run.length
        if isinstance(child.tag, str):
            if child in self.carriers and not note:
                run.mark(self.carriers[child])
            elif note and (child.tag == "a" and self._is_backlink(child) or "backlink" in child.get("class", "")):
                pass
            elif skip_blocks and child.tag in ("ul", "ol", "table"):
                pass
            else:
                url = None
                if child.tag == "a":
                    href = safe_url(child.get("href"))
                    if href and href.lower().startswith(("http://", "https://", "mailto:")):
                        url = href
                        if not href.lower().startswith("mailto:"):
                            run.urls.append(href)
                if child.tag == "br" or child.tag in _BLOCK:
                    run.add(" ")
                start = run.length
                self._inline(child, run, note=note, skip_blocks=skip_blocks)
                if url:
                    run.link(url, start)
                if child.tag in _BLOCK:
                    run.add(" ")
        run.add(child.tail or "")

    def _is_backlink(self, a) -> bool:
        if id(a) in self.backlinks:
            return True
        href = a.get("href") or ""
        if not href.startswith("#"):
            return False
        if "doc-backlink" in (a.get("role") or ""):
            return True
        return bool(_BACKLINK.match(a.text_content() or ""))

    def _para(self, el, kind: ParagraphKind, skip_blocks: bool = False) -> Paragraph:
        run = TextRun()
        self._inline(el, run, skip_blocks=skip_blocks)
        text = run.text()
        return Paragraph(kind=kind, text=text, markers=run.markers, links=run.links)

    def _walk(self, el, outline: Outline, kind: ParagraphKind = ParagraphKind.BODY) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _HEADINGS:
            para = self._para(el, ParagraphKind.HEADING)
            if para.text:
                section = outline.heading(para.text, _HEADINGS[tag])
                if para.markers:
                    section.paragraphs.append(para)  # keeps a note on a heading linked
            return
        if tag == "li":
            outline.add(self._para(el, ParagraphKind.LIST_ITEM, skip_blocks=True))
            for sub in el:
                if sub.tag in ("ul", "ol"):
                    for child in sub:
                        if child.tag == "li":
                            self._walk(child, outline)
            return
        if tag == "blockquote":
            kind = ParagraphKind.QUOTE
        if tag in ("figcaption", "caption"):
            outline.add(self._para(el, ParagraphKind.CAPTION))
            return
        if tag in ("p", "pre", "dt", "dd", "address", "summary") or (
            tag in _BLOCK and not any(isinstance(c.tag, str) and c.tag in _BLOCK for c in el)
        ):
            para = self._para(el, kind)
            level = outline.numbered_heading_level(para.text) if kind == ParagraphKind.BODY else None
            if level is not None:
                # `<p>3.2 Contemporary attitudes</p>` under the heading `3.`: a heading styled as text
                section = outline.heading(para.text, level)
                if para.markers:
                    section.paragraphs.append(para.model_copy(update={"kind": ParagraphKind.HEADING}))
                return
            outline.add(para)
            return
        # a container: loose inline content between blocks forms paragraphs of its own
        run = TextRun()
        run.add(el.text or "")
        for child in el:
            ctag = child.tag if isinstance(child.tag, str) else ""
            if ctag in _BLOCK:
                self._flush(run, outline, kind)
                run = TextRun()
                self._walk(child, outline, kind)
                run.add(child.tail or "")
            else:
                self._child(child, run)
        self._flush(run, outline, kind)

    @staticmethod
    def _flush(run: TextRun, outline: Outline, kind: ParagraphKind) -> None:
        text = run.text()
        if text:
            outline.add(Paragraph(kind=kind, text=text, markers=run.markers, links=run.links))

    def report(self, name: str = "") -> Report:
        footnotes = self.footnotes()
        for el in {id(e): e for e in self.notes.values()}.values():
            if el.getparent() is not None:
                el.drop_tree()
        body = self._content_root()
        self._prune_note_containers(body)
        outline = Outline()
        self._walk(body, outline)
        meta = read_html_metadata(self.head, outline.roots)
        title = meta.title
        if not title:
            title = title_from_filename(name) or "HTML report"
            self.warnings.append(IngestWarning(
                code="title-missing",
                message=f"the document names no title (no <title>, <h1> or title line); '{title}' is "
                        "made from the file name"))
        report = Report(title=title, publisher=meta.publisher, published=meta.published,
                        cut_off=meta.cut_off, edition=meta.edition, reference=meta.reference,
                        language=meta.language, sections=outline.roots, footnotes=footnotes,
                        bibliography=bibliography_entries(outline.roots), warnings=self.warnings)
        cited = {m.n for p in report.paragraphs() for m in p.markers}
        for f in footnotes:
            if f.n not in cited:
                self.warnings.append(IngestWarning(code="footnote-unreferenced", footnote=f.n,
                                                   message=f"footnote {f.n} has no marker in the text"))
        return report

    def _content_root(self):
        """The report itself, without the site around it: <main> (or role=main), else the one
        <article>, else <body> less its page-level <header> and <footer>."""
        for path in ("//main", "//*[@role='main']"):
            found = self.root.xpath(path)
            if found and (found[0].text_content() or "").strip():
                return found[0]
        articles = self.root.xpath("//article")
        if len(articles) == 1 and (articles[0].text_content() or "").strip():
            return articles[0]
        body = self.root.find(".//body")
        if body is None:
            return self.root
        for chrome in body.xpath("./header | ./footer | ./*/header[not(ancestor::article)] "
                                 "| ./*/footer[not(ancestor::article)]"):
            if chrome.getparent() is not None:
                chrome.drop_tree()
        return body

    @staticmethod
    def _prune_note_containers(body) -> None:
        """Lists and sections that held only notes (now removed) leave no empty shells."""
        for el in list(body.iter("ol", "ul", "section", "div", "aside", "footer")):
            if el.getparent() is not None and not (el.text_content() or "").strip():
                el.drop_tree()
