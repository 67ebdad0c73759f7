"""Cross-lingual widening of a question's words (search/expand.py) through the COI vocabulary
list (coi_terms.py) and the encoder's nearest library terms, on the sample."""

from __future__ import annotations

from corroborate.coi_terms import translations
from corroborate.search.engine import Searcher
from corroborate.search.expand import expanded
from corroborate.search.query import parse_query


def test_the_list_renders_a_word_in_the_other_language():
    assert translations("pandillas") == ("gang",)
    assert translations("jueces") == translations("juez") == ("judge",)  # -ces is the plural of -z
    assert "pandilla" in translations("gangs")
    assert translations("zzyzx") == ()
    # read as a word of one language only: 'gangs' is no Spanish word
    assert translations("censura", "es") == ("censorship",) and translations("gangs", "es") == ()
    assert "pandilla" in translations("gangs", "en")


def alternatives(lib, text: str) -> list[list[str]]:
    q = expanded(Searcher(lib.store, lib.settings), parse_query(text))
    return [[" ".join(a.tokens) for a in c.atoms] for c in q.clauses]


def test_a_spanish_word_the_encoder_does_not_pair_meets_the_report_through_the_list(sample_lib):
    """'pandillas' ~ gangs 0.59 in the encoder, below the cut: without the list a Spanish question
    on gangs matched no English word of the sample."""
    clauses = alternatives(sample_lib, "pandillas en Lima")
    widened = next(c for c in clauses if c[0] == "pandillas")
    assert widened[1:3] == ["gang", "gangs"]  # the list's singular and its plural, as the index holds them
    # a word the index holds is left as written
    assert ["lima"] in clauses


def test_a_spanish_question_on_gangs_finds_the_english_paragraphs_on_gangs(sample_lib):
    texts = [r["text"].lower() for r in sample_lib.search("pandillas", k=5, mode="lexical")["results"]]
    assert texts and all("gang" in t for t in texts)


def test_a_spanish_acronym_of_an_international_body_meets_the_english_one(sample_lib):
    """'CIDH' and 'ONG' are the Spanish names of the IACHR and of NGOs; the encoder does not
    pair such acronyms with the report's, the list does."""
    clauses = alternatives(sample_lib, "la CIDH y las ONG")
    assert ["cidh", "iachr"] in clauses and ["ong", "ngo", "ngos"] in clauses
    texts = [r["text"] for r in sample_lib.search("CIDH", k=5, mode="lexical")["results"]]
    assert texts and all("IACHR" in t for t in texts)
