"""Second pass: body lines (footnotes and furniture already removed, markers already taken out)
become sections, paragraphs, the glossary and the terms of reference.

Decisions, all made from the shape of the text and the numbering, never from known phrases:

* **numbered headings** (`1.3.2. Effectiveness`) must continue the section numbering
  (after 1.3.1 only 1.3.2, 1.3.1.1, 1.4 or 2 can follow), be short, not end like a sentence and
  not carry prose after a colon. `1.1. Unlicenced Justices of Peace: Located in …` inside 1.3.1
  is a list item; so is `2.` right after a list item `1.` of the same section.
* **unnumbered headings**: a short line without final punctuation, between a finished sentence
  and a capitalised line. At the top of a page before the first numbered chapter (Disclaimer,
  Introduction, Map …) or named Annex/Appendix/Bibliography it opens a top-level Section; inside
  a section (`Tren de Aragua` in 3.5.1, `Oral sources` in Methodology) it opens an unnumbered
  sub-section one level down, so a paragraph can say where it stands (`3.5.1 › Tren de Aragua`).
  Consecutive sub-headings are siblings.
* **paragraph ends**: ragged-right text wraps only when the next word does not fit, so a line
  ending a sentence that leaves room for the next line's first word ends its paragraph; so does
  a sentence-final line the extractor marked with an extra trailing space (when such marks are
  rare enough to mean something). Page breaks and footnote blocks are invisible here: a
  sentence cut by them simply continues.
* **paragraph kinds**: bullets and numbered/lettered items are `list_item`; `Map 1.` / `Figure 1.`
  lines are `caption` (with their markers); the title line of a quoted legal article
  (`Article 247.- …`) is `quote`; a heading carrying a footnote marker also leaves a `heading`
  paragraph so the footnote stays reachable. Headings otherwise live on the Section only.
* a section titled like a glossary is read as a two-column table (text_glossary); a section
  titled "terms of reference" as a bullet tree: group lines, `•` items, other-bullet sub-items.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from corroborate.models import (
    GlossaryEntry,
    IngestWarning,
    Marker,
    Paragraph,
    ParagraphKind,
    Section,
    TorItem,
)
from corroborate.readers.text_glossary import parse_glossary
from corroborate.readers.text_layout import drop_hyphen


@dataclass(slots=True)
class BodyLine:
    no: int
    raw: str  # with markers, for measuring the printed line
    text: str  # markers removed
    markers: list[tuple[int, int]]  # (offset in text, footnote number)
    lead: bool
    page: int | None
    trailing: int = 0  # spaces after the text in the input


# the last ones are private-use glyphs of the Symbol/Wingdings fonts, as PDF extraction yields them
_BULLETS = "•●▪◦■○□➢►‣⁃\uf0b7\uf0a7\uf0d8\uf076\uf0fc"
_ENUM = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.\s+(\S.*)$|^(\d{1,2}(?:\.\d{1,2})+)\s+(\S.*)$")
_ENUM_ITEM = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.\s")  # list numbers end with a dot: `1.`, `1.1.`
_LETTERED = re.compile(r"^(?:[a-z]|[ivx]{1,4})\)\s+\S|^\((?:[a-z]|[ivx]{1,4})\)\s+\S")
_CAPTION = re.compile(
    r"^(?:Map|Figure|Fig\.|Table|Chart|Graph|Graphic|Image|Photo|Box|Infographic|Mapa|Figura|"
    r"Cuadro|Tabla|Gráfico)\s+\d+[.:]", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:Article|Artículo|Art\.)\s+\d+", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?:;…][\"'’”)\]]*$")
_TOP_LEVEL_NAMES = re.compile(r"^(?:Annex|Appendix|Anexo|Bibliography|References|Bibliografía)\b",
                              re.IGNORECASE)
_LABELLED_PART = re.compile(r"^(?:Annex|Appendix|Anexo|Chapter|Part|Section|Cap[ií]tulo)\s+\w+:",
                            re.IGNORECASE)
_GLOSSARY_TITLE = re.compile(r"glossary|abbreviations|acronyms|glosario|abreviaturas", re.IGNORECASE)
_TOR_TITLE = re.compile(r"terms of reference|t[ée]rminos de referencia", re.IGNORECASE)


def bullet(text: str) -> tuple[str, str] | None:
    if text and text[0] in _BULLETS:
        return text[0], text[1:].strip()
    return None


def enumeration(text: str) -> tuple[tuple[int, ...], str] | None:
    m = _ENUM.match(text)
    if not m:
        return None
    number, title = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return tuple(int(x) for x in number.split(".")), title


def follows(num: tuple[int, ...], last: tuple[int, ...] | None, skip: int = 1) -> bool:
    """Whether `num` may come next in a section numbering whose last heading was `last`."""
    if last is None:
        return len(num) == 1 and num[0] <= skip
    if num == last + (1,):
        return True
    return any(num == last[:i] + (last[i] + step,) for i in range(len(last))
               for step in range(1, skip + 1))


def heading_shape(title: str) -> bool:
    t = title.strip()
    if not t or len(t) > 100 or not (t[0].isupper() or t[0].isdigit()):
        return False
    if t[-1] in ".,;:!?":
        return False
    return not re.search(r":\s+\S", t)


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0] if text else ""


def _unbalanced(text: str) -> bool:
    return text.count("(") > text.count(")")


@dataclass
class _Draft:
    kind: ParagraphKind
    page: int | None
    line: int
    parts: list[str] = field(default_factory=list)  # joined once at the end: long texts stay linear
    length: int = 0
    markers: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Structure:
    sections: list[Section]
    glossary: list[GlossaryEntry]
    terms_of_reference: list[TorItem]
    warnings: list[IngestWarning]
    marker_lines: dict[int, int]  # footnote number -> line of its first marker


class StructureBuilder:
    def __init__(self, lines: list[BodyLine], vocabulary: Counter, default_title: str):
        self.lines = lines
        self.vocabulary = vocabulary
        self.default_title = default_title
        long_lines = sorted(len(ln.raw) for ln in lines if len(ln.raw) >= 40)
        # the printed text width, in characters: lines wrap only when the next word won't fit
        self.width = long_lines[int(len(long_lines) * 0.9)] if long_lines else 90
        # Some extractors end a paragraph's last line with an extra space. That is a signal only
        # when it is rare; an extractor padding every line would make it noise.
        padded = sum(1 for ln in lines if ln.trailing >= 2)
        self.padding_marks_ends = 0 < padded <= 0.3 * len(lines)
        self.sections: list[Section] = []
        self.stack: list[Section] = []
        self.numbers: dict[int, tuple[int, ...] | None] = {}  # id(section) -> numbering
        self.subheading: set[int] = set()  # ids of unnumbered sub-sections
        self.last_number: tuple[int, ...] | None = None
        self.list_top: int | None = None  # last top-level number of a numbered list here
        self.back_matter = False
        self.mode: str | None = None  # "glossary" | "tor"
        self.draft: _Draft | None = None
        self.closed = True  # the last paragraph ended: the next line starts a new block
        self.sentence_end = True  # the last line ended a sentence: a title line may follow
        self.glossary_lines: list[BodyLine] = []
        self.tor: list[TorItem] = []
        self.tor_group: TorItem | None = None
        self.tor_target: TorItem | None = None
        self.tor_item: TorItem | None = None
        self.tor_primary: str | None = None
        self.warnings: list[IngestWarning] = []
        self.marker_lines: dict[int, int] = {}

    # --- sections ------------------------------------------------------------------------------

    def _section(self) -> Section:
        if not self.stack:
            section = Section(title=self.default_title, level=1, page=None)
            self.sections.append(section)
            self.stack.append(section)
            self.numbers[id(section)] = None
        return self.stack[-1]

    def open_numbered(self, num: tuple[int, ...], title: str, page: int | None) -> None:
        self.flush()
        self.mode = None
        while self.stack:
            top_num = self.numbers.get(id(self.stack[-1]))
            if top_num is not None and len(top_num) < len(num) and num[:len(top_num)] == top_num:
                break
            self.stack.pop()
        section = Section(number=".".join(map(str, num)), title=title, level=len(num), page=page)
        (self.stack[-1].sections if self.stack else self.sections).append(section)
        self.stack.append(section)
        self.numbers[id(section)] = num
        self.last_number = num
        self.list_top = None
        self.mode = None
        self.closed = True

    def open_unnumbered(self, title: str, page: int | None, top: bool) -> None:
        self.flush()
        if top or not self.stack:
            self.stack.clear()
            section = Section(title=title, level=1, page=page)
            self.sections.append(section)
        else:
            while len(self.stack) > 1 and id(self.stack[-1]) in self.subheading:
                self.stack.pop()
            parent = self.stack[-1]
            section = Section(title=title, level=parent.level + 1, page=page)
            parent.sections.append(section)
            self.subheading.add(id(section))
        self.stack.append(section)
        self.numbers[id(section)] = None
        self.list_top = None
        self.closed = True
        self.mode = None
        if top and _GLOSSARY_TITLE.search(title):
            self.mode = "glossary"
        elif top and _TOR_TITLE.search(title):
            self.mode = "tor"

    # --- paragraphs -----------------------------------------------------------------------------

    def start(self, kind: ParagraphKind, line: BodyLine) -> None:
        self.flush()
        self.draft = _Draft(kind=kind, page=line.page, line=line.no)
        self.add(line)

    def add(self, line: BodyLine, text: str | None = None, markers=None) -> None:
        draft = self.draft
        assert draft is not None
        text = line.text if text is None else text
        markers = line.markers if markers is None else markers
        for _, n in markers:
            self.marker_lines.setdefault(n, line.no)
        if not draft.parts:
            base = 0
        elif draft.parts[-1].endswith("-") and len(draft.parts[-1]) > 1 and draft.parts[-1][-2].isalnum():
            if drop_hyphen(draft.parts[-1], text, self.vocabulary):
                draft.parts[-1] = draft.parts[-1][:-1]
                draft.length -= 1
            base = draft.length
        else:
            draft.parts.append(" ")
            base = draft.length + 1
        draft.parts.append(text)
        draft.length = base + len(text)
        draft.markers.extend((base + off, n) for off, n in markers)

    def flush(self) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            return
        text = "".join(draft.parts).rstrip()
        if not text.strip():
            return
        markers = [Marker(n=n, offset=min(off, len(text))) for off, n in draft.markers]
        self._section().paragraphs.append(
            Paragraph(kind=draft.kind, text=text, markers=markers, page=draft.page))

    def ends_paragraph(self, line: BodyLine, nxt: BodyLine | None) -> bool:
        if nxt is None:
            return True
        room = len(line.raw) + 1 + len(_first_word(nxt.raw))
        if _TERMINAL.search(line.text):
            if self.padding_marks_ends and line.trailing >= 2:
                return True
            return room <= 0.88 * self.width
        # a short line without final punctuation before a capitalised line: a label or a title
        return room <= 0.7 * self.width and nxt.text[:1].isupper()

    # --- classification -------------------------------------------------------------------------

    def _numbered_heading(self, i: int) -> tuple[tuple[int, ...], str, int] | None:
        """(number, title, lines used) when line i is a numbered heading."""
        line = self.lines[i]
        found = enumeration(line.text)
        if not found:
            return None
        num, title = found
        if not heading_shape(title):
            return None
        if self.list_top is not None and num == (self.list_top + 1,):
            return None  # `2.` after a list item `1.` in this section continues the list
        strict = follows(num, self.last_number)
        if not strict:
            # a heading lost in extraction: accept one skipped number only for a clear title line
            nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
            loose = follows(num, self.last_number, skip=2) and len(title) <= 60
            if not (loose and nxt is not None and nxt.text[:1].isupper()):
                return None
            self.warnings.append(IngestWarning(
                code="section-numbering-gap", line=line.no,
                message=f"heading {'.'.join(map(str, num))} does not follow "
                        f"{'.'.join(map(str, self.last_number or ()))}: a heading may be lost"))
        used = 1
        if i + 1 < len(self.lines):
            cont = self.lines[i + 1]
            after = self.lines[i + 2] if i + 2 < len(self.lines) else None
            if self._continues_heading(line, cont, after):
                title = f"{title} {cont.text}"
                used = 2
        return num, title, used

    def _continues_heading(self, line: BodyLine, cont: BodyLine, after: BodyLine | None) -> bool:
        """A heading wrapped over two lines: the second starts lower case, or the first is long
        (it had to wrap) and the second is a title fragment followed by a new block."""
        t = cont.text
        if not t or cont.markers or bullet(t) or enumeration(t) or _CAPTION.match(t):
            return False
        if _TERMINAL.search(t) or len(t) > 80:
            return False
        if t[0].islower():
            return True
        return len(line.raw) >= 0.6 * self.width and (after is None or not after.text[:1].islower())

    def _heading_markers(self, used: list[BodyLine], title: str) -> None:
        """A footnote on a heading (`Methodology1`) is kept on a heading paragraph, so the
        footnote stays reachable from the text; headings without markers need none."""
        if not any(ln.markers for ln in used):
            return
        self.draft = _Draft(kind=ParagraphKind.HEADING, page=used[0].page, line=used[0].no)
        for ln in used:
            self.add(ln)
        self.flush()
        self.closed = True

    @staticmethod
    def _part_at_page_top(line: BodyLine) -> bool:
        """An Annex, Appendix or Bibliography opening a page starts a part even when the line
        before ends unfinished: a bibliography's last entry ends with its access date and no full
        stop ('… accessed 1 August 2023'), and Annex 2 (the terms of reference) follows it."""
        return line.lead and bool(_TOP_LEVEL_NAMES.match(line.text))

    def _unnumbered_heading(self, i: int) -> bool:
        line = self.lines[i]
        t = line.text
        if not t or not t[0].isupper() or len(t) > 70 or len(t.split()) > 12:
            return False
        if t[-1] in ".,;:!?…" or (":" in t and not _LABELLED_PART.match(t)):
            return False
        if bullet(t) or enumeration(t) or _LETTERED.match(t) or _CAPTION.match(t) or _ARTICLE.match(t):
            return False
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        if nxt is None or not nxt.text or nxt.text[0].islower():
            return False
        return len(line.raw) + 1 + len(_first_word(nxt.raw)) <= 0.88 * self.width

    # --- special sections -----------------------------------------------------------------------

    def _leaves_glossary(self, i: int) -> bool:
        line = self.lines[i]
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        if len(line.raw) >= 0.9 * self.width:
            return True  # a full-width line is prose, never a row of the two-column table
        if not line.lead or nxt is None:
            return False
        return (len(nxt.text) >= 75 and nxt.text[:1].isupper() and len(line.text.split()) <= 8
                and not _TERMINAL.search(line.text))

    def _tor_line(self, i: int) -> bool:
        """Take line i into the terms-of-reference tree; False when it is ordinary text."""
        line = self.lines[i]
        t = line.text
        b = bullet(t)
        if b:
            symbol, rest = b
            self.flush()
            self.closed = True
            if self.tor_primary is None:
                self.tor_primary = symbol
            item = TorItem(text=rest)
            if symbol != self.tor_primary and self.tor_item is not None:
                self.tor_item.items.append(item)
            else:
                (self.tor_group.items if self.tor_group is not None else self.tor).append(item)
                self.tor_item = item
            self.tor_target = item
            return True
        target = self.tor_target
        if target is not None and len(target.text) > 600:
            self.mode = None  # items this long are prose: this is not a terms-of-reference list
            return False
        if target is not None and (t[:1].islower() or target.text.endswith((",", "(", "-", "/", "&"))
                                   or _unbalanced(target.text)):
            target.text = f"{target.text} {t}"
            return True
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        if nxt is not None and bullet(nxt.text) and len(t) <= 80 and not _TERMINAL.search(t):
            self.flush()
            self.closed = True
            group = TorItem(text=t)
            self.tor.append(group)
            self.tor_group, self.tor_item, self.tor_target = group, None, None
            return True
        return False

    # --- the pass -------------------------------------------------------------------------------

    def build(self) -> Structure:
        lines = self.lines
        i = 0
        while i < len(lines):
            line = lines[i]
            t = line.text
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if not t:
                i += 1
                continue
            heading = self._numbered_heading(i)
            if heading:
                num, title, used = heading
                self.open_numbered(num, title, line.page)
                self._heading_markers(lines[i:i + used], title)
                i += used
                continue
            if self.mode == "glossary":
                if not self._leaves_glossary(i):
                    self.glossary_lines.append(line)
                    i += 1
                    continue
                self.mode = None
            if self.mode == "tor" and not self._part_at_page_top(line):
                if self._tor_line(i):
                    i += 1
                    continue
            elif (self.closed or self.sentence_end or self._part_at_page_top(line)) and self._unnumbered_heading(i):
                top = line.lead and (self.last_number is None or self.back_matter
                                     or bool(_TOP_LEVEL_NAMES.match(t)))
                top = top or (not self.stack and self.last_number is None)
                if self._part_at_page_top(line):
                    self.back_matter = True
                self.open_unnumbered(t, line.page, top)
                self._heading_markers([line], t)
                i += 1
                continue
            own_line = self._paragraph_line(line)
            self.sentence_end = bool(_TERMINAL.search(line.text))
            self.closed = own_line or self.ends_paragraph(line, nxt) or (
                self.sentence_end and self.draft is not None and self.draft.kind == ParagraphKind.CAPTION)
            if self.closed:
                self.flush()
            i += 1
        self.flush()
        glossary = parse_glossary([(ln.no, ln.text) for ln in self.glossary_lines], self.warnings)
        return Structure(sections=self.sections, glossary=glossary,
                         terms_of_reference=self.tor, warnings=self.warnings,
                         marker_lines=self.marker_lines)

    def _paragraph_line(self, line: BodyLine) -> bool:
        """Put the line into a paragraph; True when that paragraph is complete with this line."""
        t = line.text
        # a number or letter opens a list item only where a sentence ended (`24.1 percent.` at
        # the top of a page continues the sentence before it)
        may_open = self.closed or self.sentence_end or self.draft is None
        found = enumeration(t) if may_open and _ENUM_ITEM.match(t) else None
        if bullet(t):
            self.start(ParagraphKind.LIST_ITEM, line)
        elif found or (may_open and _LETTERED.match(t)):
            if found and len(found[0]) == 1:
                self.list_top = found[0][0]
            self.start(ParagraphKind.LIST_ITEM, line)
        elif _CAPTION.match(t) and may_open:
            self.start(ParagraphKind.CAPTION, line)
        elif _ARTICLE.match(t) and may_open:
            self.start(ParagraphKind.QUOTE, line)  # the title line of a quoted legal article
            return True
        elif self.draft is None or self.closed:
            self.start(ParagraphKind.BODY, line)
        else:
            self.add(line)
        return False
