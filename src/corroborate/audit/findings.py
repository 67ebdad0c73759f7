"""What an audit produces: findings a reviewer can act on, each pinned to a place in the report."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from pydantic import BaseModel

from corroborate.i18n import gettext, ngettext


class Severity(StrEnum):
    ERROR = "error"  # the report cannot be traced as published: a referenced footnote is lost
    WARNING = "warning"  # a methodology defect a reviewer should fix or justify
    INFO = "info"  # worth a look; often legitimate (background sources, stated gaps)

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


SEVERITY_MEANING = {
    "error": "the report cannot be traced as published (a referenced footnote is lost): fix before use",
    "warning": "a methodology defect a reviewer should fix or justify",
    "info": "worth a look; often legitimate (background sources, stated gaps)",
}


class Finding(BaseModel):
    rule: str
    severity: Severity
    message: str
    section: str | None = None  # the section key (number, else title)
    paragraph_id: str | None = None
    footnote: int | None = None
    evidence: str | None = None  # the sentence, citation or text the finding is about
    link: str | None = None  # the place in the reader: /reports/<id>#p-<paragraph> (or #fn-<n>)


def parse_severity(value: str | None) -> Severity | None:
    """The CLI/API `--severity` threshold; a clear ValueError names the accepted values."""
    if value is None or value == "":
        return None
    try:
        return Severity(value.strip().lower())
    except ValueError:
        raise ValueError(
            f"unknown severity {value!r}: use one of {', '.join(s.value for s in Severity)}"
        ) from None


def summarize(findings: list[Finding]) -> dict:
    by_rule: dict[str, dict[str, int]] = {}
    for f in findings:
        counts = by_rule.setdefault(f.rule, {"error": 0, "warning": 0, "info": 0, "total": 0})
        counts[f.severity.value] += 1
        counts["total"] += 1
    severity = Counter(f.severity.value for f in findings)
    return {
        "total": len(findings),
        "by_severity": {s.value: severity.get(s.value, 0) for s in Severity},
        "by_rule": dict(sorted(by_rule.items())),
    }


def ranges(numbers: list[int]) -> str:
    """[40, 41, 42, 43, 49, 50, 60] -> '40–43, 49–50, 60'."""
    out: list[str] = []
    nums = sorted(set(numbers))
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ", ".join(out)


def group(findings: list[Finding], phrases: dict[str, str] | None = None) -> list[dict]:
    """One line per rule, in the order the rules ran: how many findings, at which severity, and
    where ("165 footnotes have no text: 40–43, 49–55, …"), so one lost page of footnotes does not
    bury every other finding. `phrases`: a rule's own wording, with {count} and {footnotes}."""
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    out = []
    for rule_id, items in by_rule.items():
        worst = max((f.severity for f in items), key=lambda s: s.rank)
        notes = [f.footnote for f in items if f.footnote is not None]
        sections = list(dict.fromkeys(f.section for f in items if f.section))
        count = len(items)
        phrase = (phrases or {}).get(rule_id)
        # in the reader's language (i18n: English outside a Spanish page)
        if phrase and notes:
            text = gettext(phrase).format(count=count, footnotes=ranges(notes))
        elif notes and len(notes) == count and len(set(notes)) == 1:
            text = ngettext("%(num)d finding on footnote %(notes)s", "%(num)d findings on footnote %(notes)s",
                            count, notes=ranges(notes))
        elif notes and len(notes) == count:
            text = ngettext("%(num)d finding on footnotes %(notes)s", "%(num)d findings on footnotes %(notes)s",
                            count, notes=ranges(notes))
        elif sections:
            shown = ", ".join(f"§{s}" for s in sections[:6]) + (", …" if len(sections) > 6 else "")
            text = ngettext("%(num)d finding in %(sections)s", "%(num)d findings in %(sections)s", count,
                            sections=shown)
        else:
            text = ngettext("%(num)d finding", "%(num)d findings", count)
        out.append({"rule": rule_id, "severity": worst.value, "count": count, "text": text,
                    "footnotes": ranges(notes) if notes else None, "sections": sections})
    return out
