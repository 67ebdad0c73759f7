"""A report's own list of sources ("Sources cited", "Sources consulted but not cited",
"Bibliography", "Bibliografía", "References": `Section.lists_sources`) read from its section tree
into entries.

Entries are the paragraphs and list items of such a section and its subsections. Lists grouped
by publisher (`Trading Economics:` followed by items that are only linked titles; GOV.UK also
writes the publisher as a subheading `ILGA-Europe,`) get the publisher written in front, so
each entry reads `Author, Title, date` like a footnote. A section that says its sources were
not cited ("consulted but not cited", "further reading") marks its entries as consulted only.
"""

from __future__ import annotations

import re

from corroborate.models import BibliographyEntry, Link, Paragraph, ParagraphKind, Section

_NOT_CITED = re.compile(r"\bnot\s+cited\b|\bno\s+citad|\bfurther\s+reading\b|\badditional\s+sources\b|"
                        r"\blecturas\s+adicionales\b", re.I)
_GROUP = re.compile(r"^(?P<name>[^:]{2,150}?)\s*[:,]$")


def bibliography_entries(sections: list[Section]) -> list[BibliographyEntry]:
    entries: list[BibliographyEntry] = []

    def visit(s: Section) -> None:
        if s.lists_sources:
            _read_section(s, not _NOT_CITED.search(s.title), entries)
            return  # its subsections are read with it
        for child in s.sections:
            visit(child)

    for top in sections:
        visit(top)
    return entries


def _read_section(section: Section, cited: bool, out: list[BibliographyEntry],
                  group: str | None = None) -> None:
    current = group
    for p in section.paragraphs:
        m = _GROUP.match(p.text)
        if m and not p.links and p.kind != ParagraphKind.LIST_ITEM:
            current = m.group("name")  # `Trading Economics:` heads the items that follow
            continue
        if p.kind != ParagraphKind.LIST_ITEM and current != group:
            current = group  # a paragraph entry of its own ends the group
        out.append(_entry(p, section.title, cited, current))
    for sub in section.sections:
        sub_cited = cited and not _NOT_CITED.search(sub.title)
        m = _GROUP.match(sub.title)
        if sub.lists_sources or not m:
            _read_section(sub, sub_cited, out, group)
        else:
            _read_section(sub, sub_cited, out, m.group("name"))  # `ILGA-Europe,` as a subheading


def _entry(p: Paragraph, heading: str, cited: bool, group: str | None) -> BibliographyEntry:
    text, links = p.text, list(p.links)
    opens_with_link = bool(links) and not text[:links[0].start].strip(" ‘’'\"“”")
    if group and (opens_with_link or not links):
        prefix = f"{group}, "
        text = prefix + text
        links = [Link(start=k.start + len(prefix), end=k.end + len(prefix), url=k.url) for k in links]
    urls = [k.url for k in links if k.url.lower().startswith(("http://", "https://"))]
    return BibliographyEntry(text=text, urls=list(dict.fromkeys(urls)), links=links, heading=heading,
                             cited=cited)
