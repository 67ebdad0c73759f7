"""The parsed query (`search.query.ParsedQuery`) compiled to a full-text dialect's expression.

One compiler for every backend: a dialect says only how it writes a word or phrase and its
three operators (`sqlite_fts.FTS5`, `postgres_fts.TSQUERY`). Only folded index tokens (`\\w+`
runs) reach an expression, each quoted by the dialect, so no operator, column filter or
punctuation a user typed can change its meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corroborate.search.query import Atom, Clause, ParsedQuery


@dataclass(frozen=True)
class Dialect:
    words: Callable[[Sequence[str], bool], str]  # (tokens of a word or phrase, prefix?) -> its term
    and_: str
    or_: str
    and_not: str

    def clause(self, c: Clause, stems: bool) -> str:
        parts = [self.words(a.tokens, a.prefix) for a in c.alternatives(stems)]
        return parts[0] if len(parts) == 1 else "(" + self.or_.join(parts) + ")"

    def strict(self, q: ParsedQuery) -> str:
        """Every clause required (the precise reading)."""
        return self._with_exclusions(q, self.and_.join(self.clause(c, stems=True) for c in q.clauses))

    def relaxed(self, q: ParsedQuery) -> str:
        """Phrases required, any one of the other clauses enough."""
        any_soft = "(" + self.or_.join(self.clause(c, stems=True) for c in q.soft) + ")"
        return self._with_exclusions(q, self.and_.join([self.clause(c, stems=False) for c in q.required]
                                                       + [any_soft]))

    def atoms(self, q: ParsedQuery, relaxed: bool) -> list[Atom]:
        """The words, prefixes and phrases a match of `strict` (or `relaxed`) may hold, each once
        (exclusions are never in a match): what a BM25 score sums over."""
        if relaxed:
            found = [a for c in q.required for a in c.alternatives(False)]
            found += [a for c in q.soft for a in c.alternatives(True)]
        else:
            found = [a for c in q.clauses for a in c.alternatives(True)]
        return list(dict.fromkeys(found))

    def _with_exclusions(self, q: ParsedQuery, body: str) -> str:
        return f"({body})" + "".join(self.and_not + self.words(a.tokens, a.prefix) for a in q.exclusions)

    def term(self, token: str, stem: bool, stem_length: int) -> str:
        """A word, or the word and any word sharing its truncation stem."""
        word = self.words([token], False)
        return word + self.or_ + self.words([token[:stem_length]], True) if stem and len(token) > stem_length else word
