"""Publication dates as COI citations write them, turned into ISO strings of the precision written.

`20 March 2023` -> `2023-03-20`, `April 2023` -> `2023-04`, `2023` -> `2023`, `n.d.` -> no date.
The shape (and so the precision) is decided by regular expressions; month names in English or
Spanish (full or abbreviated) are resolved by `dateparser`, so no month table lives here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NO_DATE = re.compile(r"^(?:n\.\s?d\.?|s\.\s?f\.?|no date|sin fecha|undated)$", re.IGNORECASE)
_WORD = r"[^\W\d_]{3,}\.?"
DAY_MONTH_YEAR = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th|º)?\s+(?:de\s+)?({_WORD})\s+(?:de\s+|del\s+)?(\d{{4}})$", re.I)
MONTH_DAY_YEAR = re.compile(rf"^({_WORD})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$", re.I)
MONTH_YEAR = re.compile(rf"^({_WORD})\s+(?:de\s+|del\s+)?(\d{{4}})$", re.I)
YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
NUMERIC = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
# `1991 (amended 2018)`: the date written first is the citation's date, the rest is a remark.
WITH_REMARK = re.compile(r"^(?P<date>.+?)\s*\((?P<remark>[^()]+)\)$")


@dataclass(frozen=True)
class ParsedDate:
    iso: str | None  # None for an explicit "no date"
    remark: str | None = None


@lru_cache(maxsize=4096)
def _month_number(word: str) -> int | None:
    """Resolve an English or Spanish month name (or abbreviation) with dateparser."""
    import dateparser

    parsed = dateparser.parse(
        f"15 {word.rstrip('.')} 2000",
        languages=["en", "es"],
        settings={"STRICT_PARSING": True, "PREFER_DATES_FROM": "past"},
    )
    return parsed.month if parsed and parsed.year == 2000 and parsed.day == 15 else None


def parse_date(text: str) -> ParsedDate | None:
    """A date segment as ISO (with the precision written), or None if `text` is not a date."""
    s = " ".join(text.split()).strip(" ,;")
    # `updated 5 May 2023`, `last accessed on 2 June 2023`: the date is what follows
    s = re.sub(r"^(?:last\s+)?(?:updated|accessed|published|consulted|actualizado|consultado)(?:\s+(?:on|el))?\s+",
               "", s, flags=re.IGNORECASE)
    if not s:
        return None
    if NO_DATE.match(s):
        return ParsedDate(None)
    m = WITH_REMARK.match(s)
    if m and not NO_DATE.match(s):
        inner = _parse_plain(m.group("date"))
        if inner is not None:
            return ParsedDate(inner, m.group("remark").strip())
    iso = _parse_plain(s)
    return ParsedDate(iso) if iso is not None else None


def _valid(year: int, month: int, day: int | None = None) -> bool:
    if not 1 <= month <= 12:
        return False
    if day is None:
        return True
    import calendar

    return 1 <= day <= calendar.monthrange(year, month)[1]


def _parse_plain(s: str) -> str | None:
    s = s.strip()
    if m := YEAR.match(s):
        return m.group(1)
    if m := ISO.match(s):
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        if _valid(y, mo, int(d) if d else None):
            return s
        return None
    if m := DAY_MONTH_YEAR.match(s):
        month = _month_number(m.group(2))
        day, year = int(m.group(1)), int(m.group(3))
        if month and _valid(year, month, day):
            return f"{year:04d}-{month:02d}-{day:02d}"
        return None
    if m := MONTH_DAY_YEAR.match(s):
        month = _month_number(m.group(1))
        day, year = int(m.group(2)), int(m.group(3))
        if month and _valid(year, month, day):
            return f"{year:04d}-{month:02d}-{day:02d}"
        return None
    if m := MONTH_YEAR.match(s):
        month = _month_number(m.group(1))
        if month:
            return f"{int(m.group(2)):04d}-{month:02d}"
        return None
    if m := NUMERIC.match(s):  # European order, as in EU and Latin American sources
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if _valid(year, month, day):
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def is_date(text: str) -> bool:
    return parse_date(text) is not None


_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"]


def human_date(iso: str | None, missing: str = "n.d.") -> str:
    """An ISO date of the precision written (2023 | 2023-04 | 2023-03-20) as EUAA writes it
    (`2023`, `April 2023`, `20 March 2023`); `missing` stands in for no date."""
    if not iso:
        return missing
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", iso.strip())
    if not m:
        return iso
    year, month, day = m.groups()
    if not month or not 1 <= int(month) <= 12:
        return year
    name = _MONTH_NAMES[int(month) - 1]
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"

