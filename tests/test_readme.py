"""Every `corroborate …` example of the README's "What you can do" block runs against the
ingested sample (a real SQLite file) and succeeds; search and ask examples find something."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
from click.testing import CliRunner

from conftest import ROOT, SAMPLE_ID
from corroborate import Library
from corroborate.cli import main

NOT_RUN = {"serve"}  # blocks until stopped; the web app has its own tests


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## What you can do\s+```sh\n(.*?)```", text, re.S).group(1)
    commands = []
    for line in block.replace("\\\n", " ").splitlines():
        args = shlex.split(line, comments=True)
        if args:
            assert args[0] == "corroborate", line
            commands.append(args[1:])
    return commands


def test_readme_block_is_found():
    commands = readme_commands()
    assert len(commands) >= 15
    assert {c[0] for c in commands} >= {"ingest", "search", "ask", "audit", "export", "compile", "delete"}


def test_every_readme_example_runs_on_the_sample(sample_db_master, tmp_path, monkeypatch):
    db = tmp_path / "readme.db"
    shutil.copy(sample_db_master, db)
    with Library(db) as lib:
        source_id = next(s["id"] for s in lib.sources(SAMPLE_ID) if s["type"] == "oral")
    monkeypatch.chdir(tmp_path)  # files the examples write land here, not in the clone
    runner = CliRunner()
    ran = []
    for args in readme_commands():
        if args[0] in NOT_RUN:
            continue
        args = [source_id if a == "<SOURCE-ID>" else str(ROOT / a) if (ROOT / a).is_file() else a
                for a in args]
        # new reports are read and stored for real; their embeddings would only cost time here
        env = {"CORROBORATE_EMBEDDINGS": "0"} if args[0] == "ingest" else {}
        given = "s3cret-passphrase\ns3cret-passphrase\n" if args[:2] == ["user", "password"] else None
        res = runner.invoke(main, ["--db", str(db), *args], env=env, input=given)  # the prompt answered
        assert res.exit_code == 0, f"corroborate {shlex.join(args)}:\n{res.output}"
        if args[0] == "search":
            first = 1 + (10 * (int(args[args.index("--page") + 1]) - 1) if "--page" in args else 0)
            assert "No paragraphs match." not in res.output and f"\n{first}. " in res.output, args
        if args[0] == "ask":
            assert "[q1]" in res.output, args
        ran.append(args[0])
    assert "delete" in ran and (tmp_path / "peru.docx").is_file() and (tmp_path / "response.md").is_file()
    # search examples show where a passage is (page and section), never stored ids or offsets
    out = runner.invoke(main, ["--db", str(sample_db_master), "search", "Tren de Aragua members", "--k", "3"]).output
    assert "section 3.5.1 ‘Tren de Aragua’, p. 43" in out
    assert not re.search(r"\b[0-9a-f]{12}\b|\d+-\d+\)", out)


@pytest.mark.parametrize("query", ["NOT extortion", "extortion NOT", "NOT \"Tren de Aragua\"", "extortion NOT OR gangs"])
def test_not_without_a_word_to_look_for_is_a_clear_error(sample_db_master, query):
    res = CliRunner().invoke(main, ["--db", str(sample_db_master), "search", query, "--mode", "lexical"])
    assert res.exit_code == 1 and "Error:" in res.output and "Traceback" not in res.output


def test_not_excludes_like_minus(sample_lib):
    with_not = sample_lib.search('extortion NOT "Tren de Aragua"', k=50, mode="lexical")["results"]
    with_minus = sample_lib.search('extortion -"Tren de Aragua"', k=50, mode="lexical")["results"]
    every = sample_lib.search("extortion", k=50, mode="lexical")["results"]
    assert with_not and [r["paragraph_id"] for r in with_not] == [r["paragraph_id"] for r in with_minus]
    assert all("tren de aragua" not in r["text"].lower() for r in with_not)
    assert len(with_not) < len(every)
    # lower-case "not" is an ordinary (function) word, as "or" is
    assert sample_lib.search("extortion not gangs", k=5, mode="lexical")["results"]
