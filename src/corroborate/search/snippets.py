"""Snippets: a window of the paragraph around its best-matching region, HTML-escaped, with
matched words wrapped in <mark>…</mark>. Matching uses the same folding as the index, so
`policia` marks `Policía`."""

from __future__ import annotations

import functools
import html
import re

from corroborate.models import fold

_WORD = re.compile(r"\w+", re.UNICODE)
WINDOW = 280  # characters of paragraph text shown around the matches


@functools.lru_cache(maxsize=50_000)
def _fold_word(word: str) -> str:
    return fold(word)


def match_spans(text: str, exact: set[str], prefixes: set[str]) -> list[tuple[int, int]]:
    """Spans of the words of `text` whose folded form is in `exact` or starts with a prefix.

    An ASCII word folds to its lower case, so those are found by one regex
    (in C: a 10 KB paragraph walked word by word in Python cost ~6 ms, and a search snippets
    every result); a word holding a non-ASCII letter is folded on its own."""
    if not exact and not prefixes:
        return []
    exact, prefixes = frozenset(exact), frozenset(prefixes)
    lowered = text.lower()
    pattern = _ascii_pattern(exact, prefixes)
    if text.isascii():  # lower() keeps an ASCII text's offsets
        return [m.span() for m in pattern.finditer(lowered)]
    if len(lowered) == len(text):  # no letter lowered to two ('İ'): offsets still hold
        spans = [m.span() for m in pattern.finditer(lowered) if text[m.start():m.end()].isascii()]
    else:
        spans = [m.span() for m in _ascii_pattern(exact, prefixes, re.IGNORECASE).finditer(text)
                 if m.group().isascii()]
    starts = tuple(prefixes)
    for m in _NON_ASCII_WORD.finditer(text):
        f = _fold_word(m.group())
        if f in exact or (starts and f.startswith(starts)):
            spans.append(m.span())
    return sorted(spans)


# a whole word holding a non-ASCII letter; tried at word starts only, so the scan stays linear
_NON_ASCII_WORD = re.compile(r"(?<!\w)\w*[^\W\x00-\x7f]\w*")


@functools.lru_cache(maxsize=256)
def _ascii_pattern(exact: frozenset[str], prefixes: frozenset[str], flags: int = 0) -> re.Pattern:
    words = [re.escape(w) for w in sorted(exact) if w.isascii()]
    starts = [re.escape(w) + r"\w*" for w in sorted(prefixes) if w.isascii()]
    alternatives = "|".join(starts + words) or r"(?!)"
    return re.compile(rf"\b(?:{alternatives})\b", flags)


def snippet(text: str, exact: set[str], prefixes: set[str], window: int = WINDOW) -> str:
    spans = match_spans(text, exact, prefixes)
    start, end = 0, len(text)
    if len(text) > window:
        if spans:
            # the window holding the most matches, starting at a match
            best, best_count = spans[0][0], 0
            for i, (s, _) in enumerate(spans):
                count = sum(1 for s2, e2 in spans[i:] if e2 <= s + window)
                if count > best_count:
                    best, best_count = s, count
            start = max(0, best - window // 4)
        end = min(len(text), start + window)
        # widen to word boundaries so no word is cut
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
    out: list[str] = ["…" if start > 0 else ""]
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[pos:s], quote=False))
        out.append("<mark>" + html.escape(text[s:e], quote=False) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end], quote=False))
    if end < len(text):
        out.append("…")
    return "".join(out)


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def to_terminal(snip: str, style) -> str:
    """Render a snippet for a terminal: marks styled by `style(text)`, entities unescaped."""
    parts = []
    pos = 0
    for m in _MARK.finditer(snip):
        parts.append(html.unescape(snip[pos : m.start()]))
        parts.append(style(html.unescape(m.group(1))))
        pos = m.end()
    parts.append(html.unescape(snip[pos:]))
    return "".join(parts)
