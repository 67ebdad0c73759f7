"""FTS5 MATCH expressions (the compiler is `store.fts`): a word or phrase is one double-quoted
string, a quote inside doubled, a prefix a trailing `*`."""

from __future__ import annotations

from collections.abc import Sequence

from corroborate.store.fts import Dialect


def _words(tokens: Sequence[str], prefix: bool) -> str:
    body = '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'
    return body + "*" if prefix else body


FTS5 = Dialect(words=_words, and_=" AND ", or_=" OR ", and_not=" NOT ")
