"""REST API: the real app on a real database file with the sample report ingested."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conftest import DATA, ROOT, SAMPLE_ID
from corroborate.cli import main
from corroborate.contract import report_json
from corroborate.library import Library
from corroborate.settings import Settings
from corroborate.web.app import create_app


@pytest.fixture
def client(sample_db):
    with TestClient(create_app(Settings(db=str(sample_db)))) as c:
        yield c


def test_health_and_reports(client):
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["reports"] == 1
    reports = client.get("/api/reports").json()["reports"]
    assert [x["id"] for x in reports] == [SAMPLE_ID]
    assert reports[0]["paragraphs"] > 100 and reports[0]["footnotes"] > 300


def test_report_is_the_show_json_contract(client, sample_db):
    r = client.get(f"/api/reports/{SAMPLE_ID}")
    assert r.status_code == 200
    with Library(sample_db) as lib:
        assert r.json() == json.loads(json.dumps(report_json(lib.report(SAMPLE_ID))))
    part = client.get(f"/api/reports/{SAMPLE_ID}", params={"section": "3.4"}).json()
    assert [s["number"] for s in part["sections"]] == ["3.4"]


def test_unknown_ids_are_404_with_detail(client):
    for url in ("/api/reports/no-such-report", "/api/sources/no-such-source",
                f"/api/reports/{SAMPLE_ID}?section=99.9"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "no" in r.json()["detail"]
    r = client.get("/api/search", params={"q": "police", "report": "no-such-report"})
    assert r.status_code == 404 and r.json() == {"detail": "no report 'no-such-report' in " + client.app.state.settings.db}


@pytest.mark.parametrize("params, fragment", [
    ({"q": '"unbalanced'}, "unbalanced quote"),
    ({"q": ""}, "empty query"),
    ({"q": "police OR"}, "OR needs"),
    ({"q": "-"}, "'-' must be followed"),
    ({"q": "police", "mode": "fuzzy"}, "mode='fuzzy'"),
    ({"q": "police", "k": 0}, "k=0"),
    ({"q": "police", "k": 1000}, "k=1000"),
    ({"q": "police", "since": "last year"}, "since="),
    ({"q": "police", "source_type": "blog"}, "source_type='blog'"),
    ({"q": "police", "section": "42.42"}, "section='42.42'"),
])
def test_bad_search_parameters_are_400_with_message(client, params, fragment):
    r = client.get("/api/search", params=params)
    assert r.status_code == 400
    assert fragment in r.json()["detail"]


def test_missing_or_mistyped_parameters_are_4xx(client):
    assert client.get("/api/search").status_code == 422
    r = client.get("/api/search", params={"q": "police", "k": "ten"})
    assert r.status_code == 422 and "detail" in r.json()
    assert client.get("/api/ask", params={"q": "  "}).status_code == 400
    assert client.get("/api/sources", params={"type": "blog"}).status_code == 400


def test_search_returns_paragraphs_with_footnotes_and_citations(client):
    res = client.get("/api/search", params={"q": "extortion telephone WhatsApp", "k": 3}).json()
    assert res["query"] == "extortion telephone WhatsApp" and res["mode"] == "hybrid"
    top = res["results"][0]
    assert "WhatsApp" in top["text"] and top["report_id"] == SAMPLE_ID
    assert top["section"] == "3.4"
    assert "<mark>WhatsApp</mark>" in top["snippet"]
    # every result's footnotes are the paragraph's markers, with text (or None when lost) and citations
    for r in res["results"]:
        for f in r["footnotes"]:
            assert set(f) == {"n", "text", "urls", "citations"}
            assert isinstance(f["n"], int)


def test_cli_search_json_and_api_are_identical(client, sample_db):
    runner = CliRunner()
    cases = [
        {"q": "¿Pueden casarse las parejas del mismo sexo en el Perú?"},
        {"q": "How much do gangs charge small shops?", "k": 5, "mode": "lexical"},
        {"q": "extortion -Lima", "mode": "semantic", "k": 4},
        {"q": "police", "section": "1.4", "k": 3},
    ]
    for params in cases:
        api = client.get("/api/search", params=params).json()
        args = ["--db", str(sample_db), "search", params["q"], "--json"]
        for key, opt in (("k", "--k"), ("mode", "--mode"), ("section", "--section")):
            if key in params:
                args += [opt, str(params[key])]
        out = runner.invoke(main, args)
        assert out.exit_code == 0, out.output
        assert json.loads(out.output) == api
        assert api["results"], params


def test_spanish_question_finds_english_passage_through_api(client):
    res = client.get("/api/search", params={"q": "¿Pueden cambiar su nombre las personas transgénero?",
                                            "k": 5}).json()
    assert any("transgender Peruvians to change their name" in r["text"] for r in res["results"])


def test_ask_endpoint_quotes_verbatim(client):
    res = client.get("/api/ask", params={"q": "Which criminal groups does Los Tiguerones have ties with?"})
    assert res.status_code == 200
    body = res.json()
    assert body["found"] is True
    assert any("Jalisco Cartel New Generation" in q["text"] for q in body["quotes"])
    off = client.get("/api/ask", params={"q": "What is the capital of Mongolia's ski industry?"}).json()
    assert off["found"] is False and off["quotes"] == []
    assert off["answer"] == "Information on this question could not be found among the sources consulted."


def test_sources_endpoints(client):
    rows = client.get("/api/sources", params={"report": SAMPLE_ID}).json()["sources"]
    assert client.get("/api/sources", params={"report": "nope"}).status_code == 404
    if rows:  # the citation parser fills the source registry
        one = client.get(f"/api/sources/{rows[0]['id']}").json()
        assert one["id"] == rows[0]["id"] and one["cited_by"]


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/health", "/api/reports", "/api/reports/{report_id}", "/api/search", "/api/ask",
              "/api/sources", "/api/sources/{source_id}"):
        assert p in paths


def test_api_sees_a_delete_made_by_the_cli(client, sample_db):
    assert client.get("/api/search", params={"q": "Tiguerones"}).json()["results"]
    out = CliRunner().invoke(main, ["--db", str(sample_db), "delete", SAMPLE_ID])
    assert out.exit_code == 0, out.output
    for mode in ("lexical", "semantic", "hybrid"):
        assert client.get("/api/search", params={"q": "Tiguerones", "mode": mode}).json()["results"] == []
    assert client.get(f"/api/reports/{SAMPLE_ID}").status_code == 404


def test_pages_are_gzipped_for_clients_that_accept_it(sample_db):
    with TestClient(create_app(Settings(db=str(sample_db)))) as c:
        r = c.get(f"/reports/{SAMPLE_ID}", headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
        assert int(r.headers["content-length"]) < len(r.content) / 4


def test_recall_goals_on_the_dev_questions(sample_db_master):
    """benchmarks/eval_search.py over /api/search?k=5: English >= 0.95, Spanish >= 0.85 (hybrid)."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from eval_search import GOALS, evaluate, load_questions

    questions = load_questions(DATA / "eval" / "dev-questions.jsonl")
    result = evaluate(sample_db_master, questions, k=5, modes=("hybrid",))
    for lang, goal in GOALS.items():
        assert result["recall"]["hybrid"][lang] >= goal, (lang, result["misses"])


def test_serve_runs_the_app_with_uvicorn(sample_db):
    """`corroborate serve` answers HTTP on 127.0.0.1 (a real server process, stopped afterwards)."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "corroborate", "--db", str(sample_db), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert r.status_code == 200 and r.json()["reports"] == 1
        r = httpx.get(f"http://127.0.0.1:{port}/api/search", params={"q": "Tiguerones", "mode": "lexical"})
        assert r.json()["results"][0]["report_id"] == SAMPLE_ID
    finally:
        proc.terminate()
        proc.wait(timeout=20)
