"""Corroboration and balance: claims rest on more than one source, sections on more than one
voice, and oral sources are corroborated by documentary ones."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from corroborate.audit.context import AuditContext
from corroborate.audit.findings import Finding, Severity
from corroborate.audit.registry import rule
from corroborate.audit.text import is_gap_statement, word_count
from corroborate.i18n import gettext
from corroborate.models import CitationKind, SourceType

PRINCIPLE = "Reliability and balance of sources (corroboration)"
MIN_SECTION_CITATIONS = 8  # below this a share is noise: 3 of 4 citations is not "dominance"
SOURCE_SHARE = 0.5  # one source carrying half of a section's citations
TYPE_SHARE = 0.8  # one kind of source (government, media …) carrying four fifths


def _snippet(text: str, n: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _traceable(ctx: AuditContext, numbers: list[int]) -> bool:
    """All these footnotes have text: with a lost footnote the support is unknown, not single."""
    return bool(numbers) and all(ctx.footnotes.get(n) and ctx.footnotes[n].text for n in numbers)


@rule("single-source-paragraph", PRINCIPLE, Severity.INFO)
def single_source_paragraph(ctx: AuditContext) -> Iterator[Finding]:
    """A paragraph of two or more factual sentences whose footnotes all cite one source.

    The methodology asks for information to be corroborated by several sources where possible;
    one-source paragraphs are common and often unavoidable, hence info. Paragraphs with a lost
    footnote are skipped (their support is unknown), and so are paragraphs citing legislation
    only (a law quoted or summarised is its own primary source).
    """
    for p in ctx.body_paragraphs:
        facts = [s for s in ctx.sentences(p)
                 if word_count(s.sentence.text) >= 6 and not is_gap_statement(s.sentence.text)]
        numbers = sorted({n for s in facts for n in s.footnotes})
        if len(facts) < 2 or not _traceable(ctx, numbers):
            continue
        cits = ctx.source_citations(numbers)
        if cits and all(c.kind == CitationKind.LEGISLATION for c in cits):
            continue  # the text of a law is its own primary source: nothing to corroborate
        keys = {ctx.source_key(c) for c in cits}
        if len(keys) == 1:
            key = next(iter(keys))
            yield Finding(
                rule="single-source-paragraph", severity=Severity.INFO,
                message=gettext("Paragraph of %(n)s statements rests on a single source: %(source)s "
                                "(footnotes %(notes)s).", n=len(facts), source=ctx.source_label(key),
                                notes=", ".join(map(str, numbers))),
                section=p.section, paragraph_id=p.id, footnote=numbers[0], evidence=_snippet(p.text),
            )


@rule("oral-only-support", PRINCIPLE, Severity.WARNING)
def oral_only_support(ctx: AuditContext) -> Iterator[Finding]:
    """A statement supported only by oral sources (interviews).

    Oral sources should be corroborated by documentary sources where possible and the claim
    flagged as the interviewee's view; a reviewer checks the wording attributes it.
    """
    for p in ctx.body_paragraphs:
        for s in ctx.sentences(p):
            if not _traceable(ctx, s.footnotes):
                continue
            cits = ctx.source_citations(s.footnotes)
            if cits and all(c.kind == CitationKind.ORAL for c in cits):
                yield Finding(
                    rule="oral-only-support", severity=Severity.WARNING,
                    message=gettext("Statement supported only by an oral source (footnote %(notes)s: %(source)s).",
                                    notes=", ".join(map(str, s.footnotes)),
                                    source=ctx.source_label(ctx.source_key(cits[0]))),
                    section=p.section, paragraph_id=p.id, footnote=s.footnotes[0],
                    evidence=_snippet(s.sentence.text),
                )


def _section_citations(ctx: AuditContext):
    """Section key -> the source citations its body paragraphs' markers point at (one per marker)."""
    out: dict[str, list] = {}
    for p in ctx.body_paragraphs:
        for m in p.markers:
            out.setdefault(p.section or "", []).extend(ctx.source_citations([m.n]))
    return out


@rule("section-source-dominance", PRINCIPLE, Severity.WARNING)
def section_source_dominance(ctx: AuditContext) -> Iterator[Finding]:
    """A section where one source carries at least half of the citations (8 or more citations).

    Balance: a section told through one source inherits that source's perspective and gaps.
    """
    for key, cits in _section_citations(ctx).items():
        if len(cits) < MIN_SECTION_CITATIONS:
            continue
        top, count = Counter(ctx.source_key(c) for c in cits).most_common(1)[0]
        share = count / len(cits)
        if share >= SOURCE_SHARE:
            percent = f"{share:.0%}"
            yield Finding(
                rule="section-source-dominance", severity=Severity.WARNING,
                message=gettext("§%(section)s %(title)s: %(source)s carries %(share)s of its citations "
                                "(%(count)s of %(total)s).", section=key, title=ctx.section_titles.get(key, ""),
                                source=ctx.source_label(top), share=percent, count=count, total=len(cits)),
                section=key, evidence=f"share={share:.2f}",
            )


@rule("section-type-dominance", PRINCIPLE, Severity.INFO)
def section_type_dominance(ctx: AuditContext) -> Iterator[Finding]:
    """A section where one type of source (government, media, NGO …) carries at least 80% of the
    citations (8 or more citations).

    Balance of perspectives: e.g. a section on state protection resting on government sources
    only. Info, since some topics (legislation, statistics) are rightly official-source heavy.
    """
    for key, cits in _section_citations(ctx).items():
        types = [t for t in (ctx.source_type(c) for c in cits) if t != SourceType.OTHER]
        if len(types) < MIN_SECTION_CITATIONS:
            continue
        top, count = Counter(types).most_common(1)[0]
        share = count / len(types)
        if share >= TYPE_SHARE:
            percent = f"{share:.0%}"
            yield Finding(
                rule="section-type-dominance", severity=Severity.INFO,
                message=gettext("§%(section)s %(title)s: %(type)s sources carry %(share)s of its typed citations "
                                "(%(count)s of %(total)s).", section=key, title=ctx.section_titles.get(key, ""),
                                type=top.value, share=percent, count=count, total=len(types)),
                section=key, evidence=f"share={share:.2f}",
            )
