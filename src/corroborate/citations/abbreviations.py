"""A report's abbreviation key -> the names its short citations stand for.

UN compilations and many NGO reports cite by abbreviation (`JS7, p.8; AI, pp.3-6`) and resolve
the abbreviations once: in a note (`AI Amnesty International, London (United Kingdom); JS7 Joint
submission 7 submitted by: …`), an annex, an "Abbreviations"/"Acronyms" table or a "the
following abbreviations are used" list. The key is read from any of these, whatever the reader:

- the report's glossary (`term -> definition`, as the text reader builds it);
- every footnote, and the paragraphs of a section titled like a key or introduced by such a
  sentence: the text is scanned for `ABBR Name` entries.

An entry is only believed when the abbreviation could be made from the name: its letters are
word initials (or letters later in the same word) in order, its digits a number in the name
(`JS7` <- Joint submission 7, `DdP` <- Defensoría del Pueblo, `IACHR` <- Inter-American
Commission on Human Rights). That keeps `UN Human Rights Council` from reading as a key entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from corroborate.citations.parse import LOCATOR_ONLY
from corroborate.models import Citation, CitationKind, Report, fold

_ABBR = r"[A-Z][A-Za-z0-9&/\-]{0,11}"
# `ABBR Name`, `ABBR – Name`, `ABBR: Name`, `ABBR = Name` (the name opens with a capital)
_ENTRY = re.compile(rf"(?<![\w(/\-])(?P<abbr>{_ABBR})(?:\s*[:=\u2013\u2014]\s*|\s+-\s+|\s+)(?=[A-ZÁÉÍÓÚÑ])")
_KEY_TITLE = re.compile(r"(?i)\b(?:abbreviations?|acronyms?|siglas|abreviaturas|acrónimos|glossary|glosario)\b")
_KEY_SENTENCE = re.compile(
    r"(?i)\b(?:following|these)\s+(?:abbreviations|acronyms)\b|\babbreviations\s+(?:are\s+)?used\b|"
    r"\bsiglas\s+(?:utilizadas|usadas)\b|\bsubmissions? (?:are )?available\b|\bcontributed information\b")
_SELF = re.compile(r"(?:^|[;:]\s+)(?P<name>[A-Z][^,;:()]{1,60}?) (?P=name),")
# what follows the name in a UN key: the seat (`, London (United Kingdom)`), a mark (`*`)
_SEAT = re.compile(r",\s*[^,;()]{2,60}\([^()]{2,60}\)\s*\*?\s*$")
# a category label closing the entry before it (`… (Peru). Joint submissions:`)
_LABEL_TAIL = re.compile(r"(?:[.;]\s+|\s+)(?:[A-Z][^.;:]{0,80}:\s*)$")


def _is_abbreviation(token: str) -> bool:
    upper = sum(c.isupper() for c in token)
    return upper >= 2 or (upper == 1 and any(c.isdigit() for c in token))


def abbreviates(abbr: str, name: str) -> bool:
    """Could `abbr` be made from `name`? (See the module docstring.)"""
    digits = re.findall(r"\d+", abbr)
    if digits and not all(re.search(rf"(?<!\d){d}(?!\d)", name) for d in digits):
        return False
    letters = [c for c in fold(re.sub(r"[^A-Za-z]", "", abbr))]
    words = [w for w in re.split(r"[\s\-–/]+", fold(name)) if w]
    if not letters or not words or words[0][0] != letters[0]:
        return False
    if len(letters) > 1 and len(words) == 1:
        return False  # one word does not make a multi-letter abbreviation (`NGO Asociación`)

    def match(i: int, w: int, pos: int) -> bool:
        # letters[i:] from word w, where letters of w before `pos` are used up
        if i == len(letters):
            return True
        if w < len(words):
            k = words[w].find(letters[i], pos)
            if k > 0 and match(i + 1, w, k + 1):  # a later letter of the same word (`DdP`)
                return True
        for v in range(w + 1, min(len(words), w + 5)):  # the next words, skipping particles
            if words[v][0] == letters[i] and match(i + 1, v, 1):
                return True
        return False

    return match(1, 0, 1)


def _name(text: str) -> str:
    text = _LABEL_TAIL.sub("", text.strip()).strip(" ;.,")
    parts = [_SEAT.sub("", p.strip()).strip(" ,.") for p in text.split(";")]
    name = "; ".join(p for p in parts if p)
    return name if len(name) <= 240 else name[:240].rsplit(" ", 1)[0] + " …"


def scan(text: str) -> dict[str, str]:
    """Every believable `ABBR Name` entry in a run of text (a note, a list, a table row)."""
    starts = [m for m in _ENTRY.finditer(text) if _is_abbreviation(m.group("abbr"))]
    out: dict[str, str] = {}
    for i, m in enumerate(starts):
        # the name runs to the next believable entry; try the nearest candidates first
        end = len(text)
        for nxt in starts[i + 1:]:
            if abbreviates(nxt.group("abbr"), text[nxt.end():nxt.end() + 120]):
                end = nxt.start()
                break
        name = _name(text[m.end():end])
        if name and abbreviates(m.group("abbr"), name):
            out.setdefault(m.group("abbr"), name)
    if out:
        # `ADF International ADF International, Geneva (Switzerland)`: a name that is its own key
        for m in _SELF.finditer(text):
            out.setdefault(m.group("name"), m.group("name"))
    return out


def _key_paragraphs(report: Report) -> Iterable[str]:
    """The text of each key section, its paragraphs joined: a table read row by row may give
    the abbreviation and its name as paragraphs of their own."""
    for section in report.walk_sections():
        in_key = bool(_KEY_TITLE.search(section.title or ""))
        run: list[str] = []
        after_sentence = 0
        for p in section.paragraphs:
            if _KEY_SENTENCE.search(p.text):
                after_sentence = 60
                run.append(p.text)
            elif in_key or after_sentence:
                run.append(p.text)
                after_sentence = max(0, after_sentence - 1)
        if run:
            yield " ".join(run)


def abbreviation_key(report: Report) -> dict[str, str]:
    """abbreviation -> name, from the report's glossary, notes and key sections. A note counts
    as a key when it holds two entries or more, or says it is one."""
    key: dict[str, str] = {}
    for entry in report.glossary:
        term = entry.term.strip()
        # `Coordinadora Nacional de Derechos Humanos (National Coordinator …)`: the name, not
        # the glossary's translation of it
        name = re.sub(r"(?<=\S\s\S)(.*?)\s*\([^()]*\)$", r"\1", _name(entry.definition).strip())
        if _is_abbreviation(term) and abbreviates(term, name):
            key.setdefault(term, name)
    for fn in report.footnotes:
        if not fn.text:
            continue
        found = scan(fn.text)
        if len(found) >= 2 or (found and _KEY_SENTENCE.search(fn.text)):
            for abbr, name in found.items():
                key.setdefault(abbr, name)
    for text in _key_paragraphs(report):
        for abbr, name in scan(text).items():
            key.setdefault(abbr, name)
    return key


_SHORT = re.compile(r"^(?P<lead>(?:[^;:]{0,80}?\b)?(?:see(?:\s+also)?|cf\.?|e\.g\.,?)\s+)?(?P<abbr>[^,;]{1,60}?)\.?(?:,\s*(?P<loc>.+?))?\.?$",
                    re.IGNORECASE)


def short_citation(text: str, key: dict[str, str]) -> Citation | None:
    """`JS7, p.8` / `See also AI, pp.3-6.` / `HRW`: a citation of the source the key names,
    with the locator written; None when `text` is not such a short form."""
    m = _SHORT.match(text.strip())
    if not m or m.group("abbr") not in key:
        return None
    loc = m.group("loc")
    if loc:
        lm = LOCATOR_ONLY.match(loc.strip())
        if lm is None or lm.group("lead"):
            return None
        loc = lm.group("loc").strip(" .,")
    lead = (m.group("lead") or "").strip() or None
    return Citation(author=key[m.group("abbr")], locator=loc or None, kind=CitationKind.DOCUMENT,
                    note=lead, raw=text)
