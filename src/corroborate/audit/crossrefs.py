"""Internal cross-references ("see Section 3.5 Armed and criminal groups") lead somewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

from corroborate.audit.context import AuditContext
from corroborate.audit.findings import Finding, Severity
from corroborate.audit.registry import rule
from corroborate.i18n import gettext
from corroborate.models import Section, fold

PRINCIPLE = "Transparency and traceability (internal references)"

_REF = re.compile(
    r"(?P<see>\b[Ss]ee\s+(?:also\s+)?(?:the\s+)?)?"
    r"(?:(?P<kind>[Ss]ub-?[Ss]ection|[Ss]ection|[Cc]hapter|[Aa]nnex)\s+)?"
    r"(?P<num>\d{1,2}(?:\.\d{1,2})*)\.?(?!\d|\.\d|[A-Za-z])"
    r"(?P<tail>[ \t:–-]*[^.;()\n]{0,90})?"
)


_LAW = re.compile(r"\b(Act|Law|Code|Decree|Regulation|Constitution|Convention|Ley|Código|Decreto)\b"
                  r"|\b[A-Z]{2,}\s+\d{4}\b")


def _resolve_number(ctx: AuditContext, kind: str, num: str) -> Section | None:
    if kind.startswith("annex"):
        for s in ctx.report.walk_sections():
            if re.search(rf"\bannex\s+{re.escape(num)}\b", fold(s.title)) or (
                s.number and s.number.rstrip(".") == num and "annex" in fold(s.title)
            ):
                return s
        return None
    return ctx.report.section(num)


def _title_matches(tail: str, title: str) -> bool:
    """The words after the number are the section title, possibly followed by more prose."""
    t, want = fold(tail).strip(" :–-"), fold(title).strip()
    if not t or not want:
        return True
    words_t, words_w = t.split(), want.split()
    k = min(len(words_t), len(words_w), 4)
    return words_t[:k] == words_w[:k]


def _capitalised(tail: str) -> bool:
    tail = tail.strip(" \t:–-")
    return bool(tail) and tail[0].isupper()


@rule("cross-reference-unresolved", PRINCIPLE, Severity.WARNING)
def cross_reference_unresolved(ctx: AuditContext) -> Iterator[Finding]:
    """An internal cross-reference ("see Section 3.5 Armed and criminal groups", "See 1.5
    Political developments", "Annex 2") that names no section of the report, or whose title does
    not match the section it names.

    A broken pointer sends the reader of a COI report to the wrong place or nowhere. Bare numbers
    count as references only after "see"; provisions of laws ("Section 3 of Law 30364", "Section 2
    PACE 1984", "section 39A") are not references, nor are section numbers cited in a report
    that numbers none of its own sections (unless introduced by "see").
    """
    numbered = any(s.number for s in ctx.report.walk_sections())
    for p in ctx.paragraphs:
        for m in _REF.finditer(p.text):
            kind = (m.group("kind") or "").lower()
            if not (m.group("see") or kind):
                continue
            if not kind and not _capitalised(m.group("tail") or ""):
                continue  # "see 2 cases" is not a reference; "See 1.5 Political …" is
            tail = m.group("tail") or ""
            if re.match(r"\s*(of|de|del)\b", tail) or _LAW.search(tail[:40]):
                continue  # a provision of a law ("Section 2 PACE 1984"), not of this report
            if not m.group("see") and not numbered:
                continue  # a report without numbered sections cites numbered ones of something else
            num = m.group("num")
            target = _resolve_number(ctx, kind or "section", num)
            label = f"{(m.group('kind') or 'Section')} {num}"
            if target is None:
                yield Finding(
                    rule="cross-reference-unresolved", severity=Severity.WARNING,
                    message=gettext("Cross-reference to %(target)s does not resolve: the report has no such section.",
                                    target=label),
                    section=p.section, paragraph_id=p.id, evidence=m.group(0).strip(),
                )
            elif (m.group("see") and _capitalised(tail) and not kind.startswith("annex")
                  and not _title_matches(tail, target.title)):
                yield Finding(
                    rule="cross-reference-unresolved", severity=Severity.WARNING,
                    message=gettext("Cross-reference to %(target)s names %(named)s, but %(num)s is %(title)s.",
                                    target=label, named=repr(tail.strip(" :–-")[:60]), num=num,
                                    title=repr(target.title)),
                    section=p.section, paragraph_id=p.id, evidence=m.group(0).strip(),
                )
