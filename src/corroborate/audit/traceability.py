"""Traceability: every statement can be followed to its footnote, and every footnote to its text."""

from __future__ import annotations

from collections.abc import Iterator

from corroborate.audit.context import AuditContext
from corroborate.audit.findings import Finding, Severity
from corroborate.audit.registry import rule
from corroborate.audit.text import is_gap_statement, is_signpost, word_count
from corroborate.i18n import gettext, ngettext
from corroborate.models import ParagraphKind

PRINCIPLE = "Transparency and traceability"
MIN_FACT_WORDS = 6  # shorter fragments ("Prevalence.", "In 2022:") carry no claim to reference


def _snippet(text: str, n: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


@rule("footnote-text-missing", PRINCIPLE, Severity.ERROR, grouped="{count} footnotes have no text: {footnotes}")
def footnote_text_missing(ctx: AuditContext) -> Iterator[Finding]:
    """A footnote marker in the body whose footnote text is absent.

    The statement cannot be traced to its source: either the report lost the footnote (a page of
    footnotes missing from the document under review) or the marker points at nothing.
    """
    for n in sorted(ctx.marker_sites):
        fn = ctx.footnotes.get(n)
        if fn is not None and fn.text and fn.text.strip():
            continue
        p = ctx.first_site(n)
        yield Finding(
            rule="footnote-text-missing", severity=Severity.ERROR,
            message=gettext("Footnote %(n)s is referenced in the text but its text is missing.", n=n),
            section=p.section if p else None, paragraph_id=p.id if p else None, footnote=n,
            evidence=_snippet(ctx.marker_sentence(n) or ""),
        )


@rule("footnote-unreferenced", PRINCIPLE, Severity.WARNING,
      grouped="{count} footnotes have text but no marker in the body: {footnotes}")
def footnote_unreferenced(ctx: AuditContext) -> Iterator[Finding]:
    """A footnote with text that no marker in the body points at.

    Its source supports nothing the reader can see; usually a marker was dropped or mistyped.
    """
    for fn in ctx.report.footnotes:
        if fn.n in ctx.marker_sites or not (fn.text and fn.text.strip()):
            continue
        yield Finding(
            rule="footnote-unreferenced", severity=Severity.WARNING,
            message=gettext("Footnote %(n)s has text but no marker in the body refers to it.", n=fn.n),
            footnote=fn.n, evidence=_snippet(fn.text),
        )


def _marker_sequence(ctx: AuditContext) -> list[tuple[int, str, str | None]]:
    seq = []
    for p in ctx.paragraphs:
        for m in sorted(p.markers, key=lambda m: m.offset):
            seq.append((m.n, p.id, p.section))
    return seq


@rule("footnote-numbering-gap", PRINCIPLE, Severity.WARNING)
def footnote_numbering_gap(ctx: AuditContext) -> Iterator[Finding]:
    """Footnote numbers skipped: neither a marker nor a footnote carries them.

    Footnotes are numbered consecutively; a hole means a marker and its footnote were lost or
    the numbering is broken. Consecutive missing numbers are reported as one range.
    """
    used = set(ctx.marker_sites) | {f.n for f in ctx.report.footnotes}
    if not used:
        return
    missing = [n for n in range(1, max(used) + 1) if n not in used]
    runs: list[list[int]] = []
    for n in missing:
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    for run in runs:
        label = str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}"
        before = ctx.first_site(run[0] - 1) if run[0] > 1 else None
        yield Finding(
            rule="footnote-numbering-gap", severity=Severity.WARNING,
            message=ngettext("Footnote number %(label)s appears nowhere (no marker, no footnote).",
                             "Footnote numbers %(label)s appear nowhere (no marker, no footnote).",
                             len(run), label=label),
            section=before.section if before else None, paragraph_id=before.id if before else None,
            footnote=run[0],
        )


@rule("footnote-marker-duplicate", PRINCIPLE, Severity.WARNING)
def footnote_marker_duplicate(ctx: AuditContext) -> Iterator[Finding]:
    """The same footnote number marked in two different paragraphs.

    Each footnote supports one place; a reused number makes one of the statements untraceable.
    """
    for n, sites in sorted(ctx.marker_sites.items()):
        if len(sites) < 2:
            continue
        where = ", ".join(f"§{p.section} ({p.id})" for p in sites)
        yield Finding(
            rule="footnote-marker-duplicate", severity=Severity.WARNING,
            message=gettext("Footnote marker %(n)s appears in %(count)s paragraphs: %(where)s.", n=n,
                            count=len(sites), where=where),
            section=sites[1].section, paragraph_id=sites[1].id, footnote=n,
            evidence=_snippet(sites[1].text),
        )


@rule("footnote-marker-order", PRINCIPLE, Severity.WARNING)
def footnote_marker_order(ctx: AuditContext) -> Iterator[Finding]:
    """A footnote marker out of sequence in reading order (e.g. 41, 42, 7, 43).

    The culprit is the marker that breaks an otherwise increasing run, so one misplaced marker
    gives one finding rather than flagging everything after it.
    """
    seq = _marker_sequence(ctx)
    flagged: set[int] = set()
    for i in range(1, len(seq)):
        if seq[i][0] >= seq[i - 1][0]:
            continue
        # Is the previous marker too large, or this one too small?
        prev_too_big = i >= 2 and seq[i - 2][0] <= seq[i][0]
        j = i - 1 if prev_too_big else i
        if j in flagged:
            continue
        flagged.add(j)
        n, pid, section = seq[j]
        neighbours = ", ".join(str(seq[k][0]) for k in range(max(0, j - 2), min(len(seq), j + 3)))
        yield Finding(
            rule="footnote-marker-order", severity=Severity.WARNING,
            message=gettext("Footnote marker %(n)s is out of order (sequence %(sequence)s).", n=n,
                            sequence=neighbours),
            section=section, paragraph_id=pid, footnote=n,
        )


@rule("statement-unreferenced", PRINCIPLE, Severity.WARNING)
def statement_unreferenced(ctx: AuditContext) -> Iterator[Finding]:
    """A factual sentence of the body that no footnote covers.

    A sentence is covered by a marker inside it, or by the next marker of its paragraph (EUAA
    practice puts one footnote at the end of the passage it supports; a paragraph cut by a page
    break, or a lead-in ending in ':' with its list, counts as one passage). Exempt: the report's
    apparatus (disclaimer, methodology, introduction and summary, glossary, annexes), headings
    and captions (also text in capitals only), gap statements, signposts ("see Section 3.5"),
    lead-ins ending in ':' and fragments under six words.
    """
    for p in ctx.body_paragraphs:
        for s in ctx.sentences(p):
            text = s.sentence.text
            if s.footnotes or word_count(text) < MIN_FACT_WORDS:
                continue
            if is_gap_statement(text) or is_signpost(text) or text.rstrip().endswith(":"):
                continue
            if not any(ch.islower() for ch in text):
                continue  # a heading or title in capitals read as a paragraph
            if p.kind == ParagraphKind.QUOTE and any(x.footnotes for x in ctx.sentences(p)):
                continue
            yield Finding(
                rule="statement-unreferenced", severity=Severity.WARNING,
                message=gettext("Factual statement with no footnote covering it."),
                section=p.section, paragraph_id=p.id, evidence=_snippet(text),
            )
