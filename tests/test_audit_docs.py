"""docs/audit-rules.md carries the rule table generated from the rule docstrings: they cannot drift."""

from __future__ import annotations

from conftest import ROOT
from corroborate.audit import RULES
from corroborate.audit.docs import current_block, generated_block

DOC = ROOT / "docs" / "audit-rules.md"


def test_rule_table_in_docs_matches_the_docstrings():
    block = current_block(DOC.read_text(encoding="utf-8"))
    assert block is not None, "docs/audit-rules.md lost its generated-table markers"
    assert block == generated_block(), "regenerate: python -m corroborate.audit.docs docs/audit-rules.md"


def test_every_rule_is_in_the_table_with_its_principle():
    block = current_block(DOC.read_text(encoding="utf-8"))
    for rule in RULES.values():
        assert f"| `{rule.id}` |" in block and rule.principle in block
