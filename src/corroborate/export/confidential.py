"""Keeping confidential sources unnamed in everything exported.

A reviewer marks a Source confidential (typically an oral source who did not agree to be cited).
Footnotes citing it are rewritten citation by citation: the citation's own text is replaced by a
neutral label ("Confidential oral source, interview with EUAA, 6 September 2023") and the rest of
the footnote is kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from corroborate.export.bibliography import collect_entries, confidential_label
from corroborate.models import Footnote, Report, Source

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


def spelled_out(acronym: str, report: Report) -> set[str]:
    """Long forms of `acronym` the report uses: glossary entries, and 'Due Process of Law
    Foundation (DPLF)' in the text, where the capitalised words' initials spell the acronym."""
    out = {g.definition.split(" (")[0].strip() for g in report.glossary if g.term.strip() == acronym}
    if not re.fullmatch(r"[A-Z][A-Za-z]{1,9}", acronym):
        return {o for o in out if o}
    pattern = re.compile(rf"((?:[\w'’.-]+\s+){{1,12}})\({re.escape(acronym)}\)")
    for p in report.paragraphs():
        for m in pattern.finditer(p.text):
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


def source_names(source: Source, report: Report) -> list[str]:
    """How a source may be named in running text: its author as registered, the parts of
    'DPLF (Due Process of Law Foundation)', and long forms of an acronym."""
    names: set[str] = set()
    if source.author:
        names.add(source.author.strip())
        m = re.fullmatch(r"\s*(.+?)\s*\((.+)\)\s*", source.author)
        if m:
            names |= {m.group(1), m.group(2)}
        for name in list(names):
            names |= spelled_out(name, report)
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)


def secret_names(secret: list[Source], report: Report) -> list[str]:
    names = {n for src in secret for n in source_names(src, report)}
    return sorted(names, key=len, reverse=True)


def redact(text: str, names: list[str]) -> tuple[str, Callable[[int], int]]:
    """`text` with each name replaced by an editorial "[confidential source]", and a function
    moving an offset of `text` (a footnote marker) to the same place in the redacted text."""
    if not names:
        return text, lambda off: off
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in names))
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
