"""Sentence boundaries inside a paragraph, as character offsets into its stored text, so that
a quote is always `text[start:end]` — verbatim by construction.

Rule-based: a sentence ends at . ! ? (plus closing quotes/brackets) followed by whitespace and
a capital, digit, opening quote or ¿/¡ — except after abbreviations common in COI reports
(e.g., No., Art., para., initials) and inside decimal numbers (5.9 has no space after the dot).
"""

from __future__ import annotations

import re

_ABBREV = frozenset(
    """e.g i.e etc vs cf al no nos art arts para paras p pp vol ed eds st mr mrs ms dr prof gen
    col lt sgt gov jan feb mar apr jun jul aug sep sept oct nov dec fig op approx inc ltd co corp
    dept univ ca sr sra dra núm nº pág art
    """.split()
)

_END = re.compile(r"[.!?]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[¿¡]?[A-ZÁÉÍÓÚÑ0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence; leading/trailing whitespace excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end()
        if text[m.start()] == "." and _is_abbreviation(text, m.start()):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _is_abbreviation(text: str, dot: int) -> bool:
    i = dot
    while i > 0 and (text[i - 1].isalpha() or text[i - 1] == "."):
        i -= 1
    word = text[i:dot].lower()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "H. Pérez", "J. Smith"
        return True
    raw = text[i:dot]
    if len(raw) == 2 and raw[0] == raw[1] and raw.isupper():  # Spanish plural initials: FF. AA., EE. UU.
        return True
    return word in _ABBREV


def sentence_footnotes(spans: list[tuple[int, int]], markers: list[dict]) -> list[list[int]]:
    """Footnote numbers per sentence: a marker belongs to the sentence it sits in or right
    after (markers follow the punctuation they annotate), i.e. before the next sentence starts."""
    out: list[list[int]] = [[] for _ in spans]
    for m in markers:
        off = m["offset"]
        for i, (s, _e) in enumerate(spans):
            nxt = spans[i + 1][0] if i + 1 < len(spans) else float("inf")
            if s < off < nxt or (i == 0 and off <= s):
                if m["n"] not in out[i]:
                    out[i].append(m["n"])
                break
    return out


# Openings that refer back to something named in an earlier sentence (English and Spanish).
_ANAPHORS = frozenset(
    """it its they them their these those this he she his her such both
    él ella ellos ellas esta este estos estas esto dicho dicha dichos dichas su sus""".split()
)
_ANAPHORIC_PHRASES = ("the same source", "the same report", "the group", "the gang", "the organisation",
                      "the organization", "the law", "the latter", "the former", "la misma fuente",
                      "el grupo", "la banda", "la organización")
_FIRST_WORD = re.compile(r"[\W_]*(\w+)")


def is_anaphoric(sentence: str) -> bool:
    """True when the sentence opens by pointing back ("It has …", "They are …", "The same source
    …"), so that quoted alone it would not say who or what it is about."""
    head = sentence.lstrip("•-–—*\"'“‘«(¿¡ \t").casefold()
    if head.startswith(_ANAPHORIC_PHRASES):
        return True
    m = _FIRST_WORD.match(head)
    return bool(m) and m.group(1) in _ANAPHORS
