"""Keeping confidential sources unnamed: one redaction for every read path.

A researcher marks a Source confidential (typically an oral source who did not agree to be
cited). Whoever may not see its name (a `reader`; and every export unless a researcher asks for
names) reads the library through a `Redactor`:

* a citation of the source becomes a neutral label ("Confidential oral source, interview with
  EUAA, 6 September 2023") inside its footnote, the rest of the footnote kept as written;
* the source's name in running text, its acronym and its long form (the report's own "Due
  Process of Law Foundation (DPLF)", glossary entries) read "[confidential source]": square
  brackets, as an editor's redaction inside a quotation. Footnote markers and ask quotes move
  with the text, so a redacted quote is still `paragraph.text[start:end]` of the paragraph the
  same caller reads; the stored verbatim text differs only inside those brackets.

`Library` builds the redactor from the sources marked confidential (`Library._redactor`); the
export modules use `shown_footnote` and `redact` for the same replacement in documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from corroborate.export.bibliography import collect_entries, confidential_label
from corroborate.models import (
    Citation,
    Footnote,
    GlossaryEntry,
    Marker,
    Paragraph,
    Report,
    Section,
    Source,
    TorItem,
)

REDACTED = "[confidential source]"


def shown_footnote(fn: Footnote, sources: dict[str, Source], name_confidential: bool = False) -> Footnote:
    """The footnote to show: confidential citations replaced by a neutral label, their links
    dropped; the citations kept are the ones whose text is still there (they place the links)."""
    if fn.text is None or name_confidential:
        return fn
    secret = [c for c in fn.citations
              if c.source_id and c.source_id in sources and sources[c.source_id].confidential]
    if not secret:
        return fn
    text = fn.text
    urls = [u for u in fn.urls if u not in {c.url for c in secret if c.url}]
    kept = [c for c in fn.citations if c not in secret]
    unplaced = []
    for c in secret:
        label = confidential_label(collect_entries([Footnote(n=fn.n, citations=[c])], sources)[0])
        if c.raw and c.raw.strip() and c.raw.strip() in text:
            text = text.replace(c.raw.strip(), label)
        else:
            unplaced.append(label)
    if unplaced:
        # Where a citation's span cannot be found the name might survive; rebuild from what is
        # known to be safe instead of guessing.
        text = "; ".join(unplaced + [c.raw.strip() for c in kept if c.raw and c.raw.strip()])
    return fn.model_copy(update={"text": text, "urls": urls, "citations": kept})


def shown_footnotes(footnotes: list[Footnote], sources: dict[str, Source],
                    name_confidential: bool = False) -> dict[int, Footnote]:
    return {fn.n: shown_footnote(fn, sources, name_confidential) for fn in footnotes}


# --- names in running text ---------------------------------------------------------------

_LINKING = {"of", "the", "for", "and", "on", "in", "de", "del", "la", "las", "los", "y", "e", "para", "por"}


def spelled_out(acronym: str, texts: Iterable[str], glossary: Iterable[GlossaryEntry] = ()) -> set[str]:
    """Long forms of `acronym` in `texts`: glossary entries, and 'Due Process of Law Foundation
    (DPLF)' in the text, where the capitalised words' initials spell the acronym."""
    out = {g.definition.split(" (")[0].strip() for g in glossary if g.term.strip() == acronym}
    if not re.fullmatch(r"[A-Z][A-Za-z]{1,9}", acronym):
        return {o for o in out if o}
    pattern = re.compile(rf"((?:[\w'’.-]+\s+){{1,12}})\({re.escape(acronym)}\)")
    for text in texts:
        for m in pattern.finditer(text):
            words = m.group(1).split()
            picked: list[str] = []
            for w in reversed(words):  # walk back from the parenthesis while the initials fit
                if w[:1].isupper() or (w.lower() in _LINKING and picked):
                    picked.insert(0, w)
                    initials = "".join(x[0] for x in picked if x[:1].isupper())
                    if initials.upper() == acronym.upper():
                        out.add(" ".join(picked))
                        break
                else:
                    break
    return {o for o in out if o}


def acronyms_of(long_form: str, texts: Iterable[str], glossary: Iterable[GlossaryEntry] = ()) -> set[str]:
    """The reverse: 'DPLF' where a text writes 'Due Process of Law Foundation (DPLF)'."""
    out = {g.term.strip() for g in glossary if g.definition.split(" (")[0].strip() == long_form}
    if " " in long_form.strip():
        pattern = re.compile(rf"{re.escape(long_form.strip())}\s*\(([A-Z][A-Za-z]{{1,9}})\)")
        out |= {m.group(1) for text in texts for m in pattern.finditer(text)}
    return {o for o in out if o}


def author_names(source: Source) -> set[str]:
    """The source's author as registered and the parts of 'DPLF (Due Process of Law Foundation)'."""
    names: set[str] = set()
    if source.author:
        names.add(source.author.strip())
        m = re.fullmatch(r"\s*(.+?)\s*\((.+)\)\s*", source.author)
        if m:
            names |= {m.group(1), m.group(2)}
    return names


def source_names(source: Source, texts: list[str], glossary: list[GlossaryEntry]) -> list[str]:
    """How a source may be named in running text: its author, and long forms of an acronym and
    acronyms of a long form as `texts` and `glossary` spell them out."""
    names = author_names(source)
    for name in list(names):
        names |= spelled_out(name, texts, glossary) | acronyms_of(name, texts, glossary)
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)


def secret_names(secret: list[Source], report: Report) -> list[str]:
    texts = [p.text for p in report.paragraphs()]
    names = {n for src in secret for n in source_names(src, texts, report.glossary)}
    return sorted(names, key=len, reverse=True)


def name_pattern(names: list[str]) -> re.Pattern | None:
    """Whole-word matches of any name; longer names ignore case ('dplf.org'), short ones do not."""
    if not names:
        return None
    parts = [(rf"(?i:{re.escape(n)})" if len(n) >= 4 else re.escape(n)) for n in
             sorted(names, key=len, reverse=True)]
    return re.compile("|".join(rf"(?<!\w){p}(?!\w)" for p in parts))


def redact(text: str, names: list[str] | re.Pattern | None) -> tuple[str, Callable[[int], int]]:
    """`text` with each name replaced by an editorial "[confidential source]", and a function
    moving an offset of `text` (a footnote marker) to the same place in the redacted text."""
    pattern = names if isinstance(names, re.Pattern) else name_pattern(names)
    if pattern is None:
        return text, lambda off: off
    spans = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if not spans:
        return text, lambda off: off
    out, pos = [], 0
    for a, b in spans:
        out += [text[pos:a], REDACTED]
        pos = b
    out.append(text[pos:])

    def move(off: int) -> int:
        shift = 0
        for a, b in spans:
            if off >= b:
                shift += len(REDACTED) - (b - a)
            elif off > a:  # inside a name: after its replacement
                return a + shift + len(REDACTED)
        return off + shift

    return "".join(out), move


# --- the library-level redactor ------------------------------------------------------------

_CITATION_FIELDS = ("author", "title", "container", "date", "url", "locator", "kind", "note", "raw")


def source_label(source: Source) -> str:
    """What a confidential source is called where no citation gives more (registry, source page)."""
    return "Confidential oral source" if source.type == "oral" or source.kind == "oral" else "Confidential source"


class Redactor:
    """Everything read by a caller who may not name `secret` passes through one of these methods:
    `report` for the typed model (markers move with the text), `json` for the dicts of search,
    ask, sources, audit and ToR results."""

    def __init__(self, secret: dict[str, Source], names: list[str],
                 paragraph_text: Callable[[str, str], str | None] | None = None):
        self.secret = secret
        self.names = names
        self.pattern = name_pattern(names)
        self._needles = sorted({n.lower() for n in names}, key=len)
        self._paragraph_text = paragraph_text  # (report id, paragraph id) -> stored text

    def names_in(self, text: str | None) -> bool:
        # a plain substring test first: the whole-word pattern is slow to run on every field
        if not text or self.pattern is None:
            return False
        low = text.lower()
        return any(n in low for n in self._needles) and self.pattern.search(text) is not None

    def text(self, text: str | None) -> str | None:
        return redact(text, self.pattern)[0] if self.names_in(text) else text

    # --- the typed model ------------------------------------------------------------------

    def citation(self, c: Citation) -> Citation:
        if c.source_id in self.secret:
            label = confidential_label(collect_entries([Footnote(n=0, citations=[c])], self.secret)[0])
            return Citation(title=label, date=c.date, kind=c.kind, raw=label, source_id=c.source_id)
        fields = ("author", "title", "container", "url", "locator", "note", "raw")
        if not any(self.names_in(getattr(c, f)) for f in fields):
            return c
        return c.model_copy(update={f: self.text(getattr(c, f)) for f in fields})

    def footnote(self, fn: Footnote) -> Footnote:
        if not any(c.source_id in self.secret for c in fn.citations) and not self.names_in(fn.text) \
                and not any(self.names_in(u) for u in fn.urls):
            return fn.model_copy(update={"citations": [self.citation(c) for c in fn.citations]})
        shown = shown_footnote(fn, self.secret)
        # Link spans are offsets into the stored text, which redaction changes: dropped here.
        return Footnote(n=fn.n, text=self.text(shown.text), page=fn.page,
                        urls=[self.text(u) or u for u in shown.urls],
                        citations=[self.citation(c) for c in fn.citations])

    def source(self, src: Source) -> Source:
        """A registry source for exports: a confidential one stays flagged (the export labels
        it); any other is cleaned of names in its own fields."""
        if src.id in self.secret:
            return src
        return src.model_copy(update={"author": self.text(src.author), "title": self.text(src.title),
                                      "urls": [self.text(u) or u for u in src.urls]})

    def paragraph(self, p: Paragraph) -> Paragraph:
        if not self.names_in(p.text) and not self.names_in(p.section):
            return p
        text, move = redact(p.text, self.pattern)
        return p.model_copy(update={
            "text": text, "section": self.text(p.section),
            "markers": [Marker(n=m.n, offset=move(m.offset)) for m in p.markers],
            "links": [],  # spans of the stored text, and a link may name the source: dropped
        })

    def section(self, s: Section) -> Section:
        return s.model_copy(update={
            "number": self.text(s.number), "title": self.text(s.title),
            "paragraphs": [self.paragraph(p) for p in s.paragraphs],
            "sections": [self.section(c) for c in s.sections],
        })

    def tor_item(self, item: TorItem) -> TorItem:
        return TorItem(text=self.text(item.text) or "", items=[self.tor_item(i) for i in item.items])

    def report(self, report: Report) -> Report:
        return report.model_copy(update={
            "title": self.text(report.title), "publisher": self.text(report.publisher),
            "source_path": self.text(report.source_path),
            "sections": [self.section(s) for s in report.sections],
            "footnotes": [self.footnote(f) for f in report.footnotes],
            # an entry that defines the name would name it however its words were replaced
            "glossary": [g for g in report.glossary if not self.names_in(g.term)
                         and not self.names_in(g.definition)],
            "terms_of_reference": [self.tor_item(t) for t in report.terms_of_reference],
            "warnings": [w.model_copy(update={"message": self.text(w.message)}) for w in report.warnings],
        })

    # --- JSON results ---------------------------------------------------------------------

    def json(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, list):
            return [self.json(x) for x in obj]
        if not isinstance(obj, dict):
            return obj
        if "confidential" in obj and obj.get("id") in self.secret:
            return self._source(obj)
        if "n" in obj and isinstance(obj.get("citations"), list):
            return self._footnote(obj)
        if {"paragraph_id", "report_id", "start", "end", "text"} <= obj.keys():
            obj = self._quote(obj)
        return {k: self.json(v) for k, v in obj.items()}

    def _citation_model(self, d: dict) -> Citation:
        from corroborate.citations.registry import source_id

        c = Citation(**{k: d[k] for k in _CITATION_FIELDS if d.get(k) is not None})
        return c.model_copy(update={"source_id": d.get("source_id") or source_id(c)})

    def _footnote(self, d: dict) -> dict:
        """A footnote of a search hit or ask quote: its citations carry no source id, which is a
        hash of author and title, so it is recomputed to find the confidential ones."""
        cits = [c if isinstance(c, dict) else {} for c in d["citations"]]
        fn = Footnote(n=d["n"], text=d.get("text"), urls=list(d.get("urls") or []),
                      citations=[self._citation_model(c) for c in cits])
        shown = self.footnote(fn)
        out = {k: self.json(v) for k, v in d.items() if k not in ("text", "urls", "citations")}
        if "text" in d:
            out["text"] = shown.text
        if "urls" in d:
            out["urls"] = shown.urls
        out["citations"] = [{k: getattr(new, k) for k in old if hasattr(new, k)} | (
            {"source_id": new.source_id} if "source_id" in old else {})
            for old, new in zip(cits, shown.citations, strict=True)]
        for c in out["citations"]:
            if "kind" in c and hasattr(c["kind"], "value"):
                c["kind"] = c["kind"].value
        return out

    def _source(self, d: dict) -> dict:
        src = self.secret[d["id"]]
        out = {**d, "author": None, "title": source_label(src), "urls": []}
        if "cited_by" in d:
            out["cited_by"] = [self._cited_by(c, source_label(src)) for c in d["cited_by"]]
        return {k: (v if k in ("author", "title", "urls") else self.json(v)) for k, v in out.items()}

    def _cited_by(self, d: dict, label: str) -> dict:
        out = dict(d)
        raw = (d.get("raw") or "").strip()
        if raw and d.get("footnote_text"):
            out["footnote_text"] = d["footnote_text"].replace(raw, label)
        out.update(raw=label, url=None)
        return out

    def _quote(self, d: dict) -> dict:
        """An ask quote: `start`/`end` index the paragraph as this caller reads it."""
        full = self._paragraph_text(d["report_id"], d["paragraph_id"]) if self._paragraph_text else None
        if not full or full[d["start"]:d["end"]] != d["text"]:
            return d
        shown, move = redact(full, self.pattern)
        start, end = move(d["start"]), move(d["end"])
        return {**d, "start": start, "end": end, "text": shown[start:end]}
