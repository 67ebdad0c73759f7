"""The citation parser on the hard cases of EUAA-style footnotes (texts copied from the sample)."""

from __future__ import annotations

import pytest

from corroborate.citations import link_citations, parse_footnote_text
from corroborate.citations.authors import AuthorEvidence, split_author
from corroborate.citations.dates import parse_date
from corroborate.citations.parse import split_pieces
from corroborate.models import CitationKind, Footnote, Report

USDOS = "USDOS, 2022 Country Reports on Human Rights Practices: Peru, 20 March 2023, url"


def one(text: str, urls: list[str] | None = None):
    cits = parse_footnote_text(text, urls)
    assert len(cits) == 1, [c.json_contract() for c in cits]
    return cits[0]


# --- splitting a footnote into citations ------------------------------------------------------


def test_two_citations_with_urls_in_placeholder_order():
    cits = parse_footnote_text(
        f"{USDOS}, pp. 13-16; Freedom House, Freedom in the World 2023: Peru, 2023, url",
        ["https://www.state.gov/x.pdf", "https://freedomhouse.org/y"],
    )
    assert [(c.author, c.title, c.date, c.locator, c.url) for c in cits] == [
        ("USDOS", "2022 Country Reports on Human Rights Practices: Peru", "2023-03-20", "pp. 13-16",
         "https://www.state.gov/x.pdf"),
        ("Freedom House", "Freedom in the World 2023: Peru", "2023", None, "https://freedomhouse.org/y"),
    ]


def test_semicolon_inside_a_title_does_not_split():
    cits = parse_footnote_text(
        "Infobae, Camarada ‘Carlos’ sería el autor de la matanza de siete policías en el VRAEM, 13 February 2023, "
        "url; Reuters, Sendero Luminoso mata a 16 personas en Perú, dicen militares; ONU rechaza ataque, "
        "24 May 2021, url"
    )
    assert len(cits) == 2
    assert cits[1].author == "Reuters"
    assert cits[1].title == "Sendero Luminoso mata a 16 personas en Perú, dicen militares; ONU rechaza ataque"
    assert cits[1].date == "2021-05-24"


def test_sentence_end_inside_a_quoted_title_does_not_split():
    cits = parse_footnote_text(
        "El País, Dina Boluarte sepulta su promesa de adelanto electoral: “El tema está cerrado. Seguiremos "
        "hasta julio de 2026”, 16 June 2023, url; AFP, Boluarte descarta elecciones anticipadas en Perú, "
        "16 June 2023, url"
    )
    assert [c.author for c in cits] == ["El País", "AFP"]
    assert cits[0].title.endswith("“El tema está cerrado. Seguiremos hasta julio de 2026”")


def test_trailing_semicolon_gives_an_empty_citation():
    cits = parse_footnote_text("El Comercio, Aumentan secuestros de menores de edad en el país, 22 February 2022, url;",
                               ["https://www.youtube.com/watch?v=7oVpEO7yxvc"])
    assert [c.kind for c in cits] == [CitationKind.DOCUMENT, CitationKind.EMPTY]
    assert cits[0].url == "https://www.youtube.com/watch?v=7oVpEO7yxvc"
    assert cits[1].source_id is None and cits[1].url is None


def test_repeated_citation_is_kept_twice_and_tied_to_one_source():
    fh = "Freedom House, Freedom in the World 2023: Peru, 2023, url"
    cits = parse_footnote_text(f"{fh}; {fh}", ["https://freedomhouse.org/a", "https://freedomhouse.org/a"])
    assert len(cits) == 2 and cits[0].source_id == cits[1].source_id is not None


def test_pieces_keep_the_verbatim_text():
    text = "Peru, Código Penal, Decreto Legislativo No. 635, 1991 (amended 2018), url, Arts. 114-120"
    assert split_pieces(text) == [text]
    assert one(text).raw == text


# --- authors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, author, title", [
    ("Peru, INEI, División política y administrativa al 31 de diciembre del 2019, n.d., url, p. 1",
     "Peru, INEI", "División política y administrativa al 31 de diciembre del 2019"),
    ("OAS, IACHR, Situación de Derechos Humanos en Perú en el contexto de las protestas sociales, url, paras. 43-52",
     "OAS, IACHR", "Situación de Derechos Humanos en Perú en el contexto de las protestas sociales"),
    ("US, CIA, The World Factbook: Peru, 23 August 2023, url", "US, CIA", "The World Factbook: Peru"),
    ("EU, Eurostat, Police, court and prison personnel statistics, April 2023, url",
     "EU, Eurostat", "Police, court and prison personnel statistics"),
    ("Peru, Ministerio del Interior, Denuncias de trata de personas, March 2023, url",
     "Peru, Ministerio del Interior", "Denuncias de trata de personas"),
    ("Peru, Bases para el fortalecimiento y la modernización de la Policía Nacional del Perú, 2021, url",
     "Peru", "Bases para el fortalecimiento y la modernización de la Policía Nacional del Perú"),
    ("Peru, Código Penal, Decreto Legislativo No. 635, 1991 (amended 2018), url, Art. 119",
     "Peru", "Código Penal, Decreto Legislativo No. 635"),
    ("Valdés, Ricardo et al., Las economías criminales y su impacto en el Perú: ¿Cuáles? ¿Cuánto? ¿Dónde? ¿Cómo?, "
     "2022, url, p. 239", "Valdés, Ricardo et al.",
     "Las economías criminales y su impacto en el Perú: ¿Cuáles? ¿Cuánto? ¿Dónde? ¿Cómo?"),
    ("CEJIL et al., Organizaciones internacionales condenamos ataque parlamentario, 8 September 2023, url",
     "CEJIL et al.", "Organizaciones internacionales condenamos ataque parlamentario"),
    ("The World Bank, Desempleo, total (% de la población activa total) (estimación modelado OIT) – Peru, n.d., url",
     "The World Bank", "Desempleo, total (% de la población activa total) (estimación modelado OIT) – Peru"),
])
def test_author_boundary(text, author, title):
    c = one(text)
    assert (c.author, c.title) == (author, title)


def test_person_speaking_at_an_event_host_is_the_author_and_the_host_the_container():
    c = one("Castilla, Luis Miguel, in The Dialogue, HYBRID EVENT – Peru at the Crossroads: Political Crisis, "
            "Human Rights Abuses, and What’s Next?, 24 May 2023, url")
    assert c.author == "Castilla, Luis Miguel"
    assert c.container == "The Dialogue"
    assert c.title == "HYBRID EVENT – Peru at the Crossroads: Political Crisis, Human Rights Abuses, and What’s Next?"


def test_collection_named_after_the_title_is_the_container():
    c = one("USIP, Truth Commission: Peru 01, Truth Commissions Digital Collection, 13 July 2001, url")
    assert (c.title, c.container, c.date) == ("Truth Commission: Peru 01", "Truth Commissions Digital Collection",
                                              "2001-07-13")


def test_corpus_evidence_makes_a_repeated_prefix_a_two_level_author():
    head = ["Acme Watch", "Field Office", "Report on floods"]
    assert split_author(head).author == "Acme Watch"  # seen once: not enough
    ev = AuthorEvidence()
    for title in ("Report on floods", "Annual review", "Bulletin 3"):
        ev.add(["Acme Watch", "Field Office", title])
    assert split_author(head, ev).author == "Acme Watch, Field Office"
    # one citation repeated verbatim proves nothing
    ev2 = AuthorEvidence()
    for _ in range(5):
        ev2.add(head)
    assert split_author(head, ev2).author == "Acme Watch"


def test_corpus_evidence_keeps_an_outlet_from_looking_like_a_person():
    text = "Caretas, Pedro Castillo, un año después del autogolpe, 7 December 2023, url"
    alone = parse_footnote_text(text)[0]
    assert alone.author == "Caretas, Pedro Castillo"  # the shape alone reads `Surname, Given`
    report = Report(footnotes=[
        Footnote(n=1, text=text),
        Footnote(n=2, text="Caretas, Cuatro presidentes fueron vacados por “incapacidad moral permanente”, "
                           "14 March 2022, url"),
    ])
    link_citations(report)
    c = report.footnotes[0].citations[0]
    assert (c.author, c.title) == ("Caretas", "Pedro Castillo, un año después del autogolpe")


# --- titles, dates, locators -------------------------------------------------------------------


def test_title_with_decimal_comma_and_percent():
    c = one("Peru, Nota de prensa: Pobreza monetaria afectó al 27,5% de la población del país en el año 2022, "
            "11 May 2023, url, pp. 1-2")
    assert c.title == "Nota de prensa: Pobreza monetaria afectó al 27,5% de la población del país en el año 2022"
    assert (c.date, c.locator) == ("2023-05-11", "pp. 1-2")


def test_title_holding_a_date_range_takes_the_last_date_as_the_date():
    c = one("Peru, INEI, Estadísticas de la criminalidad, seguridad ciudadana y violencia: Una visión desde los "
            "registros administrativos, Enero – Marzo 2023, Informe Técnico No. 2 – Junio 2023, June 2023, url, p. 2")
    assert c.author == "Peru, INEI"
    assert c.title.endswith("Enero – Marzo 2023, Informe Técnico No. 2 – Junio 2023")
    assert (c.date, c.locator) == ("2023-06", "p. 2")


@pytest.mark.parametrize("text, iso", [
    ("20 March 2023", "2023-03-20"), ("April 2023", "2023-04"), ("2023", "2023"), ("14 de junio de 2023", "2023-06-14"),
    ("mayo 2022", "2022-05"), ("March 20, 2023", "2023-03-20"), ("n.d.", None), ("n.d", None),
])
def test_dates_keep_the_precision_written(text, iso):
    assert parse_date(text).iso == iso


@pytest.mark.parametrize("text", ["Enero – Marzo 2023", "Peru 2023", "Informe Técnico No. 2 – Junio 2023", "31 February 2023"])
def test_not_dates(text):
    assert parse_date(text) is None


def test_no_date_written_gives_no_date():
    c = one("InSight Crime, Peru, n.d, url")
    assert (c.author, c.title, c.date) == ("InSight Crime", "Peru", None)


@pytest.mark.parametrize("tail, locator", [
    ("p. 14", "p. 14"), ("pp. 13-16", "pp. 13-16"), ("para. 93", "para. 93"), ("Paras. 22, 24", "Paras. 22, 24"),
    ("paras. 102, 104", "paras. 102, 104"), ("Art. 1", "Art. 1"), ("Arts. 114-120", "Arts. 114-120"),
    ("Ch. 4", "Ch. 4"), ("Pp. 1-2", "Pp. 1-2"),
])
def test_locators(tail, locator):
    c = one(f"UN Human Rights Committee, Concluding observations on the sixth periodic report of Peru "
            f"(CCPR/C/PER/CO/6), 5 April 2023, url, {tail}")
    assert c.locator == locator
    assert c.title == "Concluding observations on the sixth periodic report of Peru (CCPR/C/PER/CO/6)"


# --- kinds ---------------------------------------------------------------------------------------


def test_oral_source():
    c = one("DPLF, interview with EUAA, 6 September 2023")
    assert (c.author, c.title, c.date, c.kind, c.url) == ("DPLF", "interview with EUAA", "2023-09-06",
                                                          CitationKind.ORAL, None)


def test_analysis_by_the_report_author():
    c = one("Analysis by European Union Agency for Asylum.")
    assert (c.kind, c.author, c.title) == (CitationKind.ANALYSIS, "European Union Agency for Asylum", None)


@pytest.mark.parametrize("text", [
    "Peru, Código de Procedimiento Penal, 2004, url",
    "Peru, Resolución Suprema No. 191-200-IN, 2021, url, Art. 1",
])
def test_legislation(text):
    assert one(text).kind == CitationKind.LEGISLATION


def test_a_newspaper_headline_starting_with_ley_is_not_legislation():
    c = one("Ojo Público, Ley de protección policial: oportunismo en tiempos de crisis, 2 April 2020, url")
    assert c.kind == CitationKind.DOCUMENT


def test_amendment_remark_goes_to_the_note():
    c = one("Peru, Código Penal, Decreto Legislativo No. 635, 1991 (amended 2018), url, Arts. 114-120")
    assert (c.date, c.note, c.kind) == ("1991", "amended 2018", CitationKind.LEGISLATION)


def test_book_without_url():
    cits = parse_footnote_text(
        "Infobae, No es solo el Tren de Aragua: quiénes son esas otras bandas extranjeras y en qué zonas de Lima "
        "operan, 5 June 2023, url. For additional information on the Tren de Aragua, see the book by Venezuelan "
        "journalist Ronna Rísquez, El Tren de Aragua: la banda que revoluciona el crimen organizado en América "
        "Latina, 2023.")
    assert len(cits) == 2
    book = cits[1]
    assert (book.kind, book.author, book.date, book.url) == (CitationKind.BOOK, "Ronna Rísquez", "2023", None)
    assert book.title == "El Tren de Aragua: la banda que revoluciona el crimen organizado en América Latina"
    assert book.note.startswith("For additional information on the Tren de Aragua, see the book by")


def test_dataset_kind_from_a_statistics_portal_url():
    c = one("The World Bank, Desempleo, total (% de la población activa total) (estimación modelado OIT) – Peru, "
            "n.d., url", ["https://datos.bancomundial.org/indicator/SL.UEM.TOTL.ZS?locations=PE"])
    assert c.kind == CitationKind.DATASET


def test_data_journalism_host_is_not_a_dataset():
    c = one("La República, Redes de trata aumentan en todo el país, 23 May 2023, url",
            ["https://data.larepublica.pe/trata-de-personas-en-peru-redes-de-trata/"])
    assert c.kind == CitationKind.DOCUMENT


# --- notes ---------------------------------------------------------------------------------------


def test_notes_before_citations_attach_to_the_next_one():
    cits = parse_footnote_text(
        "As a comparison, the EU had, in average, a rate of 335 police officers per 100 000 inhabitants between "
        "2019 and 2020. EU, Eurostat, Police, court and prison personnel statistics, April 2023, url. The UNODC "
        "website indicated that, based on countries that reported data for 2018, Chile had a rate of 314.48 and "
        "Colombia a rate of 367.77. UNODC, Police personnel, n.d., url",
        ["https://ec.europa.eu/eurostat/x", "https://dataunodc.un.org/data/crime/Police%20personnel"])
    assert [c.author for c in cits] == ["EU, Eurostat", "UNODC"]
    assert cits[0].note.startswith("As a comparison, the EU had")
    assert cits[1].note.startswith("The UNODC website indicated")
    assert cits[1].kind == CitationKind.DATASET


def test_prose_sentence_before_a_citation():
    c = one("Fuerza Popular is a right-wing political party led by Keiko Fujimori. DW, Perú: fujimorismo y marxismo "
            "ganan Presidencia del Congreso, 26 July 2023, url")
    assert (c.author, c.note) == ("DW", "Fuerza Popular is a right-wing political party led by Keiko Fujimori.")


@pytest.mark.parametrize("lead", ["For a full list of these measures, see:", "See also:", "For a full list, see:"])
def test_see_leads_are_notes(lead):
    c = one(f"{lead} Baker Mckenzie, Fighting Domestic Violence – Latin America and the Caribbean: Peru, 2021, url, "
            "pp. 9-10")
    assert (c.author, c.note, c.locator) == ("Baker Mckenzie", lead, "pp. 9-10")


def test_trailing_notes_attach_to_the_previous_citation():
    c = one("Valdés, Ricardo et al., Las economías criminales y su impacto en el Perú, 2022, url, p. 237. "
            "Legend: Very Affected (Muy afectadas) and Affected (Afectadas).")
    assert c.note == "Legend: Very Affected (Muy afectadas) and Affected (Afectadas)."
    c = one("Baker Mckenzie, Fighting Domestic Violence – Latin America and the Caribbean: Peru, 2021, url, p. 6; "
            "for information on the substance of protection orders, see pp. 18-21 of the same source.")
    assert (c.locator, c.note) == ("p. 6", "for information on the substance of protection orders, see pp. 18-21 "
                                           "of the same source.")


def test_caption_prefix_is_a_note():
    c = one("Map 1: UN, Peru Profile Map No. 3838 Rev.4, May 2011, url", ["https://www.un.org/x.pdf"])
    assert (c.author, c.title, c.date, c.note) == ("UN", "Peru Profile Map No. 3838 Rev.4", "2011-05", "Map 1:")


def test_commentary_only_footnote_cites_no_source():
    c = one("EU+ includes EU Member States, Norway and Switzerland")
    assert (c.kind, c.note, c.source_id) == (CitationKind.EMPTY, "EU+ includes EU Member States, Norway and Switzerland",
                                             None)


# --- URLs and robustness -------------------------------------------------------------------------


def test_a_citation_without_url_token_gets_no_url():
    cits = parse_footnote_text("DPLF, interview with EUAA, 6 September 2023; La República, Congreso aprueba golpe "
                               "contra el sistema de justicia, 8 September 2023, url", ["https://larepublica.pe/a"])
    assert [c.url for c in cits] == [None, "https://larepublica.pe/a"]


def test_short_url_list_is_aligned_by_publisher_not_shifted():
    report = Report(footnotes=[Footnote(n=297, text=(
        "InSight Crime, Tren de Aragua, 14 February 2023, url; Transparencia Venezuela, Economías ilícitas: Al "
        "amparo de la corrupción, June 2022, url, p. 104; Infobae, Extorsión, prostitución, asesinatos, robos y "
        "narcotráfico, 1 April 2023, url"), urls=["https://www.infobae.com/venezuela/2023/04/01/extorsion/"])])
    link_citations(report)
    assert [c.url for c in report.footnotes[0].citations] == [None, None,
                                                               "https://www.infobae.com/venezuela/2023/04/01/extorsion/"]
    assert any(w.code == "citation-url-mismatch" and w.footnote == 297 for w in report.warnings)


@pytest.mark.parametrize("garbage", [
    "", ";;;", "url", "url; url, url", "%%%% ####", ", , ,", "12 34 56", "p. 5", "(((", "“unbalanced, quote, 2023, url",
    "Peru,", "a" * 5000, "See also:", "\x00\x01 control", ";" * 50 + "url",
])
def test_garbage_never_crashes_and_is_kept(garbage):
    report = Report(footnotes=[Footnote(n=1, text=garbage, urls=["https://example.org/a"])])
    sources = link_citations(report)
    cits = report.footnotes[0].citations
    for c in cits:
        if c.kind == CitationKind.UNPARSED:
            assert c.raw and c.raw in " ".join(garbage.split())
            assert any(w.code == "citation-unparsed" and w.footnote == 1 for w in report.warnings)
    assert all(s.id for s in sources)


def test_unreadable_text_is_kept_verbatim_with_a_warning():
    report = Report(footnotes=[Footnote(n=7, text="%%%% ####")])
    link_citations(report)
    (c,) = report.footnotes[0].citations
    assert (c.kind, c.raw) == (CitationKind.UNPARSED, "%%%% ####")
    assert [w.code for w in report.warnings] == ["citation-unparsed"]


def test_lost_footnote_text_gets_no_citations():
    report = Report(footnotes=[Footnote(n=3, text=None)])
    assert link_citations(report) == [] and report.footnotes[0].citations == []


@pytest.mark.parametrize("text, author, title", [
    ("Lawyer based in Lima, email to EUAA, 5 May 2023", "Lawyer based in Lima", "email to EUAA"),
    ("Anonymous source, e-mail exchange with EUAA, 7 July 2023", "Anonymous source", "e-mail exchange with EUAA"),
])
def test_oral_sources_described_by_role(text, author, title):
    c = one(text)
    assert (c.kind, c.author, c.title, c.url) == (CitationKind.ORAL, author, title, None)


def test_long_institution_name_with_acronym_is_a_second_level():
    c = one("Peru, Ministerio de la Mujer y Poblaciones Vulnerables (MIMP), Informe anual, 2022, url, p. 4")
    assert (c.author, c.title) == ("Peru, Ministerio de la Mujer y Poblaciones Vulnerables (MIMP)", "Informe anual")


def test_updated_dates():
    assert parse_date("updated 5 May 2023").iso == "2023-05-05"
    assert parse_date("last accessed on 2 June 2023").iso == "2023-06-02"


def test_unknown_locator_form_after_the_placeholder_keeps_the_url_slot():
    c = one("Germany, BAMF, Länderreport 52: Syrien, June 2022, url, S. 12", ["https://www.bamf.de/x.pdf"])
    assert (c.author, c.title, c.date, c.locator, c.url) == ("Germany, BAMF", "Länderreport 52: Syrien", "2022-06",
                                                            "S. 12", "https://www.bamf.de/x.pdf")
    c = one("ACAPS, Syria: Earthquake, 8 February 2023, url, slide 4", ["https://www.acaps.org/x"])
    assert (c.locator, c.url) == ("slide 4", "https://www.acaps.org/x")


def test_a_title_opening_with_in_is_not_a_container():
    c = one("The New Humanitarian, In Idlib, winter brings new misery, 5 January 2023, url")
    assert (c.author, c.title, c.container) == ("The New Humanitarian", "In Idlib, winter brings new misery", None)


def test_euaa_citation_with_quoted_headline_and_lost_link_is_not_read_as_academic():
    c = one("Ojo Público, Sonia Medina: “En Perú las organizaciones criminales nos están llevando la avanzada”, "
            "9 July 2023")
    assert (c.author, c.date) == ("Ojo Público", "2023-07-09")
    assert c.title == "Sonia Medina: “En Perú las organizaciones criminales nos están llevando la avanzada”"
