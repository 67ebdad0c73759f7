"""Library metadata read from a report's own content at ingest: the country it is about, its
publisher, its document type, its publication date and its language. Each can be corrected later
(`corroborate report set`, `Library.set_report_metadata`); search filters on all of them.

* country: ISO 3166-1 alpha-2. The countries the title names win; else the country most often
  named in the body (names and demonyms, English and Spanish, from data/countries.tsv), when it
  is named at least MIN_COUNTRY_MENTIONS times and clearly more than the runner-up.
* publisher: what the reader found (running header, disclaimer), else the known COI publisher
  the body names most, counting a self-reference ("Neither EUAA nor …", "Feedback to the Home
  Office") as several mentions.
* document type: one of DOCUMENT_TYPES, from phrases of the title and the first pages.
* date: the reader's publication date, else "valid from DATE" in the text or "published on
  DATE" in its first pages. Date filters fall back on the information cut-off date.
* language: lingua over the body's first paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from corroborate.i18n import N_
from corroborate.models import Report, fold

# The document types a report can have: a small vocabulary, so that a filter means one thing.
DOCUMENT_TYPES = {
    "country-focus": "EUAA Country Focus or similar general COI report on one country",
    "country-report": "other country-of-origin report by a government or intergovernmental body",
    "cpin": "UK Home Office Country Policy and Information Note",
    "query-response": "COI query response",
    "guidelines": "eligibility or protection guidelines (UNHCR, EUAA country guidance)",
    "court-decision": "judgment, decision or merits report of a court or quasi-judicial body",
    "ngo-report": "report of a non-governmental organisation",
    "article": "academic or news article",
    "other": "anything else",
}
DOCUMENT_TYPE_LABELS = {  # N_: translated where shown (web/views_common.py)
    "country-focus": N_("Country focus"), "country-report": N_("Country report"), "cpin": N_("CPIN"),
    "query-response": N_("Query response"), "guidelines": N_("Guidelines"),
    "court-decision": N_("Court decision"), "ngo-report": N_("NGO report"), "article": N_("Article"),
    "other": N_("Other"),
}
MIN_COUNTRY_MENTIONS = 3
_DATE_VALUE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_LANGUAGE_VALUE = re.compile(r"^[a-z]{2}$")

# Known publishers of COI: canonical name, how the text names them, NGO or not.
PUBLISHERS: list[tuple[str, str, bool]] = [
    ("EUAA", r"EUAA|EASO|European Union Agency for Asylum|European Asylum Support Office", False),
    ("UK Home Office", r"Home Office", False),
    ("US Department of State", r"(?:US|U\.S\.|United States) Department of State|USDOS", False),
    ("UNHCR", r"UNHCR|UN High Commissioner for Refugees|United Nations High Commissioner for Refugees|ACNUR",
     False),
    ("IACHR", r"IACHR|Inter-American Commission on Human Rights|CIDH|Comisi[oó]n Interamericana de "
              r"Derechos Humanos", False),
    ("Immigration and Refugee Board of Canada", r"Immigration and Refugee Board of Canada|IRB", False),
    ("ACCORD", r"ACCORD|Austrian Centre for Country of Origin", False),
    ("Landinfo", r"Landinfo", False),
    ("Australian DFAT", r"Department of Foreign Affairs and Trade|DFAT", False),
    ("Human Rights Watch", r"Human Rights Watch|HRW", True),
    ("Amnesty International", r"Amnesty International", True),
    ("International Crisis Group", r"International Crisis Group|Crisis Group", True),
    ("Freedom House", r"Freedom House", True),
]
_SELF_REFERENCE = (r"(?:neither|feedback to|internal|published by|produced by|prepared by|written by|"
                   r"©|copyright)\s+(?:the\s+)?")
_TYPE_RULES: list[tuple[str, re.Pattern]] = [
    ("country-focus", re.compile(r"\bcountry focus\b", re.I)),
    ("cpin", re.compile(r"\bcountry policy and information note|\bCPINs?\b", re.I)),
    ("query-response", re.compile(r"\b(?:COI )?query response\b|\brespuesta a (?:la )?consulta\b", re.I)),
    ("guidelines", re.compile(r"\b(?:eligibility guidelines|country guidance)\b", re.I)),
    ("article", re.compile(r"\b(?:DOI|ISSN|abstract|keywords)\b", re.I)),
    ("court-decision", re.compile(r"\b(?:judge?ment of the|merits\b|sentencia\b|case\s+(?:no\.?\s*)?\d|"
                                  r"application no\.)", re.I)),
]
_DATE_WORDS = r"(\d{1,2}\s+(?:de\s+)?[A-Za-zé]+\s+(?:de\s+)?\d{4}|[A-Za-z]+\s+\d{4})"
# A note's own validity date may be anywhere (CPINs put it at the end); "published on" only counts
# in the first pages, as the body also says when its sources were published.
_VALID_FROM = re.compile(rf"\b(?:valid from|v[aá]lido desde)\s+(?:el\s+)?{_DATE_WORDS}", re.I)
_PUBLISHED = re.compile(rf"\b(?:published|publicado)\s+(?:on\s+|in\s+|el\s+|en\s+){_DATE_WORDS}", re.I)
MIN_PUBLISHER_SCORE = 5  # a self-reference alone, or five mentions in the body


class MetadataError(ValueError):
    """A metadata value that is not valid (unknown country code, document type, bad date)."""


@lru_cache(maxsize=1)
def country_table() -> tuple[dict[str, str], dict[str, str], re.Pattern]:
    """(folded name or demonym -> alpha-2, alpha-2 -> English name, one regex over every name)."""
    names: dict[str, str] = {}
    english: dict[str, str] = {}
    text = (Path(__file__).parent / "data" / "countries.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        code, forms, demonyms = (line.split("\t") + ["", ""])[:3]
        forms_list = [f for f in forms.split("|") if f]
        if forms_list:
            english[code] = forms_list[0]
        for f in forms_list + _demonym_forms(demonyms):
            names.setdefault(fold(f), code)
    alternatives = sorted(names, key=len, reverse=True)  # longest first: "papua new guinea" before "guinea"
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?!\w)")
    return names, english, pattern


def _demonym_forms(demonyms: str) -> list[str]:
    out: list[str] = []
    for d in (x for x in demonyms.split("|") if x):
        out.append(d)
        if d[0].isupper():  # English: Peruvian(s)
            out.append(d + "s")
        elif d.endswith("o"):  # Spanish: peruano, peruana, peruanos, peruanas
            out += [d[:-1] + "a", d + "s", d[:-1] + "as"]
        elif d.endswith("és"):  # francés, francesa, franceses, francesas
            out += [d[:-2] + "esa", d[:-2] + "eses", d[:-2] + "esas"]
        elif d.endswith(("í", "e", "a")):  # iraní(es), costarricense(s), vietnamita(s)
            out.append(d + ("es" if d.endswith("í") else "s"))
    return out


def country_counts(text: str) -> Counter:
    names, _, pattern = country_table()
    return Counter(names[m.group(0)] for m in pattern.finditer(fold(text)))


@lru_cache(maxsize=256)
def _names_of(codes: frozenset[str]) -> re.Pattern:
    names, _, _ = country_table()
    alternatives = sorted((n for n, c in names.items() if c in codes), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?!\w)")


def names_country(text: str, codes: set[str] | frozenset[str]) -> bool:
    """Whether `text` names one of the countries `codes`, as `country_counts` reads it. The
    countries' own names are looked for first (about 20x cheaper than every country's); only a
    text holding one is read in full, so that 'Guinea' in 'Papua New Guinea' is not Guinea."""
    codes = frozenset(c for c in codes if c)
    if not codes:
        return False
    folded = fold(text)
    if not _names_of(codes).search(folded):
        return False
    names, _, pattern = country_table()
    return any(names[m.group(0)] in codes for m in pattern.finditer(folded))


def detect_country(title: str, body: str) -> str | None:
    in_title = country_counts(title)
    if in_title:
        return in_title.most_common(1)[0][0]
    ranked = country_counts(body).most_common(2)
    if not ranked or ranked[0][1] < MIN_COUNTRY_MENTIONS:
        return None
    if len(ranked) > 1 and ranked[0][1] < 1.5 * ranked[1][1]:
        return None  # no country clearly dominates: a regional or thematic report
    return ranked[0][0]


def detect_publisher(body: str) -> str | None:
    scores: Counter = Counter()
    for name, pattern, _ in PUBLISHERS:
        scores[name] += len(re.findall(rf"\b(?:{pattern})\b", body))
        scores[name] += 5 * len(re.findall(rf"{_SELF_REFERENCE}(?:{pattern})\b", body, re.I))
    if not scores:
        return None
    name, score = scores.most_common(1)[0]
    return name if score >= MIN_PUBLISHER_SCORE else None


def detect_document_type(title: str, head: str, publisher: str | None) -> str:
    for text in (title, head):
        for doc_type, pattern in _TYPE_RULES:
            if pattern.search(text):
                return doc_type
    ngo = {name for name, _, is_ngo in PUBLISHERS if is_ngo}
    if publisher in ngo:
        return "ngo-report"
    if publisher:
        return "country-report"
    return "other"


def detect_language(text: str) -> str | None:
    """Two-letter code by lingua over a sample of the text (None when too little text)."""
    sample = text[:4000]
    if len(re.findall(r"[^\W\d_]{3,}", sample)) < 5:
        return None
    lang = _language_detector().detect_language_of(sample)
    return lang.iso_code_639_1.name.lower() if lang is not None else None


@lru_cache(maxsize=1)
def _language_detector():
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.ENGLISH, Language.SPANISH, Language.FRENCH, Language.PORTUGUESE, Language.GERMAN
    ).build()


def infer_metadata(report: Report) -> None:
    """Fill the report's country, publisher, document type, date and language from its content.

    What the reader already found (a publisher in a running header, a publication date) is kept.
    The report's own statements are read, not its list of sources (`searchable_paragraphs`):
    a bibliography of twenty 'UNHCR, … Honduras …' entries says whom it cites, not who wrote it
    nor where it is about.
    """
    from corroborate.readers.text_metadata import iso_date

    paragraphs = [p.text for p in report.searchable_paragraphs()]
    body = "\n".join(paragraphs)
    head = "\n".join([report.title, *(s.title for s in report.walk_sections())][:40]) + "\n" + body[:6000]
    if report.country is None:
        report.country = detect_country(report.title, body)
    if report.publisher is None:
        report.publisher = detect_publisher(body)
    if report.document_type is None:
        report.document_type = detect_document_type(report.title, head, report.publisher)
    if report.published is None:
        m = _VALID_FROM.search(body) or _PUBLISHED.search(head)
        if m:
            report.published = iso_date(m.group(1))
    report.language = detect_language(" ".join(paragraphs[:40])) or report.language


def normalise_metadata(values: dict[str, str | None]) -> dict[str, str | None]:
    """Check and normalise user-given metadata (an empty string clears a field)."""
    out: dict[str, str | None] = {}
    for key, value in values.items():
        value = value.strip() if isinstance(value, str) else value
        if not value:
            out[key] = None
            continue
        if key == "country":
            value = value.upper()
            if value not in country_table()[1]:
                raise MetadataError(f"country={value!r}: not an ISO 3166-1 alpha-2 code (e.g. PE, CO)")
        elif key == "document_type":
            value = value.lower()
            if value not in DOCUMENT_TYPES:
                raise MetadataError(f"type={value!r}: use one of {', '.join(DOCUMENT_TYPES)}")
        elif key == "published":
            if not _DATE_VALUE.match(value):
                raise MetadataError(f"date={value!r}: use a date like 2023, 2023-09 or 2023-09-19")
        elif key == "language":
            value = value.lower()
            if not _LANGUAGE_VALUE.match(value):
                raise MetadataError(f"language={value!r}: use a two-letter ISO 639-1 code (en, es …)")
        out[key] = value
    return out


def country_name(code: str | None) -> str | None:
    return country_table()[1].get(code, code) if code else None
