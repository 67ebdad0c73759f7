"""Docs that cannot drift: the CLI reference is the commands' own --help."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from conftest import ROOT


def load_script():
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "scripts" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current():
    module = load_script()
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == module.render(), "docs/cli.md is stale: run .venv/bin/python scripts/cli_reference.py"


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:1500]
    assert "make demo" in head and "make test" in head
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_every_command_is_in_the_readme():
    from corroborate.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in main.commands if f"corroborate {name}" not in readme
               and f"`{name}`" not in readme]
    assert not missing, f"README does not mention: {missing}"


def test_paths_exist():
    assert Path(ROOT / "samples" / "ACKNOWLEDGEMENT.md").exists()
