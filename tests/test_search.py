"""Search: query language, malformed queries, filters, snippets, fusion, and index consistency
when a report is deleted or replaced. Hand-built reports (tests/search_fixtures.py) stored in a
real SQLite file with real embeddings; the sample report where it matters."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from corroborate import Library, NotFound
from corroborate.cli import main
from corroborate.search.engine import fuse
from corroborate.search.query import QueryError, parse_query
from corroborate.search.vectors import VectorIndex
from corroborate.store import is_postgres
from search_fixtures import EXTORTION, make_report, store


@pytest.fixture
def lib(tmp_path):
    lib = Library(tmp_path / "search.db")
    report, sources = make_report()
    store(lib, report, sources)
    yield lib
    lib.close()


def texts(result: dict) -> list[str]:
    return [r["text"] for r in result["results"]]


# --- query language ---------------------------------------------------------------------------


def test_words_phrase_or_exclusion_prefix(lib):
    assert any("cupo" in t for t in texts(lib.search("extort shop", mode="lexical")))
    # a phrase must match as written
    assert texts(lib.search('"largest demonstrations"', mode="lexical")) == [
        "The largest demonstrations took place in southern Peru, in Puno and Ayacucho."]
    assert texts(lib.search('"demonstrations largest"', mode="lexical")) == []
    # OR: either alternative
    got = texts(lib.search("mercury OR Ayacucho", mode="lexical"))
    assert len(got) == 2 and any("mercury" in t for t in got) and any("Ayacucho" in t for t in got)
    # exclusion removes paragraphs in every mode
    for mode in ("lexical", "semantic", "hybrid"):
        got = texts(lib.search("Peru -Puno", mode=mode))
        assert got and not any("Puno" in t for t in got), mode
    # prefix
    assert any("demonstrations" in t for t in texts(lib.search("demonstr*", mode="lexical")))


def test_accents_and_case_are_folded(lib):
    # "República" in the index, typed without the accent and in capitals
    assert texts(lib.search("POLICE STATIONS", mode="lexical"))
    assert parse_query("Policía").clauses[0].atoms[0].tokens == ("policia",)


def test_function_words_of_both_languages_do_not_decide_the_lexical_match():
    q = parse_query("¿Cuántas comisarías había en el Perú en 2017?")
    words = [a.tokens[0] for c in q.clauses for a in c.atoms]
    assert words == ["comisarias", "peru", "2017"]
    q = parse_query("What is the rate of the police?")
    assert [a.tokens[0] for c in q.clauses for a in c.atoms] == ["rate", "police"]
    # a query made only of function words is still searched rather than emptied
    assert parse_query("the").clauses


def test_question_finds_paragraph_without_all_words(lib):
    """A natural-language question shares only some words with its answer."""
    got = texts(lib.search("How much do gangs charge small shops?", mode="lexical", k=3))
    assert got[0].startswith("Criminal gangs extort small shop owners")


@pytest.mark.parametrize("query, problem", [
    ('"same-sex marriage', "unbalanced quote"),
    ("marriage -", "'-' must be followed"),
    ("-", "'-' must be followed"),
    ("police OR", "OR needs a word"),
    ("OR police", "OR needs a word"),
    ("police OR OR army", "OR needs a word"),
    ("", "empty query"),
    ("   ", "empty query"),
    ("-police", "not only exclusions"),
    ("police OR -army", "excluded term cannot be part of an OR"),
    ("*", "* must follow"),
    ("a*", "prefix needs at least"),
    ("po*lice", "may only end a word"),
    ('""', "empty phrase"),
    ("?!", "no searchable words"),
    ("police " * 300, "query is too long"),
    (" ".join(f"word{i}" for i in range(80)), "too many terms"),
])
def test_malformed_queries_raise_query_error(lib, query, problem):
    with pytest.raises(QueryError, match=problem.replace("*", r"\*").replace("(", r"\(")):
        lib.search(query)
    assert issubclass(QueryError, ValueError)


@pytest.mark.parametrize("query", [
    "NEAR(police stations)", "text:police", "police AND", "police NOT", "^police", "(police",
    "police)", "police:*", "{text}: police", "police + stations", 'pol"ice"', "'police'", "police--",
    "NOT police", "AND", "police ) OR ( army", "col:x", "police\u0000", "SELECT * FROM paragraphs",
])
def test_fts5_syntax_typed_by_users_is_never_passed_through(lib, query):
    """Whatever a user types, FTS5 never sees it raw: a result or a QueryError, no sqlite error."""
    try:
        result = lib.search(query, mode="lexical")
    except QueryError:
        return
    assert isinstance(result["results"], list)


def test_bad_parameters(lib):
    with pytest.raises(QueryError, match="mode"):
        lib.search("police", mode="fuzzy")
    with pytest.raises(QueryError, match="k="):
        lib.search("police", k=0)
    with pytest.raises(QueryError, match="since"):
        lib.search("police", since="May 2023")
    with pytest.raises(QueryError, match="source_type"):
        lib.search("police", source_type="blog")
    with pytest.raises(QueryError, match="section='9.9'"):
        lib.search("police", section="9.9")
    with pytest.raises(NotFound, match="no report 'nope'"):
        lib.search("police", report="nope")


# --- filters ------------------------------------------------------------------------------------


def test_section_filter_includes_subsections(lib):
    got = lib.search("Peru police gangs mining", section="3.5", mode="lexical")["results"]
    assert {r["section"] for r in got} == {"3.5", "3.5.1"}
    got = lib.search("Peru police gangs mining", section="3", mode="semantic")["results"]
    assert {r["section"] for r in got} == {"3.5", "3.5.1", "3.6"}
    # "3.5" does not include "3.50" or "3.6"
    assert all(r["section"].startswith("3.5") for r in lib.search("mining", section="3.5")["results"])


def test_source_type_and_since_filter_by_cited_sources(lib):
    media = lib.search("Peru gangs mining police marriage", source_type="media", k=10)["results"]
    # paragraphs citing La República (media): extortion (fn 1) and mining (fn 6)
    assert sorted(r["section"] for r in media) == ["3.5", "3.6"]
    ngo = lib.search("Peru gangs mining police marriage", source_type="ngo", k=10)["results"]
    assert sorted(r["section"] for r in ngo) == ["3.5", "4"]
    recent = lib.search("Peru gangs mining police marriage", since="2023-01-01", k=10)["results"]
    assert sorted(r["section"] for r in recent) == ["3.5", "3.6"]
    # a source dated only "2022" counts as possibly from any day of 2022
    dec = lib.search("Peru gangs mining police marriage", since="2022-12", k=10)["results"]
    assert "4" in {r["section"] for r in dec}
    both = lib.search("Peru gangs mining police marriage", source_type="ngo", since="2023", k=10)
    assert both["results"] == []


def test_report_filter(tmp_path):
    with Library(tmp_path / "two.db") as lib:
        for rid in ("peru-a", "peru-b"):
            store(lib, *make_report(rid))
        got = lib.search("demonstrations", report="peru-b", mode="lexical")["results"]
        assert [r["report_id"] for r in got] == ["peru-b"]
        got = lib.search("demonstrations", mode="lexical")["results"]
        assert sorted(r["report_id"] for r in got) == ["peru-a", "peru-b"]


# --- result contract ----------------------------------------------------------------------------


def test_result_contract_footnotes_and_snippet(lib):
    res = lib.search("extortion shop owners", k=1)
    assert set(res) == {"query", "mode", "offset", "k", "total", "more", "results"}
    assert res["offset"] == 0 and res["k"] == 1 and res["total"] >= 1
    r = res["results"][0]
    assert set(r) == {"paragraph_id", "report_id", "report_title", "section", "section_title", "kind",
                      "text", "snippet", "score", "footnotes"}
    assert r["section"] == "3.5" and r["section_title"] == "Criminal groups"
    assert r["text"].startswith("Criminal gangs extort")  # the full paragraph, not a snippet
    assert [f["n"] for f in r["footnotes"]] == [1, 2]
    f1 = r["footnotes"][0]
    assert f1["urls"] == ["https://larepublica.pe/x"]
    assert f1["citations"][0]["author"] == "La República"
    assert set(f1["citations"][0]) == {"author", "title", "container", "date", "url", "locator", "kind", "note"}
    assert "<mark>shop</mark>" in r["snippet"] and "<mark>owners</mark>" in r["snippet"]


def test_lost_footnote_text_is_listed_as_none(lib):
    r = lib.search('"largest demonstrations"', mode="lexical")["results"][0]
    assert r["footnotes"] == [{"n": 5, "text": None, "urls": [], "citations": []}]


def test_snippet_escapes_html_before_marking(lib):
    r = lib.search("mercury", mode="lexical")["results"][0]
    assert "&amp;" in r["snippet"] and "&lt;and&gt;" in r["snippet"]
    assert "<mark>mercury</mark>" in r["snippet"]
    assert "<and>" not in r["snippet"]


def test_cli_search_json_and_human_output(lib):
    runner = CliRunner()
    res = runner.invoke(main, ["--db", lib.settings.db, "search", "shop owners", "--json", "--k", "2"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == lib.search("shop owners", k=2)
    res = runner.invoke(main, ["--db", lib.settings.db, "search", "shop owners", "--k", "1"])
    assert res.exit_code == 0 and "section 3.5 ‘Criminal groups’" in res.output and "[1] La República" in res.output
    assert "<mark>" not in res.output
    res = runner.invoke(main, ["--db", lib.settings.db, "search", '"unbalanced'])
    assert res.exit_code == 1 and "Error: unbalanced quote" in res.output and "Traceback" not in res.output


# --- ranking ------------------------------------------------------------------------------------


def test_spanish_question_finds_english_paragraph(lib):
    for mode in ("semantic", "hybrid"):
        got = texts(lib.search("¿Pueden casarse las parejas del mismo sexo en el Perú?", mode=mode, k=1))
        assert got[0].startswith("Same-sex marriage is not legal"), mode
        got = texts(lib.search("¿Cuánto cobran las pandillas a las tiendas pequeñas?", mode=mode, k=1))
        assert got[0] == EXTORTION.replace("explosives.1", "explosives.").replace("amounts.2", "amounts."), mode


def test_reciprocal_rank_fusion_uses_ranks_not_scores():
    # BM25 900 vs cosine 0.9: adding raw scores would put 1 first; fusion rewards agreement
    lex = [(1, 900.0), (2, 850.0)]
    sem = [(2, 0.9), (3, 0.8)]
    fused = fuse(lex, sem, k=3)
    assert [h.pk for h in fused] == [2, 1, 3]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)
    assert (fused[0].lexical_rank, fused[0].semantic_rank) == (1, 0)


def test_binary_index_agrees_with_exact_search():
    rng = np.random.default_rng(7)
    centers = rng.normal(size=(50, 512))
    mat = centers[rng.integers(0, 50, 20_000)] + 0.6 * rng.normal(size=(20_000, 512))
    mat = (mat / np.linalg.norm(mat, axis=1, keepdims=True)).astype(np.float32)
    pks = np.arange(1, 20_001, dtype=np.int64)
    exact = VectorIndex.build(pks, mat, "exact")
    binary = VectorIndex.build(pks, mat, "binary")
    recall = []
    for qi in rng.integers(0, 20_000, 20):
        q = mat[qi] + 0.1 * rng.normal(size=512).astype(np.float32)
        q /= np.linalg.norm(q)
        a = {pk for pk, _ in exact.search(q, 10)}
        b = {pk for pk, _ in binary.search(q, 10)}
        recall.append(len(a & b) / 10)
    assert np.mean(recall) >= 0.95
    allowed = pks[::3]
    assert all(pk in set(allowed) for pk, _ in binary.search(mat[0], 10, allowed))


# --- index consistency --------------------------------------------------------------------------


def test_delete_and_reingest_keep_the_index_consistent(backend_db):
    lib = Library(backend_db)
    report, sources = make_report("peru-cycle")
    store(lib, report, sources)
    q = "illegal mining mercury"
    for mode in ("lexical", "semantic", "hybrid"):
        assert lib.search(q, mode=mode)["results"], mode
    lib.delete("peru-cycle")
    for mode in ("lexical", "semantic", "hybrid"):
        assert lib.search(q, mode=mode)["results"] == [], mode
    assert lib.store.load_vectors(512)[0].size == 0
    # re-ingest a changed version replacing the old: the new paragraph is found, nothing stale
    new_text = "Artisanal gold miners in La Pampa were evicted by the armed forces in 2019."
    report, sources = make_report("peru-cycle", extra=new_text)
    store(lib, report, sources)
    report2, sources2 = make_report("peru-cycle-v2", extra=new_text + " Update.")
    store(lib, report2, sources2, replace=["peru-cycle"])
    for mode in ("lexical", "semantic", "hybrid"):
        got = lib.search("gold miners evicted La Pampa", mode=mode, k=20)["results"]
        assert got and {r["report_id"] for r in got} == {"peru-cycle-v2"}, mode
        assert got[0]["text"] == new_text + " Update.", mode
    assert len(lib.store.load_vectors(512)[0]) == sum(r["paragraphs"] for r in lib.store.list_reports())
    if is_postgres(backend_db):
        lib.close()
        return
    # FTS5 agrees with the content table (no orphan index rows after delete/replace)
    conn = lib.store.conn
    conn.execute("INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('integrity-check', 1)")
    n_par = conn.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
    assert conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == n_par
    lib.close()


def test_a_second_connection_sees_deletes_made_by_another(backend_db):
    """The vector cache is per process; a delete through another Library must still invalidate it."""
    path = backend_db
    writer, reader = Library(path), Library(path)
    store(writer, *make_report("peru-x"))
    assert reader.search("mercury", mode="semantic")["results"]
    writer.delete("peru-x")
    assert reader.search("mercury", mode="semantic")["results"] == []
    writer.close()
    reader.close()


def test_lexical_only_library_still_searches_in_hybrid_mode(backend_db):
    from corroborate.settings import Settings

    lib = Library(backend_db, settings=Settings(embeddings=False))
    store(lib, *make_report("peru-lex"))
    got = lib.search("mercury rivers", mode="hybrid")["results"]
    assert got and "mercury" in got[0]["text"]
    assert lib.search("mercury rivers", mode="semantic")["results"] == []
    lib.close()


def test_large_library_lexical_pruning_keeps_rare_words(lib, monkeypatch):
    """Above LARGE_LIBRARY paragraphs, FTS5 is asked only for the rarest words within a postings
    budget; forced here on the small library to check the mechanism."""
    from corroborate.search import engine

    monkeypatch.setattr(engine, "LARGE_LIBRARY", 0)
    monkeypatch.setattr(engine, "MIN_POSTINGS_BUDGET", 2)
    searcher = engine.Searcher(lib.store, lib.settings)
    stats = searcher.term_stats()
    conn = lib.store.conn
    for token, prefix in (("peru", False), ("demo", True), ("mercury", False), ("zzz", False)):
        expr = f'"{token}"' + ("*" if prefix else "")
        n = conn.execute("SELECT COUNT(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH ?", (expr,)).fetchone()[0]
        assert stats.docs(token, prefix) == n, token
    q = parse_query("Peru mercury")
    pruned = q.pruned(stats.cost, 2)
    assert [c.atoms[0].tokens for c in pruned.clauses] == [("mercury",)]  # Peru: 3 paragraphs, mercury: 1
    got = lib.search("Peru mercury", mode="lexical")["results"]
    assert "mercury" in got[0]["text"]


def test_hybrid_skips_a_lexical_ranking_too_common_to_afford(lib, monkeypatch):
    """In a large library, words too common to rank within the postings budget leave hybrid
    ranking to the embeddings; lexical mode still answers, and exclusions still hold."""
    from corroborate.search import engine

    monkeypatch.setattr(engine, "LARGE_LIBRARY", 0)
    monkeypatch.setattr(engine, "MIN_POSTINGS_BUDGET", 0)
    monkeypatch.setattr(engine, "POSTINGS_BUDGET", 0.0)
    searcher = engine.Searcher(lib.store, lib.settings)
    q = parse_query("Peru -Puno")
    f = searcher.make_filter()
    assert searcher.lexical(q, 10, f, optional=True) == []
    assert searcher.lexical(q, 10, f) != []
    got = texts(lib.search("Peru -Puno", mode="hybrid"))
    assert got and not any("Puno" in t for t in got)


@pytest.mark.parametrize("query", [
    '"southern Peru" mercury', '"police stations" "in 2017"', "Peru -Puno", 'gangs -"civil union"',
    '"same-sex" -marriage', 'Peru -demonstr*', '"Policía Nacional"',
])
def test_hard_constraints_on_vector_hits_agree_with_fts5(lib, query):
    """Phrases and exclusions are checked in Python on vector hits; FTS5 must agree."""
    from corroborate.store import sqlite_fts

    q = parse_query(query)
    conn = lib.store.conn

    def fts(expr: str) -> set[int]:
        return {r[0] for r in conn.execute("SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ?",
                                           (expr,))}

    rows = conn.execute("SELECT pk, text FROM paragraphs").fetchall()
    expected = {pk for pk, _ in rows}
    for clause in q.required:
        expected &= set().union(*(fts(sqlite_fts.FTS5.words(a.tokens, a.prefix)) for a in clause.atoms))
    for atom in q.exclusions:
        expected -= fts(sqlite_fts.FTS5.words(atom.tokens, atom.prefix))
    assert {pk for pk, text in rows if q.admits(text)} == expected
    assert q.required or q.exclusions


def test_snowball_stems_meet_word_forms_in_both_languages():
    from corroborate.search.stem import stems

    assert stems("protesters") & stems("protests")
    assert stems("comisarias") & stems("comisaria")  # tokens are folded before stemming
    assert stems("protestas") & stems("protests")
    assert not stems("police") & stems("policy")


def test_question_language():
    from corroborate.search.rank import question_language

    assert question_language("¿Cuántas personas murieron en las protestas?") == "es"
    assert question_language("How many people died in the protests?") == "en"
    assert question_language("Pueden casarse las parejas del mismo sexo") == "es"


def test_hybrid_search_ranks_with_the_fitted_model(sample_lib):
    """Scores are the ranking model's probabilities, best first, and its features see both
    rankings: a Spanish question finds the English paragraph on protest deaths."""
    from corroborate.search.rank import model

    assert model() is not None
    res = sample_lib.search("¿Cuántas personas murieron en las protestas?", k=5)["results"]
    scores = [r["score"] for r in res]
    assert scores == sorted(scores, reverse=True) and all(0 < s < 1 for s in scores)
    assert any("around 60 people had died" in r["text"] for r in res)
