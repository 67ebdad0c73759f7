"""Page layout: running headers and footers, the body font size, reading order of columns,
and the footnote area of each page."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import compress
from statistics import median

from corroborate.models import fold
from corroborate.readers.pdf_chars import Line, PageText

_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_EDGE = 0.12  # share of the page height where running headers and footers live


@dataclass
class PageLayout:
    page: PageText
    body: list[Line] = field(default_factory=list)  # reading order
    notes: list[Line] = field(default_factory=list)  # footnote area, reading order
    dropped: list[Line] = field(default_factory=list)  # headers, footers, page numbers
    two_columns: bool = False
    left: float = 0.0
    right: float = 0.0
    mid: float = 0.0  # the gutter of a two-column page
    columns: tuple[tuple[float, float], tuple[float, float]] = ((0.0, 0.0), (0.0, 0.0))

    def margins(self, line: Line) -> tuple[float, float]:
        """Left and right edge of the text measure the line belongs to."""
        if self.two_columns and line.x1 <= self.mid + 5:
            return self.columns[0]
        if self.two_columns and line.x0 >= self.mid - 5:
            return self.columns[1]
        return self.left, self.right


def _edge_key(line: Line, page: PageText) -> tuple[str, str] | None:
    if line.top >= page.height * (1 - _EDGE):
        zone = "top"
    elif line.bottom <= page.height * _EDGE:
        zone = "bottom"
    else:
        return None
    return zone, re.sub(r"\d+", "#", fold(line.text))


def running_lines(pages: list[PageText]) -> set[int]:
    """ids of lines repeated in the same band across pages (headers, footers) or page numbers."""
    seen: dict[tuple[str, str], list[Line]] = defaultdict(list)
    drop: set[int] = set()
    for page in pages:
        for line in page.lines:
            key = _edge_key(line, page)
            if key is None:
                continue
            if _PAGE_NUMBER.match(line.text.strip()):
                drop.add(id(line))
                continue
            seen[key].append(line)
    need = max(2, int(0.25 * len(pages))) if len(pages) > 2 else 2
    for lines in seen.values():
        pages_hit = {ln.page for ln in lines}
        if len(pages_hit) < need:
            continue
        # a footnote like "5 Ibid." can repeat too, but not at one fixed height on every page
        heights = Counter(round(ln.base) for ln in lines)
        if heights.most_common(1)[0][1] < max(2, len(pages_hit) // 2):
            continue
        # numbers in a running line are page numbers: they move in step with the page
        # ("21 Para 420." and "24 Para 436." are footnotes, not a footer)
        texts = {ln.text.strip() for ln in lines}
        steps = Counter(int(m.group(0)) - ln.page for ln in lines if (m := re.search(r"\d+", ln.text)))
        if len(texts) == 1 or (steps and steps.most_common(1)[0][1] >= max(2, len(lines) // 2)):
            drop.update(id(ln) for ln in lines)
    return drop


def body_size(pages: list[PageText], skip: set[int]) -> float:
    """The running-text size: the size of lines that carry superscript footnote markers
    mid-line (footnote texts rarely do); else the size with the most characters."""
    marked: Counter[float] = Counter()
    volume: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            if id(line) in skip:
                continue
            volume[line.size] += len(line.text)
            chars = line.chars
            for k in compress(range(len(chars)), map(str.isdigit, line.text)):  # digits only
                c = chars[k]
                if k and line.is_raised(c) and not (chars[k - 1].ch.isdigit()):
                    if any(not ch.ch.isspace() and not line.is_raised(ch) for ch in chars[:k]):
                        marked[line.size] += 1
    if marked:
        return marked.most_common(1)[0][0]
    return volume.most_common(1)[0][0] if volume else 10.0


def _column_order(lines: list[Line], page: PageText, small: float = 0.0) -> tuple[list[Line], bool]:
    """Reading order: top to bottom; on two-column pages the left column before the right one
    within each band between full-width lines."""
    if not lines:
        return [], False
    x0 = min(ln.x0 for ln in lines)
    x1 = max(ln.x1 for ln in lines)
    width = x1 - x0
    mid = x0 + width / 2
    slack = width * 0.03
    left = [ln for ln in lines if ln.x1 <= mid + slack]
    right = [ln for ln in lines if ln.x0 >= mid - slack]
    wide_left = [ln for ln in left if ln.x1 - ln.x0 > width * 0.3]
    wide_right = [ln for ln in right if ln.x1 - ln.x0 > width * 0.3]
    # judged on running-text lines: full-width footnotes under two columns do not make one
    text = [ln for ln in lines if ln.size >= small] or lines
    in_columns = sum(1 for ln in text if ln.x1 <= mid + slack or ln.x0 >= mid - slack)
    two = len(wide_left) >= 3 and len(wide_right) >= 3 and in_columns >= 0.6 * len(text)
    if not two:
        return sorted(lines, key=lambda ln: (-round(ln.base), ln.x0)), False
    left_ids = {id(ln) for ln in left}
    right_ids = {id(ln) for ln in right}
    spanning = sorted((ln for ln in lines if id(ln) not in left_ids and id(ln) not in right_ids),
                      key=lambda ln: -ln.base)
    out: list[Line] = []
    upper = float("inf")
    for cut in [*spanning, None]:
        lower = cut.base if cut is not None else float("-inf")
        band_l = [ln for ln in left if lower < ln.base < upper]
        band_r = [ln for ln in right if lower < ln.base < upper and id(ln) not in left_ids]
        out.extend(sorted(band_l, key=lambda ln: (-round(ln.base), ln.x0)))
        out.extend(sorted(band_r, key=lambda ln: (-round(ln.base), ln.x0)))
        if cut is not None:
            out.append(cut)
            upper = cut.base
    return out, True


def _opens_small_note(line: Line, lines: list[Line], small: float) -> bool:
    """A note whose first line came out in the text size: it opens with a raised number and
    the line right under it is footnote-sized."""
    digits = 0
    for c in line.chars:
        if not (c.ch.isdigit() and line.is_raised(c)):
            break
        digits += 1
    if not digits:
        return False
    below = [ln for ln in lines if 0 < line.base - ln.base <= line.size * 2.2 and ln.x0 < line.x1 and line.x0 < ln.x1]
    return bool(below) and all(ln.size < small for ln in below)


def _separator(page: PageText, lines: list[Line], small: float) -> float | None:
    """The footnote separator: a short rule at the left margin, clear of any text line, with a
    numbered note right under it. Notes set as large as the body are found by it alone."""
    if not lines or not page.rules:
        return None
    left = min(ln.x0 for ln in lines)
    width = max(ln.x1 for ln in lines) - left
    best: float | None = None
    for x0, y, x1 in page.rules:
        if abs(x0 - left) > 6 or not (0.1 * width <= x1 - x0 <= 0.5 * width) or y > page.height * 0.75:
            continue
        if any(ln.bottom - 3 <= y <= ln.top + 1 for ln in lines):
            continue  # an underline (a link in a note) sits on its text line
        below = [ln for ln in lines if ln.top < y]
        if not below:
            continue
        # the area may open with the end of a note from the previous page; a note starts in it
        opens = any(ln.chars[0].ch.isdigit() and (
            ln.is_raised(ln.chars[0]) or ln.size < small
            or re.match(r"\d{1,4}(?:[.)]?\s|(?=[^\W\d]))", ln.text) is not None) for ln in below)
        if opens and (best is None or y > best):
            best = y
    return best


def layout_pages(pages: list[PageText]) -> tuple[list[PageLayout], float]:
    skip = running_lines(pages)
    size = body_size(pages, skip)
    small = size * 0.95
    out: list[PageLayout] = []
    for page in pages:
        lay = PageLayout(page)
        kept = []
        for ln in page.lines:
            (lay.dropped if id(ln) in skip else kept).append(ln)
        ordered, lay.two_columns = _column_order(kept, page, small)
        # The footnote area: smaller lines with no running-text line below them in their column.
        separator = _separator(page, ordered, small)
        big = [ln for ln in ordered if ln.size >= small and len(ln.text.strip()) > 3
               and not _opens_small_note(ln, ordered, small)
               and not (separator is not None and ln.top < separator)]
        for ln in ordered:
            # with a separator rule, the notes are what lies under it: small print above it
            # (a quotation closing the page) is running text
            in_area = ln.top < separator if separator is not None else (
                ln.size < small or _opens_small_note(ln, ordered, small))
            is_note = in_area and not any(
                b.base < ln.base - 1 and b.x0 < ln.x1 and ln.x0 < b.x1 for b in big)
            (lay.notes if is_note else lay.body).append(ln)
        if lay.two_columns:
            xs = [ln.x0 for ln in lay.body] or [0.0]
            xe = [ln.x1 for ln in lay.body] or [page.width]
            lay.mid = (min(xs) + max(xe)) / 2
            left_col = [ln for ln in lay.body if ln.x1 <= lay.mid + 5] or lay.body
            right_col = [ln for ln in lay.body if ln.x0 >= lay.mid - 5] or lay.body
            lay.columns = ((min(ln.x0 for ln in left_col), max(ln.x1 for ln in left_col)),
                           (min(ln.x0 for ln in right_col), max(ln.x1 for ln in right_col)))
        out.append(lay)
    # the measure of single-column pages, from the whole document: a page with three lines
    # of ragged text says little about where its right margin is
    x0s = sorted(ln.x0 for lay in out if not lay.two_columns for ln in lay.body if ln.size >= small)
    x1s = sorted(ln.x1 for lay in out if not lay.two_columns for ln in lay.body if ln.size >= small)
    for lay in out:
        if x0s:
            lay.left = x0s[int(len(x0s) * 0.05)]
            lay.right = x1s[min(len(x1s) - 1, int(len(x1s) * 0.95))]
        else:
            lay.left, lay.right = 0.0, lay.page.width
    return out, size


def line_pitch(layouts: list[PageLayout], size: float) -> float:
    """Typical baseline distance between consecutive running-text lines."""
    gaps = []
    for lay in layouts:
        for a, b in zip(lay.body, lay.body[1:], strict=False):
            d = a.base - b.base
            if abs(a.size - size) < 0.6 and abs(b.size - size) < 0.6 and 0 < d < size * 3:
                gaps.append(d)
    return median(gaps) if gaps else size * 1.2
