"""HTML report -> Report: h1-h6 as the section tree, paragraphs, list items, quotes and
captions as plain text (markup is never stored), footnote and endnote markers linked to their
notes.

Notes are found from their markers, not from one publisher's class names: a marker is a link
to an in-page anchor whose visible text is a bare number ("1", "[1]"), usually in <sup>. Its
target (by id, or by <a name> in Word-exported HTML) is inside the note. That covers pandoc
(`#fn1` -> `<li id="fn1">`), Word (`#_ftn1` -> `<a name="_ftn1">` in `<div id="ftn1">`),
Wikipedia (`#cite_note-x-3` -> `<li id="cite_note-x-3">`) and the EUAA/USDOS web layouts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml import etree

from corroborate.models import Footnote, IngestWarning, Marker, Paragraph, ParagraphKind, Report, Section
from corroborate.readers import ReaderError
from corroborate.urls import safe_url

URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"“”‘’]+", re.I)
_HEADING_NUMBER = re.compile(
    r"^(?P<num>(?:[IVXLC]{1,6}|[A-Za-z])[.)]|\d{1,2}(?:\.\d{1,2}){0,4}[.)]?)\s+(?P<title>\S.*)$")
_MARK_TEXT = re.compile(r"^\s*[\[(]?\s*(\d{1,4})\s*[\])]?\s*$")
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
        while self.stack and self.raw_levels[-1] >= level:
            self.stack.pop()
            self.raw_levels.pop()
        if number and not re.fullmatch(r"\d+(\.\d+)+", number) and self.stack and self.stack[-1].number:
            number = f"{self.stack[-1].number}.{number}"
        section = Section(number=number, title=title, level=len(self.stack) + 1, page=page)
        (self.stack[-1].sections if self.stack else self.roots).append(section)
        self.stack.append(section)
        self.raw_levels.append(level)  # h1..h6 or Word outline level, compared as written
        return section

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

    def text(self) -> str:
        raw = "".join(self.parts)
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        for m in self.markers:
            m.offset = max(0, min(m.offset - lead, len(text)))
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
    report = HtmlReader(root).report()
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
        self.title = " ".join((root.findtext(".//title") or "").split())
        for bad in list(root.iter(*_DROP)):
            if bad.getparent() is not None:
                bad.drop_tree()
        for comment in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
            if comment.getparent() is not None:
                comment.drop_tree()
        self.warnings: list[IngestWarning] = []
        self.carriers: dict[object, int] = {}  # marker element -> note number
        self._marker_parts: set[int] | None = None
        self.notes: dict[int, object] = {}  # note number -> note element
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
        """The whole note: the list item, or the block holding the anchor (a Word note's div)."""
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

    def _find_notes(self) -> None:
        for a in self.root.iter("a"):
            href = (a.get("href") or "").strip()
            m = _MARK_TEXT.match(a.text_content() or "")
            if not href.startswith("#") or len(href) < 2 or not m:
                continue
            target = self._target(href[1:])
            if target is None:
                continue
            note = self._note_element(target)
            if note is None or self._contains(note, a):
                continue  # a note's own back-link
            n = int(m.group(1))
            in_sup = any(x.tag == "sup" for x in a.iterancestors()) or a.find(".//sup") is not None
            hinted = re.search(r"(?i)fn|ftn|edn|note|foot|ref|cite", href + a.get("class", "") + a.get("role", ""))
            if not (in_sup or hinted):
                continue
            carrier = a
            parent = a.getparent()
            if parent is not None and parent.tag == "sup" and _MARK_TEXT.match(parent.text_content() or ""):
                carrier = parent
            self.carriers[carrier] = n
            self.notes.setdefault(n, note)

    @staticmethod
    def _contains(outer, inner) -> bool:
        return any(x is outer for x in inner.iterancestors())

    def footnotes(self) -> list[Footnote]:
        out: list[Footnote] = []
        for n in sorted(self.notes):
            el = self.notes[n]
            run = TextRun()
            self._inline(el, run, note=True)
            text = re.sub(r"^\s*[\[(]?\d{1,4}[\])]?\.?\s*", "", run.text())
            text = re.sub(r"\s*[↩↑]\ufe0e?\s*$", "", text).strip()
            out.append(Footnote(n=n, text=text or None, urls=footnote_urls(run.urls, text)))
        return out

    # --- text ----------------------------------------------------------------------------

    def _inline(self, el, run: TextRun, note: bool = False, skip_blocks: bool = False) -> None:
        """Text of el and its inline descendants; markers become offsets."""
        run.add(el.text or "")
        for child in el:
            if not isinstance(child.tag, str):
                run.add(child.tail or "")
                continue
            if child in self.carriers and not note:
                run.mark(self.carriers[child])
            elif note and (child.tag == "a" and self._is_backlink(child) or "backlink" in child.get("class", "")):
                pass
            elif skip_blocks and child.tag in ("ul", "ol", "table"):
                pass
            else:
                if child.tag == "a":
                    href = safe_url(child.get("href"))
                    if href and href.lower().startswith(("http://", "https://")):  # not mailto or relative
                        run.urls.append(href)
                if child.tag == "br" or child.tag in _BLOCK:
                    run.add(" ")
                self._inline(child, run, note=note, skip_blocks=skip_blocks)
                if child.tag in _BLOCK:
                    run.add(" ")
            run.add(child.tail or "")

    def _is_backlink(self, a) -> bool:
        href = a.get("href") or ""
        if not href.startswith("#"):
            return False
        target = self._target(href[1:])
        if target is not None:
            if self._marker_parts is None:
                # every element inside a marker, and the markers' ancestors up to their paragraph
                self._marker_parts = set()
                for c in self.carriers:
                    self._marker_parts.update(id(x) for x in c.iter())
                    self._marker_parts.update(id(x) for x in c.iterancestors())
            if id(target) in self._marker_parts and target.tag in ("a", "sup", "span"):
                return True
        return bool(_BACKLINK.match(a.text_content() or ""))

    def _para(self, el, kind: ParagraphKind, skip_blocks: bool = False) -> Paragraph:
        run = TextRun()
        self._inline(el, run, skip_blocks=skip_blocks)
        text = run.text()
        return Paragraph(kind=kind, text=text, markers=run.markers)

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
            outline.add(self._para(el, kind))
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
            elif child in self.carriers:
                run.mark(self.carriers[child])
            elif ctag:
                if ctag == "br":
                    run.add(" ")
                self._inline(child, run)
            run.add(child.tail or "")
        self._flush(run, outline, kind)

    @staticmethod
    def _flush(run: TextRun, outline: Outline, kind: ParagraphKind) -> None:
        text = run.text()
        if text:
            outline.add(Paragraph(kind=kind, text=text, markers=run.markers))

    def report(self) -> Report:
        footnotes = self.footnotes()
        for el in {id(e): e for e in self.notes.values()}.values():
            if el.getparent() is not None:
                el.drop_tree()
        body = self._content_root()
        self._prune_note_containers(body)
        outline = Outline()
        self._walk(body, outline)
        title = self.title or next((s.title for s in outline.roots if s.title != "Front matter"), "")
        report = Report(title=title, sections=outline.roots, footnotes=footnotes, warnings=self.warnings)
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
