"""Source identity, type and language decided by mechanism (not by a list of the sample's publishers)."""

from __future__ import annotations

import pytest

from corroborate.citations.registry import build_sources, detect_language, source_id, source_type
from corroborate.models import Citation, CitationKind, SourceType


def test_id_is_stable_and_ignores_case_accents_quotes_and_dashes():
    a = Citation(author="Peru, Ministerio del Interior", title="“El préstamo gota a gota es un delito”")
    b = Citation(author="PERU, MINISTERIO DEL INTERIOR", title="El prestamo gota a gota es un delito.")
    assert source_id(a) == source_id(b) and len(source_id(a)) == 12
    assert source_id(Citation(author="IPS", title="Missing Women in Peru – A Pain")) == \
        source_id(Citation(author="IPS", title="Missing Women in Peru - A Pain"))
    assert source_id(a) != source_id(Citation(author="Peru", title="El préstamo gota a gota es un delito"))


def test_editions_merge_with_the_latest_date_and_all_urls():
    cits = [
        Citation(author="US, CIA", title="The World Factbook: Peru", date="2023-08-01", url="https://cia.gov/a"),
        Citation(author="US, CIA", title="The World Factbook: Peru", date="2023-08-23", url="https://cia.gov/b"),
        Citation(kind=CitationKind.EMPTY),
    ]
    (src,) = build_sources(cits)
    assert (src.date, src.urls) == ("2023-08-23", ["https://cia.gov/a", "https://cia.gov/b"])
    assert cits[0].source_id == cits[1].source_id == src.id and cits[2].source_id is None


@pytest.mark.parametrize("author, kind, urls, expected", [
    ("DPLF", CitationKind.ORAL, [], SourceType.ORAL),
    ("Ruritania", CitationKind.LEGISLATION, [], SourceType.LEGISLATION),
    ("Human Rights Watch", CitationKind.DOCUMENT, [], SourceType.NGO),
    ("Chile, Subsecretaría de Prevención", CitationKind.DOCUMENT, [], SourceType.GOVERNMENT),  # country first
    ("OAS, Some Rapporteur", CitationKind.DOCUMENT, [], SourceType.IGO),  # IGO parent
    ("Unknown Office", CitationKind.DOCUMENT, ["https://www.minjus.gob.pe/x.pdf"], SourceType.GOVERNMENT),
    ("Unknown Office", CitationKind.DOCUMENT, ["https://travel.state.gov/x"], SourceType.GOVERNMENT),
    ("Unknown Body", CitationKind.DOCUMENT, ["https://www.ohchr.org/x"], SourceType.IGO),
    ("Unknown Body", CitationKind.DOCUMENT, ["https://reliefweb.int/x"], SourceType.IGO),
    ("Smith, John", CitationKind.DOCUMENT, [], SourceType.ACADEMIC),
    ("Universidad del Pacífico", CitationKind.DOCUMENT, [], SourceType.ACADEMIC),
    ("Canal N Noticias", CitationKind.DOCUMENT, [], SourceType.MEDIA),
    ("Coordinadora Nacional de Derechos Humanos", CitationKind.DOCUMENT, [], SourceType.NGO),
    ("Some Outlet", CitationKind.DOCUMENT, ["https://someoutlet.pe/politica/2023/06/10/story/"], SourceType.MEDIA),
    ("Some Group", CitationKind.DOCUMENT, ["https://somegroup.org/report"], SourceType.NGO),
    ("Some Firm", CitationKind.DOCUMENT, ["https://somefirm.com/report.pdf"], SourceType.OTHER),
])
def test_type_by_mechanism(author, kind, urls, expected):
    assert source_type(author, kind, urls) == expected


def test_newsroom_learned_from_the_report():
    cits = [Citation(author="Expreso", title=t, date=d) for t, d in [("A", "2023-07-18"), ("B", "2023-07-19")]]
    assert {s.type for s in build_sources(cits)} == {SourceType.MEDIA}
    once = [Citation(author="Expreso", title="A", date="2023-07-18")]
    assert build_sources(once)[0].type == SourceType.OTHER


@pytest.mark.parametrize("title, lang", [
    ("Freedom in the World 2023: Peru", "en"),
    ("Mafias sangrientas de la extorsión siembran el terror el Perú", "es"),
    ("Peru slashes growth outlook amid falling copper investment", "en"),
    ("Denuncias de trata de personas", "es"),
])
def test_language_of_the_title(title, lang):
    assert detect_language(title) == lang


def test_no_language_without_words():
    assert detect_language(None) is None and detect_language("2023") is None
