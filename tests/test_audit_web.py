"""The audit and ToR API and pages over a real SQLite file holding a hand-built report."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from corroborate.cli import main
from corroborate.library import Library
from corroborate.models import Source, SourceType, TorItem
from corroborate.settings import Settings
from test_audit_helpers import F, P, R, S, doc


@pytest.fixture
def lib_db(tmp_path):
    report = R(
        S("1", "Overview", P("Police <script>alert(1)</script> were deployed in the south.[1] "
                             "The Due Process of Law Foundation (DPLF) said courts are slow.[2]"),
          P("DPLF added that many judges were removed by the council in 2022.[3]")),
        footnotes=[F(1, text=None), F(2, doc(2)), F(3, doc(3, date="2019"))],
        glossary=[("HRW", "Human Rights Watch")],
    )
    report.terms_of_reference = [TorItem(text="Overview", items=[TorItem(text="Freedom of movement")])]
    path = tmp_path / "lib.db"
    with Library(path, Settings(db=str(path), embeddings=False)) as lib:
        sources = {c.source_id: Source(id=c.source_id, author=c.author, type=SourceType.NGO)
                   for f in report.footnotes for c in f.citations if c.source_id}
        lib.store.save_report(report, "t", list(sources.values()))
    return path


@pytest.fixture
def client(lib_db):
    from corroborate.web.app import create_app

    return TestClient(create_app(Settings(db=str(lib_db), embeddings=False)))


def test_api_audit_json_and_errors(client):
    data = client.get("/api/reports/t/audit").json()
    rules = {f["rule"] for f in data["findings"]}
    assert {"footnote-text-missing", "glossary-missing-acronym", "source-before-period"} <= rules
    assert data["summary"]["by_rule"]["footnote-text-missing"]["error"] == 1
    only = client.get("/api/reports/t/audit", params={"severity": "error"}).json()
    assert {f["severity"] for f in only["findings"]} == {"error"}
    assert client.get("/api/reports/nope/audit").status_code == 404
    bad = client.get("/api/reports/t/audit", params={"severity": "fatal"})
    assert bad.status_code == 400 and "severity" in bad.json()["detail"]


def test_api_tor(client):
    data = client.get("/api/reports/t/tor").json()
    assert data["items"][0]["items"][0]["verdict"] == "gap"
    assert client.get("/api/reports/nope/tor").status_code == 404


def test_audit_page_links_into_the_reader_and_escapes_text(client):
    html = client.get("/reports/t/audit").text
    assert 'href="/reports/t#fn-1"' in html and 'href="/reports/t#p-' in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "footnote-text-missing" in html
    assert client.get("/reports/nope/audit").status_code == 404


def test_tor_page(client, lib_db):
    html = client.get("/reports/t/tor").text
    assert "Freedom of movement" in html and "verdict--gap" in html
    with Library(lib_db) as lib:
        first = lib.report("t").sections[0].paragraphs[0].id
    assert f'href="/reports/t#p-{first}">§1 Overview' in html  # heading "Overview" -> section 1


def test_cli_audit_and_tor(lib_db):
    from click.testing import CliRunner

    runner = CliRunner()
    res = runner.invoke(main, ["--db", str(lib_db), "audit", "t", "--json", "--severity", "warning"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["findings"] and all(f["severity"] in ("warning", "error") for f in data["findings"])
    res = runner.invoke(main, ["--db", str(lib_db), "audit", "t"])
    assert res.exit_code == 0 and "footnote-text-missing" in res.output and "fn 1" in res.output
    res = runner.invoke(main, ["--db", str(lib_db), "audit", "missing-report"])
    assert res.exit_code == 1 and "missing-report" in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["--db", str(lib_db), "tor", "t"])
    assert res.exit_code == 0 and "[gap]" in res.output
