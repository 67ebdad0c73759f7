"""The parsed query (`search.query.ParsedQuery`) compiled to FTS5 MATCH expressions.

Only folded index tokens (`\\w+` runs) reach the expression, each inside double quotes, so no
FTS5 operator, column filter or punctuation a user typed can change its meaning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corroborate.search.query import Atom, Clause, ParsedQuery


def _quoted(token: str) -> str:
    # tokens are \w+ runs already; doubling a quote keeps that true whatever a caller passes
    return '"' + token.replace('"', '""') + '"'


def atom(a: Atom) -> str:
    body = '"' + " ".join(t.replace('"', '""') for t in a.tokens) + '"'
    return body + "*" if a.prefix else body


def clause(c: Clause, stems: bool) -> str:
    parts = [atom(a) for a in c.alternatives(stems)]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def strict(q: ParsedQuery) -> str:
    """Every clause required (the precise reading)."""
    return _with_exclusions(q, " AND ".join(clause(c, stems=True) for c in q.clauses))


def relaxed(q: ParsedQuery) -> str:
    """Phrases required, any one of the other clauses enough."""
    any_soft = "(" + " OR ".join(clause(c, stems=True) for c in q.soft) + ")"
    return _with_exclusions(q, " AND ".join([clause(c, stems=False) for c in q.required] + [any_soft]))


def _with_exclusions(q: ParsedQuery, body: str) -> str:
    out = f"({body})"
    for a in q.exclusions:
        out += f" NOT {atom(a)}"
    return out


def term(token: str, stem: bool, stem_length: int) -> str:
    """A word, or the word and any word sharing its truncation stem."""
    return _quoted(token) + (f" OR {_quoted(token[:stem_length])}*" if stem and len(token) > stem_length else "")
