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
          P("DPLF added that many judges were removed by the council in 2022.[3] The SUNAT agreed.")),
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


def test_sample_audit_page_shows_missing_footnotes_as_one_grouped_line(sample_db_master):
    import re

    from corroborate.web.app import create_app

    client = TestClient(create_app(Settings(db=str(sample_db_master), embeddings=False)))
    page = client.get("/reports/euaa-peru/audit")  # a unique prefix of the id is enough
    assert page.status_code == 200
    groups = re.search(r'<ul class="audit-groups".*?</ul>', page.text, re.S).group(0)
    lines = re.findall(r"<li[^>]*>(.*?)</li>", groups, re.S)
    missing = [" ".join(re.sub(r"<[^>]+>", "", li).split()) for li in lines if "footnote-text-missing" in li]
    assert len(missing) == 1
    assert missing[0].startswith("error footnote-text-missing: 165 footnotes have no text: 40–43, 49–55,")
    # the 165 findings themselves are folded away, each linking to its paragraph in the reader
    assert "Show all 165 findings" in page.text
    assert 'href="/reports/euaa-peru-country-focus-2023#p-' in page.text
    assert "the report cannot be traced as published" in page.text  # severities explained


def test_unknown_report_suggests_the_id_meant_everywhere(sample_db_master):
    from click.testing import CliRunner

    from corroborate.web.app import create_app

    res = CliRunner().invoke(main, ["--db", str(sample_db_master), "audit", "euaa-pero"])
    assert res.exit_code == 1 and "did you mean 'euaa-peru-country-focus-2023'" in res.output
    res = CliRunner().invoke(main, ["--db", str(sample_db_master), "tor", "euaa-peru", "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["report"] == "euaa-peru-country-focus-2023"
    client = TestClient(create_app(Settings(db=str(sample_db_master), embeddings=False)))
    api = client.get("/api/reports/peru-country/audit")
    assert api.status_code == 404 and "euaa-peru-country-focus-2023" in api.json()["detail"]
    assert "Did you mean euaa-peru-country-focus-2023" in client.get("/reports/euaa-peru-c0untry").text
    with Library(sample_db_master) as lib:
        # deleting never goes by prefix
        with pytest.raises(Exception, match="did you mean"):
            lib.delete("euaa-peru")
