"""Keeping confidential sources unnamed in everything exported.

A reviewer marks a Source confidential (typically an oral source who did not agree to be cited).
Footnotes citing it are rewritten citation by citation: the citation's own text is replaced by a
neutral label ("Confidential oral source, interview with EUAA, 6 September 2023") and the rest of
the footnote is kept as written.
"""

from __future__ import annotations

from corroborate.export.bibliography import collect_entries, confidential_label
from corroborate.models import Footnote, Source


def shown_footnote(fn: Footnote, sources: dict[str, Source],
                   name_confidential: bool = False) -> tuple[str | None, list[str]]:
    """The footnote text and link targets to show, with confidential citations replaced."""
    if fn.text is None or name_confidential:
        return fn.text, list(fn.urls)
    secret = [c for c in fn.citations
              if c.source_id and c.source_id in sources and sources[c.source_id].confidential]
    if not secret:
        return fn.text, list(fn.urls)
    text = fn.text
    urls = [u for u in fn.urls if u not in {c.url for c in secret if c.url}]
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
        kept = [c.raw.strip() for c in fn.citations if c not in secret and c.raw and c.raw.strip()]
        text = "; ".join(unplaced + kept)
    return text, urls


def shown_footnotes(footnotes: list[Footnote], sources: dict[str, Source],
                    name_confidential: bool = False) -> dict[int, tuple[str | None, list[str]]]:
    return {fn.n: shown_footnote(fn, sources, name_confidential) for fn in footnotes}
