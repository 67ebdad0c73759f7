"""What an audit produces: findings a reviewer can act on, each pinned to a place in the report."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from pydantic import BaseModel


class Severity(StrEnum):
    ERROR = "error"  # the report cannot be traced as published: a referenced footnote is lost
    WARNING = "warning"  # a methodology defect a reviewer should fix or justify
    INFO = "info"  # worth a look; often legitimate (background sources, stated gaps)

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Finding(BaseModel):
    rule: str
    severity: Severity
    message: str
    section: str | None = None  # the section key (number, else title)
    paragraph_id: str | None = None
    footnote: int | None = None
    evidence: str | None = None  # the sentence, citation or text the finding is about


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
