"""Character geometry from pdfium, grouped into text lines.

pdfium gives every character its unicode, origin, box and text object; font size, weight and
the text matrix are shared by all characters of one text object, so they are read once per
object. Lines are built from geometry (baseline and horizontal gaps), not from pdfium's own
line breaks, because pdfium joins footnote lines that share a text object and misses spaces
between words set with positioning only.
"""

from __future__ import annotations

import ctypes
import math
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

_BOLD_FLAG = 1 << 18  # PDF font descriptor ForceBold
_HYPHENS = {"-", "\u00ad", "\u2010", "\x02"}


@dataclass(slots=True)
class Char:
    ch: str
    x0: float
    x1: float
    top: float  # box top in PDF space (y grows upwards)
    bottom: float
    base: float  # baseline (origin y)
    size: float  # effective font size in points (font size x text matrix scale)
    bold: bool
    italic: bool


@dataclass(slots=True)
class Line:
    """A run of characters on one baseline, without large horizontal gaps."""

    chars: list[Char]
    page: int  # 0-based
    size: float = 0.0  # dominant size of the non-raised characters
    base: float = 0.0
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    bold: float = 0.0  # share of bold letters
    text: str = ""

    def finish(self) -> Line:
        visible = [c for c in self.chars if not c.ch.isspace()] or self.chars
        # count exact values first (one text object repeats one value), round the few keys after
        sizes: dict[float, int] = {}
        for value, count in Counter([c.size for c in visible]).items():
            key = round(value * 2) / 2
            sizes[key] = sizes.get(key, 0) + count
        self.size = max(sizes.items(), key=lambda kv: (kv[1], kv[0]))[0]
        floor = self.size * 0.85
        bases: dict[float, int] = {}
        for value, count in Counter([c.base for c in visible if c.size >= floor]).items():
            key = round(value, 1)
            bases[key] = bases.get(key, 0) + count
        self.base = max(bases.items(), key=lambda kv: kv[1])[0] if bases else visible[0].base
        self.x0 = min([c.x0 for c in visible])
        self.x1 = max([c.x1 for c in visible])
        self.top = max([c.top for c in visible])
        self.bottom = min([c.bottom for c in visible])
        letters = [c.bold for c in visible if c.ch.isalnum()]
        self.bold = sum(letters) / len(letters) if letters else 0.0
        self.text = "".join([c.ch for c in self.chars])
        return self

    def is_raised(self, c: Char) -> bool:
        """A superscript: clearly smaller than the line and lifted off its baseline."""
        return c.size <= self.size * 0.85 and c.base - self.base >= self.size * 0.18


@dataclass(slots=True)
class Link:
    page: int
    rect: tuple[float, float, float, float]  # left, bottom, right, top
    url: str


@dataclass(slots=True)
class PageText:
    index: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    chars: int = 0
    rules: list[tuple[float, float, float]] = field(default_factory=list)  # x0, y, x1 of thin lines


# pdfium's text-object handle as a plain integer: a cheap key for the per-object style cache
_text_object = ctypes.cast(raw.FPDFText_GetTextObject,
                           ctypes.CFUNCTYPE(ctypes.c_void_p, raw.FPDF_TEXTPAGE, ctypes.c_int))


_obj_font = ctypes.cast(raw.FPDFTextObj_GetFont, ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p))


class _FontCache:
    """Per text object: (size, bold, italic). One text object has one font, size and matrix;
    weight and style are read once per font."""

    def __init__(self) -> None:
        self.cache: dict[int, tuple[float, bool, bool]] = {}
        self.fonts: dict[int, tuple[bool, bool]] = {}
        self.buf = ctypes.create_string_buffer(256)
        self.flags = ctypes.c_int()
        self.matrix = raw.FS_MATRIX()

    def style(self, textpage, i: int, key: int) -> tuple[float, bool, bool]:
        m = self.matrix
        scale = 1.0
        if raw.FPDFText_GetMatrix(textpage, i, ctypes.byref(m)):
            scale = math.sqrt(abs(m.a * m.d - m.b * m.c)) or 1.0
        size = raw.FPDFText_GetFontSize(textpage, i) * scale
        font = _obj_font(key) or 0
        face = self.fonts.get(font)
        if face is None:
            n = raw.FPDFText_GetFontInfo(textpage, i, self.buf, 256, ctypes.byref(self.flags))
            name = self.buf.value.decode("latin-1", "replace").lower() if n else ""
            weight = raw.FPDFText_GetFontWeight(textpage, i)
            bold = weight >= 600 or "bold" in name or "black" in name or "heavy" in name or bool(
                self.flags.value & _BOLD_FLAG)
            face = (bold, "italic" in name or "oblique" in name)
            if font:
                self.fonts[font] = face
        hit = (size, *face)
        self.cache[key] = hit
        return hit


def _page_unicode(textpage, n: int) -> str | None:
    """All characters of the page in one call; None when UTF-16 units and characters differ."""
    buf = ctypes.create_string_buffer((n + 1) * 2)
    got = raw.FPDFText_GetText(textpage, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: max(0, got - 1) * 2].decode("utf-16-le", "replace")
    return text if len(text) == n else None


# untyped twins of the two per-character calls: argument checking is a good part of their cost
_loose_box = ctypes.cast(raw.FPDFText_GetLooseCharBox,
                         ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p))
_object_of = ctypes.cast(raw.FPDFText_GetTextObject,
                         ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int))


def page_chars(textpage) -> list[Char]:
    """Every character of a page with its geometry, in content-stream order.

    A text object is one text-showing operation: one font, size and baseline. Those are read
    once per object (the baseline from the first character's origin); per character only the
    code and the box are asked for.
    """
    n = raw.FPDFText_CountChars(textpage)
    fonts = _FontCache()
    known: dict[int, tuple[float, bool, bool, float]] = {}  # text object -> size, bold, italic, baseline
    box = raw.FS_RECTF()
    box_ref = ctypes.addressof(box)
    tp = ctypes.cast(textpage, ctypes.c_void_p).value
    ox, oy = ctypes.c_double(), ctypes.c_double()
    get_unicode = raw.FPDFText_GetUnicode
    get_origin = raw.FPDFText_GetCharOrigin
    loose_box, object_of = _loose_box, _object_of
    text = _page_unicode(textpage, n)
    codes = [ord(c) for c in text] if text is not None else [get_unicode(textpage, i) for i in range(n)]
    out: list[Char] = []
    append = out.append
    size, bold, italic = 10.0, False, False
    for i, u in enumerate(codes):
        if u == 10 or u == 13:
            continue  # pdfium's guessed line breaks: lines are re-derived from geometry
        key = object_of(tp, i)
        loose_box(tp, i, box_ref)
        if key:
            hit = known.get(key)
            if hit is None:
                size, bold, italic = fonts.style(textpage, i, key)
                get_origin(textpage, i, ox, oy)
                hit = known[key] = (size, bold, italic, oy.value)
            size, bold, italic, base = hit
        else:  # generated spaces and hyphens have no object: they take the previous style
            get_origin(textpage, i, ox, oy)
            base = oy.value
        ch = "\x02" if u == 2 or u == 0xFFFE else chr(u)  # pdfium's mark for a line-end hyphen
        top, bottom = box.top, box.bottom
        append(Char(ch, box.left, box.right, top, bottom, base,
                    size if size > 0.5 else max(top - bottom, 1.0), bold, italic))
    return out


def build_lines(chars: list[Char], page: int) -> list[Line]:
    """Group characters into lines: same baseline (superscripts allowed), no big gap or jump back."""
    lines: list[Line] = []
    cur: list[Char] = []
    size = base = 0.0
    last_x1 = 0.0
    for c in chars:
        if cur and c.base == base and c.size == size:
            # the common case, the same text object going on: only the gap can end the line
            gap = c.x0 - last_x1
            if -size * 1.5 <= gap <= size * 4.5:
                if c.ch.isspace():
                    cur.append(c)
                    continue
                if gap > size * 0.16 and not cur[-1].ch.isspace():
                    cur.append(Char(" ", last_x1, c.x0, c.top, c.bottom, c.base, c.size, c.bold, c.italic))
                cur.append(c)
                if c.x1 > last_x1 or gap <= -size:
                    last_x1 = c.x1
                continue
        if c.ch.isspace() and not cur:
            continue
        if cur:
            same_line = abs(c.base - base) <= max(size, c.size) * 0.4
            raised = c.size <= size * 0.85 and 0 < c.base - base <= size * 0.75
            # a footnote number set as a superscript, then the note's text on the main baseline
            lowered = c.size > size * 1.15 and 0 < base - c.base <= c.size * 0.75
            gap = c.x0 - last_x1
            # a wide gap is a column gutter; justified word spacing stays well below it
            jumped = gap < -max(size, c.size) * 1.5 or gap > max(size, c.size) * 4.5
            if c.ch.isspace():
                if same_line or raised:
                    cur.append(c)
                continue
            if (same_line or raised or lowered) and not jumped:
                if gap > max(size, c.size) * 0.16 and not cur[-1].ch.isspace():
                    cur.append(Char(" ", last_x1, c.x0, c.top, c.bottom, c.base, c.size, c.bold, c.italic))
                cur.append(c)
                if lowered:
                    size, base = c.size, c.base
                elif same_line and c.size > size:
                    size = c.size
                last_x1 = max(last_x1, c.x1) if gap > -max(size, c.size) else c.x1
                continue
            lines.append(_close(cur, page))
            cur = []
        cur = [c]
        size, base, last_x1 = c.size, c.base, c.x1
    if cur:
        lines.append(_close(cur, page))
    return [ln for ln in lines if ln.text.strip()]


def _close(chars: list[Char], page: int) -> Line:
    while chars and chars[-1].ch.isspace():
        chars.pop()
    return Line(chars=chars, page=page).finish()


def page_links(page, index: int) -> list[Link]:
    """URI link annotations with their rectangles."""
    out: list[Link] = []
    pos = ctypes.c_int(0)
    link = raw.FPDF_LINK()
    rect = raw.FS_RECTF()
    doc = page.pdf.raw
    while raw.FPDFLink_Enumerate(page.raw, ctypes.byref(pos), ctypes.byref(link)):
        action = raw.FPDFLink_GetAction(link)
        if not action or raw.FPDFAction_GetType(action) != raw.PDFACTION_URI:
            continue
        size = raw.FPDFAction_GetURIPath(doc, action, None, 0)
        if size <= 1:
            continue
        buf = ctypes.create_string_buffer(size)
        raw.FPDFAction_GetURIPath(doc, action, buf, size)
        url = buf.value.decode("utf-8", "replace").strip()
        if not raw.FPDFLink_GetAnnotRect(link, ctypes.byref(rect)):
            continue
        box = (min(rect.left, rect.right), min(rect.bottom, rect.top),
               max(rect.left, rect.right), max(rect.bottom, rect.top))
        out.append(Link(index, box, url))
    return out


def page_rules(page) -> list[tuple[float, float, float]]:
    """Thin horizontal paths: footnote separators (and underlines, told apart later)."""
    out: list[tuple[float, float, float]] = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    handle = page.raw
    path = raw.FPDF_PAGEOBJ_PATH
    for i in range(raw.FPDFPage_CountObjects(handle)):
        obj = raw.FPDFPage_GetObject(handle, i)
        if raw.FPDFPageObj_GetType(obj) != path:
            continue
        if raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top) and top.value - bottom.value < 2.5:
            if right.value - left.value > 10:
                out.append((left.value, (top.value + bottom.value) / 2, right.value))
    return out


def _may_need_rules(lines: list[Line], height: float) -> bool:
    """Rules only matter for notes set in the text size (a smaller note size finds them without):
    a page whose lower part has a line opening with a number and no smaller print."""
    if not lines:
        return False
    common: dict[float, int] = {}
    for ln in lines:
        common[ln.size] = common.get(ln.size, 0) + len(ln.chars)
    size = max(common.items(), key=lambda kv: kv[1])[0]
    lower = [ln for ln in lines if ln.top < height * 0.75]
    if any(ln.size < size * 0.95 for ln in lower):
        return False
    return any(ln.chars[0].ch.isdigit() for ln in lower)


def read_pages(doc: pdfium.PdfDocument) -> list[PageText]:
    pages: list[PageText] = []
    for i in range(len(doc)):
        page = doc[i]
        try:
            width, height = page.get_size()
            textpage = page.get_textpage()
            try:
                chars = page_chars(textpage.raw)
            finally:
                textpage.close()
            lines = build_lines(chars, i)
            pt = PageText(i, width, height, lines, page_links(page, i), len(chars))
            if _may_need_rules(lines, height):
                pt.rules = page_rules(page)
        finally:
            page.close()
        pages.append(pt)
    return pages
