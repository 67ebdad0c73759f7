"""Turning positioned lines into clean text: footnote markers out of the text (kept as offsets),
line-end hyphens resolved against the document's own vocabulary, URLs re-joined."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import compress

from corroborate.readers.pdf_chars import Line

_LINE_END_HYPHENS = ("-", "\u00ad", "\u2010", "\x02")
_LIGATURES = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
    "\ufb06": "st", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "", "\ufeff": "",
})
_WORD = re.compile(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)*", re.UNICODE)
_URL_START = re.compile(r"(?:https?://|www\.)\S*$", re.I)
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"“”‘’]+", re.I)
_URL_TAIL_PUNCT = ".,;:)]}'’”»"


@dataclass(slots=True)
class LineText:
    """One line's clean text, its raised-digit markers (offset, number) and where it came from."""

    text: str
    markers: list[tuple[int, int]] = field(default_factory=list)
    glued: set[int] = field(default_factory=set)  # offsets of raised numbers right after a digit
    lead_number: int | None = None  # a number opening the line (a footnote's own number)
    lead_raised: bool = False

    @property
    def markers_n(self) -> list[int]:
        return [n for _, n in self.markers]


_LIGATURE_CHARS = re.compile("[" + "".join(chr(c) for c in _LIGATURES) + "]")


def clean(text: str) -> str:
    # most lines have none of these: a regex scan is much cheaper than translating char by char
    return text.translate(_LIGATURES) if _LIGATURE_CHARS.search(text) else text


def _marker_numbers(run: str) -> list[int]:
    """'12' -> [12]; '3,4' -> [3, 4]; '5-7' -> [5, 6, 7] (a range of footnotes on one spot)."""
    out: list[int] = []
    for part in re.split(r"[,;]", run):
        part = part.strip()
        rng = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
        if rng:
            a, b = int(rng.group(1)), int(rng.group(2))
            if a < b <= a + 20:
                out.extend(range(a, b + 1))
                continue
        if part.isdigit():
            out.append(int(part))
    return out


def line_text(line: Line, keep_lead: bool = False) -> LineText:
    """Text of a line with raised digit runs turned into markers.

    A number opening the line is reported as `lead_number` (raised or followed by a space):
    in the footnote area that is the footnote's own number. With keep_lead it stays in the text.
    """
    chars = line.chars
    out: list[str] = []
    markers: list[tuple[int, int]] = []
    glued: set[int] = set()
    lead: int | None = None
    lead_raised = False
    i = 0
    n = len(chars)
    # the opening number
    j = 0
    while j < n and chars[j].ch.isdigit():
        j += 1
    if 0 < j <= 4 and not keep_lead:
        raised = all(line.is_raised(c) for c in chars[:j])
        nxt = chars[j].ch if j < n else ""
        if raised or nxt.isspace() or nxt in ".)\t" and j < n - 1 and chars[j + 1].ch.isspace():
            lead = int("".join(c.ch for c in chars[:j]))
            lead_raised = raised
            i = j
            if nxt in ".)" and not raised:
                i += 1
            while i < n and chars[i].ch.isspace():
                i += 1
    rest = line.text[i:]
    if not any(map(line.is_raised, compress(chars[i:], map(str.isdigit, rest)))):
        # no raised digit: no marker, the text as it stands (most lines)
        return LineText(text=clean(rest), lead_number=lead, lead_raised=lead_raised)
    while i < n:
        c = chars[i]
        if c.ch.isdigit() and line.is_raised(c):
            k = i
            while k < n and (line.is_raised(chars[k]) and (chars[k].ch.isdigit() or chars[k].ch in ",-–")):
                k += 1
            run = "".join(ch.ch for ch in chars[i:k]).rstrip(",-–")
            prev = out[-1] if out else ""
            nums = _marker_numbers(run)
            if nums:
                offset = len("".join(out).rstrip()) if (out and out[-1] == " ") else len("".join(out))
                if out and out[-1] == " ":
                    # "outlets. 5" set with a space before the raised number: the marker hugs the
                    # word, and the space stays between the words ("regions. ⁵Lethal")
                    joined = "".join(out).rstrip()
                    out = [joined]
                    if k < n and not chars[k].ch.isspace() and chars[k].ch not in ".,;:)]}”’":
                        out.append(" ")
                for num in nums:
                    markers.append((offset, num))
                if prev.isdigit():
                    glued.add(offset)  # "Article 7^115" or an exponent: the caller decides
                i = k
                continue
        out.append(c.ch.translate(_LIGATURES))  # per character, so that offsets stay right
        i += 1
    text = "".join(out)
    return LineText(text=text, markers=markers, glued=glued, lead_number=lead, lead_raised=lead_raised)


class Vocabulary:
    """Words the document spells inside lines: evidence for resolving hyphens at line ends."""

    def __init__(self, texts: list[str]):
        bodies: list[str] = []
        for t in texts:
            body = t.rstrip()
            if body.endswith(_LINE_END_HYPHENS):
                body = body.rsplit(" ", 1)[0] if " " in body else ""
            bodies.append(body)
        # one pass over all lines (no word spans the newline), counted in C; compounds, the few
        # distinct words with a hyphen, then move over to their own counter and count their parts
        self.words: Counter[str] = Counter(map(str.lower, _WORD.findall("\n".join(bodies))))
        self.compounds: Counter[str] = Counter()
        for w in [w for w in self.words if "-" in w or "\u2010" in w]:
            count = self.words.pop(w)
            self.compounds[w.replace("\u2010", "-")] += count
            for part in re.split(r"[-\u2010]", w):
                self.words[part] += count

    def decide(self, left: str, right: str) -> bool | None:
        """True: drop the hyphen (a word broken by the typesetter); False: keep it; None: no evidence."""
        joined = (left + right).lower()
        compound = f"{left}-{right}".lower()
        if self.compounds.get(compound, 0) > self.words.get(joined, 0):
            return False
        if self.words.get(joined, 0):
            return True
        if self.compounds.get(compound, 0):
            return False
        return None


def join_texts(left: str, right: str, vocab: Vocabulary | None, hyphen_default: bool) -> str:
    """Join two consecutive lines of one paragraph or footnote."""
    if not left:
        return right
    if not right:
        return left
    tail = left.rstrip()
    head = right.lstrip()
    url = _URL_START.search(tail)
    if tail.endswith(_LINE_END_HYPHENS):
        stem = tail[:-1]
        if url:
            return stem + "-" + head  # URLs break after their own hyphens
        lw = re.search(r"([^\W\d_]+)$", stem)
        rw = re.match(r"([^\W\d_]+)", head)
        if lw and rw and head[0].islower():
            verdict = vocab.decide(lw.group(1), rw.group(1)) if vocab else None
            if verdict is None:
                verdict = hyphen_default
            return stem + head if verdict else stem + "-" + head
        return stem + "-" + head
    if url and not tail.endswith(tuple(_URL_TAIL_PUNCT)):
        first = head.split(" ", 1)[0]
        # a URL broken at the line end goes on without a space when the break is inside it:
        # after a path separator, or when the next piece itself looks like a path
        if tail.endswith(("/", "=", "?", "&", "_", "#", "%", ".")) or (
            re.search(r"[/=&?%_]", first) or ("-" in first and first.islower())
        ) and not first[0].isupper() and not first.startswith(("(", "http", "www")):
            return tail + head
    return tail + " " + head


def hyphen_default(vocab: Vocabulary, texts: list[str]) -> bool:
    """Does this document's typesetter break words with hyphens (True), or are line-end
    hyphens real compounds (False, e.g. Word without auto-hyphenation)? Decided by the
    evidence the vocabulary can settle."""
    joined = kept = 0
    for i, t in enumerate(texts[:-1]):
        tail = t.rstrip()
        if not tail.endswith(_LINE_END_HYPHENS):
            continue
        lw = re.search(r"([^\W\d_]+)$", tail[:-1])
        rw = re.match(r"\s*([^\W\d_]+)", texts[i + 1])
        if not (lw and rw):
            continue
        verdict = vocab.decide(lw.group(1), rw.group(1))
        if verdict is True:
            joined += 1
        elif verdict is False:
            kept += 1
    return joined > kept
