"""Keep docs/audit-rules.md in step with the rule docstrings: the rule table between the
markers is generated. `python -m corroborate.audit.docs docs/audit-rules.md` rewrites it;
tests/test_audit_docs.py fails when it is out of date."""

from __future__ import annotations

import sys
from pathlib import Path

from corroborate.audit import rules_markdown_table

BEGIN = "<!-- rules:begin (generated from the rule docstrings: python -m corroborate.audit.docs) -->"
END = "<!-- rules:end -->"


def generated_block() -> str:
    return f"{BEGIN}\n{rules_markdown_table()}{END}"


def current_block(text: str) -> str | None:
    if BEGIN not in text or END not in text:
        return None
    start = text.index(BEGIN)
    return text[start: text.index(END, start) + len(END)]


def rewrite(path: Path) -> bool:
    """Replace the generated block in `path`; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    block = current_block(text)
    if block is None:
        raise ValueError(f"{path}: no '{BEGIN}' … '{END}' markers to fill")
    new = text.replace(block, generated_block())
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/audit-rules.md")
    print(f"{target}: {'updated' if rewrite(target) else 'up to date'}")
