"""The second encoder (search/e5.py): stored at ingest, read by the ranker, absent gracefully."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import DATA, ROOT, SAMPLE
from corroborate import Library
from corroborate.search import e5, rank
from corroborate.search.engine import Searcher
from corroborate.search.query import parse_query
from corroborate.settings import Settings

QUESTION_FILES = [DATA / "eval" / "dev-questions.jsonl", ROOT / "benchmarks" / "own-questions.jsonl"]


def _features(lib, question: str):
    s = Searcher(lib.store, lib.settings)
    q = parse_query(question)
    lex = s.lexical(q, 60, s.make_filter(), optional=True)
    sem = s.finish_semantic(q, 60, s.start_semantic(q, 60, s.make_filter()).result())
    return s.candidate_features(q, lex, sem)


def test_the_sample_is_stored_with_e5_vectors_and_ranked_with_them(sample_lib):
    pks = [int(pk) for pk in sample_lib.store.load_vectors(512)[0]]
    assert len(sample_lib.store.e5_vectors(pks)) == len(pks) == 158
    pks, x, with_e5 = _features(sample_lib, "¿Persigue la policía a las mujeres trans en Lima?")
    assert with_e5
    col = x[:, rank.ALL_FEATURES.index("e5_cos")]
    assert (col > 0.5).all() and col.std() > 0  # real cosines, not the zero filler
    assert {"e5_cos_z", "es_e5_cos_z"} <= set(rank.model(e5=True).names)
    assert not any(n.startswith(("e5", "es_e5")) for n in rank.model().names)


def test_a_report_ingested_without_e5_ranks_by_use_alone(tmp_path):
    with Library(tmp_path / "lib.db", settings=Settings(e5=False)) as lib:
        lib.ingest(SAMPLE)
        pks = [int(pk) for pk in lib.store.load_vectors(512)[0]]
        assert len(pks) == 158 and lib.store.e5_vectors(pks) == {}
        _, x, with_e5 = _features(lib, "How much do gangs charge small shops?")
        assert not with_e5 and not x[:, rank.ALL_FEATURES.index("e5_cos")].any()
        res = lib.search("How much do gangs charge small shops?", k=5)["results"]
        assert res and all(0 < r["score"] < 1 for r in res)


def test_passage_vectors_are_remembered_by_text(monkeypatch):
    texts = ["Extortion of small businesses is common in Trujillo.", "La policía detuvo a tres personas."]
    first = e5.embed_passages(texts)
    assert first.dtype == np.float16 and first.shape == (2, e5.DIM)
    assert np.allclose(np.linalg.norm(first.astype(np.float32), axis=1), 1, atol=1e-2)
    calls = []
    model = e5._get()
    real = model.passage
    monkeypatch.setattr(model, "passage", lambda chunk: calls.append(list(chunk)) or real(chunk))
    again = e5.embed_passages([texts[1], "A new paragraph.", texts[0]])
    assert calls == [["A new paragraph."]]  # only the text not seen before reaches the model
    assert again[0].tobytes() == first[1].tobytes() and again[2].tobytes() == first[0].tobytes()


def test_a_spanish_question_and_its_english_answer_meet_closer_than_an_unrelated_paragraph():
    q = e5.embed_query("¿Cuántas personas murieron en las protestas?")
    p = e5.embed_passages(["Around 60 people had died during the protests, according to the Ombudsman.",
                           "The mining sector accounts for a large share of Peru's exports."]).astype(np.float32)
    assert p[0] @ q > p[1] @ q + 0.05


def _mrr(db, questions) -> float:
    total = 0.0
    with Library(db) as lib:  # a Library of its own: no answers remembered from another test
        for row in questions:
            texts = [r["text"].lower() for r in lib.search(row["q"], k=10)["results"]]
            at = next((i for i, t in enumerate(texts) if any(g.lower() in t for g in row["gold"])), None)
            total += 0 if at is None else 1 / (at + 1)
    return total / len(questions)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_e5_ranks_the_sample_questions_at_least_as_well_as_use_alone(sample_db_master, monkeypatch, lang):
    """The same library and questions (the dev questions and the team's own), ranked with the
    E5 features and then by the USE-only model: the second encoder must not cost the
    questions the tool was built on."""
    rows = [json.loads(line) for f in QUESTION_FILES for line in f.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    questions = [r for r in rows if r.get("lang") == lang and r.get("gold")]
    assert len(questions) >= 10
    with_e5 = _mrr(sample_db_master, questions)
    monkeypatch.setattr(Searcher, "e5_cosines", lambda self, q, pks: None)
    without = _mrr(sample_db_master, questions)
    assert with_e5 >= without, (with_e5, without)


# Not-covered questions that the sample's words and country answer without the quote gate: their
# best quotes share words, not the topic. The two Spanish ones are from benchmarks/questions'
# tuning half; its English one ("Are girls married off as children in Amazonian communities?")
# is refused by an earlier rule since the E5 ranker's penalty was chosen by cross-validation
# (session 9), so an English question outside the set stands in for it.
FAR_QUOTES = [
    "Does Peru recognise dual citizenship?",  # "Same-sex couples are not permitted to marry …" (blanked: 'Peru')
    "¿Cómo son las condiciones en las cárceles peruanas?",  # "… ‘Niño Guerrero’, imprisoned in Aragua state"
    "¿Puede un apátrida obtener la nacionalidad peruana?",  # "Same-sex couples are not permitted to marry …"
]


@pytest.mark.slow
@pytest.mark.parametrize("question", FAR_QUOTES)
def test_a_quote_the_retrieval_encoder_puts_far_from_the_question_is_no_answer(sample_lib, monkeypatch, question):
    from corroborate.search import answer

    refused = sample_lib.ask(question)
    assert not refused["found"] and refused["quotes"] == [] and refused["best_score"] is not None
    # every quote exactly at its floor: through the gate, and no help to a word the library lacks
    monkeypatch.setattr(answer, "quote_relevance", lambda searcher, q, chosen: [0.0] * len(chosen))
    assert sample_lib.ask(question)["found"]  # the gate, not an earlier rule, refused it


@pytest.mark.slow
def test_the_quote_gate_keeps_the_covered_questions_answered(sample_lib):
    """Every dev and own question is still answered, and its kept quotes clear the floor."""
    from corroborate.search import answer
    from corroborate.search.rank import question_language

    qs = [json.loads(line) for path in QUESTION_FILES for line in path.read_text(encoding="utf-8").splitlines()
          if line.strip()]
    for q in qs:
        a = sample_lib.ask(q["q"])
        assert a["found"], q["q"]
        cos = e5.embed_passages([x["text"] for x in a["quotes"]]).astype(np.float32) @ e5.embed_query(q["q"])
        same = [question_language(x["text"]) == question_language(q["q"]) for x in a["quotes"]]
        floor = [answer.QUOTE_RELEVANCE_SAME if s else answer.QUOTE_RELEVANCE_ACROSS for s in same]
        assert max(c - f for c, f in zip(cos, floor, strict=True)) >= 0, q["q"]


def test_without_e5_vectors_every_quote_is_kept(tmp_path):
    """A library ingested with --no-e5 answers as before: the gate needs the stored vectors."""
    from corroborate.search import answer

    with Library(tmp_path / "lib.db", settings=Settings(e5=False)) as lib:
        lib.ingest(SAMPLE)
        searcher = Searcher(lib.store, lib.settings)
        chosen = [answer.Candidate(pk=pk, start=0, end=5, text="Peru.", rank=0, first=0, last=0)
                  for pk in lib.store.load_vectors(512)[0][:2].tolist()]
        assert answer.quote_relevance(searcher, "Unrelated?", chosen) is None
