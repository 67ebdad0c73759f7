"""The glossary table of a report (`Term Definition` rows) read from its text lines.

The two columns arrive as one line: `CNDDHH Coordinadora Nacional de Derechos Humanos (National`.
The term runs until the first capitalised word that is not part of an acronym run; wrapped
definitions continue with a lower-case word, an opening bracket, or inside an unclosed bracket;
a wrapped term (`Péstamos gota a` / `gota` / `Loan shark`) is a line with no definition yet.
The table header (`Term Definition`) repeats on every page and is dropped.
"""

from __future__ import annotations

import re

from corroborate.models import GlossaryEntry, IngestWarning

_ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9.+&/\-]*$")
_ROW_SEPARATOR = re.compile(r"^(.{1,40}?)(?:\t+|\s+[–—:=-]\s+|:\s+)(\S.*)$")
_TABLE_HEADER_WORDS = re.compile(r"\b(?:definition|meaning|description|definición|significado)\b",
                                 re.IGNORECASE)
MAX_DEFINITION = 400  # a definition growing past this is swallowing prose: stop joining


def _unbalanced(text: str) -> bool:
    return text.count("(") > text.count(")")


def split_row(text: str) -> tuple[str, str] | None:
    """`FF. AA. Fuerzas Armadas del Perú` -> ('FF. AA.', 'Fuerzas Armadas del Perú'): the term
    runs until the first capitalised word that is not part of an acronym run. A written
    separator (`AI – Amnesty International`, `AI: …`, a tab) wins."""
    m = _ROW_SEPARATOR.match(text)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    tokens = text.split(" ")
    for k in range(1, len(tokens)):
        tok = tokens[k]
        if not tok or not (tok[0].isupper() or tok[0] in "(“\"‘"):
            continue
        if (_ACRONYM.match(tok) and any(c.isalpha() for c in tok)
                and all(_ACRONYM.match(x) for x in tokens[:k])):
            continue
        return " ".join(tokens[:k]), " ".join(tokens[k:])
    return None


def parse_glossary(rows: list[tuple[int, str]], warnings: list[IngestWarning]) -> list[GlossaryEntry]:
    """`rows`: (input line, text) of every line of the glossary section, in order."""
    rows = [(no, t) for no, t in rows if t]
    if not rows:
        return []
    first = rows[0][1]
    repeats = sum(1 for _, t in rows if t.casefold() == first.casefold())
    is_header = len(first.split()) <= 4 and (repeats >= 2 or bool(_TABLE_HEADER_WORDS.search(first)))
    header = first.casefold() if is_header else None
    entries: list[list[str]] = []
    pending: tuple[int, str] | None = None  # a term still waiting for its definition
    for no, t in rows:
        if header is not None and t.casefold() == header:
            continue
        if pending is not None:
            if t[0].islower():
                pending = (pending[0], f"{pending[1]} {t}")
            else:
                entries.append([pending[1], t])
                pending = None
            continue
        if entries and len(entries[-1][1]) < MAX_DEFINITION and (
                t[0].islower() or t[0] == "(" or _unbalanced(entries[-1][1])):
            entries[-1][1] = f"{entries[-1][1]} {t}"
            continue
        row = split_row(t)
        if row:
            entries.append(list(row))
        else:
            pending = (no, t)
    if pending is not None:
        warnings.append(IngestWarning(code="glossary-row", line=pending[0],
                                      message=f"glossary term without definition: {pending[1]!r}"))
        entries.append([pending[1], ""])
    return [GlossaryEntry(term=term, definition=definition) for term, definition in entries]
