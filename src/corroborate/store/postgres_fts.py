"""PostgreSQL tsquery text (the compiler is `store.fts`).

The text is passed as a parameter to `to_tsquery(config, %s)`, never spliced into SQL; each
folded token becomes a quoted lexeme, so no tsquery operator a user typed (`&`, `|`, `!`, `<->`,
`:*`) can change its meaning. `to_tsquery` then runs each lexeme through the paragraph's
configuration (unaccent, then the English or Spanish stemmer), so a query word meets the stored
forms of its language; a stop word drops out of the expression. A phrase is `a <-> b`, a prefix
`'abc':*`.
"""

from __future__ import annotations

from collections.abc import Sequence

from corroborate.store.fts import Dialect


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _words(tokens: Sequence[str], prefix: bool) -> str:
    parts = [_lexeme(t) for t in tokens]
    if prefix:
        parts[-1] += ":*"
    return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


TSQUERY = Dialect(words=_words, and_=" & ", or_=" | ", and_not=" & !")
