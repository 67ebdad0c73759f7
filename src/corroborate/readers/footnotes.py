"""Footnote mechanics shared by the text and PDF readers.

Three problems every extraction of a footnoted report has, solved here without knowing the
report:

* **markers**: footnote numbers glued to words and punctuation (`Boluarte,1`, `2020.26`,
  `inhabitants98.99`, `circumstances; 386`) must be told apart from numbers that are content
  (`7.2 percent`, `1 428 persons`, years). The deciding evidence is the numbering sequence: markers
  increase through the body, so the next one is nearly known, and the footnote blocks say which
  numbers exist at all.
* **url slots**: a footnote cites documents with a `url` placeholder per link; the page's link
  targets follow in the order of those placeholders.
* **short url lists**: when the extraction lost some link targets, the remaining ones are aligned
  to the placeholders by how well the URL's host fits the cited publisher (`freedomhouse.org` ↔
  `Freedom House`, `state.gov` ↔ `USDOS` via the report's own glossary), instead of shifting
  every later link onto the wrong citation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

# --- markers ---------------------------------------------------------------------------------

# A number glued to the preceding non-space character (letter or closing punctuation), or set
# off by one space after sentence punctuation or a closing quote/bracket. Hyphen, slash, '+',
# '(' and digits never introduce a marker: `COVID-19`, `5/1`, `(2020)`.
_GLUED = re.compile(r"(?<=[^\s\d\-/+(\[#$€£%&*=<>])(\d{1,4})(?=$|[\s,.;:)\]’”'\"!?])")
_SPACED = re.compile(r"(?<=[;’”)\]]) (\d{1,4})(?=$|\s)")
# After a number the following words make it a quantity, never a marker.
_UNIT_AFTER = re.compile(
    r"\s*(?:%|per ?cent|percent|por ?ciento|million|billion|thousand|km|kg|mm|cm|hectares?)\b",
    re.IGNORECASE,
)
_THOUSANDS_AFTER = re.compile(r"\s\d{3}\b")
_LEADING_ENUM = re.compile(r"^\s*(?:\(?[0-9]{1,3}(?:\.[0-9]{1,3})*\.?\)?|[a-z]\)|\([a-z]\))\s")


@dataclass(slots=True)
class MarkerCandidate:
    start: int  # where the removed text starts in the line
    end: int
    value: int
    form: str  # "glued" | "decimal" | "spaced"


def marker_candidates(line: str) -> list[MarkerCandidate]:
    """Every number in the line that could be a footnote marker, in reading order."""
    skip = 0
    m = _LEADING_ENUM.match(line)
    if m:
        skip = m.end()
    out: list[MarkerCandidate] = []
    for m in _GLUED.finditer(line, skip):
        start = m.start(1)
        prev = line[start - 1]
        before_prev = line[start - 2] if start >= 2 else ""
        # `7.2`, `5,9`, `2020.26`: a number after a digit and '.'/',' may be a decimal part.
        form = "decimal" if prev in ".," and before_prev.isdigit() else "glued"
        out.append(MarkerCandidate(start, m.end(1), int(m.group(1)), form))
    for m in _SPACED.finditer(line, skip):
        out.append(MarkerCandidate(m.start(), m.end(1), int(m.group(1)), "spaced"))
    out.sort(key=lambda c: c.start)
    return out


class MarkerSequence:
    """Decides, candidate by candidate in reading order, which numbers are footnote markers.

    `known` holds the footnote numbers whose text survived: they may be further ahead of the
    expected number (markers of lost footnotes in between were missed), while an unknown
    number is accepted only close to the expected one.
    """

    WINDOW = 6  # how far past the expected number an unconfirmed glued number may be
    LOOKAHEAD = 8  # candidates looked at ahead for the expected number
    KNOWN_WINDOW = 40

    def __init__(self, known: set[int]):
        self.known = known
        self.last = 0

    def accept(self, c: MarkerCandidate, line: str, ahead: frozenset[int] = frozenset()) -> bool:
        """`ahead`: the numbers glued like markers in the next few candidates. A number past the
        expected one is refused when the expected one is just ahead (`COVID19` read before
        marker 16 would otherwise swallow 16–18)."""
        v = c.value
        if v <= self.last:
            return False
        gap = v - self.last
        if gap > 1 and self.last + 1 in ahead:
            return False
        if _UNIT_AFTER.match(line, c.end):
            return False
        if c.form == "spaced" and _THOUSANDS_AFTER.match(line, c.end):
            return False  # `; 1 428 persons`: a number written in groups of three
        if c.form == "glued":
            ok = gap <= self.WINDOW or (v in self.known and gap <= self.KNOWN_WINDOW)
        else:  # a decimal part or a spaced number: only the very next number, or a known one
            ok = gap == 1 or (v in self.known and gap <= 3)
        if ok:
            self.last = v
        return ok

    def take(self, line: str, candidates: list[MarkerCandidate] | None = None,
             ahead: tuple[int, ...] = ()) -> tuple[str, list[tuple[int, int]]]:
        """Remove the markers from `line`: the clean text and (offset, n) pairs. `ahead`: the
        glued numbers of the lines that follow, nearest first."""
        parts: list[str] = []
        markers: list[tuple[int, int]] = []
        pos = 0
        removed = 0
        candidates = marker_candidates(line) if candidates is None else candidates
        for j, c in enumerate(candidates):
            later = [x.value for x in candidates[j + 1:j + 1 + self.LOOKAHEAD] if x.form == "glued"]
            upcoming = frozenset(later + list(ahead[:self.LOOKAHEAD - len(later)]))
            if c.start < pos or not self.accept(c, line, upcoming):
                continue
            parts.append(line[pos:c.start])
            removed += c.end - c.start
            markers.append((c.end - removed, c.value))
            pos = c.end
        parts.append(line[pos:])
        return "".join(parts), markers


# --- footnote text and url slots -----------------------------------------------------------------

_URL_TOKEN = re.compile(r"\burl\b", re.IGNORECASE)


_SEE_ALSO = re.compile(r"\b(?:see also|see|véase|ver)\s*:\s*", re.IGNORECASE)


def url_slots(text: str) -> list[str]:
    """The citation text before each `url` placeholder: what the link target should fit."""
    slots: list[str] = []
    prev = 0
    for m in _URL_TOKEN.finditer(text):
        segment = text[prev:m.start()]
        # citations are separated by semicolons, or by a sentence (`… url. See also: …`)
        cut = max(segment.rfind(";"), segment.rfind(". "))
        segment = segment[cut + 1:] if cut >= 0 else segment
        see = list(_SEE_ALSO.finditer(segment))
        if see:
            segment = segment[see[-1].end():]
        slots.append(segment.strip())
        prev = m.end()
    return slots


# --- host ↔ publisher fit ---------------------------------------------------------------------

_STOP = {"the", "of", "de", "la", "el", "del", "and", "y", "for", "en", "los", "las", "et", "al",
         "in", "on", "a"}
_HOST_NOISE = {"www", "www1", "www2", "cdn", "m", "amp", "en", "es", "fr", "web"}
_GENERIC_LABELS = {"gob", "gov", "org", "com", "co", "net", "edu", "ac", "int", "info"}


@lru_cache(maxsize=65536)
def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=4096)
def host_labels(url: str) -> tuple[str, ...]:
    """The meaningful labels of a URL's host: `https://cdn.www.gob.pe` -> (), `freedomhouse.org`
    -> ('freedomhouse',), `data.larepublica.pe` -> ('data', 'larepublica')."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ()
    labels = host.lower().split(".")[:-1]  # the TLD says nothing about the publisher
    out: list[str] = []
    for label in labels:
        if label in _HOST_NOISE or label in _GENERIC_LABELS or label.startswith("www"):
            continue
        out.append(label.replace("-", ""))
        if "-" in label:
            out.extend(p for p in label.split("-") if len(p) >= 3)
    return tuple(out)


def _publisher_variants(citation: str, glossary: dict[str, str]) -> list[list[str]]:
    """Word lists naming the cited author: the first comma field (and the second when the first
    is a country or other single word, `Peru, INEI`), each acronym also expanded through the
    report's glossary (`USDOS` -> United States Department of State)."""
    fields = [f.strip() for f in citation.split(",")]
    head = fields[0] if fields else ""
    names = [head]
    if len(head.split()) == 1 and len(fields) > 1:
        names.append(fields[1])
    variants: list[list[str]] = []
    for name in names:
        words = re.findall(r"[\w+]+", name)
        if not words:
            continue
        variants.append([_fold(w) for w in words])
        for w in words:
            if w in glossary:
                expansion = re.sub(r"\(.*?\)", " ", glossary[w])
                variants.append([_fold(x) for x in re.findall(r"\w+", expansion)])
    return variants


def host_fit(url: str, citation: str, glossary: dict[str, str] | None = None) -> float:
    """0..1: how well the URL's host fits the cited publisher, by token and acronym similarity."""
    labels = host_labels(url)
    if not labels:
        return 0.0
    best = 0.0
    for words in _publisher_variants(citation, glossary or {}):
        significant = [w for w in words if w not in _STOP]
        if not significant:
            continue
        compact = "".join(w for w in words if w != "the")
        acronym = "".join(w[0] for w in significant)
        for h in labels:
            if len(h) < 2:
                continue
            if h == compact or (len(h) >= 5 and len(compact) >= 5 and
                                (compact.startswith(h) or h.startswith(compact))):
                best = max(best, 1.0)
            elif len(acronym) >= 2 and h == acronym:
                best = max(best, 0.9)
            elif any(len(w) >= 3 and w == h for w in significant):
                best = max(best, 0.8)
            elif any(len(w) >= 4 and (h.startswith(w) or (len(h) >= 4 and w.startswith(h)))
                     for w in significant):
                best = max(best, 0.6)
    return best


MATCH = 0.5  # worth of placing a link at all, against the fit (0..1.5) of a better placement
_PATH_WORDS = re.compile(r"[^\W\d_]{4,}")


@lru_cache(maxsize=4096)
def _slug_words(url: str) -> frozenset[str]:
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return frozenset()
    return frozenset(_fold(w) for w in _PATH_WORDS.findall(path.replace("-", " ").replace("_", " ")))


@lru_cache(maxsize=4096)
def _words(citation: str) -> frozenset[str]:
    return frozenset(_fold(w) for w in _PATH_WORDS.findall(citation))


def path_fit(url: str, citation: str) -> float:
    """0..0.5: shared words between the URL's path (a slug of the title, often) and the
    citation: tells apart two articles of the same publisher."""
    slug, words = _slug_words(url), _words(citation)
    if not slug or not words:
        return 0.0
    return 0.5 * len(slug & words) / min(len(slug), len(words))


def align_urls(urls: list[str], slots: list[str], glossary: dict[str, str] | None = None
               ) -> list[int | None]:
    """For each URL, the index of the slot it belongs to (None: no slot fits).

    Order is kept (links appear in the order of their placeholders). When the counts match,
    the links map one to one. When some are missing on either side, a monotone alignment
    maximises the sum over matched pairs of (MATCH + host/publisher fit): every link is placed
    unless placing it would push a link off the citation its host clearly names — so one lost
    link does not shift every later link onto the wrong citation.
    """
    n, m = len(urls), len(slots)
    if n == 0:
        return []
    if n == m:
        return list(range(n))
    # ties go to the earlier placeholder: lost link targets are more often the later ones
    fit = [[host_fit(u, s, glossary) + path_fit(u, s) + 1e-3 * (m - j) / m for j, s in enumerate(slots)]
           for u in urls]
    # score[i][j]: best total aligning urls[:i] with slots[:j]
    neg = float("-inf")
    score = [[neg] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                score[0][0] = 0.0
                continue
            best, how = neg, 0
            if i > 0 and j > 0 and score[i - 1][j - 1] != neg:
                cand = score[i - 1][j - 1] + MATCH + fit[i - 1][j - 1]
                if cand > best:
                    best, how = cand, 1
            if j > 0 and score[i][j - 1] != neg:  # slot j-1 gets no link
                cand = score[i][j - 1]
                if cand > best:
                    best, how = cand, 2
            if i > 0 and score[i - 1][j] != neg:  # link i-1 fits no slot
                cand = score[i - 1][j]
                if cand > best:
                    best, how = cand, 3
            score[i][j], move[i][j] = best, how
    out: list[int | None] = [None] * n
    i, j = n, m
    while i > 0 or j > 0:
        how = move[i][j]
        if how == 1:
            out[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif how == 2:
            j -= 1
        else:
            i -= 1
    return out
