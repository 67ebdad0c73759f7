"""The text reader on the real sample (EUAA, Peru – Country Focus, 2023): literal expectations
read off the report itself."""

from __future__ import annotations

import re

import pytest

from conftest import SAMPLE, SAMPLE_ID
from corroborate import Library
from corroborate.models import ParagraphKind, Report
from corroborate.readers.text import read_text_file
from corroborate.settings import Settings


@pytest.fixture(scope="module")
def report() -> Report:
    return read_text_file(SAMPLE, SAMPLE.read_bytes())


def rendered(p) -> str:
    """The paragraph text with `[n]` put back at each marker offset."""
    out, pos = [], 0
    for m in sorted(p.markers, key=lambda m: m.offset):
        out += [p.text[pos:m.offset], f"[{m.n}]"]
        pos = m.offset
    return "".join(out) + p.text[pos:]


def find(report: Report, needle: str):
    hits = [p for p in report.paragraphs() if needle in p.text]
    assert len(hits) == 1, f"{needle!r} in {len(hits)} paragraphs"
    return hits[0]


# --- sections -----------------------------------------------------------------------------------

NUMBERED = [
    ("1", "Overview"),
    ("1.1", "Economy"),
    ("1.2", "Government"),
    ("1.3", "Judicial system"),
    ("1.3.1", "Structure"),
    ("1.3.2", "Effectiveness"),
    ("1.3.3", "Witness protection program"),
    ("1.4", "State security forces"),
    ("1.4.1", "Effectiveness"),
    ("1.5", "Political developments"),
    ("2", "Demonstrations"),
    ("2.1", "Treatment by authorities"),
    ("2.2", "Investigations into abuses"),
    ("3", "Criminality"),
    ("3.1", "Homicides"),
    ("3.2", "Human trafficking"),
    ("3.3", "Kidnapping"),
    ("3.4", "Extortion"),
    ("3.5", "Armed and criminal groups"),
    ("3.5.1", "Criminal groups"),
    ("3.5.2", "Shining Path (Sendero Luminoso) and Militarized Communist Party of Peru (MPCP, "
              "Militarizado Partido Comunista del Perú)"),
    ("3.6", "State response"),
    ("4", "Domestic violence and gender-based violence"),
    ("4.1", "Prevalence and social attitudes"),
    ("4.2", "Legislation and state protection"),
    ("4.2.1", "Reporting and seeking assistance"),
    ("4.2.2", "State protection"),
    ("4.2.3", "Hotlines and shelters"),
    ("5", "Situation of LGBTI people"),
]


def test_every_numbered_heading_with_its_exact_title(report):
    found = [(s.number, s.title) for s in report.walk_sections() if s.number]
    assert found == NUMBERED


def test_section_levels_follow_the_numbering(report):
    for s in report.walk_sections():
        if s.number:
            assert s.level == s.number.count(".") + 1
            for child in s.sections:
                if child.number:
                    assert child.number.startswith(s.number + ".")
    assert [c.number for c in report.section("1.3").sections] == ["1.3.1", "1.3.2", "1.3.3"]


def test_top_level_parts_in_order(report):
    assert [(s.number, s.title) for s in report.sections] == [
        (None, "Disclaimer"), (None, "Glossary and abbreviations"), (None, "Introduction"),
        (None, "Methodology"), (None, "Map"),
        ("1", "Overview"), ("2", "Demonstrations"), ("3", "Criminality"),
        ("4", "Domestic violence and gender-based violence"), ("5", "Situation of LGBTI people"),
        (None, "Annex 2: Terms of Reference"),
    ]


# The sample's extraction stops before its Annex 1; an EUAA report's bibliography sits there,
# each entry ending with its access date and no full stop.
BIBLIOGRAPHY = "\n".join(line and line + " " for line in (  # the extraction ends each line with a space
    " Annex 1: Bibliography", "Oral sources", "",
    "DPLF (Due Process of Law Foundation), online interview with EUAA, 7 July 2023", "",
    "Public sources", "",
    "InSight Crime, Peru's Extortion Economy Targets Transport Workers, 12 May 2023,", "",
    "https://insightcrime.org/news/peru-extortion-transport/, accessed 1 August 2023")) + "\n"


def test_annex_2_after_a_bibliography_is_still_a_part_and_the_list_is_not_searched(report, tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    at = text.index("\n Annex 2: Terms of Reference") + 1
    path = tmp_path / "with-bibliography.txt"
    path.write_text(text[:at] + BIBLIOGRAPHY + text[at:], encoding="utf-8")
    read = read_text_file(path, path.read_bytes())
    assert [s.title for s in read.sections[-2:]] == ["Annex 1: Bibliography", "Annex 2: Terms of Reference"]
    assert read.sections[-2].lists_sources and not read.sections[-1].lists_sources
    assert read.terms_of_reference == report.terms_of_reference
    assert [p.text for p in read.searchable_paragraphs()] == [p.text for p in report.paragraphs()]
    with Library(tmp_path / "lib.db", settings=Settings(embeddings=False)) as lib:
        rid = lib.ingest(path).id
        entries = {para.id for sec in lib.report(rid).sections[-2].walk() for para in sec.paragraphs}
        assert len(entries) >= 2
        for query in ("Extortion Economy Targets Transport Workers", "DPLF online interview"):
            hits = lib.search(query, k=50, mode="lexical")["results"]
            assert hits and not entries & {h["paragraph_id"] for h in hits}, query


def test_unnumbered_subheadings_become_subsections(report):
    groups = report.section("3.5.1")
    assert [(s.title, s.level, s.number) for s in groups.sections] == [
        ("Tren de Aragua", 4, None), ("Los Tiguerones", 4, None), ("Los Malditos del Cono", 4, None),
        ("La Dinastía Alayón", 4, None), ("Gangs involved in loan sharks", 4, None),
        ("Los Cagaleches de Virú", 4, None),
    ]
    assert groups.sections[0].paragraphs[0].text.startswith("Tren de Aragua is Venezuela’s most powerful")
    methodology = report.section("Methodology")
    assert [s.title for s in methodology.sections] == [
        "Defining the terms of reference", "Collecting information", "Public sources", "Oral sources",
        "Quality control", "Structure and use of the report"]


def test_numbered_list_items_are_not_headings(report):
    structure = report.section("1.3.1")
    items = [p.text for p in structure.paragraphs if p.kind == ParagraphKind.LIST_ITEM]
    assert [t.split(" ", 1)[0] for t in items] == ["1.", "1.1.", "1.2.", "2.", "2.1.", "2.2.", "3.", "4."]
    assert items[1].startswith("1.1. Unlicenced Justices of Peace: Located in rural towns, hamlets")
    assert items[1].endswith("ratified by Superior Courts of Justice.")
    witness = report.section("1.3.3")
    kinds = [(p.kind, p.text[:12]) for p in witness.paragraphs]
    assert (ParagraphKind.QUOTE, "Article 247.") in kinds
    assert (ParagraphKind.LIST_ITEM, "1. The prote") in kinds
    assert (ParagraphKind.LIST_ITEM, "a) Police pr") in kinds
    titles = {s.title for s in report.walk_sections()}
    assert not any(t.startswith(("Unlicenced", "Specialised", "The protection", "For the protection"))
                   for t in titles)


# --- paragraphs -------------------------------------------------------------------------------

def test_paragraph_runs_across_a_footnote_block_and_page_break(report):
    p = find(report, "For 2022, rural areas registered poverty rates of 41.1 percent and urban areas, "
                     "24.1 percent.")
    assert p.text.startswith("Economic policy and the growth of the economy")
    assert p.text.endswith("extreme poverty rates for rural areas and urban areas were 14.6 and 2.6 percent, "
                           "respectively.")
    assert p.footnote_numbers == list(range(21, 32))
    assert "urban areas,[28]" not in rendered(p)
    assert "from 2021.[28] For 2022, rural areas" in rendered(p)
    assert "24.1 percent.[29] The overall" in rendered(p)


def test_sentence_cut_by_a_footnote_block_continues_on_the_next_page(report):
    p = find(report, "Brazil, and Costa Rica.")
    assert "Chile, Brazil,[299] and Costa Rica.[300] The main leader is Héctor Guerrero" in rendered(p)


def test_paragraph_end_marked_by_trailing_spaces(report):
    # `… discrimination against women.388  ` is a full-width line: only the extractor's extra
    # trailing space says the paragraph ends there (a footnote block and a page break follow)
    assert find(report, "The Law 30364 on the Prevention").text.startswith("The Law 30364 on the Prevention")
    assert find(report, "against women.").text.startswith("Peru has an extensive legislative framework")
    assert find(report, "Amnesty International indicated that the portrayal").text.startswith(
        "Amnesty International indicated that the portrayal")


def test_glued_markers_are_removed_and_recorded(report):
    police = find(report, "a rate of 382.6 officers per 100 000 inhabitants.")
    assert "100 000 inhabitants[98].[99] According to" in rendered(police)
    assert "percent for 2020.[26] INEI" in rendered(find(report, "7.2 percent for 2020."))
    assert "Truth and Reconciliation Commission[336], was" in rendered(find(report, "Reconciliation Commission,"))
    assert "Popular Force (Fuerza Popular)[39], the presidential" in rendered(find(report, "(Fuerza Popular),"))
    assert "aggravating circumstances;[386] The National" in rendered(find(report, "circumstances; The National"))
    assert rendered(find(report, "interim President Dina Boluarte,")).count("Boluarte,[1] which") == 1
    assert "campesinas[156]).[157]" in rendered(find(report, "(rondas campesinas)."))
    assert "[and gender[421]]" in rendered(find(report, "[and gender]"))


def test_numbers_that_are_not_markers_stay_in_the_text(report):
    texts = "\n".join(p.text for p in report.paragraphs())
    for kept in ("7.2 percent", "1 428 persons", "32 440 172", "[222 EUR]", "2021-2026", "382.6 officers",
                 "14.6 and 2.6 percent", "61 007 to 77 552 deaths", "(2023) and tortured"):
        assert kept in texts, kept


def test_markers_follow_the_footnote_numbering(report):
    sequence = [m.n for p in report.paragraphs() for m in sorted(p.markers, key=lambda m: m.offset)]
    assert sequence == list(range(1, 438))
    for p in report.paragraphs():
        for m in p.markers:
            assert 0 <= m.offset <= len(p.text)


def test_no_url_and_no_footnote_text_in_any_paragraph(report):
    bodies = [p.text for p in report.paragraphs()]
    for text in bodies:
        assert "http" not in text and "www." not in text
        assert not re.search(r"\burl\b", text), text[:80]
    for f in report.footnotes:
        if f.text and len(f.text) > 40:
            assert not any(f.text[:40] in t for t in bodies), f.n


def test_page_furniture_is_gone(report):
    everything = [p.text for p in report.paragraphs()] + [g.term + g.definition for g in report.glossary]
    assert not any("EUROPEAN UNION AGENCY FOR ASYLUM" in t or "PERU – COUNTRY FOCUS" in t for t in everything)
    assert not any(re.fullmatch(r"\d+", t) for t in everything)


def test_hyphenated_line_ends(report):
    texts = "\n".join(p.text for p in report.paragraphs())
    assert "decreed a 30-day state of emergency" in texts
    assert "during a 2020 anti-government demonstration" in texts
    assert "kidnapping, extortion, and street-level drug trafficking" in texts


def test_captions_with_their_markers(report):
    captions = [(p.text, p.footnote_numbers) for p in report.paragraphs() if p.kind == ParagraphKind.CAPTION]
    assert captions == [
        ("Map 1. Peru", [15]),
        ("Map 2. Number of police officers stationed at police stations, by department, in 2017.", [101]),
        ("Map 3. Number of police stations, by department, in 2017.", [104]),
        ("Figure 1. Number of peace officers, by department, in March 2020.", [107]),
        ("Map 4. Intensity of extortion, by department.", [296]),
    ]


def test_bullets_are_list_items(report):
    extortion = report.section("3.4")
    bullets = [p.text for p in extortion.paragraphs if p.kind == ParagraphKind.LIST_ITEM]
    assert bullets[0] == ("• Cobro de cupos: Criminal organisations charge workers with a ‘fee’, which usually "
                          "consists of a percentage of their salary.")
    assert bullets[2] == "• Chalequeo: An extortion payment masked as a ‘protection fee.’"
    assert len(bullets) == 8


def test_pages_from_running_headers(report):
    assert report.section("3.2").page == 38
    assert report.section("5").page == 54
    assert find(report, "Map 1. Peru").page == 15


# --- footnotes ----------------------------------------------------------------------------------

def test_footnote_texts(report):
    assert report.footnote(298).text.startswith("Transparencia Venezuela, Economías ilícitas")
    assert report.footnote(15).text == "Map 1: UN, Peru Profile Map No. 3838 Rev.4, May 2011, url"
    assert report.footnote(48).text == (
        "Euronews, What is the Odebrecht corruption scandal in Latin America, and who is implicated?, "
        "18 April 2019, url; AP, Colombian prosecutors accuse former presidential candidate of taking money "
        "from Odebrecht, 10 July 2023, url")
    assert report.footnote(413).text == "HRW, World Report: Peru – Events of 2022, 12 January 2023, url"
    assert report.footnote(134).text.endswith("23 March 2018, url")  # `2018, url` wraps: not footnote 2018


def test_footnote_counts_and_missing_ones_warned(report):
    numbers = [f.n for f in report.footnotes]
    assert numbers == list(range(1, 438))
    with_text = [f for f in report.footnotes if f.text]
    assert 260 <= len(with_text) <= 285
    missing = {f.n for f in report.footnotes if f.text is None}
    assert set(range(139, 240)) <= missing
    warned = {w.footnote for w in report.warnings if w.code == "footnote-missing"}
    assert warned == missing
    assert not [w for w in report.warnings if w.code == "footnote-unreferenced"]


def test_urls_of_the_first_page_in_placeholder_order(report):
    urls = {n: report.footnote(n).urls for n in range(1, 12)}
    assert urls[1] == ["https://www.crisisgroup.org/latin-america-caribbean/peru/is-there-way-out-of-perus-strife",
                       "https://freedomhouse.org/country/peru/freedom-world/2023"]
    assert urls[2] == ["https://www.crisisgroup.org/latin-america-caribbean/peru/is-there-way-out-of-perus-strife",
                       "https://www.amnesty.org/en/documents/amr46/6761/2023/en/"]
    assert urls[4] == ["https://freedomhouse.org/country/peru/freedom-world/2023",
                       "https://www.state.gov/wp-content/uploads/2023/02/415610_PERU-2022-HUMAN-RIGHTS-REPORT.pdf"]
    assert urls[10] == ["https://cdn.www.gob.pe/uploads/document/file/4543362/Nota%20de%20Prensa.pdf?v=1683819917"]
    assert urls[11] == []  # "Analysis by European Union Agency for Asylum": no url placeholder


def test_short_url_list_placed_by_publisher_fit(report):
    # page with footnotes 363–375: 15 placeholders, 5 links survived
    assert report.footnote(366).urls == [
        "https://resourcehub.bakermckenzie.com/-/media/fighting-domestic-violence/reports/reports/2021_fdv_peru.pdf"]
    state = "https://www.state.gov/wp-content/uploads/2023/02/415610_PERU-2022-HUMAN-RIGHTS-REPORT.pdf"
    assert report.footnote(374).urls == [state]
    assert report.footnote(375).urls == [state]
    assert report.footnote(372).urls == []  # Freedom House: its link is lost, not someone else's
    # page with footnotes 296–299: 9 placeholders, 5 links
    assert report.footnote(298).urls[0] == (
        "https://transparenciave.org/economias-ilicitas/wp-content/uploads/2022/06/Economia-Ilicitas.pdf")
    assert report.footnote(296).urls == ["https://drive.google.com/file/d/1z1Aj6zRKiOzmEQZtBNy-1D7bL9UPdZrP/view"]


def test_losses_are_warnings(report):
    by_code: dict[str, list] = {}
    for w in report.warnings:
        by_code.setdefault(w.code, []).append(w)
    assert [w.line for w in by_code["orphan-fragment"]] == [580, 2157, 2158, 2159, 2760]
    unassigned = {w.line for w in by_code["url-unassigned"]}
    assert {36, 1575} <= unassigned  # the disclaimer's link; a link of a lost footnote page
    assert any(w.footnote == 363 or "363" in w.message for w in by_code["url-missing"])
    # cut at the page end: `… La República, PNP: bandas extranjeras tienen el control de 33 plazas en 14`
    assert [w.footnote for w in by_code["footnote-truncated"]] == [322, 345]


# --- glossary, terms of reference, metadata ---------------------------------------------------

def test_glossary(report):
    glossary = {g.term: g.definition for g in report.glossary}
    assert len(glossary) == 33
    assert glossary["Péstamos gota a gota"] == "Loan shark"
    assert glossary["FF. AA."] == "Fuerzas Armadas del Perú (Armed Forces of Peru)"
    assert glossary["FARC dissidents"] == ("Disidencias de las Fuerzas Armadas Revolucionarias de Colombia "
                                           "(Dissidents of the Revolutionary Armed Forces of Colombia)")
    assert glossary["CNDDHH"] == "Coordinadora Nacional de Derechos Humanos (National Coordinator for Human Rights)"
    assert glossary["Secuestros al paso"] == "Express kidnappings"
    assert glossary["EU+ countries"] == "Member States of the European Union and associated countries"
    assert glossary["USDOS"] == "United States Department of State"
    assert "Term" not in glossary and not any("Definition" in t for t in glossary)
    assert not report.section("Glossary and abbreviations").paragraphs


def test_terms_of_reference_tree(report):
    tor = report.terms_of_reference
    assert [t.text for t in tor] == ["Overview", "Political opponents and activists", "Organised crime",
                                     "Domestic violence and gender-based violence", "LGBTI"]
    overview = tor[0]
    assert [i.text for i in overview.items] == ["Government/state structure", "Economy/humanitarian situation",
                                                "Freedom of movement", "Judicial structure/security and police"]
    assert [i.text for i in overview.items[3].items] == [
        "State presence in rural/urban areas", "Corruption in the security forces and justice system"]
    assert tor[1].items[1].text == (
        "Demonstrations and treatment of anti-government protesters and persons who do not support protests, "
        "including sympathizers of Peru Libre and Fuerza Popular")
    assert len(tor[2].items) == 6 and len(tor[3].items) == 2 and len(tor[4].items) == 2
    annex = report.section("Annex 2: Terms of Reference")
    assert [p.text[:30] for p in annex.paragraphs] == ["Reference period: (January 202",
                                                       "This report is meant to provid"]


def test_metadata(report):
    assert report.title == "Peru – Country Focus"
    assert report.publisher == "EUAA"
    assert report.cut_off == "2023-09-19"
    assert (report.reference_period.start, report.reference_period.end) == ("2021-01", "2023-09-19")
    assert report.language == "en"
    assert report.id == ""  # the library names reports, not the reader


def test_ingested_end_to_end(tmp_path, report):
    with Library(tmp_path / "t.db", settings=Settings(embeddings=False)) as lib:
        result = lib.ingest(SAMPLE)
        stored = lib.report(SAMPLE_ID)
    assert result.paragraphs == sum(1 for _ in report.paragraphs())
    assert result.footnotes == 437
    assert [(s.number, s.title) for s in stored.walk_sections() if s.number] == NUMBERED
    p = next(p for p in stored.paragraphs() if "inhabitants." in p.text and "382.6" in p.text)
    assert p.footnote_numbers[:5] == [95, 96, 97, 98, 99]
