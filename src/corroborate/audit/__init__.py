"""Methodology audit of a COI report (EUAA COI Report Methodology, 2023): concrete defects with
their locations, for peer review, and the terms-of-reference coverage matrix (`tor`).

    >>> from corroborate.audit import audit_report
    >>> result = audit_report(report)           # {"report", "findings": [...], "summary": {...}}
"""

from __future__ import annotations

from corroborate.audit import (  # noqa: F401  (importing registers the rules)
    balance,
    citation_form,
    crossrefs,
    currency,
    glossary,
    traceability,
    transparency,
)
from corroborate.audit.context import AuditContext
from corroborate.audit.findings import SEVERITY_MEANING, Finding, Severity, group, parse_severity, summarize
from corroborate.audit.registry import RULES, rules_markdown_table
from corroborate.models import Report, Source

# Rules run and are documented in the order of the review: traceability first.
_ORDER = [traceability, transparency, citation_form, currency, balance, glossary, crossrefs]
_rank = {m.__name__: i for i, m in enumerate(_ORDER)}
_sorted = sorted(RULES.items(), key=lambda kv: _rank.get(kv[1].fn.__module__, len(_ORDER)))
RULES.clear()
RULES.update(_sorted)

__all__ = ["RULES", "AuditContext", "Finding", "Severity", "audit_report", "rules_markdown_table"]


def audit_report(
    report: Report,
    sources: list[Source] | None = None,
    min_severity: str | Severity | None = None,
    rules: list[str] | None = None,
) -> dict:
    """Run the rules over `report`. `sources` (the registry entries of its citations) give
    source types and names; without them sources are told apart by their cited author."""
    threshold = min_severity if isinstance(min_severity, Severity) else parse_severity(min_severity)
    unknown = [r for r in rules or [] if r not in RULES]
    if unknown:
        raise ValueError(f"unknown audit rule(s): {', '.join(unknown)}; known: {', '.join(RULES)}")
    ctx = AuditContext(report, {s.id: s for s in sources or []})
    findings: list[Finding] = []
    for rule_id, r in RULES.items():
        if rules and rule_id not in rules:
            continue
        findings.extend(r.fn(ctx))
    if threshold is not None:
        findings = [f for f in findings if f.severity.rank >= threshold.rank]
    for f in findings:
        anchor = f"p-{f.paragraph_id}" if f.paragraph_id else f"fn-{f.footnote}" if f.footnote is not None else None
        f.link = f"/reports/{report.id}#{anchor}" if anchor else f"/reports/{report.id}"
    return {
        "report": report.id,
        "title": report.title,
        "findings": [f.model_dump(mode="json") for f in findings],
        "summary": summarize(findings) | {
            "groups": group(findings, {rid: r.grouped for rid, r in RULES.items() if r.grouped})},
        "severities": SEVERITY_MEANING,
        "rules": {rid: {"principle": r.principle, "summary": r.summary} for rid, r in RULES.items()},
    }
