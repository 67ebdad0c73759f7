"""`ask` over a library of several reports (the sample, the UK Home Office CPIN on Colombia and
the corpus PDFs, with embeddings): questions on topics no report covers are refused, in English
and Spanish, while covered questions on each report are still answered.

The refusal reads the library itself: a question word that no report has a word for (by the
multilingual nearest library term) and that the quotes do not cover marks the topic as absent.
"""

from __future__ import annotations

import shutil

import pytest

from corroborate import Library
from corroborate.search.answer import NOT_FOUND, without_places

# Near the library's topics (prisons, conscription, family violence): refused on the score of
# the best quote. (Not all such questions are: "Are blood feuds common in rural Peru?" is answered
# with a CPIN line on blood types; benchmarks/results/peers.md.)
NOT_COVERED = [
    "Are prisoners in Peru held in overcrowded cells without sanitation?",
    "Can a conscientious objector refuse compulsory military service?",
    "¿Existen venganzas de sangre entre familias en el Perú?",
    "¿Hay diálisis para enfermos renales en Lima?",
]


@pytest.mark.parametrize("question", NOT_COVERED)
def test_not_covered_topics_are_refused(several_reports, question):
    a = several_reports.ask(question)
    assert a["found"] is False, a["quotes"][:1]
    assert a["answer"] == NOT_FOUND and a["quotes"] == []


# Refused although a sentence scores well ("Is polygamy practised in Peru?" meets sentences on
# Peru and on marriage): no report has a word for the topic, in either language.
NO_WORD_FOR_IT = [
    ("Is polygamy practised in Peru?", "polygamy"),
    ("¿Se practica la poligamia en el Perú?", "poligamia"),
    ("¿Son atacadas las personas con albinismo en Colombia?", "albinismo"),
    ("Are there nuclear power plants in Colombia?", "nuclear"),
    # The COI list renders 'censura' as 'censorship', which no report holds; its truncated stem
    # meets 'census' and the encoder finds a term near enough, so it was answered with a
    # sentence on cybercrime while the English question was refused.
    ("¿Hay censura de internet en el Perú?", "censura"),
    ("Is the internet censored in Peru?", "censored"),
    # Specific English words the library does not hold: 'surrogacy' shares its five-letter stem
    # with 'surrounding', and 'honour' has a topic neighbour ('respected' 0.71); both were
    # answered, with a sentence on same-sex marriage and one on homicide rates.
    ("Can surrogacy contracts be enforced in Peru?", "surrogacy"),
    ("Are there honour killings in Peru?", "honour"),
    # A Spanish word the COI list renders (claims asylum decisions turn on: leprosy), whose
    # rendering no report holds; its nearest library terms are 'lumbar' and 'epilepsy' (0.65).
    ("¿Se discrimina a las personas con lepra en el Perú?", "lepra"),
]


@pytest.mark.parametrize(("question", "word"), NO_WORD_FOR_IT)
def test_a_topic_the_library_has_no_word_for_is_refused(several_reports, question, word):
    a = several_reports.ask(question)
    assert a["found"] is False and a["quotes"] == []
    assert a["unknown_words"] == [word]


COVERED = [
    ("How much do gangs charge small shops?", "euaa-peru-country-focus-2023"),
    ("¿Cuántas comisarías había en el Perú en 2017?", "euaa-peru-country-focus-2023"),
    ("Can a person relocate internally to Bogotá to escape an armed group?",
     "cpin-colombia-internal-relocation-2026-03"),
    ("¿Pueden los grupos armados rastrear a una persona que se muda a otra ciudad de Colombia?",
     "cpin-colombia-internal-relocation-2026-03"),
    # a question naming a country (Argentina) answered from a report without a country of its own
    ("Did the Argentine police detain José Delfín Acosta Martínez?", "iachr-merits-report-146-18"),
    ("¿Qué decidió el Tribunal Europeo de Derechos Humanos en el caso KlimaSeniorinnen?",
     "mpilhlt-klimaseniorinnen-10-25364-01-11-2024-1-5"),
]


# A word the list renders is known when a rendering shares its stem with a library word
# ('homosexualidad' -> 'homosexuality', the reports say 'homosexual').
LISTED_AND_HELD = ["¿Es delito la homosexualidad en el Perú?"]


@pytest.mark.parametrize("question", LISTED_AND_HELD)
def test_a_listed_word_whose_rendering_the_library_holds_is_known(several_reports, question):
    a = several_reports.ask(question)
    assert a["found"] is True and a["unknown_words"] == []


def test_the_list_reads_spanish_words_and_english_words_keep_their_stems(several_reports):
    """The list decides a Spanish question's listed word; an English question's word not held as
    written is read by its stem ('tracking' ~ 'track', which the CPIN says), never by whether the
    library holds its Spanish rendering ('rastreo')."""
    import numpy as np

    from corroborate.search.absence import unknown_words
    from corroborate.search.engine import Searcher

    s = Searcher(several_reports.store, several_reports.settings)
    spanish = {"censura": "censura", "homosexualidad": "homosexualidad", "pandillas": "pandillas"}
    assert unknown_words(s, spanish, np.zeros(3), [], "es") == ["censura"]
    english = {"tracking": "tracking", "censored": "censored"}
    assert unknown_words(s, english, np.zeros(2), [], "en") == ["censored"]


def test_a_specific_english_word_needs_an_inflection_or_a_rendering(several_reports):
    """A specific word of an English question that the library does not hold is known through
    an inflection ('cameras' ~ camera) or its family ('fighters' ~ fighting), not through its
    five-letter stem ('surrogacy' ~ surrounding) nor a topic neighbour; a common word ('count',
    'nights') keeps the encoder's looser reading: it rarely names the topic."""
    import numpy as np

    from corroborate.search.absence import unknown_words
    from corroborate.search.common_words import zipf
    from corroborate.search.engine import Searcher

    assert zipf("nights") == zipf("night") > 4.5 > zipf("surrogacy")
    s = Searcher(several_reports.store, several_reports.settings)
    words = {w: w for w in ("surrogacy", "cameras", "count", "nights", "dictatorship")}
    assert unknown_words(s, words, np.zeros(len(words)), [], "en") == ["surrogacy", "dictatorship"]


def test_a_specific_english_word_is_known_through_its_family(sample_lib):
    """The sample says 'fighting' and 'combat', never 'fighters' (nearest terms 0.71 and 0.69):
    the stems fighter and fight, one the start of the other, make it known, and "How many
    fighters does the Militarized Communist Party have?" is answered."""
    import numpy as np

    from corroborate.search.absence import held_by_stem, unknown_words
    from corroborate.search.engine import Searcher

    s = Searcher(sample_lib.store, sample_lib.settings)
    assert not s.holds("fighters") and held_by_stem(s, "fighters")
    assert unknown_words(s, {"fighters": "fighters"}, np.zeros(1), [], "en") == []
    assert sample_lib.ask("How many fighters does the Militarized Communist Party have?")["found"] is True


@pytest.mark.parametrize(("question", "report"), COVERED)
def test_covered_questions_are_answered_from_their_report(several_reports, question, report):
    a = several_reports.ask(question)
    assert a["found"] is True and a["unknown_words"] == []
    assert a["quotes"][0]["report_id"] == report


# A topic the library treats for one country only: a question about another country is refused,
# not answered with the first country's sentence ("The law prohibited FGM/C …" is the CPIN on
# Colombia) nor with a sentence about the asked country that shares some words.
# The Spanish schooling question: `ask` reads past other countries' paragraphs for a question
# naming a country (answer.candidates_for, topic_scope; without it a covered question about Peru
# in a library of many countries' reports on one topic is refused, test below): 7 of its first 8
# paragraphs are the CPIN's on Colombian schooling, so the first Peru paragraphs are read, and a
# weak one (an IPE study of Peruvian …) used to answer. Since the E5 quote gate
# (answer.quote_relevance) it is refused: the encoder puts that quote far from the question.
ONE_COUNTRY_ONLY = [
    ("Is female genital mutilation practised in Peru?", "Is female genital mutilation practised in Colombia?"),
    ("¿Se practica la mutilación genital femenina en el Perú?",
     "¿Se practica la mutilación genital femenina en Colombia?"),
    ("Is basic education compulsory for Peruvian children?", "Is basic education compulsory for Colombian children?"),
    ("¿Es obligatoria la educación básica para los niños peruanos?",
     "¿Es obligatoria la educación básica para los niños colombianos?"),
]


@pytest.mark.parametrize(("elsewhere", "here"), ONE_COUNTRY_ONLY)
def test_a_topic_treated_for_another_country_is_refused(several_reports, elsewhere, here):
    a = several_reports.ask(elsewhere)
    assert a["found"] is False and a["quotes"] == [], a["quotes"][:1]
    b = several_reports.ask(here)
    assert b["found"] is True
    assert b["quotes"][0]["report_id"] == "cpin-colombia-internal-relocation-2026-03"



# About the asked country and sharing words with the question, in another sense: found through
# the place ('Peru') and a word, not through the topic. The topic alone (the country blanked out)
# ranks none of these passages among the paragraphs `ask` reads, so they do not answer
# (`answer.topic_scope`); before it, each was answered (benchmarks/results/peers.md).
FOUND_THROUGH_THE_PLACE = [
    "Does Peru carry out the death penalty?",
    "Can women inherit land in Peru?",
    # Answered ("Extortion is a problem in Peru.") while the topic's rank is counted among the
    # asked country's paragraphs only (the many-countries test below says why); refused again
    # since the E5 quote gate (answer.quote_relevance).
    "¿Se aplica la pena capital en el Perú?",
]


@pytest.mark.parametrize("question", FOUND_THROUGH_THE_PLACE)
def test_a_passage_found_only_through_the_country_does_not_answer(several_reports, question):
    a = several_reports.ask(question)
    assert a["found"] is False and a["quotes"] == [], a["quotes"][:1]


# Questions naming a country whose answer the topic alone also finds: still answered, from the
# report on that country.
NAMING_A_COUNTRY = [
    ("How many police officers did Peru have in 2017?", "euaa-peru-country-focus-2023"),
    ("What is the minimum wage in Colombia?", "cpin-colombia-internal-relocation-2026-03"),
]


@pytest.mark.parametrize(("question", "report"), NAMING_A_COUNTRY)
def test_a_question_naming_a_country_is_answered_when_its_topic_finds_the_passage(several_reports, question, report):
    a = several_reports.ask(question)
    assert a["found"] is True
    assert a["quotes"][0]["report_id"] == report


def test_without_places_blanks_the_countries_only():
    assert without_places("Does Peru carry out the death penalty?") == "Does   carry out the death penalty?"
    assert without_places("¿Cómo son las cárceles peruanas?") == "¿Cómo son las cárceles  ?"
    assert without_places("What was Peru's murder rate in 2020?") == "What was   murder rate in 2020?"
    assert without_places("Is abortion legal in Costa Rica?") == "Is abortion legal in  ?"
    assert without_places("How many people were arrested?") == "How many people were arrested?"


# Many countries' reports on the same topic: the topic alone ('extortion of small businesses',
# Peru blanked out) ranks the other countries' paragraphs first, so a rank over the whole
# library would refuse a question about Peru that the sample answers; `topic_scope` counts the
# rank among the asked country's paragraphs.
OTHER_COUNTRIES = ["Ecuador", "Colombia", "Honduras", "Guatemala", "El Salvador", "Mexico", "Venezuela",
                   "Bolivia", "Brazil", "Chile", "Argentina", "Paraguay", "Nicaragua", "Panama", "Costa Rica"]


def _country_report(country: str, i: int) -> str:
    return f"""<html><head><title>{country}: Criminal groups and extortion</title></head><body>
<h1>{country}: Criminal groups and extortion</h1>
<h2>1. Extortion of small businesses</h2>
<p>Criminal gangs in {country} extort small businesses: shop owners, bus drivers and street
vendors pay weekly fees to the gangs, and those who refuse to pay are threatened or attacked.
Complaints for extortion rose by {10 + i} percent in 2022 according to the police of {country}.</p>
<p>In {country}, gangs demand extortion payments from small shops and transport companies; owners
who do not pay the gangs have had their businesses burned or have been killed.</p>
<h2>2. Other crime</h2>
<p>Drug trafficking routes cross {country}, and homicide rates vary between its regions.</p>
</body></html>"""


@pytest.fixture(scope="module")
def many_countries(sample_db_master, tmp_path_factory):
    folder = tmp_path_factory.mktemp("many-countries")
    db = folder / "lib.db"
    shutil.copy(sample_db_master, db)
    lib = Library(db)
    for i, country in enumerate(OTHER_COUNTRIES):
        path = folder / f"{country.lower().replace(' ', '-')}-extortion.html"
        path.write_text(_country_report(country, i), encoding="utf-8")
        lib.ingest(path)
    assert len(lib.reports()) == 1 + len(OTHER_COUNTRIES)
    yield lib
    lib.close()


@pytest.mark.parametrize("question", [
    "Do criminal gangs extort small businesses in Peru?",
    "¿Extorsionan las bandas criminales a los pequeños negocios en el Perú?",
])
def test_a_covered_question_is_answered_among_many_countries_on_the_same_topic(many_countries, question):
    a = many_countries.ask(question)
    assert a["found"] is True, a
    assert {q["report_id"] for q in a["quotes"]} == {"euaa-peru-country-focus-2023"}
    # the other countries' paragraphs do fill the topic's first results: the case this is about
    topic = many_countries.search("criminal gangs extort small businesses", k=8, mode="hybrid")
    assert sum(r["report_id"] != "euaa-peru-country-focus-2023" for r in topic["results"]) >= 6


def test_a_listed_phrase_is_absent_only_when_a_specific_word_of_each_rendering_is(several_reports):
    """'vientre de alquiler' renders as 'surrogacy', which no report says; 'situación política'
    renders as 'political situation', two common words the reports hold apart; 'crímenes de
    honor' has the rendering 'honor killing', whose words are common or held."""
    from corroborate.search.absence import absent_phrases
    from corroborate.search.engine import Searcher

    s = Searcher(several_reports.store, several_reports.settings)
    weak = ["vientre", "alquiler", "situacion", "politica", "honor"]
    assert absent_phrases(s, "¿Hay contratos de vientre de alquiler o crímenes de honor en Perú?", weak) == [
        "vientre de alquiler"]
    assert absent_phrases(s, "¿Cuál es la situación política en el Perú?", weak) == []
    # a phrase whose words the quotes cover is not asked
    assert absent_phrases(s, "¿Hay contratos de vientre de alquiler?", ["contratos"]) == []


def test_a_quote_that_answers_in_its_own_words_outweighs_a_word_the_library_lacks(sample_lib, monkeypatch):
    """'runoff' is a specific word the sample never uses (it says 'second round'), but the
    retrieval encoder puts the quote on Castillo's defeat of Keiko Fujimori well above its floor
    (SYNONYM_MARGIN): the question is answered. Without that margin it is refused on the word."""
    from corroborate.search import answer

    question = "Who did Castillo beat in the 2021 runoff?"
    a = sample_lib.ask(question)
    assert a["found"] and any("Keiko Fujimori" in q["text"] for q in a["quotes"])
    monkeypatch.setattr(answer, "SYNONYM_MARGIN", 1.0)
    refused = sample_lib.ask(question)
    assert not refused["found"] and refused["unknown_words"] == ["runoff"]


CPIN = "cpin-colombia-internal-relocation-2026-03"


def test_the_cpins_own_list_of_sources_is_neither_a_search_hit_nor_a_quote(several_reports):
    """The CPIN ends with a Bibliography: 'Sources cited' (over 150 entries) and 'Sources
    consulted but not cited'. An entry names a document ('Gender Equality in Colombia, 28 September 2023'): it
    came first for questions on same-sex marriage or religious freedom in Colombia, before any
    statement. The entries stay in the report and its bibliography."""
    lib = several_reports
    report = lib.report(CPIN)
    lists = [s for s in report.walk_sections() if s.lists_sources]
    assert sorted(s.title for s in lists) == ["Bibliography", "Sources cited", "Sources consulted but not cited"]
    entries = {p.id for s in lists for p in s.paragraphs}
    assert len(entries) > 150 and len(report.bibliography) > 150
    assert next(p for s in lists for p in s.paragraphs if p.text.startswith("Gender Equality in Colombia"))
    for query in ("Gender Equality in Colombia", "International Religious Freedom Colombia"):
        for mode in ("lexical", "semantic", "hybrid"):
            hits = lib.search(query, k=20, mode=mode)["results"]
            assert hits and not entries & {h["paragraph_id"] for h in hits}, (query, mode)
    answer = lib.ask("Is there religious freedom in Colombia?")
    assert not entries & {q["paragraph_id"] for q in answer["quotes"]}
    # nor does the audit read them as the report's statements, nor the ToR as its evidence
    from corroborate.audit.context import AuditContext

    assert not entries & {p.id for p in AuditContext(report).body_paragraphs}
    from corroborate.readers.tor_file import parse_terms_of_reference

    terms = "Religious freedom\nGender equality\nAccess to healthcare\nPoverty and inequality\n"
    matrix = lib.tor(CPIN, parse_terms_of_reference(terms))

    def walk(nodes):
        for node in nodes:
            yield node
            yield from walk(node["items"])

    evidence = {e["paragraph_id"] for node in walk(matrix["items"]) for e in node["evidence"]}
    assert matrix["method"]["semantic"] and evidence and not entries & evidence


def test_what_a_source_said_is_the_asking_not_the_topic(sample_lib):
    """'¿Qué dijo …?': an English report has no word for 'dijo', and the question was refused
    naming it, though the sample quotes Human Rights Watch on the police at length."""
    a = sample_lib.ask("¿Qué dijo Human Rights Watch sobre la policía?")
    assert a["found"] and a["unknown_words"] == []
    assert any("Human Rights Watch" in q["text"] for q in a["quotes"])


def test_a_listed_word_rendered_only_by_specific_words_the_library_lacks_is_unknown(sample_lib):
    """'diálisis' -> dialysis, which the sample never says. The encoder puts 'diálisis' 0.84 from
    'analysis', and the quotes ('cases analysed by Human Rights Watch') seemed to cover it: the
    question was answered with Human Rights Watch's sentences on stigma. A word rendered by a
    common word ('parlamento' -> parliament) is still left to the encoder: the sample says
    Congress."""
    from corroborate.search.absence import absent_listed_words
    from corroborate.search.engine import Searcher

    a = sample_lib.ask("¿Qué dijo Human Rights Watch sobre la diálisis?")
    assert not a["found"] and a["unknown_words"] == ["diálisis"]
    s = Searcher(sample_lib.store, sample_lib.settings)
    assert absent_listed_words(s, ["parlamento", "dialisis", "lepra", "extorsion"]) == ["dialisis", "lepra"]


def test_a_name_the_list_renders_is_named_by_the_library_in_the_other_language(sample_lib):
    """'CIDH' is the Spanish name of the IACHR, which the sample names often: the question lost the
    penalty of a name the library never names and was refused. 'ACNUR' (UNHCR) the sample never
    names: that question is still refused."""
    assert sample_lib.ask("¿Qué dice la CIDH sobre las protestas?")["found"]
    assert not sample_lib.ask("¿Qué dijo el ACNUR sobre los refugiados venezolanos?")["found"]
