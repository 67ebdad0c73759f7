"""Word (DOCX) report -> Report: headings by style (Title, Heading 1..n, outline level), body,
list and quote paragraphs, and real Word footnotes linked at their `w:footnoteReference` runs.

The package is read with lxml straight from the zip: python-docx exposes neither footnotes nor
the reference runs inside paragraphs, and one parser for document and notes keeps the marker
offsets exact.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from corroborate.models import Footnote, IngestWarning, Paragraph, ParagraphKind, Report
from corroborate.readers import ReaderError
from corroborate.readers.bibliography import bibliography_entries
from corroborate.readers.html import Outline, TextRun, footnote_urls
from corroborate.urls import safe_url

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_HYPERLINK_FIELD = re.compile(r'HYPERLINK\s+"([^"]+)"')
_MAX_PART = 100 * 1024 * 1024  # a zip bomb guard per XML part


def read_docx_file(path: Path, data: bytes) -> Report:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:  # damaged directory
        raise ReaderError(path, f"corrupt DOCX: not a readable zip archive ({exc})") from exc
    names = set(zf.namelist())
    if "word/document.xml" not in names:
        raise ReaderError(path, "zip archive is not a Word document (DOCX): no word/document.xml")
    return DocxReader(path, zf).report()


class DocxReader:
    def __init__(self, path: Path, zf: zipfile.ZipFile):
        self.path = path
        self.zf = zf
        self.document = self._xml("word/document.xml")
        self.styles = self._styles()
        self.lists = self._numbering()
        self.counters: dict[int, dict[int, int]] = {}
        self.doc_rels = self._rels("word/_rels/document.xml.rels")
        self.note_rels = {"footnote": self._rels("word/_rels/footnotes.xml.rels"),
                          "endnote": self._rels("word/_rels/endnotes.xml.rels")}
        self.notes_xml = {"footnote": self._xml("word/footnotes.xml", required=False),
                          "endnote": self._xml("word/endnotes.xml", required=False)}
        # (kind, w:id) -> the number shown: footnotes in reference order, then endnotes after them
        # (a report with both keeps one numbering, so every marker still names one note)
        self.note_numbers: dict[tuple[str, str], int] = {}
        for kind in ("footnote", "endnote"):
            for ref in self.document.iter(f"{W}{kind}Reference"):
                key = (kind, ref.get(W + "id") or "")
                if key not in self.note_numbers and ref.get(W + "customMarkFollows") not in ("1", "true"):
                    self.note_numbers[key] = len(self.note_numbers) + 1
        self.warnings: list[IngestWarning] = []

    def _xml(self, name: str, required: bool = True):
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            if required:
                raise ReaderError(self.path, f"DOCX lacks {name}") from None
            return None
        if info.file_size > _MAX_PART:
            raise ReaderError(self.path, f"DOCX part {name} is too large ({info.file_size} bytes)")
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            return etree.fromstring(self.zf.read(name), parser)
        except etree.XMLSyntaxError as exc:
            raise ReaderError(self.path, f"corrupt DOCX: {name} is not readable XML ({exc})") from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
                NotImplementedError) as exc:
            raise ReaderError(self.path, f"corrupt DOCX: {name} cannot be unpacked ({exc})") from exc

    def _rels(self, name: str) -> dict[str, str]:
        root = self._xml(name, required=False)
        if root is None:
            return {}
        return {r.get("Id"): r.get("Target", "") for r in root.iter(_REL) if r.get("TargetMode") == "External"
                or (r.get("Type") or "").endswith("/hyperlink")}

    def _styles(self) -> dict[str, tuple[str, int | None]]:
        """styleId -> (lower-case name, outline level) with basedOn inheritance of the level;
        numbering a style carries (Heading 1 tied to a multi-level list) goes to style_numbering."""
        self.style_numbering: dict[str, tuple[str, int]] = {}
        root = self._xml("word/styles.xml", required=False)
        if root is None:
            return {}
        raw: dict[str, tuple[str, int | None, str | None]] = {}
        nums: dict[str, tuple[str | None, int | None]] = {}
        for st in root.iter(W + "style"):
            sid = st.get(W + "styleId") or ""
            name_el = st.find(W + "name")
            name = ((name_el.get(W + "val") if name_el is not None else None) or sid).lower()
            lvl = _level(st.find(f"{W}pPr/{W}outlineLvl"))
            based = st.find(W + "basedOn")
            raw[sid] = (name, lvl, based.get(W + "val") if based is not None else None)
            num = st.find(f"{W}pPr/{W}numPr")
            if num is not None:
                num_id, ilvl = num.find(W + "numId"), num.find(W + "ilvl")
                nums[sid] = (num_id.get(W + "val") if num_id is not None else None,
                             _list_level(ilvl.get(W + "val")) if ilvl is not None else None)
        out: dict[str, tuple[str, int | None]] = {}
        for sid, (name, lvl, based) in raw.items():
            seen = 0
            num = nums.get(sid)
            while (lvl is None or num is None) and based in raw and seen < 10:
                if lvl is None:
                    lvl = raw[based][1]
                if num is None:
                    num = nums.get(based)
                based = raw[based][2]
                seen += 1
            out[sid] = (name, lvl)
            if num and num[0] and num[0] != "0":
                self.style_numbering[sid] = (num[0], num[1] if num[1] is not None else max(0, (lvl or 1) - 1))
        return out

    def _numbering(self) -> dict[str, dict[int, tuple[int, str, str]]]:
        """numId -> level -> (start, format, level text) from word/numbering.xml."""
        root = self._xml("word/numbering.xml", required=False)
        if root is None:
            return {}
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for an in root.iter(W + "abstractNum"):
            levels: dict[int, tuple[int, str, str]] = {}
            for lvl in an.iter(W + "lvl"):
                start = lvl.find(W + "start")
                fmt = lvl.find(W + "numFmt")
                text = lvl.find(W + "lvlText")
                level = _list_level(lvl.get(W + "ilvl", "0"))
                if level is None:
                    continue
                first = _int(start.get(W + "val")) if start is not None else None
                levels[level] = (
                    1 if first is None else first,
                    fmt.get(W + "val") if fmt is not None else "decimal",
                    text.get(W + "val") if text is not None else "",
                )
            abstract[an.get(W + "abstractNumId")] = levels
        out: dict[str, dict[int, tuple[int, str, str]]] = {}
        for num in root.iter(W + "num"):
            ref = num.find(W + "abstractNumId")
            if ref is not None and ref.get(W + "val") in abstract:
                out[num.get(W + "numId")] = abstract[ref.get(W + "val")]
        return out

    def _label(self, p, style_id: str | None) -> str | None:
        """The number Word shows before a numbered paragraph ("2.3."), from its list counters."""
        num = p.find(f"{W}pPr/{W}numPr")
        num_id = ilvl = None
        if num is not None:
            nid, lv = num.find(W + "numId"), num.find(W + "ilvl")
            num_id = nid.get(W + "val") if nid is not None else None
            ilvl = _list_level(lv.get(W + "val")) if lv is not None else None
        if style_id in self.style_numbering:
            s_id, s_lvl = self.style_numbering[style_id]
            num_id = num_id or s_id
            ilvl = s_lvl if ilvl is None else ilvl
        if not num_id or num_id == "0" or num_id not in self.lists:
            return None
        ilvl = ilvl or 0
        levels = self.lists[num_id]
        counters = self.counters.setdefault(id(levels), {})
        counters[ilvl] = counters.get(ilvl, levels.get(ilvl, (1, "", ""))[0] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        start, fmt, text = levels.get(ilvl, (1, "decimal", f"%{ilvl + 1}."))
        if fmt in ("bullet", "none") or not text:
            return None

        def render(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            value = counters.get(k, levels.get(k, (1, "", ""))[0])
            return _format_number(value, levels.get(k, (1, "decimal", ""))[1])

        return re.sub(r"%(\d)", render, text).strip()

    # --- text ----------------------------------------------------------------------------

    def _runs(self, p, run: TextRun, rels: dict[str, str], in_note: bool = False) -> None:
        """Paragraph text in document order; a footnote reference becomes a marker."""
        field_code: list[str] = []
        link: tuple[object, str, int] | None = None  # the open w:hyperlink, its URL, where it began
        for el in p.iter(W + "t", W + "tab", W + "br", W + "cr", W + "footnoteReference", W + "endnoteReference",
                         W + "hyperlink",
                         W + "instrText", W + "noBreakHyphen", W + "sym"):
            if any(a.tag in (W + "del", W + "moveFrom") for a in el.iterancestors()):
                continue
            r = el.getparent()
            if r is not None and r.tag == W + "r" and r.find(f"{W}rPr/{W}vanish") is not None:
                continue  # hidden text is not part of the report as read
            if link is not None and not any(a is link[0] for a in el.iterancestors()):
                run.link(link[1], link[2])
                link = None
            tag = el.tag
            if tag == W + "t":
                run.add(el.text or "")
            elif tag in (W + "tab", W + "br", W + "cr"):
                run.add(" ")
            elif tag == W + "noBreakHyphen":
                run.add("-")
            elif tag in (W + "footnoteReference", W + "endnoteReference") and not in_note:
                key = (tag[len(W):-len("Reference")], el.get(W + "id") or "")
                if key in self.note_numbers:
                    run.mark(self.note_numbers[key])
            elif tag == W + "hyperlink":
                target = safe_url(rels.get(el.get(R + "id") or ""))
                if target:
                    run.urls.append(target)
                    link = (el, target, run.length)
            elif tag == W + "instrText":
                field_code.append(el.text or "")
        if link is not None:
            run.link(link[1], link[2])
        for m in _HYPERLINK_FIELD.finditer("".join(field_code)):
            if target := safe_url(m.group(1)):  # `HYPERLINK "javascript:…"` stays plain text
                run.urls.append(target)

    def _style(self, p) -> tuple[str, int | None]:
        ps = p.find(f"{W}pPr/{W}pStyle")
        name, lvl = self.styles.get(ps.get(W + "val"), ("", None)) if ps is not None else ("", None)
        direct = _level(p.find(f"{W}pPr/{W}outlineLvl"))
        if direct is not None:
            lvl = direct
        if lvl is not None and lvl > 9:
            lvl = None  # outline level 9 is "body text"
        m = re.fullmatch(r"heading (\d)", name)
        if m:
            lvl = int(m.group(1))
        if name in ("title",):
            lvl = 1
        return name, lvl

    def report(self) -> Report:
        outline = Outline()
        title = ""
        body = self.document.find(W + "body")
        paragraphs = body.iter(W + "p") if body is not None else []
        for p in paragraphs:
            if any(a.tag == W + "txbxContent" for a in p.iterancestors()):
                continue
            run = TextRun()
            self._runs(p, run, self.doc_rels)
            text = run.text()
            if not text and not run.markers:
                continue
            name, lvl = self._style(p)
            if name.startswith(("toc ", "table of figures")) or name == "toc heading":
                continue  # the table of contents repeats the headings with page numbers
            ps = p.find(f"{W}pPr/{W}pStyle")
            label = self._label(p, ps.get(W + "val") if ps is not None else None)
            if lvl is not None and text and len(text) < 300:
                if label and not text.startswith(label):
                    shift = len(label) + 1
                    text = f"{label} {text}"
                    for m in run.markers:
                        m.offset += shift
                if name == "title" and not title:
                    title = text
                    outline.add(Paragraph(kind=ParagraphKind.HEADING, text=text, markers=run.markers))
                    continue
                section = outline.heading(text, lvl)
                if run.markers:
                    section.paragraphs.append(Paragraph(kind=ParagraphKind.HEADING, text=text, markers=run.markers))
                continue
            kind = ParagraphKind.BODY
            if p.find(f"{W}pPr/{W}numPr") is not None or "list" in name:
                kind = ParagraphKind.LIST_ITEM
            elif "quote" in name:
                kind = ParagraphKind.QUOTE
            elif "caption" in name:
                kind = ParagraphKind.CAPTION
            outline.add(Paragraph(kind=kind, text=text, markers=run.markers, links=run.links))
        footnotes = self.footnotes()
        title = title or self._core_title() or next(
            (s.title for s in outline.roots if s.title != "Front matter"), "")
        known = {f.n for f in footnotes}
        for n in sorted(set(self.note_numbers.values()) - known):
            self.warnings.append(IngestWarning(code="footnote-missing", footnote=n,
                                               message=f"footnote {n} is referenced but has no text"))
        return Report(title=title, sections=outline.roots, footnotes=footnotes, warnings=self.warnings,
                      bibliography=bibliography_entries(outline.roots))

    def footnotes(self) -> list[Footnote]:
        by_key = {}
        for kind, root in self.notes_xml.items():
            if root is None:
                continue
            for fn in root.iter(W + kind):
                if fn.get(W + "type") in (None, "normal"):
                    by_key[(kind, fn.get(W + "id"))] = fn
        out: list[Footnote] = []
        for key, n in sorted(self.note_numbers.items(), key=lambda kv: kv[1]):
            fn = by_key.get(key)
            if fn is None:
                continue
            run = TextRun()
            for p in fn.iter(W + "p"):
                self._runs(p, run, self.note_rels[key[0]], in_note=True)
                run.add(" ")
            text = run.text()
            out.append(Footnote(n=n, text=text or None, urls=footnote_urls(run.urls, text), links=run.links))
        return out

    def _core_title(self) -> str:
        core = self._xml("docProps/core.xml", required=False)
        if core is None:
            return ""
        for el in core.iter("{http://purl.org/dc/elements/1.1/}title"):
            return " ".join((el.text or "").split())
        return ""




def _int(value: str | None) -> int | None:
    """A numeric attribute, or None when it is missing or not a (reasonably sized) integer."""
    try:
        return int(value) if value is not None and len(value) < 20 else None
    except ValueError:
        return None


def _list_level(value: str | None) -> int | None:
    """A list level (w:ilvl): Word has nine, 0 to 8; anything else is None (and can't make the
    per-list counters grow with every paragraph)."""
    level = _int(value)
    return level if level is not None and 0 <= level <= 8 else None


def _level(outline_lvl) -> int | None:
    """A w:outlineLvl element's heading level (1-based), None if absent or not a number."""
    value = _int(outline_lvl.get(W + "val")) if outline_lvl is not None else None
    return value + 1 if value is not None and value >= 0 else None


def _format_number(value: int, fmt: str) -> str:
    # Roman numerals stop at 3999 (Word falls back to digits beyond); building them digit by
    # digit for a list starting at 10^12 would never end
    if fmt in ("upperRoman", "lowerRoman") and 0 < value < 4000:
        out = ""
        for n, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
            while value >= n:
                out += sym
                value -= n
        return out if fmt == "upperRoman" else out.lower()
    if fmt in ("upperLetter", "lowerLetter") and value > 0:
        letter = chr(ord("A") + (value - 1) % 26)
        return letter if fmt == "upperLetter" else letter.lower()
    return str(value)
