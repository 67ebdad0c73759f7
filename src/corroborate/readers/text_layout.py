"""First pass over a plain-text extraction of a paginated report: which lines are body text,
which are page furniture, which belong to the footnote blocks at the bottom of pages.

What the extraction looks like (EUAA-style, but nothing here knows the report):

* the first line of a page chunk often starts with a single space;
* a footnote block starts after a line holding only whitespace, with lines `N text` (wrapped
  over several lines), then the link targets of the page, one URL a line;
* running headers/footers are a short repeated line next to a bare page number;
* pieces of lost footnotes survive as orphan lines (` July 2023, url`).

The footnote numbering decides what is a footnote line: a block's numbers increase past the
last footnote seen and cannot run ahead of the markers already met in the body.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from corroborate.models import IngestWarning
from corroborate.readers.footnotes import MarkerCandidate, marker_candidates

_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^\d{1,4}$")
_NOTE_START = re.compile(r"^(\d{1,4})(?:\s+|(?=[^\W\d_]|[‘“\"'(\[]))(\S.*)$")
_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
           r"December|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
           r"octubre|noviembre|diciembre)")
# `13 March 2023, url` on its own line is a wrapped date, not footnote 13
_WRAPPED_DATE = re.compile(rf"^{_MONTHS}\s+\d{{4}}\b", re.IGNORECASE)
_THOUSANDS = re.compile(r"^\d{3}\b")
# the rest of a wrapped URL: no spaces, URL characters only, something only a URL would hold
_URL_TAIL = re.compile(r"^(?=\S*[/%=&?_])[\w\-./%=&?#~+:;,@!$'()*]+$")
_TAIL = re.compile(r"\burl\b|^[\d\s,.;:\-–p]+$", re.IGNORECASE)


_NONE: list = []  # never mutated


@dataclass(slots=True)
class RawLine:
    no: int  # 1-based line number in the input
    text: str  # inner whitespace collapsed, ends stripped
    lead: bool  # began with a single space: the extraction's mark of a new page chunk
    page_idx: int
    trailing: int = 0  # spaces after the text: some extractors mark a paragraph's last line
    candidates: list[MarkerCandidate] = field(default_factory=list)  # numbers that may be markers


@dataclass
class NoteDraft:
    n: int
    line: int
    page_idx: int
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_wrapped(self.parts)


@dataclass
class FootnoteBlock:
    line: int
    page_idx: int
    notes: list[NoteDraft] = field(default_factory=list)
    urls: list[tuple[int, str]] = field(default_factory=list)  # (line, url)


@dataclass
class Layout:
    body: list[RawLine]
    blocks: list[FootnoteBlock]
    running_headers: list[str]
    page_numbers: list[tuple[int, int]]  # (page index, printed page number)
    warnings: list[IngestWarning]

    def page(self, page_idx: int) -> int | None:
        """The printed page number of a page index, from the nearest running header."""
        if not self.page_numbers:
            return None
        k = bisect_right(self.page_numbers, (page_idx, float("inf")))
        i, n = self.page_numbers[k - 1] if k else self.page_numbers[0]
        page = n + (page_idx - i)
        return page if page >= 1 else None


def join_wrapped(parts: list[str], vocabulary: Counter | None = None) -> str:
    """Join wrapped lines with spaces; a line-final hyphen is kept (`anti-government`, `30-day`)
    unless the report itself writes the joined word elsewhere without one (`organi-sation`)."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not out:
            out = part
        elif out.endswith("-") and len(out) > 1 and out[-2].isalnum():
            out = out + part if not drop_hyphen(out, part, vocabulary) else out[:-1] + part
        else:
            out = f"{out} {part}"
    return out


_WORD_TAIL = re.compile(r"([^\W\d_]+)-$")
_WORD_HEAD = re.compile(r"^([^\W\d_]+)")


def drop_hyphen(left: str, right: str, vocabulary: Counter | None) -> bool:
    """A hyphen at a line end is a split word only when the report spells the joined form
    elsewhere and never the hyphenated one; compounds and number ranges keep it."""
    if not vocabulary:
        return False
    a, b = _WORD_TAIL.search(left), _WORD_HEAD.match(right)
    if not a or not b:
        return False
    joined = (a.group(1) + b.group(1)).lower()
    hyphenated = f"{a.group(1)}-{b.group(1)}".lower()
    return vocabulary.get(joined, 0) > 0 and vocabulary.get(hyphenated, 0) == 0


def _is_ws_only(raw: str) -> bool:
    return bool(raw) and not raw.strip()


_NUMBERED_FURNITURE = re.compile(
    r"^(?:(?:page|p\.|página)\s*)?(\d{1,4})(?:\s*(?:of|de|/)\s*\d{1,4})?\s+(\S.{2,69})$"
    r"|^(\S.{2,69}?)\s+(?:(?:page|p\.|página)\s*)?(\d{1,4})(?:\s*(?:of|de|/)\s*\d{1,4})?$",
    re.IGNORECASE)


def _running_headers(lines: list[str]) -> tuple[set[int], list[str], dict[int, int], set[int]]:
    """Page furniture, found by repetition, never by name:

    * a bare page number next to a short line that repeats or is set in capitals
      (`EUROPEAN UNION AGENCY FOR ASYLUM` / `8`);
    * a short line carrying its page number (`PERU – COUNTRY FOCUS 25`, `Page 3 of 40`) whose
      text without the number comes back on at least three lines with different numbers.
    """
    nonblank = [i for i, raw in enumerate(lines) if raw.strip()]
    counts = Counter(lines[i].strip() for i in nonblank if len(lines[i].strip()) <= 80)
    furniture: set[int] = set()
    headers: list[str] = []
    numbers: dict[int, int] = {}  # line index of the header -> printed page number
    footers: set[int] = set()  # of those, the ones closing their page rather than opening it
    for k, i in enumerate(nonblank):
        s = lines[i].strip()
        if not _PAGE_NUMBER.match(s):
            continue
        for j in (nonblank[k - 1] if k > 0 else None, nonblank[k + 1] if k + 1 < len(nonblank) else None):
            if j is None or j in furniture:
                continue
            t = lines[j].strip()
            if len(t) > 70 or t.endswith((".", ",", ";", ":")) or _PAGE_NUMBER.match(t):
                continue
            letters = [c for c in t if c.isalpha()]
            shouting = len(letters) >= 6 and t.isupper()
            if counts[t] >= 2 or shouting:
                furniture.update((i, j))
                if t not in headers:
                    headers.append(t)
                numbers[min(i, j)] = int(s)
                break

    # a bare number opening or closing a form-feed page is that page's number
    if any(raw.startswith("\f") for raw in lines):
        starts = [0] + [i for i, raw in enumerate(lines) if raw.startswith("\f")] + [len(lines)]
        for i in starts:
            k = bisect_left(nonblank, i)
            opening = nonblank[k] if k < len(nonblank) else None
            closing = nonblank[k - 1] if k > 0 else None
            for j in (opening, closing):
                if j is not None and j not in furniture and _PAGE_NUMBER.match(lines[j].strip()):
                    furniture.add(j)
                    numbers[j] = int(lines[j].strip())
                    if j == closing:
                        footers.add(j)  # the number of the page it closes

    # lone page numbers, without any header text: a chain of bare numbers rising by one to three
    # from one page to the next, far apart in the text
    chain: list[tuple[int, int]] = []
    for i in nonblank:
        s = lines[i].strip()
        if i in furniture or not _PAGE_NUMBER.match(s):
            continue
        n = int(s)
        if chain and 1 <= n - chain[-1][1] <= 3 and i - chain[-1][0] >= 10:
            chain.append((i, n))
            continue
        if len(chain) >= 3:
            for j, m in chain:
                furniture.add(j)
                numbers[j] = m
        chain = [(i, n)]
    if len(chain) >= 3:
        for j, m in chain:
            furniture.add(j)
            numbers[j] = m

    carrying: dict[str, list[tuple[int, int]]] = {}
    for i in nonblank:
        if i in furniture:
            continue
        m = _NUMBERED_FURNITURE.match(lines[i].strip())
        if not m:
            continue
        text, number = (m.group(2), m.group(1)) if m.group(1) else (m.group(3), m.group(4))
        if text.rstrip().endswith((".", ",", ";", ":")) or "," in text or re.search(r"\burl\b", text, re.I):
            continue  # a sentence or a citation (`16 US, CIA, The World Factbook, url`), not a header
        carrying.setdefault(" ".join(text.split()), []).append((i, int(number)))
    for text, hits in carrying.items():
        spread = all(b[0] - a[0] >= 10 and b[1] > a[1] for a, b in pairwise(hits))
        if len(hits) >= 3 and spread:
            for i, n in hits:
                furniture.add(i)
                numbers[i] = n
            if not text.lower().startswith(("page", "página")) and text not in headers:
                headers.append(text)
    return furniture, headers, numbers, footers


_LEADER = re.compile(r"(?:\.\s?){4,}\s*\d{1,4}\s*$|…{2,}\s*\d{1,4}\s*$|_{4,}\s*\d{1,4}\s*$")
_TOC_ENTRY = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*\.?\s+\S.*?)\s+\d{1,4}$")


def _contents_lines(lines: list[str]) -> set[int]:
    """Table-of-contents entries: dot leaders to a page number, or a numbered title plus page
    number whose title comes back later as a heading. They are not content."""
    found: set[int] = set()
    stripped = [" ".join(raw.split()) for raw in lines]
    last_seen = {t: i for i, t in enumerate(stripped)}
    for i, t in enumerate(stripped):
        if not t:
            continue
        if _LEADER.search(t[-64:]):  # a leader ends the line; searched whole, a long run of dots is quadratic
            found.add(i)
            continue
        m = _TOC_ENTRY.match(t)
        if m and last_seen.get(m.group(1), -1) > i:
            found.add(i)
    return found


def run_together_start(n: int, text: str) -> re.Match | None:
    """Where footnote `n` starts inside a line holding the end of the previous one
    (`… Intech Open, 2020. 4 Peter Neyroud, …`): after a finished citation, before a capital."""
    wanted = str(n)
    return next((m for m in _RUN_TOGETHER.finditer(text) if m.group(1) == wanted), None)


# one pattern for every number: compiling one per footnote number cost 5 ms each
_RUN_TOGETHER = re.compile(r"(?<=[.)\]’”]) (\d+) (?=[A-Z‘“\"'])")


def run_together_last(n: int, text: str) -> int:
    """The last footnote number begun in `text`, given that footnote `n` was open before it."""
    while run_together_start(n + 1, text):
        n += 1
    return n


def split_layout(lines: list[str], numbers: list[int] | None = None) -> Layout:
    """Separate body lines from footnote blocks, URL lists, orphans and page furniture.
    `numbers` gives each line's number in the input (default: its position)."""
    furniture, headers, furniture_numbers, footers = _running_headers(lines)
    furniture |= _contents_lines(lines)
    body: list[RawLine] = []
    blocks: list[FootnoteBlock] = []
    warnings: list[IngestWarning] = []
    page_numbers: list[tuple[int, int]] = []
    state = "body"  # body | notes | urls
    block: FootnoteBlock | None = None
    page_idx = -1
    last_note = 0
    max_marker = 0  # highest number glued like a marker so far: footnotes cannot run ahead of it
    ws_before = False
    page_break = False

    opened = False  # a page was counted and nothing placed on it yet: its first line adds none

    for idx, raw in enumerate(lines):
        if raw.startswith("\f"):  # pdftotext's page break: the next text opens a page
            if not opened:
                page_idx, opened = page_idx + 1, True
            page_break = True
            rest = raw.lstrip("\f")
            if not rest.strip():
                continue
            raw = " " + rest.lstrip()
        if idx in furniture:
            if idx in footers:
                page_numbers.append((max(page_idx, 0), furniture_numbers[idx]))
            elif idx in furniture_numbers:
                if not opened:
                    page_idx, opened = page_idx + 1, True
                page_numbers.append((page_idx, furniture_numbers[idx]))
                page_break = True  # the running header opens the page: the next line is its first
            state, block = "body", None
            continue
        s = raw.strip()
        if not s:
            ws_before = ws_before or _is_ws_only(raw)
            continue
        text = " ".join(s.split())
        lead = page_break or (raw.startswith(" ") and not raw.startswith("  "))
        page_break = False
        no = numbers[idx] if numbers is not None else idx + 1
        had_ws, ws_before = ws_before, False

        if _URL_LINE.match(text) or _NOTE_START.match(text):
            opened = False
        if _URL_LINE.match(text):
            if block is None or state == "body":
                page_idx = max(page_idx, 0)
                block = FootnoteBlock(line=no, page_idx=page_idx)
                blocks.append(block)
            block.urls.append((no, text))
            state = "urls"
            continue

        m = _NOTE_START.match(text)
        if m:
            n, rest = int(m.group(1)), m.group(2)
            ok = (max_marker > 0 and last_note < n <= max_marker + 2 and not _WRAPPED_DATE.match(rest)
                  and not _THOUSANDS.match(rest))
            if ok and state == "body":
                # evidence that a footnote block starts here: the extraction's blank-ish line, a
                # citation placeholder, or exactly the next footnote number just after its marker
                ok = (had_ws or bool(re.search(r"\burl\b", rest, re.IGNORECASE))
                      or (n == last_note + 1 and max_marker - 6 <= n <= max_marker))
            elif ok:
                ok = n - last_note <= 25 or had_ws
            if ok:
                if state != "notes" or block is None:
                    page_idx = max(page_idx, 0)
                    block = FootnoteBlock(line=no, page_idx=page_idx)
                    blocks.append(block)
                block.notes.append(NoteDraft(n=n, line=no, page_idx=page_idx, parts=[rest]))
                last_note = run_together_last(n, rest)
                state = "notes"
                continue

        if state == "urls" and not lead and _URL_TAIL.match(text) and block is not None and block.urls:
            # a long link target wrapped over two lines
            line_no, url = block.urls[-1]
            block.urls[-1] = (line_no, url + text)
            continue
        if state in ("notes", "urls"):
            if lead and _TAIL.search(text) and len(text) < 100:
                warnings.append(IngestWarning(
                    code="orphan-fragment", line=no,
                    message=f"text of a lost footnote kept out of the body: {text!r}"))
                continue
            if state == "notes" and not lead:
                block.notes[-1].parts.append(text)
                last_note = run_together_last(last_note, text)
                continue
            state, block = "body", None  # the next page's text resumes

        if (lead and not opened) or page_idx < 0:
            page_idx += 1
        opened = False
        candidates = marker_candidates(text) or _NONE  # most lines have none: share one empty list
        body.append(RawLine(no=no, text=text, lead=lead, page_idx=page_idx,
                            trailing=len(raw) - len(raw.rstrip(" ")), candidates=candidates))
        for c in candidates:
            if max_marker < c.value <= max_marker + (10 if c.form == "decimal" else 300):
                max_marker = c.value

    return Layout(body=body, blocks=blocks, running_headers=headers, page_numbers=page_numbers,
                  warnings=warnings)
