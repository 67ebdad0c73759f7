"""The rule registry. A rule is a function `(AuditContext) -> Iterable[Finding]` whose docstring
is its documentation: first line the check, then the rationale; `principle` names the EUAA COI
methodology principle it serves. `docs/audit-rules.md` is generated from these (test-enforced).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corroborate.audit.findings import Finding, Severity

if TYPE_CHECKING:
    from corroborate.audit.context import AuditContext

RuleFn = Callable[["AuditContext"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    principle: str
    severities: tuple[Severity, ...]
    fn: RuleFn
    grouped: str | None = None  # the one-line summary of its findings: {count}, {footnotes}

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.fn.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.split("\n\n", 1)[0].replace("\n", " ")

    @property
    def rationale(self) -> str:
        parts = self.doc.split("\n\n", 1)
        return parts[1].replace("\n", " ") if len(parts) > 1 else ""


RULES: dict[str, Rule] = {}


def rule(rule_id: str, principle: str, *severities: Severity,
         grouped: str | None = None) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        if not fn.__doc__:
            raise TypeError(f"audit rule {rule_id} needs a docstring: it is the rule's documentation")
        RULES[rule_id] = Rule(rule_id, principle, tuple(severities), fn, grouped)
        return fn

    return register


def rules_markdown_table() -> str:
    """The rule table of docs/audit-rules.md, generated from the rule docstrings."""
    from corroborate.audit.findings import SEVERITY_MEANING

    lines = ["Severities: " + "; ".join(f"**{k}**: {v}" for k, v in SEVERITY_MEANING.items()) + ".", ""]
    lines += [
        "| Rule | Severity | Methodology principle | What it finds | Why |",
        "|---|---|---|---|---|",
    ]
    for r in RULES.values():
        sev = ", ".join(s.value for s in r.severities)
        lines.append(f"| `{r.id}` | {sev} | {r.principle} | {r.summary} | {r.rationale} |")
    return "\n".join(lines) + "\n"
