"""Currency: sources are from the reference period, and nothing postdates the cut-off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from corroborate.audit.context import AuditContext
from corroborate.audit.findings import Finding, Severity
from corroborate.audit.registry import rule
from corroborate.i18n import N_, gettext
from corroborate.models import CitationKind

PRINCIPLE = "Accuracy and currency"

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_MONTH = "|".join(MONTHS)
_HUMAN_DATE = rf"(?:\d{{1,2}}\s+)?(?:{_MONTH})\s+\d{{4}}|\d{{4}}-\d{{2}}(?:-\d{{2}})?"
_PERIOD = re.compile(
    rf"reference period[^.]{{0,80}}?\b(?:from\s+)?({_HUMAN_DATE})\s*(?:to|until|-|–|—)\s*({_HUMAN_DATE})",
    re.I,
)
_CUT_OFF = re.compile(
    rf"(?:finali[sz]ed|cut-?off|up to date|until)\b[^.]{{0,40}}?\b(?:on|in|of|:)?\s*({_HUMAN_DATE})", re.I
)


def to_iso(text: str) -> str | None:
    """'19 September 2023' -> '2023-09-19', 'January 2021' -> '2021-01'; ISO is kept."""
    text = text.strip()
    if re.fullmatch(r"\d{4}(-\d{2}){0,2}", text):
        return text
    m = re.fullmatch(rf"(?:(\d{{1,2}})\s+)?({_MONTH})\s+(\d{{4}})", text, re.I)
    if not m:
        return None
    month = MONTHS[m.group(2).lower()]
    return f"{m.group(3)}-{month:02d}" + (f"-{int(m.group(1)):02d}" if m.group(1) else "")


def bounds(iso: str | None) -> tuple[date, date] | None:
    """The first and last day an ISO date of any precision (2021, 2021-05, 2021-05-03) can mean."""
    if not iso:
        return None
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", iso)
    if not m:
        return None
    y = int(m.group(1))
    try:
        if m.group(3):
            d = date(y, int(m.group(2)), int(m.group(3)))
            return d, d
        if m.group(2):
            mo = int(m.group(2))
            last = (date(y + (mo == 12), mo % 12 + 1, 1) - date.resolution)
            return date(y, mo, 1), last
        return date(y, 1, 1), date(y, 12, 31)
    except ValueError:
        return None


def reference_frame(ctx: AuditContext) -> tuple[str | None, str | None, str]:
    """(period start, cut-off, where they came from): the reader's values, else the report's
    own methodology text (its 'reference period … to …' and 'finalised on …' sentences)."""
    rp = ctx.report.reference_period
    start, cut = rp.start, ctx.report.cut_off or rp.end
    origin = N_("reader")
    if start and cut:
        return start, cut, origin
    for p in ctx.paragraphs:
        if not start and (m := _PERIOD.search(p.text)):
            start = to_iso(m.group(1))
            cut = cut or to_iso(m.group(2))
            origin = N_("methodology text")
        if not cut and (m := _CUT_OFF.search(p.text)):
            cut = to_iso(m.group(1))
            origin = N_("methodology text")
    return start, cut, origin


@rule("reference-period-missing", PRINCIPLE, Severity.INFO)
def reference_period_missing(ctx: AuditContext) -> Iterator[Finding]:
    """The report states no reference period or no cut-off date that could be read.

    Said once: without them the currency rules below cannot run, and the reader of the report
    cannot tell how recent its information is meant to be.
    """
    start, cut, _ = reference_frame(ctx)
    missing = [name for name, v in ((gettext("reference period start"), start), (gettext("cut-off date"), cut))
               if not v]
    if missing:
        yield Finding(
            rule="reference-period-missing", severity=Severity.INFO,
            message=gettext("No %(missing)s found in the report; currency not checked against it.",
                            missing=gettext(" or ").join(missing)),
        )


def _dated_citations(ctx: AuditContext):
    for fn in ctx.report.footnotes:
        for c in fn.citations:
            if c.kind in (CitationKind.EMPTY, CitationKind.ANALYSIS, CitationKind.UNPARSED):
                continue
            b = bounds(c.date)
            if b:
                yield fn.n, c, b


@rule("source-before-period", PRINCIPLE, Severity.INFO)
def source_before_period(ctx: AuditContext) -> Iterator[Finding]:
    """A cited source dated before the report's reference period starts.

    Often legitimate background (the methodology allows context where needed), hence info; a
    reviewer checks that current claims do not rest on outdated sources.
    """
    start, _, origin = reference_frame(ctx)
    sb = bounds(start)
    if not sb:
        return
    for n, c, (_, last) in _dated_citations(ctx):
        if last < sb[0]:
            p = ctx.first_site(n)
            yield Finding(
                rule="source-before-period", severity=Severity.INFO,
                message=gettext("Footnote %(n)s: source dated %(date)s, before the reference period "
                                "(from %(start)s, per the %(origin)s).", n=n, date=c.date, start=start,
                                origin=gettext(origin)),
                section=p.section if p else None, paragraph_id=p.id if p else None, footnote=n,
                evidence=c.raw.strip(),
            )


@rule("source-after-cutoff", PRINCIPLE, Severity.WARNING)
def source_after_cutoff(ctx: AuditContext) -> Iterator[Finding]:
    """A cited source dated after the report's cut-off (drafting finalised).

    Either a wrong date in the citation or information added after the cut-off the report
    declares: both undermine the stated currency.
    """
    _, cut, origin = reference_frame(ctx)
    cb = bounds(cut)
    if not cb:
        return
    for n, c, (first, _) in _dated_citations(ctx):
        if first > cb[1]:
            p = ctx.first_site(n)
            yield Finding(
                rule="source-after-cutoff", severity=Severity.WARNING,
                message=gettext("Footnote %(n)s: source dated %(date)s, after the cut-off %(cut)s (per the %(origin)s).",
                                n=n, date=c.date, cut=cut, origin=gettext(origin)),
                section=p.section if p else None, paragraph_id=p.id if p else None, footnote=n,
                evidence=c.raw.strip(),
            )
