"""What an HTML report says about itself: title, publisher, date, version, reference and
information cut-off, read from its <head> when it has one and otherwise from its own words.

Web bodies served without their page (GOV.UK's content API, a CMS export) have no <title>: the
report names itself in notices and lists ("Version 8.0, September 2025", "valid from 12 March
2026", "Reference: …, July 2026", "published … on or before 17 February 2026"). Section names
every report has ("Executive summary", "Contents") are never taken for its title; when the
content names no title the reader says so and falls back on the file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corroborate.models import Section
from corroborate.readers.text_metadata import _EN, _ES, _ORGANISATION, _PUBLISHER_PHRASES, DATE, iso_date

_VERSION = re.compile(r"\bversion\s+(\d+(?:\.\d+)*)\b(?:\s*[,;:–—-]?\s*(" + DATE + r"))?", re.I)
_VALID_FROM = re.compile(r"\b(?:valid|effective|in force)\s+from:?\s+(" + DATE + ")", re.I)
_PUBLISHED = re.compile(r"^(?:first\s+)?(?:published|publicado|date of publication|publication date)"
                        r"(?:\s+(?:on|in|el|en))?:?\s+(" + DATE + ")", re.I)
_UPDATED = re.compile(r"^(?:last\s+)?(?:updated|actualizado)(?:\s+(?:on|in|el|en))?:?\s+(" + DATE + ")", re.I)
_REFERENCE = re.compile(r"^(?:document\s+)?(?:reference|ref\.|referencia)(?:\s+(?:no\.?|number))?\s*[:.]\s*"
                        r"(?P<ref>.+?)(?:,\s*(?P<date>" + DATE + r"))?\.?$", re.I)
_CUT_OFF = re.compile(
    r"(?:\bcut-?\s?off(?:\s+date)?|\bfecha\s+de\s+corte)\s*(?:[:(]|\bis\b|\bof\b|\bwas\b)?\s*(" + DATE + ")"
    r"|(?:published|made\s+(?:publicly\s+)?available|available|collected|gathered)\s+on\s+or\s+before\s+("
    + DATE + ")"
    r"|(?:drafting|information|research|redacci[oó]n)[^.]{0,80}?(?:finali[sz]ed|completed|concluded|ended|"
    r"finaliz[oó]|cerr[oó])\s+(?:on|in|el|en)?\s*(" + DATE + ")", re.I)
# section names every report has: never its title
_GENERIC = re.compile(
    r"^(?:executive\s+summary|summary|key\s+(?:findings|messages|points)|(?:table\s+of\s+)?contents|"
    r"introduction|preface|foreword|overview|background|assessment|about\s+(?:this|the)\s+\w+(?:\s+\w+)?|"
    r"acknowledge?ments|disclaimer|abbreviations(?:\s+and\s+acronyms)?|glossary|methodology|"
    r"resumen(?:\s+ejecutivo)?|introducci[oó]n|[ií]ndice|contenido|metodolog[ií]a|front matter)$", re.I)
_FEEDBACK_TO = re.compile(r"^(?i:feedback\s+to|contact(?:ing)?|comments\s+to)\s+(?i:the\s+)?(?P<org>[A-Z][\w&.'’-]*"
                          r"(?:\s+(?:[A-Z][\w&.'’-]*|of|for|and|the))*)$")
_FILE_TITLE = re.compile(r"^\s*(?:microsoft\s+word\s*-|untitled\b|document\d*$)|\.(?:docx?|rtf|odt|pdf|html?)\s*$",
                         re.I)
_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{1,40}$")
_META_TITLE = ("og:title", "dc.title", "dcterms.title", "citation_title", "twitter:title")
_META_PUBLISHER = ("govuk:primary-publishing-organisation", "dc.publisher", "dcterms.publisher",
                   "citation_publisher", "publisher", "author", "dc.creator")
_META_DATE = ("article:published_time", "dc.date", "dcterms.issued", "dcterms.created",
              "citation_publication_date", "citation_date", "govuk:first-published-at", "date")


@dataclass
class HtmlMetadata:
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    cut_off: str | None = None
    edition: str | None = None
    reference: str | None = None
    language: str = "en"
    notes: list[str] = field(default_factory=list)


def head_fields(root) -> dict[str, str]:
    """<title> and <meta name|property=… content=…>, lower-cased names, first value kept."""
    out: dict[str, str] = {}
    title = " ".join((root.findtext(".//title") or "").split())
    if title:
        out["title"] = title
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = " ".join((meta.get("content") or "").split())
        if name and content:
            out.setdefault(name, content)
    return out


def _page_title(head: dict[str, str]) -> str:
    """<title> without the site's name after it (`… | Human Rights Watch`, `… - GOV.UK`), cut
    only when the page says that is its site's name: a `- World Report 2024` may be the title's."""
    title = head["title"]
    m = _SITE_SUFFIX.search(title)
    if m:
        tail = m.group(0).strip(" |–—-").casefold()
        site = {head.get(k, "").casefold() for k in ("og:site_name", "application-name", "publisher",
                                                      "dc.publisher", "govuk:primary-publishing-organisation")}
        if tail in site or tail in ("gov.uk", "refworld", "ecoi.net", "reliefweb"):
            return title[:m.start()].strip() or title
    return title


def _meta_date(value: str) -> str | None:
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if m:
        return "-".join(g for g in m.groups() if g)
    return iso_date(value)


def read_html_metadata(head: dict[str, str], sections: list[Section]) -> HtmlMetadata:
    meta = HtmlMetadata()
    meta.title = next((head[k] for k in _META_TITLE if head.get(k)), None)
    if meta.title is None and head.get("title"):
        meta.title = _page_title(head)
        if _FILE_TITLE.search(meta.title):
            meta.title = None  # `Microsoft Word - a_hrc_55_23.docx`: a file name, not a title
    meta.publisher = next((head[k] for k in _META_PUBLISHER if head.get(k)), None)
    meta.published = next((d for k in _META_DATE if head.get(k) and (d := _meta_date(head[k]))), None)

    headings = [s for top in sections for s in top.walk() if s.title != "Front matter"]
    if meta.title is None:
        meta.title = _title_from_headings(sections, headings)
    texts = [p.text for s in sections for x in s.walk() for p in x.paragraphs]
    _read_statements(meta, texts)
    if meta.publisher is None:
        meta.publisher = _publisher(headings, texts)
    words = re.findall(r"[a-záéíóúñ]+", " ".join(texts[:400]).lower())
    meta.language = "es" if sum(w in _ES for w in words) > sum(w in _EN for w in words) else "en"
    return meta


def _title_from_headings(sections: list[Section], headings: list[Section]) -> str | None:
    """A first-level heading standing alone at the top (an <h1>), else the first heading that
    is not a section name every report has. A numbered heading is a chapter, not the title."""
    for s in headings:
        if s.number is None and not _GENERIC.match(s.title.strip(" :")):
            if s.level == 1 and (s is headings[0] or len(sections) <= 2):
                return s.title
            return None  # the first real heading is a chapter of an untitled body
        if s.number is not None:
            return None
    return None


def _read_statements(meta: HtmlMetadata, texts: list[str]) -> None:
    """Version, validity, publication, reference and cut-off statements, first one wins."""
    published: list[tuple[int, str]] = []  # (priority, iso): valid-from before version date …
    for text in texts:
        if len(text) > 600:
            continue
        if meta.edition is None and (m := _VERSION.search(text)):
            meta.edition = m.group(1)
            if m.group(2) and (d := iso_date(m.group(2))):
                published.append((2, d))
        if m := _VALID_FROM.search(text):
            if d := iso_date(m.group(1)):
                published.append((0, d))
        if m := _PUBLISHED.match(text):
            if d := iso_date(m.group(1)):
                published.append((1, d))
        if m := _REFERENCE.match(text):
            if meta.reference is None:
                meta.reference = m.group("ref").strip()
            if m.group("date") and (d := iso_date(m.group("date"))):
                published.append((3, d))
        if m := _UPDATED.match(text):
            if d := iso_date(m.group(1)):
                published.append((4, d))
        if meta.cut_off is None and (m := _CUT_OFF.search(text)):
            raw = next(g for g in m.groups() if g)
            meta.cut_off = iso_date(raw)
    if meta.published is None and published:
        meta.published = min(published, key=lambda p: p[0])[1]


def _publisher(headings: list[Section], texts: list[str]) -> str | None:
    for s in headings:
        m = _FEEDBACK_TO.match(s.title)
        if m and _ORGANISATION.search(m.group("org")):
            return m.group("org")
    joined = " ".join(texts)
    for phrase in _PUBLISHER_PHRASES:
        m = phrase.search(joined)
        if m:
            return m.group(1).strip()
    return None
