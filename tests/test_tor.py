"""Terms-of-reference coverage on hand-built reports (lexical and with a stand-in embedding),
and on the real sample: every item has a verdict and evidence or an explicit gap."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from corroborate.audit.tor import stem, terms, tor_matrix
from corroborate.models import TorItem
from test_audit_helpers import F, P, R, S, doc


def _report(tor: list[TorItem]):
    protest = [P(f"Protesters blocked roads in Puno and Juliaca during the protests of {m} 2023, and the "
                 f"the police treatment of protesters was violent.[{i}]")
               for i, m in enumerate(["January", "February", "March", "April"], start=3)]
    report = R(
        S("1", "Overview", sections=[
            S("1.5", "Political developments",
              P("Congress removed President Castillo in December 2022 and Boluarte was sworn in.[1]"),
              P("Early elections were proposed but rejected by Congress in 2023.[2]"))]),
        S("2", "Demonstrations", *protest,
          P("Criminal groups extorted transport companies to join road blocks during the protests.[7]")),
        S("3", "Economy", *[P(f"Unemployment reached {n} percent in the first trimester according to INEI.[{n}]")
                            for n in range(8, 14)]),
        footnotes=[F(n, doc(n)) for n in range(1, 14)],
    )
    report.terms_of_reference = tor
    return report


TOR = [TorItem(text="Political opponents and activists", items=[
    TorItem(text="Political developments"),
    TorItem(text="State pressure to participate in protests in rural areas"),
    TorItem(text="Involvement of criminal groups in protests (e.g. extortion to avoid road blocks)"),
    TorItem(text="Demonstrations and treatment of protesters by the police"),
])]


def _by_text(nodes, out=None):
    out = {} if out is None else out
    for n in nodes:
        out[n["text"]] = n
        _by_text(n["items"], out)
    return out


def test_title_match_paragraph_evidence_and_gap():
    m = tor_matrix(_report(TOR))
    items = _by_text(m["items"])
    dev = items["Political developments"]
    assert dev["verdict"] == "covered" and dev["sections"][0]["section"] == "1.5"
    # neighbouring protest paragraphs sound related, but nothing treats pressure to participate
    pressure = items["State pressure to participate in protests in rural areas"]
    assert pressure["verdict"] == "gap" and pressure["evidence"] == [] and pressure["score"] == 0
    crime = items["Involvement of criminal groups in protests (e.g. extortion to avoid road blocks)"]
    assert crime["verdict"] == "partial" and crime["evidence_count"] == 1
    treatment = items["Demonstrations and treatment of protesters by the police"]
    assert treatment["verdict"] == "covered"
    # the heading aggregates its sub-items and keeps the hierarchy
    head = m["items"][0]
    assert head["verdict"] == "partial" and [c["id"] for c in head["items"]] == ["1.1", "1.2", "1.3", "1.4"]
    assert m["summary"] == {"items": 4, "covered": 2, "partial": 1, "gap": 1}


def test_context_of_the_tor_heading_keeps_evidence_under_the_right_topic():
    tor = [TorItem(text="LGBTI", items=[TorItem(text="Protection mechanisms by the police")]),
           TorItem(text="Demonstrations", items=[TorItem(text="Protection mechanisms by the police")])]
    report = R(S("5", "Situation of LGBTI people",
                 P("Protection mechanisms by the police for LGBTI persons remain weak.[1]")),
               footnotes=[F(1, doc(1))])
    report.terms_of_reference = tor
    items = tor_matrix(report)["items"]
    assert items[0]["items"][0]["verdict"] == "partial"
    assert items[1]["items"][0]["verdict"] == "gap"


def _fake_embed(texts):
    """Bag of stems hashed into 512 dims: similar wording -> similar vectors, deterministically."""
    out = np.zeros((len(texts), 512), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in terms(t):
            out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 512] += 1
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    return out


def test_semantic_gate_reports_z_scores_when_vectors_exist():
    report = _report(TOR)
    ids = [p.id for p in report.paragraphs()]
    vectors = (ids, _fake_embed([p.text for p in report.paragraphs()]))
    m = tor_matrix(report, vectors, _fake_embed)
    assert m["method"]["semantic"] is True
    items = _by_text(m["items"])
    ev = items["Demonstrations and treatment of protesters by the police"]["evidence"]
    assert ev and all(e["semantic_z"] is not None and e["semantic_z"] >= 1.0 for e in ev)
    assert items["State pressure to participate in protests in rural areas"]["verdict"] == "gap"


def test_stemmer_meets_word_forms():
    assert stem("protesters") == stem("protests") == stem("protest")
    assert stem("registration") == stem("registry")
    assert stem("police") != stem("policy")


@pytest.mark.slow
def test_sample_tor_every_item_has_verdict_and_evidence_or_gap(sample_lib):
    from conftest import SAMPLE_ID

    m = sample_lib.tor(SAMPLE_ID)
    items = _by_text(m["items"])
    assert len(items) >= 20
    for node in items.values():
        assert node["verdict"] in ("covered", "partial", "gap")
        if not node["items"]:
            assert (node["verdict"] == "gap") == (not node["evidence"] and not node["sections"]), node["text"]
    assert items["Ability to track and trace, including access to the residence registration system"][
        "verdict"] == "gap"
    assert items["State pressure to participate in protests in rural areas"]["verdict"] == "gap"
    # treated in passing only: one paragraph of 1.2 on restrictions to freedom of movement
    movement = items["Freedom of movement"]
    assert movement["verdict"] == "partial"
    assert any("freedom of internal movement" in e["snippet"] for e in movement["evidence"])
    # "Economy/humanitarian situation": the economy has a section, the humanitarian situation no word
    economy = items["Economy/humanitarian situation"]
    assert economy["verdict"] == "partial"
    assert [f["treated"] for f in economy["facets"]] == [True, False]
    assert items["Political developments"]["verdict"] == "covered"
    assert any(s["section"].rstrip(".") == "1.5" for s in items["Political developments"]["sections"])
    assert items["Prevalence"]["verdict"] == "covered"


def test_facets_split_enumerations_and_drop_qualifiers():
    from corroborate.audit.tor import facets

    assert facets("Economy/humanitarian situation") == ["Economy", "humanitarian situation"]
    assert facets("Involvement of criminal groups in protests (e.g. extortion to avoid road blocks)") == [
        "Involvement of criminal groups in protests"]
    # "Main actors" is ToR framing (which actors is the topic: gangs, groups, cartels)
    assert facets("Main actors/gangs/groups/cartels, nationally and especially in Lima") == [
        "gangs", "groups", "cartels", "nationally"]
    assert facets("Activities/methods: Violence, threats, extortion")[:2] == ["Violence", "threats"]
    assert facets("State pressure to participate in protests in rural areas") == [
        "State pressure to participate in protests in rural areas"]


_SAME = {"vínculos": "ties", "links": "ties", "pandillas": "gangs", "policía": "police"}


def _word_embed(texts):
    """Stand-in for a multilingual encoder: a translation or synonym gets its word's vector."""
    out = np.zeros((len(texts), 512), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in t.lower().replace(".", " ").split():
            out[i, int(hashlib.md5(_SAME.get(w, w).encode()).hexdigest(), 16) % 512] += 1
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    return out


def test_tor_words_are_read_in_the_report_words_through_the_encoder():
    """'links'/'vínculos' in the ToR, 'ties' in the report: the word gate meets them through the
    encoder (a Spanish ToR or a synonym), and says which facet each paragraph supports."""
    paras = [P(f"Gangs in {city} have ties with the police, who tip them off before raids.[{i}]")
             for i, city in enumerate(["Lima", "Trujillo", "Callao", "Piura"], start=1)]
    paras += [P(f"Unemployment reached {n} percent in {n + 2000}.[{n}]") for n in range(5, 12)]
    report = R(S("3", "Criminal groups", *paras), footnotes=[F(n, doc(n)) for n in range(1, 12)])
    ids = [p.id for p in report.paragraphs()]
    vectors = (ids, _word_embed([p.text for p in report.paragraphs()]))
    for text in ("Links of gangs with the police", "Vínculos de las pandillas con la policía"):
        report.terms_of_reference = [TorItem(text=text)]
        assert tor_matrix(report)["items"][0]["verdict"] == "gap"  # word for word, "links" is nowhere
        item = tor_matrix(report, vectors, _word_embed)["items"][0]
        assert item["verdict"] == "covered", text
        assert item["evidence_count"] == 4 and all(e["facets"] == [text] for e in item["evidence"])


@pytest.mark.slow
def test_sample_tor_page_and_json_say_why(sample_lib, sample_db_master):
    """Each facet's support and the facets each evidence paragraph supports, in JSON and on the page."""
    import re

    from fastapi.testclient import TestClient

    from conftest import SAMPLE_ID
    from corroborate.settings import Settings
    from corroborate.web.app import create_app

    economy = _by_text(sample_lib.tor(SAMPLE_ID)["items"])["Economy/humanitarian situation"]
    assert [(f["text"], f["support"]) for f in economy["facets"]] == [
        ("Economy", "section"), ("humanitarian situation", None)]
    assert economy["evidence"] and all(e["facets"] == ["Economy"] for e in economy["evidence"])
    html = TestClient(create_app(Settings(db=str(sample_db_master)))).get(f"/reports/{SAMPLE_ID}/tor").text
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Economy (a section) ; humanitarian situation (nothing)" in text
    assert "supports: Economy" in text


def test_coi_vocabulary_rewrites_phrases_first_in_either_direction():
    from corroborate.coi_terms import rewrite

    # the phrase as a whole ('circulación' alone is no COI term), plurals and feminines meet their entry
    assert rewrite("Libertad de circulación", "es", "en") == "Freedom of movement"
    assert rewrite("Pandillas en zonas urbanas", "es", "en") == "Gang en urban area"
    assert rewrite("el poder judicial", "es", "en") == "el judiciary"  # not 'poder' -> ability
    # a phrase does not run across punctuation: 'rurales/urbanas' are two words of a list
    assert rewrite("zonas rurales/urbanas", "es", "en") == "rural area/urban"
    assert rewrite("human trafficking and forced displacement", "en", "es") == (
        "trata de personas and desplazamiento forzado")
    assert rewrite("Trata de personas", "es", "es") == "Trata de personas"


def test_spanish_tor_over_an_english_report_without_the_encoder():
    """Words the multilingual encoder does not pair ('circulación' ~ movement 0.61, 'trata de
    personas' ~ human trafficking 0.42) are read through the COI vocabulary: the Spanish ToR gets
    the English one's verdicts even without embeddings (on the old code: gap, gap)."""
    movement = [P(f"Freedom of movement was restricted in {place} during the state of emergency.[{i}]")
                for i, place in enumerate(["Puno", "Cusco", "the VRAEM"], start=1)]
    trafficking = [P(f"Human trafficking networks recruited women from {place} for sexual exploitation.[{i}]")
                   for i, place in enumerate(["Loreto", "Madre de Dios", "Lima"], start=4)]
    report = R(S("1", "Overview", *movement), S("2", "Criminality", *trafficking),
               S("3", "Economy", P("Unemployment reached 7 percent in 2022.[7]")), footnotes=[F(n, doc(n)) for n in range(1, 8)])
    verdicts = {}
    for tor in (["Freedom of movement", "Human trafficking"], ["Libertad de circulación", "Trata de personas"]):
        report.terms_of_reference = [TorItem(text=t) for t in tor]
        verdicts[tor[0]] = [(n["verdict"], n["evidence_count"]) for n in tor_matrix(report)["items"]]
    assert verdicts["Freedom of movement"] == [("covered", 3), ("covered", 3)]
    assert verdicts["Libertad de circulación"] == verdicts["Freedom of movement"]


def test_words_written_together_are_one_concept():
    """'criminal groups' is one thing: paragraphs on defence groups at the protests and on
    criminal cases do not treat "criminal groups in protests" (on the old code, covered by them)."""
    paras = [P(f"Defence groups and student groups joined the protests in {c} in {m} 2023.[{i}]")
             for i, (c, m) in enumerate([("Puno", "January"), ("Juliaca", "February"), ("Cusco", "March")], start=1)]
    paras += [P(f"Criminal courts heard {n} criminal cases in {n + 2000}, a criminal justice backlog.[{n}]")
              for n in range(4, 9)]
    paras.append(P("Criminal groups extorted transport companies to join road blocks during the protests.[9]"))
    report = R(S("2", "Demonstrations", *paras), S("3", "Economy", P("Unemployment was 7 percent.[10]")),
               footnotes=[F(n, doc(n)) for n in range(1, 11)])
    report.terms_of_reference = [TorItem(text="Involvement of criminal groups in protests")]
    item = tor_matrix(report)["items"][0]
    assert item["verdict"] == "partial"
    assert [e["snippet"][:15] for e in item["evidence"]] == ["Criminal groups"]


def test_a_facet_addressed_once_counts_when_the_item_is_treated():
    """'Presence/Areas of operation': the report treats where the gangs operate and says 'presence'
    once. Each facet is addressed and the item is treated (three paragraphs): covered. The
    same one paragraph alone does not treat an item, and a facet nothing addresses keeps it partial."""
    paras = [P(f"The gang's areas of operation include the district of {d}, where it runs its extortion "
               f"operation.[{i}]") for i, d in enumerate(["Lince", "Comas", "Ate"], start=1)]
    paras.append(P("The gang has a presence in Trujillo since 2021.[4]"))
    economy = [P(f"Unemployment reached {n} percent in {n + 2000}.[{n}]") for n in range(5, 9)]
    report = R(S("3", "Criminality", *paras), S("4", "Economy", *economy), footnotes=[F(n, doc(n)) for n in range(1, 9)])
    report.terms_of_reference = [TorItem(text="Presence/Areas of operation"), TorItem(text="Presence"),
                                 TorItem(text="Presence, areas of operation, recruitment"),
                                 TorItem(text="Presence, areas of operation")]
    both, presence, three, listed = tor_matrix(report)["items"]
    assert [(f["text"], f["support"]) for f in both["facets"]] == [
        ("Presence", "passing"), ("Areas of operation", "paragraphs")]
    assert both["verdict"] == "covered"
    assert presence["verdict"] == "partial"  # one paragraph: touched, not treated
    assert [f["support"] for f in three["facets"]] == ["passing", "paragraphs", None]
    assert three["verdict"] == "partial"  # 2 of 3 facets addressed: below COVERED_SHARE
    # a comma lists two topics, each to be addressed, as a slash does (partial until session 10)
    assert listed["verdict"] == "covered"
