"""Transparency: what the research could not find is stated, and the reviewer can see where."""

from __future__ import annotations

from collections.abc import Iterator

from corroborate.audit.context import AuditContext
from corroborate.audit.findings import Finding, Severity
from corroborate.audit.registry import rule
from corroborate.audit.text import is_gap_statement
from corroborate.i18n import gettext

PRINCIPLE = "Transparency (information gaps stated)"


@rule("gap-statement", PRINCIPLE, Severity.INFO)
def gap_statement(ctx: AuditContext) -> Iterator[Finding]:
    """A statement that information could not be found ("… could not be found among the sources
    consulted within the time constraints of this report").

    Not a defect: the methodology asks for gaps to be stated. Collected so a reviewer sees every
    admitted gap and where it stands, e.g. to check it against the terms of reference.
    """
    for p in ctx.paragraphs:
        if p.section in ctx.apparatus_sections:
            continue  # the methodology describing gap statements is not one
        for s in ctx.sentences(p):
            if is_gap_statement(s.sentence.text):
                title = ctx.section_titles.get(p.section or "", "")
                yield Finding(
                    rule="gap-statement", severity=Severity.INFO,
                    message=gettext("Information gap stated in §%(section)s %(title)s", section=p.section,
                                    title=title).rstrip() + ".",
                    section=p.section, paragraph_id=p.id, evidence=s.sentence.text,
                )
