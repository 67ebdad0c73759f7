"""A ToR the researcher gives (readers/tor_file.py): `corroborate tor --terms FILE`,
`Library.tor(id, terms)` and `POST /api/reports/{id}/tor`. The sample's own ToR written out in
Spanish by hand gets the English annex's verdicts through every one of them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from corroborate.cli import main
from corroborate.readers import ReaderError
from corroborate.readers.tor_file import parse_terms_of_reference, read_terms_of_reference
from test_tor_verdicts import SPANISH, leaf_verdicts

SAMPLE_ID = "euaa-peru-country-focus-2023"


def tree(items):
    return [(i.text, tree(i.items)) if i.items else i.text for i in items]


def test_nesting_follows_indentation_and_list_markers_are_dropped():
    text = """# Overview
  - Government/state structure
  * Freedom of movement
Organised crime
\t1. Main actors
\t\ta) in Lima
\t2) Presence
\t2.1 2021 elections
\t3. Links

// a comment
• LGBTI
    o Treatment by society, the state
"""
    assert tree(parse_terms_of_reference(text)) == [
        ("Overview", ["Government/state structure", "Freedom of movement"]),
        ("Organised crime", [("Main actors", ["in Lima"]), "Presence", "2021 elections", "Links"]),  # a year stays
        ("LGBTI", ["Treatment by society, the state"]),
    ]


def test_a_topic_opening_with_a_year_keeps_it():
    assert tree(parse_terms_of_reference("2021 elections\n  - 2023 protests\n")) == [
        ("2021 elections", ["2023 protests"])]


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "holds no terms of reference"),
    (b"\n  \n// only a comment\n", "holds no terms of reference"),
    ("Situación\n".encode("latin-1"), "is not UTF-8 text"),
    (b"Overview\x00\x01", "is not a text file"),
    (b"Overview\n  - " + b"word " * 200 + b"\n", "line 2 has"),
    (b"x\n" * 200_000, "a ToR file may be at most"),
])
def test_a_bad_file_is_refused_naming_it_and_the_problem(tmp_path, content, problem):
    path = tmp_path / "tor.txt"
    path.write_bytes(content)
    with pytest.raises(ReaderError, match=problem) as err:
        read_terms_of_reference(path)
    assert str(err.value).startswith(str(path))


def spanish_terms(report) -> str:
    """The report's annex, translated to Spanish by hand (test_tor_verdicts.SPANISH), as a file."""
    def lines(items, depth):
        for item in items:
            yield "    " * depth + ("- " if depth else "") + SPANISH[item.text]
            yield from lines(item.items, depth + 1)

    return "\n".join(lines(report.terms_of_reference, 0)) + "\n"


def english_by_spanish(verdicts: dict) -> dict:
    back = {v: k for k, v in SPANISH.items()}
    return {(back[p], back[t]): v for (p, t), v in verdicts.items()}


@pytest.mark.slow
def test_a_spanish_terms_file_gets_the_annex_verdicts_from_the_cli(sample_db, sample_report):
    """The README's example file, samples/euaa-peru-tor-es.txt: the annex as test_tor_verdicts translates it."""
    from conftest import ROOT

    path = ROOT / "samples" / "euaa-peru-tor-es.txt"
    assert tree(read_terms_of_reference(path)) == tree(parse_terms_of_reference(spanish_terms(sample_report)))
    runner = CliRunner()
    own = runner.invoke(main, ["--db", str(sample_db), "tor", SAMPLE_ID, "--json"])
    given = runner.invoke(main, ["--db", str(sample_db), "tor", SAMPLE_ID, "--terms", str(path), "--json"])
    assert own.exit_code == 0 and given.exit_code == 0, given.output
    own, given = json.loads(own.output), json.loads(given.output)
    assert own["terms_of_reference"] == "report" and given["terms_of_reference"] == "given"
    assert english_by_spanish(leaf_verdicts(given)) == leaf_verdicts(own)

    human = runner.invoke(main, ["--db", str(sample_db), "tor", SAMPLE_ID, "--terms", str(path)])
    assert "Libertad de circulación" in human.output
    assert "20 items: 9 covered, 9 partial, 2 gaps" in human.output and "a ToR given" in human.output
    one = CliRunner().invoke(main, ["--db", str(sample_db), "tor", SAMPLE_ID, "--terms",
                                    str(ROOT / "tests" / "data" / "tor-one-gap.txt")])
    assert "1 item: 0 covered, 0 partial, 1 gap (" in one.output, one.output


def test_a_bad_terms_file_is_a_clear_cli_error(sample_db, tmp_path):
    path = tmp_path / "tdr.txt"
    path.write_bytes("Situación".encode("latin-1"))
    out = CliRunner().invoke(main, ["--db", str(sample_db), "tor", SAMPLE_ID, "--terms", str(path)])
    assert out.exit_code == 1
    assert f"Error: {path}: is not UTF-8 text" in out.output
    missing = CliRunner().invoke(main, ["--db", str(sample_db), "tor", SAMPLE_ID, "--terms", str(tmp_path / "no.txt")])
    assert missing.exit_code != 0 and "no.txt" in missing.output


@pytest.mark.slow
def test_the_api_takes_the_terms_in_the_body(sample_db, sample_report):
    from fastapi.testclient import TestClient

    from corroborate.settings import Settings
    from corroborate.web.app import create_app

    client = TestClient(create_app(Settings(db=str(sample_db))))
    csrf = {"X-CSRF-Token": "t", "Content-Type": "text/plain; charset=utf-8"}  # open mode: a script's double submit
    client.cookies.set("corroborate_csrf", "t")
    url = f"/api/reports/{SAMPLE_ID}/tor"
    given = client.post(url, content=spanish_terms(sample_report).encode(), headers=csrf)
    assert given.status_code == 200, given.text
    own = client.get(url).json()
    assert english_by_spanish(leaf_verdicts(given.json())) == leaf_verdicts(own)

    empty = client.post(url, content=b"\n", headers=csrf)
    assert empty.status_code == 400 and "holds no terms of reference" in empty.json()["detail"]
    latin = client.post(url, content="Situación".encode("latin-1"), headers=csrf)
    assert latin.status_code == 400 and "not UTF-8" in latin.json()["detail"]
    binary = client.post(url, content=b"Overview\x00\x01\x02\n", headers=csrf)
    assert binary.status_code == 400 and binary.json()["detail"] == "request body: is not a text file"
    assert client.post("/api/reports/nope/tor", content=b"Overview\n", headers=csrf).status_code == 404
    assert client.post(url, content=b"Overview\n").status_code == 403  # no CSRF token, no bearer token


@pytest.mark.slow
def test_the_tor_page_checks_a_pasted_tor(sample_db, sample_report):
    from fastapi.testclient import TestClient

    from corroborate.settings import Settings
    from corroborate.web.app import create_app

    client = TestClient(create_app(Settings(db=str(sample_db))))
    url = f"/reports/{SAMPLE_ID}/tor"
    own = client.get(url)
    assert own.status_code == 200 and 'name="terms"' in own.text and "Judged against the ToR given" not in own.text
    csrf = client.cookies.get("corroborate_csrf")
    page = client.post(url, data={"csrf": csrf, "terms": spanish_terms(sample_report)})
    assert page.status_code == 200
    assert "Judged against the ToR given below" in page.text and "Libertad de circulación" in page.text
    assert "Trato por parte de la sociedad y del Estado" in page.text  # the pasted text is kept in the form
    empty = client.post(url, data={"csrf": csrf, "terms": "   \n"})
    assert empty.status_code == 400 and "holds no terms of reference" in empty.text
    assert client.post(url, data={"terms": "Overview"}).status_code == 403  # no CSRF token
    spanish = client.post(url, data={"csrf": csrf, "terms": "Panorama general\n  - Libertad de circulación\n"},
                          headers={"Accept-Language": "es"})
    assert "Valorado según los términos de referencia dados" in spanish.text
