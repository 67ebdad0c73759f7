"""Report metadata read from the report's own words: title (running header), publisher,
drafting cut-off date, reference period, language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from corroborate.models import ReferencePeriod
from corroborate.readers.text_layout import Layout

MONTHS = {
    name: i + 1
    for i, names in enumerate([
        ("january", "enero"), ("february", "febrero"), ("march", "marzo"), ("april", "abril"),
        ("may", "mayo"), ("june", "junio"), ("july", "julio"), ("august", "agosto"),
        ("september", "septiembre", "setiembre"), ("october", "octubre"),
        ("november", "noviembre"), ("december", "diciembre"),
    ])
    for name in names
}
_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
DATE = rf"(?:\d{{1,2}}\s+(?:de\s+)?{_MONTH}\s+(?:de\s+)?\d{{4}}|{_MONTH}\s+(?:de\s+)?\d{{4}}|\d{{4}})"
_DATE_RE = re.compile(DATE, re.IGNORECASE)
_CUT_OFF = re.compile(
    rf"(?:drafting|information|research|redacci[oó]n)[^.]{{0,80}}?"
    rf"(?:finali[sz]ed|completed|concluded|ended|finaliz[oó]|cerr[oó])\s+(?:on|in|el|en)?\s*({DATE})",
    re.IGNORECASE)
_PUBLISHED = re.compile(rf"\b(?:published|publicado)\s+(?:on|in|el|en)\s+({DATE})", re.IGNORECASE)
_PERIOD = re.compile(
    rf"(?:reference period|per[ií]odo de referencia)[^.]{{0,60}}?(?:from\s+|desde\s+|de\s+)?\(?({DATE})"
    rf"\s*(?:to|until|and|al|a|hasta|-|–|—)\s*({DATE})",
    re.IGNORECASE)
_PUBLISHER_PHRASES = [
    re.compile(r"\bNeither (?:the )?([A-Z][\w+&.-]*(?: [A-Z][\w+&.-]*){0,6}) nor any person acting on its behalf"),
    re.compile(r"\bwritten according to the ([A-Z][A-Z+&.-]{1,12}) "),
    re.compile(r"©\s*(?:\d{4}\s*)?([A-Z][\w+&.-]*(?: [A-Z][\w+&.-]*){0,6})"),
]
_ORGANISATION = re.compile(
    r"\b(?:agency|office|department|ministry|commission|council|organi[sz]ation|union|institute|"
    r"service|bureau|committee|court|nations|watch|international|foundation|centre|center|"
    r"agencia|oficina|ministerio|comisi[oó]n)\b", re.IGNORECASE)
_SMALL = {"a", "an", "and", "for", "of", "the", "in", "on", "to", "de", "del", "la", "y", "el", "los",
          "las", "at", "by"}
_EN = {"the", "and", "of", "to", "in", "is", "that", "was", "were", "with", "for", "which", "by"}
_ES = {"el", "la", "los", "las", "que", "y", "del", "se", "por", "con", "una", "para", "es", "fue"}


@dataclass
class Metadata:
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    cut_off: str | None = None
    reference_period: ReferencePeriod = field(default_factory=ReferencePeriod)
    language: str = "en"


def iso_date(text: str) -> str | None:
    """`19 September 2023` -> 2023-09-19, `January 2021` -> 2021-01, `2021` -> 2021."""
    words = re.findall(r"\w+", text.lower())
    words = [w for w in words if w != "de"]
    year = next((w for w in words if re.fullmatch(r"\d{4}", w)), None)
    if year is None:
        return None
    month = next((MONTHS[w] for w in words if w in MONTHS), None)
    day = next((int(w) for w in words if re.fullmatch(r"\d{1,2}", w)), None)
    if month is None:
        return year
    if day is None or not 1 <= day <= 31:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{day:02d}"


def title_case(text: str) -> str:
    """`PERU – COUNTRY FOCUS` -> `Peru – Country Focus` (headers are often set in capitals)."""
    if not text.isupper():
        return text
    words = text.lower().split(" ")
    return " ".join(w if (i and w in _SMALL) else w[:1].upper() + w[1:] for i, w in enumerate(words))


def title_from_filename(name: str) -> str:
    stem = Path(name).stem if name else ""
    words = [w for w in re.split(r"[-_\s]+", stem) if w]
    return " ".join(w.upper() if len(w) <= 4 and w.isalpha() and not any(c in "aeiou" for c in w.lower())
                    else w.capitalize() for w in words)


def _acronym_in_text(name: str, text: str) -> str | None:
    initials = "".join(w[0] for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in _SMALL).upper()
    if len(initials) >= 2 and re.search(rf"\b{re.escape(initials)}\b", text):
        return initials
    return None


def read_metadata(text: str, layout: Layout) -> Metadata:
    meta = Metadata()
    head = text[:200_000]
    # running headers: one names the publisher, the other the report
    for header in layout.running_headers:
        if _ORGANISATION.search(header):
            if meta.publisher is None:
                name = title_case(header)
                meta.publisher = _acronym_in_text(name, head) or name
        elif meta.title is None:
            meta.title = title_case(header)
    if meta.publisher is None:
        for phrase in _PUBLISHER_PHRASES:
            m = phrase.search(head)
            if m:
                meta.publisher = m.group(1).strip()
                break
    m = _CUT_OFF.search(head)
    if m:
        meta.cut_off = iso_date(m.group(1))
    m = _PUBLISHED.search(head)
    if m:
        meta.published = iso_date(m.group(1))
    m = _PERIOD.search(head)
    if m:
        meta.reference_period = ReferencePeriod(start=iso_date(m.group(1)), end=iso_date(m.group(2)))
    words = re.findall(r"[a-záéíóúñ]+", head.lower())
    en = sum(1 for w in words if w in _EN)
    es = sum(1 for w in words if w in _ES)
    meta.language = "es" if es > en else "en"
    return meta
