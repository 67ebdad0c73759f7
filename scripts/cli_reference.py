"""Write docs/cli.md from the commands' own --help, so the reference cannot drift.

    .venv/bin/python scripts/cli_reference.py          # rewrite docs/cli.md
    .venv/bin/python scripts/cli_reference.py --check  # exit 1 if docs/cli.md is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from corroborate.cli import main

OUT = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def render() -> str:
    runner = CliRunner()
    parts = [
        "# Command-line reference",
        "",
        "Generated from `corroborate --help` by `scripts/cli_reference.py`; a test fails when it is stale.",
        "",
        "```",
        runner.invoke(main, ["--help"], prog_name="corroborate", terminal_width=100).output.rstrip(),
        "```",
    ]
    commands = []
    for name in sorted(main.commands):
        commands.append([name])
        sub = getattr(main.commands[name], "commands", None)  # a group: `user add` …
        commands += [[name, s] for s in sorted(sub or [])]
    for words in commands:
        help_text = runner.invoke(main, [*words, "--help"], prog_name="corroborate", terminal_width=100).output
        parts += ["", f"## corroborate {' '.join(words)}", "", "```", help_text.rstrip(), "```"]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if OUT.exists() and OUT.read_text(encoding="utf-8") == text else 1)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
