"""The source registry in the shapes researchers take elsewhere: EUAA-style bibliography
strings (Annex 1 of an EUAA report: "Author, Title, Date, URL, accessed …"), CSL-JSON (Zotero,
Pandoc), RIS and BibTeX.

Entries come from the deduplicated Sources the citation layer links to; a citation the parser
could not link is kept verbatim as its own entry rather than dropped, so the bibliography never
silently loses a source. Confidential sources are replaced by a neutral label unless the caller
explicitly asks to name them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable

from pydantic import BaseModel, Field

from corroborate.citations.dates import human_date
from corroborate.citations.format import Segment, link_segments
from corroborate.export.document import BibGroup, BibItem
from corroborate.i18n import N_, gettext
from corroborate.models import Citation, CitationKind, Footnote, Source, SourceType, fold

# Not sources: the report's own analysis and stray separators.
_NOT_A_SOURCE = {CitationKind.EMPTY, CitationKind.ANALYSIS}

GROUP_TITLES: dict[SourceType, str] = {
    SourceType.ORAL: N_("Oral sources"),
    SourceType.GOVERNMENT: N_("Government sources"),
    SourceType.IGO: N_("International organisations"),
    SourceType.NGO: N_("Non-governmental organisations"),
    SourceType.ACADEMIC: N_("Academia and think tanks"),
    SourceType.MEDIA: N_("Media"),
    SourceType.LEGISLATION: N_("Legislation"),
    SourceType.OTHER: N_("Other sources"),
}


class BibEntry(BaseModel):
    id: str
    type: SourceType = SourceType.OTHER
    kind: CitationKind = CitationKind.DOCUMENT
    author: str | None = None
    title: str | None = None
    container: str | None = None
    date: str | None = None  # ISO with the precision written
    urls: list[str] = Field(default_factory=list)
    language: str | None = None
    accessed: str | None = None  # ISO, when the citation says when it was accessed
    confidential: bool = False
    interviewer: str | None = None  # oral sources: who held the interview ("EUAA")
    raw: str | None = None  # a citation the parser could not split: shown verbatim

    @property
    def sort_key(self) -> str:
        return fold(self.author or self.title or self.raw or self.id)


# --- collecting entries --------------------------------------------------------------------

_ACCESSED = re.compile(r"accessed(?: on)? (\d{1,2} [A-Z][a-z]+ \d{4}|\d{4}-\d{2}-\d{2})")
_INTERVIEW = re.compile(r"interview(?:ed)? (?:with|by) ([^,;]+)", re.I)
_MONTH_NUMBERS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}


def parse_written_date(text: str) -> str | None:
    """'6 September 2023' or '2023-09-06' -> '2023-09-06'."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    m = re.fullmatch(r"(\d{1,2}) ([A-Za-z]+) (\d{4})", text.strip())
    if m and m.group(2).lower() in _MONTH_NUMBERS:
        return f"{m.group(3)}-{_MONTH_NUMBERS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    return None


def _accessed(c: Citation) -> str | None:
    for text in (c.note or "", c.raw or ""):
        m = _ACCESSED.search(text)
        if m:
            return parse_written_date(m.group(1))
    return None


def _interviewer(c: Citation) -> str | None:
    for text in (c.title or "", c.raw or "", c.note or ""):
        m = _INTERVIEW.search(text)
        if m:
            return m.group(1).strip()
    return None


def _unlinked_id(c: Citation) -> str:
    basis = fold("\x1f".join([c.author or "", c.title or "", c.date or ""])) if (c.author or c.title) \
        else fold(c.raw)
    return "unlinked-" + hashlib.blake2b(basis.encode(), digest_size=5).hexdigest()


def _kind_type(kind: CitationKind) -> SourceType:
    return {CitationKind.ORAL: SourceType.ORAL, CitationKind.LEGISLATION: SourceType.LEGISLATION}.get(
        kind, SourceType.OTHER)


def collect_entries(footnotes: Iterable[Footnote], sources: dict[str, Source]) -> list[BibEntry]:
    """One entry per source cited in `footnotes`, in first-citation order."""
    entries: dict[str, BibEntry] = {}
    for fn in footnotes:
        for c in fn.citations:
            if c.kind in _NOT_A_SOURCE:
                continue
            src = sources.get(c.source_id) if c.source_id else None
            key = src.id if src else _unlinked_id(c)
            entry = entries.get(key)
            if entry is None:
                if src is not None:
                    entry = BibEntry(
                        id=src.id, type=src.type, kind=src.kind, author=src.author, title=src.title,
                        date=src.date, urls=list(src.urls), language=src.language,
                        confidential=src.confidential,
                    )
                else:
                    parsed = bool(c.author or c.title) and c.kind != CitationKind.UNPARSED
                    entry = BibEntry(
                        id=key, type=_kind_type(c.kind), kind=c.kind,
                        author=c.author if parsed else None, title=c.title if parsed else None,
                        date=c.date if parsed else None, container=c.container if parsed else None,
                        urls=[c.url] if c.url else [],
                        raw=None if parsed else (c.raw or fn.text or "").strip() or None,
                    )
                    if entry.raw is None and not parsed:
                        continue
                entries[key] = entry
            # Details the registry lacks but a citation of the same source spells out.
            entry.container = entry.container or c.container
            if c.url and c.url not in entry.urls and not entry.urls:
                entry.urls.append(c.url)
            entry.accessed = entry.accessed or _accessed(c)
            if entry.kind == CitationKind.ORAL or entry.type == SourceType.ORAL:
                entry.interviewer = entry.interviewer or _interviewer(c)
    return list(entries.values())


# --- EUAA-style strings -----------------------------------------------------------------------


def confidential_label(entry: BibEntry) -> str:
    oral = entry.kind == CitationKind.ORAL or entry.type == SourceType.ORAL
    what = gettext("Confidential oral source") if oral else gettext("Confidential source")
    parts = [what]
    if oral:
        parts.append(f"interview with {entry.interviewer}" if entry.interviewer else "interview")
    if entry.date:
        parts.append(human_date(entry.date))
    return ", ".join(parts)


def hidden(entry: BibEntry, name_confidential: bool) -> bool:
    return entry.confidential and not name_confidential


def euaa_segments(entry: BibEntry, name_confidential: bool = False) -> list[Segment]:
    if hidden(entry, name_confidential):
        return [Segment(text=confidential_label(entry))]
    if entry.raw is not None:
        return link_segments(entry.raw, entry.urls)
    parts: list[str] = []
    if entry.author:
        parts.append(entry.author)
    if entry.title:
        parts.append(entry.title)
    if entry.container and fold(entry.container) != fold(entry.author or ""):
        parts.append(entry.container)
    parts.append(human_date(entry.date))
    segs = [Segment(text=", ".join(parts))]
    for url in entry.urls[:1]:  # EUAA lists the address the report used, once
        segs += [Segment(text=", "), Segment(text=url, href=url)]
    if entry.accessed:
        segs.append(Segment(text=f", accessed {human_date(entry.accessed)}"))
    return segs


def euaa_string(entry: BibEntry, name_confidential: bool = False) -> str:
    return "".join(s.text for s in euaa_segments(entry, name_confidential))


def group_entries(entries: list[BibEntry], name_confidential: bool = False) -> list[BibGroup]:
    """The bibliography grouped by source type, in EUAA's order, alphabetical within a group."""
    groups: list[BibGroup] = []
    for stype, title in GROUP_TITLES.items():
        members = sorted((e for e in entries if e.type == stype),
                         key=lambda e: (hidden(e, name_confidential), e.sort_key))
        items = [BibItem(segments=euaa_segments(e, name_confidential)) for e in members]
        if items:
            groups.append(BibGroup(title=gettext(title), items=items))
    return groups


# --- names --------------------------------------------------------------------------------------

_PARTICLES = {"de", "del", "la", "las", "los", "van", "von", "der", "da", "dos", "di", "du", "y"}
_ORG_WORDS = {
    "ministry", "department", "office", "agency", "foundation", "institute", "instituto", "university",
    "universidad", "commission", "council", "court", "watch", "international", "news", "bank",
    "organization", "organisation", "committee", "fund", "programme", "program", "association",
    "network", "group", "centre", "center", "service", "government", "police", "nations", "union",
}
_NAME_WORD = re.compile(r"[A-ZÀ-Þ][\w'’.\-]*")


def persons(author: str | None) -> list[dict[str, str]] | None:
    """Split 'Family, Given' (several joined by ';' or ' and ') into CSL names, else None.

    Anything else is kept whole as an institutional author: splitting "Human Rights Watch"
    into a given and a family name would be worse than not splitting a person's name.
    """
    if not author:
        return None
    out = []
    for part in re.split(r";| and | & ", author):
        m = re.fullmatch(r"\s*([^,]+),\s*([^,]+?)\s*", part)
        if not m:
            return None
        family, given = m.group(1).split(), m.group(2).split()
        words = family + given
        if len(family) > 3 or len(given) > 3 or any(w.lower() in _ORG_WORDS for w in words):
            return None
        if not all(_NAME_WORD.fullmatch(w) or w.lower() in _PARTICLES for w in family):
            return None
        if not all(_NAME_WORD.fullmatch(w) for w in given) or all(w.isupper() for w in family):
            return None
        # 'Peru, INEI': an acronym is an institution's second level, not a given name ('J.' is fine)
        if any(w.isupper() and len(w) > 1 and "." not in w for w in given):
            return None
        out.append({"family": " ".join(family), "given": " ".join(given)})
    return out or None


# --- CSL-JSON -----------------------------------------------------------------------------------

def _csl_type(e: BibEntry) -> str:
    if e.kind == CitationKind.ORAL or e.type == SourceType.ORAL:
        return "interview"
    if e.kind == CitationKind.LEGISLATION or e.type == SourceType.LEGISLATION:
        return "legislation"
    if e.kind == CitationKind.BOOK:
        return "book"
    if e.kind == CitationKind.DATASET:
        return "dataset"
    if e.raw is not None:
        return "document"
    if e.type == SourceType.MEDIA:
        return "article-newspaper"
    if e.type in (SourceType.GOVERNMENT, SourceType.IGO, SourceType.NGO, SourceType.ACADEMIC):
        return "report"
    return "document"


def date_parts(iso: str | None) -> dict | None:
    """CSL dates keep the precision written: [[2023]], [[2023, 4]] or [[2023, 3, 20]]."""
    if not iso:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", iso.strip())
    if not m:
        return {"literal": iso}
    return {"date-parts": [[int(g) for g in m.groups() if g]]}


def csl_item(e: BibEntry, name_confidential: bool = False) -> dict:
    if hidden(e, name_confidential):
        item = {"id": e.id, "type": _csl_type(e), "title": confidential_label(e),
                "author": [{"literal": "Confidential source"}]}
        if e.date:
            item["issued"] = date_parts(e.date)
        return item
    item: dict = {"id": e.id, "type": _csl_type(e)}
    if e.raw is not None:
        item["title"] = e.raw
        item["note"] = "Citation kept verbatim: the parser could not split it into fields."
    if e.title:
        item["title"] = e.title
    people = persons(e.author)
    if people:
        item["author"] = people
    elif e.author:
        item["author"] = [{"literal": e.author}]
    if e.date:
        item["issued"] = date_parts(e.date)
    if e.urls:
        item["URL"] = e.urls[0]
    if e.type == SourceType.MEDIA and e.container:
        item["container-title"] = e.container
    publisher = e.container if e.type != SourceType.MEDIA else None
    if not publisher and e.author and not people and e.type != SourceType.ORAL:
        publisher = e.author
    if publisher:
        item["publisher"] = publisher
    if e.language:
        item["language"] = e.language
    if e.accessed:
        item["accessed"] = date_parts(e.accessed)
    if e.interviewer and item["type"] == "interview":
        item["medium"] = f"Interview with {e.interviewer}"
    return item


def to_csl_json(entries: list[BibEntry], name_confidential: bool = False) -> str:
    return json.dumps([csl_item(e, name_confidential) for e in entries], ensure_ascii=False, indent=2)


# --- RIS ----------------------------------------------------------------------------------------

def _ris_type(e: BibEntry) -> str:
    return {"interview": "PCOMM", "legislation": "STAT", "book": "BOOK", "dataset": "DATA",
            "article-newspaper": "NEWS", "report": "RPRT"}.get(_csl_type(e), "GEN")


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}"


def to_ris(entries: list[BibEntry], name_confidential: bool = False) -> str:
    lines: list[str] = []
    for e in entries:
        item = csl_item(e, name_confidential)
        lines.append(_ris_line("TY", _ris_type(e)))
        lines.append(_ris_line("ID", e.id))
        for a in item.get("author", []):
            lines.append(_ris_line("AU", a.get("literal") or f"{a['family']}, {a['given']}"))
        if item.get("title"):
            lines.append(_ris_line("TI", item["title"]))
        if item.get("container-title"):
            lines.append(_ris_line("T2", item["container-title"]))
        parts = (item.get("issued") or {}).get("date-parts", [[]])[0]
        if parts:
            lines.append(_ris_line("PY", str(parts[0])))
            padded = [f"{p:02d}" if i else str(p) for i, p in enumerate(parts)] + [""] * (3 - len(parts))
            lines.append(_ris_line("DA", "/".join(padded) + "/"))
        if item.get("URL"):
            lines.append(_ris_line("UR", item["URL"]))
        if item.get("publisher"):
            lines.append(_ris_line("PB", item["publisher"]))
        if item.get("language"):
            lines.append(_ris_line("LA", item["language"]))
        accessed = (item.get("accessed") or {}).get("date-parts", [[]])[0]
        if accessed:
            lines.append(_ris_line("Y2", "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(accessed))))
        if item.get("note"):
            lines.append(_ris_line("N1", item["note"]))
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)


# --- BibTeX -------------------------------------------------------------------------------------

_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&",
                   "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\^{}"}


def bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in " ".join(text.split()))


def _bibtex_type(e: BibEntry) -> str:
    return {"report": "techreport", "book": "book", "article-newspaper": "article"}.get(_csl_type(e), "misc")


def bibtex_key(e: BibEntry, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9:-]+", "-", e.id).strip("-") or "source"
    key, i = base, 2
    while key in taken:
        key, i = f"{base}-{i}", i + 1
    taken.add(key)
    return key


def to_bibtex(entries: list[BibEntry], name_confidential: bool = False) -> str:
    out: list[str] = []
    taken: set[str] = set()
    for e in entries:
        item = csl_item(e, name_confidential)
        etype = _bibtex_type(e)
        fields: list[tuple[str, str]] = []
        names = [a.get("literal") and "{" + bibtex_escape(a["literal"]) + "}"
                 or f"{bibtex_escape(a['family'])}, {bibtex_escape(a['given'])}"
                 for a in item.get("author", [])]
        if names:
            fields.append(("author", " and ".join(names)))
        if item.get("title"):
            fields.append(("title", "{" + bibtex_escape(item["title"]) + "}"))
        parts = (item.get("issued") or {}).get("date-parts", [[]])[0]
        if parts:
            fields.append(("year", str(parts[0])))
            fields.append(("date", "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))))
        if item.get("container-title"):
            fields.append(("journal", bibtex_escape(item["container-title"])))
        if item.get("publisher"):
            fields.append(("institution" if etype == "techreport" else "publisher",
                           bibtex_escape(item["publisher"])))
        if item.get("URL"):
            fields.append(("url", item["URL"].replace("}", "%7D").replace("{", "%7B")))
        accessed = (item.get("accessed") or {}).get("date-parts", [[]])[0]
        if accessed:
            fields.append(("urldate", "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(accessed))))
        if item.get("language"):
            fields.append(("language", item["language"]))
        if item.get("medium") or item.get("note"):
            fields.append(("note", bibtex_escape(item.get("medium") or item["note"])))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        out.append(f"@{etype}{{{bibtex_key(e, taken)},\n{body}\n}}\n")
    return "\n".join(out)


REGISTRY_FORMATS = {"csl-json": to_csl_json, "ris": to_ris, "bibtex": to_bibtex}
