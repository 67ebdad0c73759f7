"""The text reader on small synthetic extractions, one tricky case each. They are built the way
the real extraction looks: ragged-right lines of about 90 characters, a page's first line
starting with a space, footnote blocks after a whitespace-only line, then the page's links."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from corroborate.models import ParagraphKind
from corroborate.readers import ReaderError
from corroborate.readers.footnotes import align_urls, host_fit, url_slots
from corroborate.readers.text import read_text, read_text_file

FIXTURES = Path(__file__).parent / "fixtures" / "text"


def para(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=92)


def notes(*lines: str) -> str:
    """A footnote block: a whitespace-only line, then the footnote lines as given."""
    return "\n".join([" ", *lines])


def doc(*parts: str) -> str:
    return "\n".join(parts) + "\n"


def rendered(p) -> str:
    out, pos = [], 0
    for m in sorted(p.markers, key=lambda m: m.offset):
        out += [p.text[pos:m.offset], f"[{m.n}]"]
        pos = m.offset
    return "".join(out) + p.text[pos:]


def paragraphs(report) -> list:
    return list(report.paragraphs())


# --- markers ----------------------------------------------------------------------------------

GLUED = doc(
    " Introduction",
    para("""The crisis ended with the removal of the president and his replacement by interim President
    Ana Ruiz,1 which triggered large protests across the country and more than 60 deaths. The World
    Bank reported growth rates of 3.7 percent for 2021 and 7.2 percent for 2020.2 In 2017 the country
    had 120 306 police officers, a rate of 382.6 officers per 100 000 inhabitants3.4 According to the
    Truth Commission5, the armed groups were responsible for most of the deaths that occurred during
    the conflict, and new offences were created for aggravating circumstances; 6 The opposition
    party (Partido Popular)7, detained 1 428 persons and charged 900 soles [222 EUR] to 5,9 % of the
    traders in the market of the capital city."""),
    notes(
        "1 Crisis Group, Is There a Way Out?, 15 February 2023, url",
        "2 The World Bank, Unemployment, n.d., url",
        "3 UNODC, Police personnel, n.d., url",
        "4 UNODC, Police personnel, n.d., url",
        "5 USIP, Truth Commission: 01, 13 July 2001, url",
        "6 UN Human Rights Committee, Concluding observations on the sixth periodic report, 5 April",
        "2023, url",
        "7 DW, Elecciones, 26 July 2023, url",
    ),
    "https://www.crisisgroup.org/way-out",
    "https://data.worldbank.org/unemployment",
    "https://dataunodc.un.org/police",
    "https://dataunodc.un.org/police",
    "https://www.usip.org/truth",
    "https://www.ohchr.org/observations",
    "https://www.dw.com/es/elecciones",
)


def test_glued_markers_and_numbers_that_stay():
    report = read_text(GLUED)
    (p,) = paragraphs(report)
    text = rendered(p)
    assert "interim President Ana Ruiz,[1] which triggered" in text
    assert "7.2 percent for 2020.[2] In 2017" in text
    assert "100 000 inhabitants[3].[4] According" in text
    assert "Truth Commission[5], the armed" in text
    assert "aggravating circumstances;[6] The opposition" in text
    assert "(Partido Popular)[7], detained 1 428 persons" in text
    assert "900 soles [222 EUR] to 5,9 % of the traders" in p.text
    assert "3.7 percent for 2021" in p.text and "382.6 officers" in p.text
    assert [f.n for f in report.footnotes] == [1, 2, 3, 4, 5, 6, 7]
    assert report.footnote(6).text.endswith("sixth periodic report, 5 April 2023, url")
    assert report.footnote(6).urls == ["https://www.ohchr.org/observations"]
    assert not report.warnings


def test_a_number_glued_ahead_of_the_sequence_is_not_a_marker():
    text = doc(
        para("""The ministers met the police.1 At the G4 summit, the ministers agreed on a plan.2 The plan
        failed within a year.3 It was revised in the following spring.4"""),
        notes("1 Ministry, Note, 2023, url", "2 Ministry, Plan, 2023, url", "3 Press, Failure, 2024, url",
              "4 Press, Revision, 2024, url"),
    )
    (p,) = paragraphs(read_text(text))
    assert "At the G4 summit" in p.text
    assert "a plan.[2] The plan failed within a year.[3] It was revised in the following spring.[4]" in rendered(p)


def test_caption_with_a_glued_footnote():
    text = doc(
        " Map",
        "",
        "Map 1. Northland1",
        "",
        notes("1Map 1: UN, Northland Profile Map No. 3838, May 2011, url  "),
        "",
        "https://www.un.org/geospatial/northland.pdf",
    )
    report = read_text(text)
    (caption,) = paragraphs(report)
    assert (caption.kind, caption.text, caption.footnote_numbers) == (ParagraphKind.CAPTION, "Map 1. Northland", [1])
    assert report.footnote(1).text == "Map 1: UN, Northland Profile Map No. 3838, May 2011, url"
    assert report.footnote(1).urls == ["https://www.un.org/geospatial/northland.pdf"]


def test_a_wrapped_date_is_not_a_new_footnote():
    text = doc(
        para("The first claim was made by the ministry.1 The second one was made by the police later.2"),
        notes("1 Ministry of the Interior, Annual statistics of the national police on complaints filed in,",
              "2 March 2023, url",
              "2 Police, Press note, 3 May 2023, url"),
    )
    report = read_text(text)
    assert report.footnote(1).text.endswith("complaints filed in, 2 March 2023, url")
    assert report.footnote(2).text == "Police, Press note, 3 May 2023, url"


def test_no_footnotes_no_markers():
    text = doc(para("""In 2020, the police detained 1 428 persons.26 Growth was 7.2 percent in 2021.3 The
    population estimate for 2023 is 32 440 172, with Lima at 11.2 million."""))
    report = read_text(text, name="northland-notes.txt")
    assert len(report.sections) == 1
    (p,) = paragraphs(report)
    assert p.markers == []
    assert "persons.26 Growth was 7.2 percent in 2021.3 The" in p.text
    assert report.footnotes == [] and report.warnings == []
    assert report.title == "Northland Notes"


# --- headings and lists -----------------------------------------------------------------------

HEADINGS = doc(
    " 1. Overview",
    para("The country is a presidential republic divided into departments and provinces of its own."),
    "1.1. Judicial system",
    "The judiciary is structured as follows:",
    "1. First instance courts (Juzgados de Paz): Investigate cases involving minor offenses in rural",
    "towns and small districts.",
    "1.1. Small courts: Located in rural towns, hamlets, and small districts with low judicial backlog.",
    "2. Specialised Courts (Juzgados Especializados) and Mixed Courts (Juzgados Mixtos):",
    "They have provincial jurisdiction and hear appeals on rulings made by the first instance courts.",
    "1.2. Effectiveness",
    para("The judiciary is considered one of the most corrupt institutions in the country by most sources."),
    "1.2.1. Shining Path (Sendero Luminoso) and the Militarized Communist Party of the Country",
    "(MPCP, Militarizado Partido Comunista)",
    para("Shining Path was created in 1970 as a Maoist guerrilla and is now a small armed group."),
    " 2. Domestic violence and gender-based",
    "violence",
    "2.1. Criminal groups",
    "Tren de Aragua",
    para("Tren de Aragua is the largest criminal organisation of the region and operates in the capital."),
    "Los Tiguerones",
    para("Originating abroad, Los Tiguerones is expanding its activities in the northern districts."),
    "3. Situation of LGBTI people",
    para("Same-sex couples are not permitted to marry or enter a civil union in the country at all."),
)


def test_numbered_headings_wrapped_headings_and_list_items():
    report = read_text(HEADINGS)
    assert [(s.number, s.title) for s in report.walk_sections() if s.number] == [
        ("1", "Overview"), ("1.1", "Judicial system"), ("1.2", "Effectiveness"),
        ("1.2.1", "Shining Path (Sendero Luminoso) and the Militarized Communist Party of the Country "
                  "(MPCP, Militarizado Partido Comunista)"),
        ("2", "Domestic violence and gender-based violence"), ("2.1", "Criminal groups"),
        ("3", "Situation of LGBTI people"),
    ]
    items = [p.text for p in report.section("1.1").paragraphs if p.kind == ParagraphKind.LIST_ITEM]
    assert [t.split(" ", 1)[0] for t in items] == ["1.", "1.1.", "2."]
    assert items[0].endswith("minor offenses in rural towns and small districts.")
    assert items[2].endswith("hear appeals on rulings made by the first instance courts.")


def test_table_of_contents_is_not_taken_for_headings():
    contents = doc(
        " Contents",
        "Disclaimer ........................................................ 3",
        "1. Overview ...................................................... 5",
        "1.1. Judicial system ............................................. 6",
        "2. Domestic violence and gender-based violence 9",
    )
    report = read_text(contents + HEADINGS)
    assert [s.number for s in report.walk_sections() if s.number][:3] == ["1", "1.1", "1.2"]
    assert not any("...." in p.text for p in report.paragraphs())
    assert report.section("2").title == "Domestic violence and gender-based violence"


def test_private_use_bullet_glyphs_are_bullets():
    text = doc("The extortion methods include the following:", "\uf0b7 Cobro de cupos: a fee on workers.",
               "\uf0b7 Chalequeo: a protection fee.")
    kinds = [p.kind for p in read_text(text).paragraphs()]
    assert kinds == [ParagraphKind.BODY, ParagraphKind.LIST_ITEM, ParagraphKind.LIST_ITEM]


def test_unnumbered_subheadings_are_subsections():
    report = read_text(HEADINGS)
    groups = report.section("2.1")
    assert [(s.title, s.level, s.number) for s in groups.sections] == [
        ("Tren de Aragua", 3, None), ("Los Tiguerones", 3, None)]
    assert groups.sections[1].paragraphs[0].text.startswith("Originating abroad")
    assert report.section("3").level == 1


def test_trailing_spaces_end_paragraphs_only_when_rare():
    lines = [
        "The government respected the rights of freedom of internal movement, foreign travel, and",
        "emigration. However, restrictions to the freedom of movement are in place in the VRAEM area.  ",
        "Corruption in the country is pervasive at all levels of government, including the highest levels",
        "and the justice system. A number of senior political figures have been involved in scandals.",
    ]
    assert len(paragraphs(read_text(doc(*lines)))) == 2
    padded = [line.rstrip() + "  " for line in lines]  # an extractor padding every line: no signal
    assert len(paragraphs(read_text(doc(*padded)))) == 1


# --- hyphenation ------------------------------------------------------------------------------

def test_line_end_hyphens():
    text = doc(
        "The organisation of the protests was described by the ministry as the work of one organi-",
        "sation in the south, during a 2020 anti-",
        "government demonstration, when the government decreed a 30-",
        "day state of emergency.",
    )
    (p,) = paragraphs(read_text(text))
    assert "the work of one organisation in the south" in p.text  # the report writes `organisation`
    assert "a 2020 anti-government demonstration" in p.text  # a compound keeps its hyphen
    assert "decreed a 30-day state of emergency." in p.text


# --- urls ---------------------------------------------------------------------------------------

def test_host_fit_by_tokens_and_acronyms():
    assert host_fit("https://freedomhouse.org/country/x", "Freedom House, Freedom in the World 2023") == 1.0
    assert host_fit("https://www.hrw.org/report", "HRW, Deadly Decline") >= 0.9
    assert host_fit("https://www.infobae.com/peru/x", "Infobae, Mafias sangrientas") == 1.0
    assert host_fit("https://data.larepublica.pe/x", "La República, Redes de trata") == 1.0
    assert host_fit("https://www.state.gov/report.pdf", "USDOS, 2022 Country Reports") == 0.0
    glossary = {"USDOS": "United States Department of State"}
    assert host_fit("https://www.state.gov/report.pdf", "USDOS, 2022 Country Reports", glossary) >= 0.8
    assert host_fit("https://www.amnesty.org/x", "AI, Lethal racism", {"AI": "Amnesty International"}) >= 0.8
    assert host_fit("https://www.bbc.com/mundo/x", "Freedom House, Freedom in the World") == 0.0


def test_url_slots_name_the_cited_publisher():
    assert url_slots("IPS, Missing Women, 22 June 2022, url; See also: Baker Mckenzie, Fighting Violence: "
                     "Peru, 2021, url, pp. 7-8") == [
        "IPS, Missing Women, 22 June 2022,", "Baker Mckenzie, Fighting Violence: Peru, 2021,"]
    assert url_slots("Analysis by the agency") == []


def test_align_keeps_order_and_skips_lost_links():
    slots = ["Freedom House, Freedom 2023, 2023,", "USDOS, Country Report, 2023,", "HRW, World Report, 2023,",
             "Infobae, Noticia, 2023,"]
    glossary = {"USDOS": "United States Department of State"}
    assert align_urls(["https://state.gov/a", "https://www.infobae.com/b"], slots, glossary) == [1, 3]
    assert align_urls(["https://freedomhouse.org/a", "https://www.hrw.org/b"], slots, glossary) == [0, 2]
    assert align_urls(["https://x.org/1", "https://y.org/2"], slots[:2]) == [0, 1]  # equal counts: in order
    assert align_urls(["https://freedomhouse.org/a", "https://unknown.example/x", "https://www.hrw.org/b"],
                      slots[:1]) == [0, None, None]


SHORT_LIST = doc(
    " Glossary and abbreviations",
    "Term Definition",
    "HRW Human Rights Watch",
    "USDOS United States Department of State",
    " Introduction",
    para("""Corruption is pervasive at all levels of government and in the justice system of the
    country.1 Journalists were attacked during the protests by demonstrators and security forces.2"""),
    notes("1 Freedom House, Freedom in the World 2023, 2023, url; USDOS, 2022 Country Reports, 20 March 2023,",
          "url",
          "2 HRW, World Report 2023, 12 January 2023, url; Infobae, Ataques a periodistas, 10 June 2023, url"),
    "https://www.state.gov/report.pdf",
    "https://www.infobae.com/peru/ataques",
    "https://www.example.org/unrelated",
)


def test_glossary_rows_with_written_separators():
    text = doc(" Glossary and abbreviations", "AI – Amnesty International", "CIA: Central Intelligence Agency",
               "COI Country of origin information", " Introduction",
               "The report was written in English using sources in English and Spanish for the most part.")
    report = read_text(text)
    assert [(g.term, g.definition) for g in report.glossary] == [
        ("AI", "Amnesty International"), ("CIA", "Central Intelligence Agency"),
        ("COI", "Country of origin information")]


def test_short_url_list_placed_by_host_and_glossary():
    report = read_text(SHORT_LIST)
    assert report.footnote(1).urls == ["https://www.state.gov/report.pdf"]
    assert report.footnote(2).urls == ["https://www.infobae.com/peru/ataques"]
    assert {g.term for g in report.glossary} == {"HRW", "USDOS"}
    # three links, four placeholders: placing the unrelated link would push infobae.com off
    # the Infobae citation, so it is left over, with a warning
    unassigned = [w.message for w in report.warnings if w.code == "url-unassigned"]
    assert len(unassigned) == 1 and unassigned[0].endswith("https://www.example.org/unrelated")
    assert [w.code for w in report.warnings].count("url-missing") == 1


def test_wrapped_link_target_is_joined():
    text = doc(
        para("Kidnappings are increasing in the capital.1"),
        notes("1 Expreso, PNP da a conocer cifras de secuestros, 18 July 2023, url"),
        "https://www.expreso.com.pe/actualidad/pnp-da-a-conocer-cifras-de-secuestros-estos-son-los-lugares-",
        "con-mayor-incidencia-noticia/",
        " The Director of the National Police indicated that most kidnappings were reported in Lima.",
    )
    report = read_text(text)
    assert report.footnote(1).urls == [
        "https://www.expreso.com.pe/actualidad/pnp-da-a-conocer-cifras-de-secuestros-estos-son-los-lugares-"
        "con-mayor-incidencia-noticia/"]
    assert [p.text[:16] for p in report.paragraphs()] == ["Kidnappings are ", "The Director of "]


# --- losses -------------------------------------------------------------------------------------

LOSSES = doc(
    " 1. Overview",
    para("""The first claim was made by the ministry.1 The second claim was made by the police and
    repeated by the national press in the following weeks of the year in most of the country.2"""),
    notes("1 Ministry of the Interior, Annual report, 2023, url",
          "2 Police, Press note, 3 May 2023, url"),
    "https://www.gob.example/report",
    " July 2023, url  ",
    " 2. Demonstrations",
    para("""Large demonstrations took place in the capital in April 2022.3 The protests left five dead
    and many injured among citizens and police officers, according to the national press.4"""),
    notes("5 A footnote that nothing refers to, 2023, url"),
)


def test_losses_become_warnings():
    report = read_text(LOSSES)
    lines = LOSSES.split("\n")

    def line_of(fragment: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if fragment in line)

    by_code = {}
    for w in report.warnings:
        by_code.setdefault(w.code, []).append(w)
    assert [w.line for w in by_code["orphan-fragment"]] == [line_of("July 2023, url")]
    assert [(w.footnote, w.line) for w in by_code["footnote-missing"]] == [
        (3, line_of("April 2022.3")), (4, line_of("national press.4"))]
    assert [w.footnote for w in by_code["footnote-unreferenced"]] == [5]
    assert [w.code for w in report.warnings if w.code == "url-missing"] == ["url-missing", "url-missing"]
    assert report.footnote(3).text is None and report.footnote(4).text is None
    assert report.footnote(1).urls == ["https://www.gob.example/report"]
    assert all("July 2023" not in p.text for p in report.paragraphs())


# --- page furniture and metadata ------------------------------------------------------------

FURNITURE = doc(
    " Introduction",
    "The drafting of this report was finalised on 3 March 2024. The report covers the events of the",
    "NORTHLAND HUMAN RIGHTS OFFICE",
    "",
    "12",
    "",
    "reference period, which runs from June 2022 to 1 February 2024.",
    " NORTHLAND – SITUATION REPORT",
    "",
    "13",
    "",
    "Local elections were held in the second half of the reference period without major incidents.",
    "NORTHLAND HUMAN RIGHTS OFFICE",
    "",
    "14",
)


def test_running_headers_removed_and_read_as_metadata():
    report = read_text(FURNITURE)
    texts = [p.text for p in report.paragraphs()]
    assert texts[0] == ("The drafting of this report was finalised on 3 March 2024. The report covers the events "
                        "of the reference period, which runs from June 2022 to 1 February 2024.")
    assert not any("NORTHLAND" in t or t.strip().isdigit() for t in texts)
    assert report.title == "Northland – Situation Report"
    assert report.publisher == "Northland Human Rights Office"
    assert report.cut_off == "2024-03-03"
    assert (report.reference_period.start, report.reference_period.end) == ("2022-06", "2024-02-01")
    # a running header opens its page: the first paragraph began on the page before it
    assert [p.page for p in report.paragraphs()] == [11, 13]


def test_headers_carrying_their_page_number_and_form_feeds():
    body = [
        "Local elections were held in the second half of the reference period without any incidents,",
        "although the observers reported irregularities in the vote count in two of the provinces.",
        "The courts later confirmed the results in all the provinces of the country, including the",
        "capital, where the turnout was the highest in the history of the country since the reform.",
    ]
    pages = []
    for n, line in enumerate(body, start=7):
        pages += [f"\fNORTHLAND – SITUATION REPORT {n}", line, "", "", "", "", "", "", "", "", "", ""]
    report = read_text(doc(*pages))
    (p,) = paragraphs(report)
    assert p.text == " ".join(body)
    assert p.page == 7
    assert report.title == "Northland – Situation Report"


def test_form_feed_pages_with_lone_page_numbers_and_run_together_footnotes():
    """The shape of a pdftotext-style extraction: pages split by form feeds, a bare page number
    at the top of each page, footnotes without a separator line, two of them run together."""
    pages = [
        ["55", "The training of police recruits was historically provided through local provision.1",
         "In 2011, the Home Secretary commissioned a review of police leadership and training.2",
         "1 Home Office, Police training review, 2011. 2 Peter Neyroud, Review of police leadership, 2011."],
        ["56", "During a subsequent review, the service was asked to become a professional service.3",
         "3 Home Affairs Committee, Oral evidence on police leadership, 2012."],
        ["57", "The new framework defines three entry routes for new probationer constables in all forces.",
         "Each route combines work-based learning with degree-level study over three years."],
    ]
    text = "\f".join("\n".join(page) + "\n" for page in pages)
    report = read_text(text)
    assert [f.n for f in report.footnotes] == [1, 2, 3]
    assert report.footnote(1).text == "Home Office, Police training review, 2011."
    assert report.footnote(2).text == "Peter Neyroud, Review of police leadership, 2011."
    assert [p.page for p in report.paragraphs()][0] == 55
    assert not any(p.text.isdigit() or "Home Office" in p.text for p in report.paragraphs())
    assert not report.warnings


def test_page_numbers_at_the_foot_of_form_feed_pages():
    pages = [["The first page holds one short paragraph about the elections of the year and the vote",
              "count.", "12"],
             ["The second page holds another one, about the courts and their backlog of cases in the",
              "capital.", "13"],
             ["The third page closes the report with a word on the police reforms and their funding",
              "in 2023.", "14"]]
    report = read_text("\f".join("\n".join(page) + "\n" for page in pages))
    assert [(p.page, p.text[:16]) for p in report.paragraphs()] == [
        (12, "The first page h"), (13, "The second page "), (14, "The third page c")]


def test_a_footnote_on_a_heading_is_kept_on_a_heading_paragraph():
    text = doc(
        " Methodology1",
        para("The information gathered is a result of research using public sources in two languages.2"),
        notes("1 Analysis by the agency, 2023", "2 EUAA, COI Report Methodology, 2023, url"),
        "https://coi.euaa.europa.eu/methodology.pdf",
    )
    report = read_text(text)
    methodology = report.sections[0]
    assert methodology.title == "Methodology"
    heading, body = methodology.paragraphs
    assert (heading.kind, heading.text, heading.footnote_numbers) == (ParagraphKind.HEADING, "Methodology", [1])
    assert body.footnote_numbers == [2]
    assert not [w for w in report.warnings if w.code.startswith("footnote")]


def test_spanish_report_metadata():
    text = doc(
        " Introducción",
        "La redacción de este informe finalizó el 19 de septiembre de 2023. El período de referencia",
        "del informe es de enero de 2021 al 19 de septiembre de 2023, con información de contexto.",
        " Glosario y abreviaturas",
        "PNP Policía Nacional del Perú",
        " Metodología",
        "Las fuentes consultadas fueron en su mayoría fuentes públicas en español y en inglés.",
    )
    report = read_text(text)
    assert report.language == "es"
    assert report.cut_off == "2023-09-19"
    assert (report.reference_period.start, report.reference_period.end) == ("2021-01", "2023-09-19")
    assert [(g.term, g.definition) for g in report.glossary] == [("PNP", "Policía Nacional del Perú")]


# --- decoding -----------------------------------------------------------------------------------

def test_cp1252_is_decoded_with_a_warning(tmp_path):
    data = "Introducción\nLa Policía Nacional del Perú detuvo a 1 428 personas en 2022.\n".encode("cp1252")
    report = read_text_file(tmp_path / "informe.txt", data)
    assert "Policía Nacional del Perú" in next(report.paragraphs()).text
    assert [w.code for w in report.warnings] == ["encoding"]
    assert report.language == "es"


def test_utf8_bom_is_stripped(tmp_path):
    report = read_text_file(tmp_path / "r.txt", "\ufeff Disclaimer\nThis report was written with care.\n"
                            .encode("utf-8"))
    assert report.sections[0].title == "Disclaimer"


@pytest.mark.parametrize("data, problem", [
    (bytes(range(1, 32)) * 50, "control characters"),
    (b"   \n\n \n", "no text"),
])
def test_unreadable_text_is_refused_with_the_file_name(tmp_path, data, problem):
    with pytest.raises(ReaderError) as err:
        read_text_file(tmp_path / "bad.txt", data)
    assert "bad.txt" in str(err.value) and problem in str(err.value)


def test_fixture_file_roundtrip():
    """A fixture kept as a file (the shape of one sample page), read like an input file."""
    path = FIXTURES / "page-with-footnotes.txt"
    report = read_text_file(path, path.read_bytes())
    (p,) = paragraphs(report)
    assert rendered(p).startswith("Peru is a presidential republic[16] divided into 24 departments")
    assert p.footnote_numbers == [16, 17, 18]
    assert report.footnote(17).urls == ["https://www.inei.gob.pe/cap02.pdf"]
