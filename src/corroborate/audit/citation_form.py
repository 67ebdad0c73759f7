"""Citation form: each citation complete and stated once (EUAA Writing and Referencing Guide)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from corroborate.audit.context import AuditContext
from corroborate.audit.findings import Finding, Severity
from corroborate.audit.registry import rule
from corroborate.i18n import gettext
from corroborate.models import Citation, CitationKind, fold

PRINCIPLE = "Transparency and traceability (citation form)"
# The extraction keeps a link's anchor word ("url") where the hyperlink stood; a citation with
# it had a URL in the published report even when the link target was lost.
_URL_PLACEHOLDER = re.compile(r"\burl\b|https?://|www\.", re.I)
_NO_DATE = re.compile(r"\bn\.\s?d\.?(?=\W|$)|\bno date\b|\bundated\b", re.I)


def _where(ctx: AuditContext, n: int) -> dict:
    p = ctx.first_site(n)
    return {"section": p.section if p else None, "paragraph_id": p.id if p else None, "footnote": n}


def _identity(c: Citation) -> str:
    """What makes two citations "the same": the raw text without spacing/case differences."""
    return re.sub(r"[\s.,;:]+", " ", fold(c.raw)).strip()


@rule("citation-repeated", PRINCIPLE, Severity.WARNING)
def citation_repeated(ctx: AuditContext) -> Iterator[Finding]:
    """The same citation twice in one footnote.

    A copy-paste slip: the repetition adds no corroboration and can hide a citation that was
    meant to be a different source.
    """
    for fn in ctx.report.footnotes:
        seen: dict[str, int] = {}
        for c in fn.citations:
            if c.kind == CitationKind.EMPTY or not c.raw.strip():
                continue
            key = _identity(c)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] == 2:
                yield Finding(
                    rule="citation-repeated", severity=Severity.WARNING,
                    message=gettext("Footnote %(n)s cites the same source twice.", n=fn.n),
                    evidence=c.raw.strip(), **_where(ctx, fn.n),
                )


@rule("citation-empty", PRINCIPLE, Severity.WARNING)
def citation_empty(ctx: AuditContext) -> Iterator[Finding]:
    """An empty citation: a footnote ending in ';' or with ';;' where a citation should be.

    A source was dropped during drafting; the statement may rest on less than it appears.
    """
    for fn in ctx.report.footnotes:
        # An `empty` citation holding a note is commentary ("EU+ includes …"), not a dropped source.
        empty = any(c.kind == CitationKind.EMPTY and not (c.note or "").strip() and not c.raw.strip(" ;,.")
                    for c in fn.citations)
        text = (fn.text or "").strip()
        if empty or re.search(r";\s*$|;\s*;", text):
            yield Finding(
                rule="citation-empty", severity=Severity.WARNING,
                message=gettext("Footnote %(n)s contains an empty citation.", n=fn.n),
                evidence=text, **_where(ctx, fn.n),
            )


# Short forms pointing back at a full citation given earlier ("Ibid., p. 4", "Freire (n. 16)",
# "op. cit."): the date and URL are in the citation they point at.
_BACK_REFERENCE = re.compile(
    r"^\W*(see,?\s+(also\s+|for example,?\s+)?)?(ibid|ibidem|id\.|idem|op\.?\s?cit|supra|loc\.?\s?cit)\b"
    r"|\(\s*n\.?\s*\d+\s*\)|\bsupra\s+(note|n\.)",
    re.I,
)


def _documentary(c: Citation) -> bool:
    """A citation of a document that must carry its own date and URL (not a back-reference)."""
    return c.kind in (CitationKind.DOCUMENT, CitationKind.DATASET) and not _BACK_REFERENCE.search(c.raw)


@rule("citation-undated", PRINCIPLE, Severity.WARNING)
def citation_undated(ctx: AuditContext) -> Iterator[Finding]:
    """A documentary citation with no date ("n.d." or none at all).

    Currency cannot be judged without a date; for web pages the methodology asks for the
    date of access at least. Back-references ("Ibid.", "op. cit.", "Freire (n. 16)") are not
    counted: their date is in the citation they point at.
    """
    for fn in ctx.report.footnotes:
        if fn.n in ctx.cut_footnotes:
            continue  # reported by citation-cut
        for c in fn.citations:
            if not _documentary(c) or (c.date and not _NO_DATE.search(c.date)):
                continue
            label = "n.d." if _NO_DATE.search(c.raw) else "no date"
            yield Finding(
                rule="citation-undated", severity=Severity.WARNING,
                message=gettext("Footnote %(n)s: documentary source cited without a date (%(label)s).", n=fn.n,
                                label=label),
                evidence=c.raw.strip(), **_where(ctx, fn.n),
            )


@rule("citation-no-url", PRINCIPLE, Severity.INFO)
def citation_no_url(ctx: AuditContext) -> Iterator[Finding]:
    """A documentary citation with no URL (and no link placeholder in its text).

    Public sources should be retrievable; print-only sources are legitimate, hence info.
    """
    for fn in ctx.report.footnotes:
        if fn.n in ctx.cut_footnotes:
            continue  # reported by citation-cut
        for c in fn.citations:
            if not _documentary(c) or c.url or _URL_PLACEHOLDER.search(c.raw):
                continue
            yield Finding(
                rule="citation-no-url", severity=Severity.INFO,
                message=gettext("Footnote %(n)s: documentary source cited without a URL.", n=fn.n),
                evidence=c.raw.strip(), **_where(ctx, fn.n),
            )


@rule("citation-unparsed", PRINCIPLE, Severity.WARNING)
def citation_unparsed(ctx: AuditContext) -> Iterator[Finding]:
    """A citation that does not follow the author, title, date, url pattern.

    Either a malformed reference or a fragment cut from another footnote; the source cannot be
    identified reliably.
    """
    for fn in ctx.report.footnotes:
        for c in fn.citations:
            if c.kind == CitationKind.UNPARSED:
                yield Finding(
                    rule="citation-unparsed", severity=Severity.WARNING,
                    message=gettext("Footnote %(n)s: citation could not be parsed.", n=fn.n),
                    evidence=c.raw.strip(), **_where(ctx, fn.n),
                )


@rule("citation-cut", PRINCIPLE, Severity.WARNING)
def citation_cut(ctx: AuditContext) -> Iterator[Finding]:
    """A footnote whose last citation is cut short in this copy of the report (no date, no URL,
    text stopping at a page end), as detected by the reader.

    The source cannot be identified with certainty; check the published original. Reported here
    instead of as an undated or URL-less citation, which would blame the author for a loss.
    """
    for n in sorted(ctx.cut_footnotes):
        fn = ctx.footnotes.get(n)
        yield Finding(
            rule="citation-cut", severity=Severity.WARNING,
            message=gettext("Footnote %(n)s: citation cut short in this copy (no date or URL); check the original.",
                            n=n),
            evidence=(fn.text or "").strip() if fn else None, **_where(ctx, n),
        )
