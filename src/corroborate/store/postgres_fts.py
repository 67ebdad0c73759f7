"""The parsed query (`search.query.ParsedQuery`) compiled to PostgreSQL tsquery text.

The text is passed as a parameter to `to_tsquery(config, %s)`, never spliced into SQL, and only
folded index tokens (`\\w+` runs) reach it, each as a quoted lexeme: no tsquery operator a user
typed (`&`, `|`, `!`, `<->`, `:*`) can change its meaning. `to_tsquery` then runs each lexeme
through the paragraph's configuration (unaccent, then the English or Spanish stemmer), so a
query word meets the stored forms of its language; a stop word drops out of the expression.

Mapping from the query tree: a phrase is `a <-> b`, a prefix `'abc':*`, a clause's alternatives
are joined by `|`, clauses by `&`, an exclusion is `& !term`, exactly as `sqlite_fts` joins them
for FTS5.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corroborate.search.query import Atom, Clause, ParsedQuery


def lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def atom(a: Atom) -> str:
    parts = [lexeme(t) for t in a.tokens]
    if a.prefix:
        parts[-1] += ":*"
    return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


def clause(c: Clause, stems: bool) -> str:
    parts = [atom(a) for a in c.alternatives(stems)]
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def strict(q: ParsedQuery) -> str:
    """Every clause required (the precise reading)."""
    return _with_exclusions(q, " & ".join(clause(c, stems=True) for c in q.clauses))


def relaxed(q: ParsedQuery) -> str:
    """Phrases required, any one of the other clauses enough."""
    any_soft = "(" + " | ".join(clause(c, stems=True) for c in q.soft) + ")"
    return _with_exclusions(q, " & ".join([clause(c, stems=False) for c in q.required] + [any_soft]))


def _with_exclusions(q: ParsedQuery, body: str) -> str:
    out = f"({body})"
    for a in q.exclusions:
        out += f" & !{atom(a)}"
    return out


def term(token: str, stem: bool, stem_length: int) -> str:
    """A word, or the word and any word sharing its truncation stem."""
    return lexeme(token) + (f" | {lexeme(token[:stem_length])}:*" if stem and len(token) > stem_length else "")
