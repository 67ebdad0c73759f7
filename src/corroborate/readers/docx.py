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
from pathlib import Path

from lxml import etree

from corroborate.models import Footnote, IngestWarning, Paragraph, ParagraphKind, Report
from corroborate.readers import ReaderError
from corroborate.readers.html import URL_RE, Outline, TextRun

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_HYPERLINK_FIELD = re.compile(r'HYPERLINK\s+"([^"]+)"')
_MAX_PART = 100 * 1024 * 1024  # a zip bomb guard per XML part


def read_docx_file(path: Path, data: bytes) -> Report:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
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
        self.doc_rels = self._rels("word/_rels/document.xml.rels")
        self.note_rels = self._rels("word/_rels/footnotes.xml.rels")
        self.notes_xml = self._xml("word/footnotes.xml", required=False)
        self.note_numbers: dict[str, int] = {}  # w:id -> displayed number, in reference order
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
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError) as exc:
            raise ReaderError(self.path, f"corrupt DOCX: {name} is not readable XML ({exc})") from exc

    def _rels(self, name: str) -> dict[str, str]:
        root = self._xml(name, required=False)
        if root is None:
            return {}
        return {r.get("Id"): r.get("Target", "") for r in root.iter(_REL) if r.get("TargetMode") == "External"
                or (r.get("Type") or "").endswith("/hyperlink")}

    def _styles(self) -> dict[str, tuple[str, int | None]]:
        """styleId -> (lower-case name, outline level) with basedOn inheritance of the level."""
        root = self._xml("word/styles.xml", required=False)
        if root is None:
            return {}
        raw: dict[str, tuple[str, int | None, str | None]] = {}
        for st in root.iter(W + "style"):
            sid = st.get(W + "styleId") or ""
            name_el = st.find(W + "name")
            name = (name_el.get(W + "val") if name_el is not None else sid).lower()
            lvl_el = st.find(f"{W}pPr/{W}outlineLvl")
            lvl = int(lvl_el.get(W + "val")) + 1 if lvl_el is not None else None
            based = st.find(W + "basedOn")
            raw[sid] = (name, lvl, based.get(W + "val") if based is not None else None)
        out: dict[str, tuple[str, int | None]] = {}
        for sid, (name, lvl, based) in raw.items():
            seen = 0
            while lvl is None and based in raw and seen < 10:
                lvl, based = raw[based][1], raw[based][2]
                seen += 1
            out[sid] = (name, lvl)
        return out

    # --- text ----------------------------------------------------------------------------

    def _runs(self, p, run: TextRun, rels: dict[str, str], in_note: bool = False) -> None:
        """Paragraph text in document order; a footnote reference becomes a marker."""
        field_code: list[str] = []
        for el in p.iter(W + "t", W + "tab", W + "br", W + "cr", W + "footnoteReference", W + "hyperlink",
                         W + "instrText", W + "noBreakHyphen", W + "sym"):
            if any(a.tag in (W + "del", W + "moveFrom") for a in el.iterancestors()):
                continue
            tag = el.tag
            if tag == W + "t":
                run.add(el.text or "")
            elif tag in (W + "tab", W + "br", W + "cr"):
                run.add(" ")
            elif tag == W + "noBreakHyphen":
                run.add("-")
            elif tag == W + "footnoteReference" and not in_note:
                fid = el.get(W + "id")
                if fid not in self.note_numbers:
                    self.note_numbers[fid] = len(self.note_numbers) + 1
                run.mark(self.note_numbers[fid])
            elif tag == W + "hyperlink":
                target = rels.get(el.get(R + "id") or "")
                if target.lower().startswith(("http://", "https://")):
                    run.urls.append(target)
            elif tag == W + "instrText":
                field_code.append(el.text or "")
        for m in _HYPERLINK_FIELD.finditer("".join(field_code)):
            run.urls.append(m.group(1))

    def _style(self, p) -> tuple[str, int | None]:
        ps = p.find(f"{W}pPr/{W}pStyle")
        name, lvl = self.styles.get(ps.get(W + "val"), ("", None)) if ps is not None else ("", None)
        direct = p.find(f"{W}pPr/{W}outlineLvl")
        if direct is not None:
            lvl = int(direct.get(W + "val")) + 1
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
            if lvl is not None and text and len(text) < 300:
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
            outline.add(Paragraph(kind=kind, text=text, markers=run.markers))
        footnotes = self.footnotes()
        title = title or self._core_title() or next(
            (s.title for s in outline.roots if s.title != "Front matter"), "")
        known = {f.n for f in footnotes}
        for n in sorted(set(self.note_numbers.values()) - known):
            self.warnings.append(IngestWarning(code="footnote-missing", footnote=n,
                                               message=f"footnote {n} is referenced but has no text"))
        return Report(title=title, sections=outline.roots, footnotes=footnotes, warnings=self.warnings)

    def footnotes(self) -> list[Footnote]:
        if self.notes_xml is None:
            return []
        by_id = {fn.get(W + "id"): fn for fn in self.notes_xml.iter(W + "footnote")
                 if fn.get(W + "type") in (None, "normal")}
        out: list[Footnote] = []
        for fid, n in sorted(self.note_numbers.items(), key=lambda kv: kv[1]):
            fn = by_id.get(fid)
            if fn is None:
                continue
            run = TextRun()
            for p in fn.iter(W + "p"):
                self._runs(p, run, self.note_rels, in_note=True)
                run.add(" ")
            text = run.text()
            urls = list(dict.fromkeys(run.urls))
            for m in URL_RE.finditer(text):
                url = m.group(0).rstrip(".,;:)]}'’”»")
                if not any(u.rstrip("/") == url.rstrip("/") for u in urls):
                    urls.append(url)
            out.append(Footnote(n=n, text=text or None, urls=urls))
        return out

    def _core_title(self) -> str:
        core = self._xml("docProps/core.xml", required=False)
        if core is None:
            return ""
        for el in core.iter("{http://purl.org/dc/elements/1.1/}title"):
            return " ".join((el.text or "").split())
        return ""


