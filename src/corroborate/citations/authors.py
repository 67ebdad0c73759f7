"""Where the author of a citation ends and its title begins.

`Peru, INEI, División política ...` has a two-level author; `Peru, Bases para el
fortalecimiento ...` has a one-level author and a title; `Valdés, Ricardo et al., Las
economías ...` has a person. Commas alone cannot tell these apart, so the decision combines:

- the citation's own structure: a title must remain after the author; a person is
  `Surname, Given [Given] [et al.]`; a second level under a country or an intergovernmental
  parent is an acronym or a name (capitalised words and particles, no colon, digits or
  question mark) that does not open like a document title (`Código Penal`, `Informe ...`);
- evidence from the whole report (`AuthorEvidence`): a prefix `A, B,` followed by *different*
  titles in several footnotes is an author (`Peru, INEI,` heads many titles), while one
  citation repeated verbatim proves nothing; a first segment seen with many different second
  segments is an author on its own (so `InSight Crime, Tren de Aragua` is not a person).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from corroborate.citations.knowledge import (
    COUNTRIES,
    DOCUMENT_WORDS,
    IGO_PARENTS,
    INSTITUTION_WORDS,
    NAME_PARTICLES,
)
from corroborate.models import fold

ACRONYM = re.compile(r"^[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ0-9&\-]{1,9}$|^[A-Z]{2,}[a-z]?[A-Z]+$")
ET_AL = re.compile(r"\s+(?:et\s+al\.?|and\s+others|y\s+otros|et\s+autres)$", re.IGNORECASE)
GIVEN_NAME = re.compile(r"^(?:[A-ZÁÉÍÓÚÑÄÖÜ][a-záéíóúñäöüçàèìòùâêîôû'’\-]+|[A-Z]\.(?:-?[A-Z]\.)?)$")
NAME_WORD = re.compile(r"^[A-ZÁÉÍÓÚÑÄÖÜ¿¡(\"“‘'][\w'’.&()\-]*$|^[A-Z0-9][\w.&\-]*$")
ARTICLES = frozenset({"the", "la", "el", "los", "las", "le", "les", "il", "der", "die", "das", "a", "an"})
# Lower-case `in`: `Castilla, Luis Miguel, in The Dialogue, ...`; a title may open with `In Idlib, ...`.
CONTAINER_OPENER = re.compile(r"^in\s+(?P<container>\S.*)$")


def is_parent(segment: str) -> bool:
    """A country or an intergovernmental organisation heading a two-level author."""
    key = segment.strip().casefold()
    return key in COUNTRIES or key in IGO_PARENTS


def is_acronym(segment: str) -> bool:
    return bool(ACRONYM.match(segment.strip()))


def words(segment: str) -> list[str]:
    return segment.split()


def is_name_like(segment: str, max_words: int = 6) -> bool:
    """Capitalised words and particles only: `Congreso de la República`, `Eurostat`."""
    s = segment.strip()
    if not s or re.search(r"[:?¿!¡“”\"\d/|–]", s):
        return False
    ws = words(s)
    if not 1 <= len(ws) <= max_words:
        return False
    capitalised = 0
    for w in ws:
        if w.casefold() in NAME_PARTICLES:
            continue
        if not NAME_WORD.match(w):
            return False
        capitalised += 1
    return capitalised >= 1 and not ws[0][0].islower()


def opens_like_document(segment: str) -> bool:
    first = segment.strip().split(" ", 1)[0].casefold() if segment.strip() else ""
    return first in DOCUMENT_WORDS


def opens_like_institution(segment: str) -> bool:
    first = segment.strip().split(" ", 1)[0].casefold() if segment.strip() else ""
    return first in INSTITUTION_WORDS


def is_plausible_author(segment: str) -> bool:
    """Could this segment open a citation? (used to validate citation boundaries)"""
    s = segment.strip()
    if not s:
        return False
    if is_acronym(s) or is_parent(s):
        return True
    s = ET_AL.sub("", s)
    return is_name_like(s, max_words=7) or bool(re.match(r"^\d[\d,.]*\s+[A-Z]", s) and is_name_like(s.split(" ", 1)[1]))


def _given_names(segment: str) -> tuple[bool, bool]:
    """(looks like given names, has `et al.`)."""
    s = segment.strip()
    et_al = bool(ET_AL.search(s))
    s = ET_AL.sub("", s)
    ws = words(s)
    if not 1 <= len(ws) <= 4:
        return False, et_al
    if s.casefold() in COUNTRIES or any(w.casefold() in INSTITUTION_WORDS | DOCUMENT_WORDS for w in ws):
        return False, et_al
    ok = all(GIVEN_NAME.match(w) or w.casefold() in {"de", "del", "la", "van", "von", "da"} for w in ws)
    return ok and bool(GIVEN_NAME.match(ws[0])), et_al


def _surname(segment: str) -> bool:
    s = segment.strip()
    ws = words(s)
    if not 1 <= len(ws) <= 3 or is_acronym(s) or is_parent(s):
        return False
    if any(w.casefold() in INSTITUTION_WORDS for w in ws):
        return False
    return all(GIVEN_NAME.match(w) or w.casefold() in {"de", "del", "la", "van", "von", "da", "y"} for w in ws)


@dataclass
class AuthorEvidence:
    """Counts over a report's citations of which prefixes head which continuations."""

    # (seg1, seg2) folded -> the distinct folded third segments seen after it
    continuations: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    # seg1 folded -> the distinct folded second segments seen after it
    seconds: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # last segment before the date folded -> the distinct folded segments before it
    tails: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, head: list[str]) -> None:
        """`head`: the comma segments of one citation before its date (author + title)."""
        if len(head) >= 2:
            self.seconds[fold(head[0])].add(fold(head[1]))
        if len(head) >= 3:
            self.continuations[(fold(head[0]), fold(head[1]))].add(fold(head[2]))
            self.tails[fold(head[-1])].add(fold(head[-2]))

    def is_container(self, segment: str) -> bool:
        """A last segment that closes several different titles names their journal or outlet
        (`..., Die Presse, 15.04.2024` in three footnotes with three titles)."""
        if len(self.tails.get(fold(segment), ())) < 2:
            return False
        ws = re.sub(r"[:!?.]", " ", segment).split()
        return 1 <= len(ws) <= 8 and all(w[0].isupper() or w.casefold() in NAME_PARTICLES for w in ws)

    def distinct_continuations(self, first: str, second: str) -> int:
        return len(self.continuations.get((fold(first), fold(second)), ()))

    def standalone_author(self, first: str) -> bool:
        """Seen heading several different second segments: an author on its own."""
        return len(self.seconds.get(fold(first), ())) >= 2


@dataclass
class AuthorSplit:
    author: str | None
    container: str | None
    title_segments: list[str]


def split_author(head: list[str], evidence: AuthorEvidence | None = None) -> AuthorSplit:
    """Divide the head segments of a citation into author, optional container, and title."""
    ev = evidence or AuthorEvidence()
    head = [h.strip() for h in head if h.strip()]
    if not head:
        return AuthorSplit(None, None, [])
    if len(head) == 1:
        return AuthorSplit(head[0], None, [])
    first, second = head[0], head[1]
    n = len(head)
    if n >= 3 and _is_person(first, second, head[2], ev):
        return _with_container(f"{first}, {second}", head[2:])
    if n >= 3 and _is_second_level(first, second, ev):
        return _with_container(f"{first}, {second}", head[2:])
    return _with_container(first, head[1:])


def _with_container(author: str, rest: list[str]) -> AuthorSplit:
    """`Speaker, in Host, Title`: the `in ...` segment names where the work appeared."""
    if len(rest) >= 2:
        m = CONTAINER_OPENER.match(rest[0])
        if m:
            return AuthorSplit(author, m.group("container").strip(), rest[1:])
    return AuthorSplit(author, None, rest)


def _is_person(first: str, second: str, third: str, ev: AuthorEvidence) -> bool:
    if not _surname(first):
        return False
    given, et_al = _given_names(second)
    if not given:
        return False
    if et_al or CONTAINER_OPENER.match(third):
        return True
    # `Surname, Given` without `et al.`: a short surname without an article, never seen
    # heading several different titles on its own (an outlet like `InSight Crime`).
    if len(first.split()) > 2 or first.split()[0].casefold() in ARTICLES:
        return False
    return not ev.standalone_author(first)


def _is_second_level(first: str, second: str, ev: AuthorEvidence) -> bool:
    if re.search(r"[:?¿]", second):
        return False
    repeated = ev.distinct_continuations(first, second) >= 2
    if is_parent(first):
        if is_acronym(second) or repeated:
            return True
        long_ok = 10 if opens_like_institution(second) else 6  # `Ministerio de la Mujer y ... (MIMP)`
        return is_name_like(second, max_words=long_ok) and not opens_like_document(second)
    # An ordinary first-level author gets a second level only with corpus evidence and an
    # institutional shape (`Amnesty International, Peru Section` seen heading several titles).
    return repeated and (is_acronym(second) or any(w.casefold() in INSTITUTION_WORDS for w in second.split()))
