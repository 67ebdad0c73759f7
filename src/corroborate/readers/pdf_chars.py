"""Character geometry from pdfium, grouped into text lines.

pdfium gives every character its unicode, origin, box and text object; font size, weight and
the text matrix are shared by all characters of one text object, so they are read once per
object. Lines are built from geometry (baseline and horizontal gaps), not from pdfium's own
line breaks, because pdfium joins footnote lines that share a text object and misses spaces
between words set with positioning only.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import not_

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as raw

_BOLD_FLAG = 1 << 18  # PDF font descriptor ForceBold
_HYPHENS = {"-", "\u00ad", "\u2010", "\x02"}


@dataclass(slots=True)
class Char:
    """What line building and marker detection ask of each character; box tops and bottoms and
    weight are only needed per line, from the page's `CharColumns`. (10^5 of these per report:
    every field costs.)"""

    ch: str
    x0: float
    x1: float
    base: float  # baseline (origin y, PDF space: y grows upwards)
    size: float  # effective font size in points (font size x text matrix scale)


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

    def size_and_base(self, visible: list[Char]) -> None:
        """The dominant size, and the dominant baseline of the characters in about that size."""
        # count exact values first (one text object repeats one value), round the few keys after
        values = [c.size for c in visible]
        low = min(values)
        if low == max(values):  # most lines: one text size
            self.size = round(low * 2) / 2
        else:
            sizes: dict[float, int] = {}
            for value, count in Counter(values).items():
                key = round(value * 2) / 2
                sizes[key] = sizes.get(key, 0) + count
            self.size = max(sizes.items(), key=lambda kv: (kv[1], kv[0]))[0]
        floor = self.size * 0.85
        values = [c.base for c in visible] if low >= floor else [c.base for c in visible if c.size >= floor]
        if values and min(values) == max(values):
            self.base = round(values[0], 1)
        else:
            bases: dict[float, int] = {}
            for value, count in Counter(values).items():
                key = round(value, 1)
                bases[key] = bases.get(key, 0) + count
            self.base = max(bases.items(), key=lambda kv: kv[1])[0] if bases else visible[0].base

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


def _untyped(fn, restype):
    """A pdfium function with no argument conversion: checking and converting arguments is most of
    the cost of a ctypes call. Callers pass pointers as ctypes instances (a bare int would be cut
    to 32 bits) and indices as ints."""
    fast = ctypes.CFUNCTYPE(restype)(ctypes.cast(fn, ctypes.c_void_p).value)
    fast.argtypes = None
    return fast


# a text object handle as an int (0 for none): a cheap dict key, and an array of them is cheap to scan
_object_of = _untyped(raw.FPDFText_GetTextObject, ctypes.c_size_t)
_loose_box = _untyped(raw.FPDFText_GetLooseCharBox, ctypes.c_int)
_origin = _untyped(raw.FPDFText_GetCharOrigin, ctypes.c_int)
_matrix = _untyped(raw.FPDFText_GetMatrix, ctypes.c_int)
_font_size = _untyped(raw.FPDFText_GetFontSize, ctypes.c_double)
_obj_font = ctypes.cast(raw.FPDFTextObj_GetFont, ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p))


def _bold(textpage, i: int, buf, flags) -> bool:
    """Is character i's font bold? From its weight, flags and name."""
    n = raw.FPDFText_GetFontInfo(textpage, i, buf, len(buf), ctypes.byref(flags))
    name = buf.value.decode("latin-1", "replace").lower() if n else ""
    weight = raw.FPDFText_GetFontWeight(textpage, i)
    return weight >= 600 or "bold" in name or "black" in name or "heavy" in name or bool(flags.value & _BOLD_FLAG)


def _each(fn, tp, indices: list[int], out, stride: int) -> None:
    """Call fn(textpage, i, &out[k]) for every k, i = indices[k], in one C-level pass."""
    k = len(indices)
    deque(map(fn, repeat(tp, k), indices, map(ctypes.byref, repeat(out, k), range(0, stride * k, stride))),
          maxlen=0)


def _baselines(tp, indices: list[int]) -> np.ndarray:
    """Origin y of the given characters."""
    k = len(indices)
    xs, ys = (ctypes.c_double * k)(), (ctypes.c_double * k)()
    deque(map(_origin, repeat(tp, k), indices, map(ctypes.byref, repeat(xs, k), range(0, 8 * k, 8)),
              map(ctypes.byref, repeat(ys, k), range(0, 8 * k, 8))), maxlen=0)
    return np.frombuffer(ys, dtype=np.float64)


def _page_unicode(textpage, n: int) -> str | None:
    """All characters of the page in one call; None when UTF-16 units and characters differ."""
    buf = ctypes.create_string_buffer((n + 1) * 2)
    got = raw.FPDFText_GetText(textpage, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: max(0, got - 1) * 2].decode("utf-16-le", "replace")
    return text if len(text) == n else None


@dataclass(slots=True)
class CharColumns:
    """A page's character values as arrays (index = position in `page_chars`), so that per-line
    extremes and counts are numpy reductions instead of passes over Char objects."""

    x0: np.ndarray
    x1: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    base: np.ndarray
    size: np.ndarray
    letter: np.ndarray  # alphanumeric
    bold_letter: np.ndarray
    shown: np.ndarray  # not whitespace


def page_chars(textpage) -> list[Char]:
    """Every character of a page (see `page_geometry`)."""
    return page_geometry(textpage)[0]


def page_geometry(textpage) -> tuple[list[Char], CharColumns | None]:
    """Every character of a page with its geometry, in content-stream order.

    A text object is one text-showing operation: one font, size and baseline. Those are read
    once per object, at its first character (the baseline is that character's origin); the
    weight once per font. Per character only the object handle and the box are asked for.
    Every kind of query is one C-level pass (`map` over a ctypes function, results into one
    array); spreading the per-object values over the characters is done with numpy.
    """
    n = raw.FPDFText_CountChars(textpage)
    if n <= 0:
        return [], None
    tp = ctypes.c_void_p(ctypes.cast(textpage, ctypes.c_void_p).value)
    text = _page_unicode(textpage, n)
    if text is None:
        text = "".join([chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(n)])
    # pdfium's guessed line breaks are dropped: lines are re-derived from geometry
    keep = list(compress(range(n), map(not_, map("\r\n".__contains__, text))))
    m = len(keep)
    if not m:
        return [], None
    letters = list(text.replace("\n", "").replace("\r", "").replace("\ufffe", "\x02"))  # \x02: line-end hyphen
    handles = np.array(list(map(_object_of, repeat(tp, m), keep)), dtype=np.uint64)
    boxes = (ctypes.c_float * (4 * m))()
    _each(_loose_box, tp, keep, boxes, 16)
    grid = np.frombuffer(boxes, dtype=np.float32).reshape(m, 4).astype(np.float64)  # left, top, right, bottom

    # one row per text object (row 0 may be "no object"), at the object's first character
    objects, first, row = np.unique(handles, return_index=True, return_inverse=True)
    at = [keep[f] for f in first.tolist()]
    k = len(at)
    matrices = (ctypes.c_float * (6 * k))()
    has_matrix = np.array(list(map(_matrix, repeat(tp, k), at,
                                   map(ctypes.byref, repeat(matrices, k), range(0, 24 * k, 24)))), dtype=bool)
    mx = np.frombuffer(matrices, dtype=np.float32).reshape(k, 6).astype(np.float64)  # a b c d e f
    scale = np.sqrt(np.abs(mx[:, 0] * mx[:, 3] - mx[:, 1] * mx[:, 2]))
    scale[(scale == 0) | ~has_matrix] = 1.0
    obj_size = np.array(list(map(_font_size, repeat(tp, k), at)), dtype=np.float64) * scale
    obj_base = _baselines(tp, at)
    # weight once per font (asked at its first object), or per object if it has no font
    buf, flags = ctypes.create_string_buffer(256), ctypes.c_int()
    handles_list = objects.tolist()
    fonts = list(map(_obj_font, handles_list))
    weights: dict[int | None, bool] = {
        font: _bold(textpage, at[fonts.index(font)], buf, flags) for font in dict.fromkeys(fonts) if font}
    per_object = [weights.get(font, False) for font in fonts]
    for r in compress(range(k), map(not_, fonts)):
        if handles_list[r]:
            per_object[r] = _bold(textpage, at[r], buf, flags)
    obj_bold = np.array(per_object, dtype=bool)

    # generated spaces and hyphens have no object: their own baseline, the previous character's style
    own = handles != 0
    last = np.maximum.accumulate(np.where(own, np.arange(m), -1))
    styled = last >= 0
    src = row[np.maximum(last, 0)]
    size = np.where(styled, obj_size[src], 10.0)
    bold = styled & obj_bold[src]
    base = obj_base[row]
    generated = np.flatnonzero(~own)
    if generated.size:
        base[generated] = _baselines(tp, [keep[g] for g in generated.tolist()])
    left, top, right, bottom = grid[:, 0], grid[:, 1], grid[:, 2], grid[:, 3]
    size = np.where(size > 0.5, size, np.maximum(top - bottom, 1.0))
    chars = list(map(Char, letters, left.tolist(), right.tolist(), base.tolist(), size.tolist()))
    letter = np.fromiter(map(str.isalnum, letters), dtype=bool, count=m)
    shown = ~np.fromiter(map(str.isspace, letters), dtype=bool, count=m)
    return chars, CharColumns(left, right, top, bottom, base, size, letter, letter & bold, shown)


def build_lines(chars: list[Char], page: int, columns: CharColumns | None) -> list[Line]:
    """Group characters into lines: same baseline (superscripts allowed), no big gap or jump back.
    `columns` are the same characters as arrays (None only when there are none)."""
    lines: list[Line] = []
    starts: list[int] = []  # index in `chars` of each line's first character
    cur: list[Char] = []
    size = base = 0.0
    last_x1 = 0.0
    for at, c in enumerate(chars):
        if cur and c.base == base and c.size == size:
            # the common case, the same text object going on: only the gap can end the line
            gap = c.x0 - last_x1
            if -size * 1.5 <= gap <= size * 4.5:
                if c.ch.isspace():
                    cur.append(c)
                    continue
                if gap > size * 0.16 and not cur[-1].ch.isspace():
                    cur.append(Char(" ", last_x1, c.x0, c.base, c.size))
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
                    cur.append(Char(" ", last_x1, c.x0, c.base, c.size))
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
        starts.append(at)
        size, base, last_x1 = c.size, c.base, c.x1
    if cur:
        lines.append(_close(cur, page))
    if lines and columns is not None:
        _finish_lines(lines, starts, columns)
    return [ln for ln in lines if ln.text.strip()]


def _close(chars: list[Char], page: int) -> Line:
    while chars and chars[-1].ch.isspace():
        chars.pop()
    return Line(chars=chars, page=page)


def _finish_lines(lines: list[Line], starts: list[int], cols: CharColumns) -> None:
    """Size, baseline, extent, weight and text of all lines of a page at once. A line's visible characters are the shown
    ones from its first character to the next line's: every visible character either joins the
    open line or opens the next one, and what lies between is whitespace. Lines of one size and
    one baseline (most) take everything from the reductions; in the others sizes and baselines
    are counted."""
    at = np.array(starts, dtype=np.intp)
    shown = cols.shown

    def low(values: np.ndarray) -> list[float]:
        return np.minimum.reduceat(np.where(shown, values, np.inf), at).tolist()

    def high(values: np.ndarray) -> list[float]:
        return np.maximum.reduceat(np.where(shown, values, -np.inf), at).tolist()

    x0, x1, top, bottom = low(cols.x0), high(cols.x1), high(cols.top), low(cols.bottom)
    size_lo, size_hi, base_lo, base_hi = low(cols.size), high(cols.size), low(cols.base), high(cols.base)
    letters = np.add.reduceat(cols.letter.astype(np.intp), at).tolist()
    bold = np.add.reduceat(cols.bold_letter.astype(np.intp), at).tolist()
    for k, ln in enumerate(lines):
        lo = size_lo[k]
        size = round(lo * 2) / 2
        if lo != size_hi[k] or lo < size * 0.85 or base_lo[k] != base_hi[k]:
            # superscripts or a lowered run: the sizes and baselines are counted
            ln.size_and_base([c for c in ln.chars if not c.ch.isspace()])
        else:
            ln.size, ln.base = size, round(base_lo[k], 1)
        ln.x0, ln.x1, ln.top, ln.bottom = x0[k], x1[k], top[k], bottom[k]
        ln.bold = bold[k] / letters[k] if letters[k] else 0.0
        ln.text = "".join([c.ch for c in ln.chars])


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


_LIST_ITEM = re.compile(r"\s*\(?\d{1,3}[.)]\s")


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
    small = [ln for ln in lower if ln.size < size * 0.95]
    if small:
        # small print numbered like a list ("1. To adopt …"): a quotation or the notes? The
        # separator tells (read only then: walking a page's objects costs a tenth of its time)
        return any(_LIST_ITEM.match(ln.text) for ln in small)
    return any(ln.chars[0].ch.isdigit() for ln in lower)


def read_pages(doc: pdfium.PdfDocument) -> list[PageText]:
    pages: list[PageText] = []
    for i in range(len(doc)):
        page = doc[i]
        try:
            width, height = page.get_size()
            textpage = page.get_textpage()
            try:
                chars, columns = page_geometry(textpage.raw)
            finally:
                textpage.close()
            lines = build_lines(chars, i, columns)
            pt = PageText(i, width, height, lines, page_links(page, i), len(chars))
            if _may_need_rules(lines, height):
                pt.rules = page_rules(page)
        finally:
            page.close()
        pages.append(pt)
    return pages
