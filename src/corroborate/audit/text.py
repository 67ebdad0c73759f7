"""Sentence-level reading of paragraph text: sentence spans with offsets (so footnote markers,
which carry offsets, can be placed in a sentence), gap statements and non-factual sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Tokens ending in a full stop that do not end a sentence in COI prose.
_ABBREV = {
    "e.g", "i.e", "etc", "no", "nos", "art", "arts", "para", "paras", "p", "pp", "vol", "mr", "mrs",
    "ms", "dr", "prof", "st", "jr", "sr", "inc", "ltd", "co", "corp", "dept", "gen", "col", "lt",
    "sgt", "capt", "gov", "rep", "sen", "approx", "fig", "ed", "eds", "vs", "cf", "al", "op", "cit",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "ff", "aa",
}
_BOUNDARY = re.compile(r"[.!?…]+['’”\")\]]*(?=\s+['‘“\"(¿¡]?[A-Z0-9ÁÉÍÓÚÑ])")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int  # exclusive; spans tile the paragraph text (trailing whitespace included)
    text: str

    def holds_offset(self, offset: int, first: bool) -> bool:
        """A marker glued after the full stop sits at the sentence's end: it belongs here."""
        return (self.start <= offset if first else self.start < offset) and offset <= self.end


def split_sentences(text: str) -> list[Sentence]:
    cuts = [0]
    for m in _BOUNDARY.finditer(text):
        before = text[: m.start()].rsplit(None, 1)
        word = before[-1].lower().strip("(‘'\"") if before else ""
        if m.group().startswith(".") and (word in _ABBREV or re.fullmatch(r"[a-z]", word)):
            continue  # "e.g." / "No." / an initial such as "J."
        end = m.end()
        while end < len(text) and text[end].isspace():
            end += 1
        if end < len(text):
            cuts.append(end)
    cuts.append(len(text))
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if text[a:b].strip():
            out.append(Sentence(a, b, text[a:b].strip()))
    return out


# Statements of what the research could not find: the methodology requires them to be stated.
GAP_PATTERNS = [
    re.compile(p, re.I)
    for p in (
        r"\b(information|data|details|statistics|figures|sources?|reports?|examples?)\b[^.]{0,220}?"
        r"\bcould\s+not\s+be\s+(found|located|identified|corroborated|confirmed|verified)",
        r"\bno\s+(further\s+|additional\s+|other\s+|recent\s+|specific\s+|updated\s+)?"
        r"(information|data|statistics|figures|sources?)\b[^.]{0,120}?"
        r"\b(could\s+be|was|were|has\s+been|have\s+been)\s+(found|located|identified)",
        r"\bwithin\s+the\s+time\s+constraints\s+of\s+this\s+report",
        r"\b(was|were)\s+unable\s+to\s+(find|locate|identify)\b",
    )
]


def is_gap_statement(sentence: str) -> bool:
    return any(p.search(sentence) for p in GAP_PATTERNS)


_SIGNPOST = re.compile(
    r"^\s*(for\s+(more|further|additional)\s+information\b|see\s+(also\s+)?(section|chapter|annex|\d)|"
    r"this\s+(section|chapter|sub-?section|report)\s+(covers|describes|provides|presents|focuses|outlines)|"
    r"the\s+following\s+(section|sections|chapter|paragraphs?)\b)",
    re.I,
)


def is_signpost(sentence: str) -> bool:
    """The report talking about itself ("For more information, see Section 3.5"): nothing to cite."""
    return bool(_SIGNPOST.search(sentence))


def word_count(sentence: str) -> int:
    return len(re.findall(r"\w+", sentence))


def ends_open(text: str) -> bool:
    """Text that stops mid-sentence: the next paragraph continues it (a page break, a list)."""
    t = text.rstrip()
    return bool(t) and t[-1] not in ".!?…'’”\")]"
