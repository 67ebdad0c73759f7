"""Each audit rule on small hand-built reports: a case it must find and a close case it must not."""

from __future__ import annotations

import pytest

from corroborate.audit import RULES, audit_report
from corroborate.audit.text import split_sentences
from corroborate.models import CitationKind, ParagraphKind, Source, SourceType
from test_audit_helpers import C, F, P, R, S, doc, findings

# --- traceability ------------------------------------------------------------------------------


def test_footnote_text_missing_found_only_when_text_is_absent():
    report = R(S("1", "Overview", P("Courts are slow.[1] Police are underfunded.[2]")),
               footnotes=[F(1, doc(1)), F(2, text=None)])
    got = findings(report, "footnote-text-missing")
    assert [f["footnote"] for f in got] == [2]
    assert got[0]["severity"] == "error" and got[0]["section"] == "1" and got[0]["paragraph_id"]


def test_footnote_text_missing_when_footnote_absent_altogether():
    report = R(S("1", "Overview", P("Courts are slow.[1] Police are underfunded.[2]")),
               footnotes=[F(1, doc(1))])
    assert [f["footnote"] for f in findings(report, "footnote-text-missing")] == [2]


def test_footnote_unreferenced():
    report = R(S("1", "Overview", P("Courts are slow in all the regions.[1]")),
               footnotes=[F(1, doc(1)), F(2, doc(2))])
    assert [f["footnote"] for f in findings(report, "footnote-unreferenced")] == [2]
    report = R(S("1", "Overview", P("Courts are slow.[1] Police are underfunded.[2]")),
               footnotes=[F(1, doc(1)), F(2, doc(2))])
    assert findings(report, "footnote-unreferenced") == []


def test_numbering_gap_reported_as_one_range():
    report = R(S("1", "Overview", P("A claim here.[1] Another claim.[5]")),
               footnotes=[F(1, doc(1)), F(5, doc(5))])
    got = findings(report, "footnote-numbering-gap")
    assert len(got) == 1 and "2–4" in got[0]["message"]
    report = R(S("1", "Overview", P("A claim here.[1] Another claim.[2]")),
               footnotes=[F(1, doc(1)), F(2, doc(2))])
    assert findings(report, "footnote-numbering-gap") == []


def test_marker_duplicate_across_paragraphs_not_within_one():
    report = R(S("1", "Overview", P("Claim one is here.[1]"), P("Claim two is here.[1]")),
               footnotes=[F(1, doc(1))])
    got = findings(report, "footnote-marker-duplicate")
    assert [f["footnote"] for f in got] == [1]
    report = R(S("1", "Overview", P("Claim one,[1] and claim two is here.[2]")),
               footnotes=[F(1, doc(1)), F(2, doc(2))])
    assert findings(report, "footnote-marker-duplicate") == []


def test_marker_order_points_at_the_culprit_only():
    text = "One.[10] Two.[11] Three.[7] Four.[12] Five.[13]"
    report = R(S("1", "Overview", P(text)), footnotes=[F(n, doc(n)) for n in (7, 10, 11, 12, 13)])
    got = findings(report, "footnote-marker-order")
    assert [f["footnote"] for f in got] == [7]
    text = "One.[10] Two.[11] Three.[250] Four.[12] Five.[13]"
    report = R(S("1", "Overview", P(text)), footnotes=[F(n, doc(n)) for n in (10, 11, 12, 13, 250)])
    assert [f["footnote"] for f in findings(report, "footnote-marker-order")] == [250]
    report = R(S("1", "Overview", P("One.[1] Two.[2] Two again.[2] Three.[3]")),
               footnotes=[F(n, doc(n)) for n in (1, 2, 3)])
    assert findings(report, "footnote-marker-order") == []


def test_statement_unreferenced_trailing_sentence_is_found():
    para = P("The police were deployed in the southern regions.[1] Several hundred people were detained "
             "by the police during the protests.")
    report = R(S("2", "Demonstrations", para), footnotes=[F(1, doc(1))])
    got = findings(report, "statement-unreferenced")
    assert len(got) == 1 and got[0]["evidence"].startswith("Several hundred")


def test_statement_covered_by_the_next_marker_of_its_paragraph():
    para = P("The police were deployed in the southern regions. Several hundred people were detained "
             "by the police during the protests.[1]")
    report = R(S("2", "Demonstrations", para), footnotes=[F(1, doc(1))])
    assert findings(report, "statement-unreferenced") == []


def test_statement_marker_glued_after_full_stop_or_inside_sentence():
    para = P("Spanish is spoken by most people,[1] and Quechua by many others in the Andes. "
             "Aymara is spoken around Lake Titicaca by a minority.[2]")
    report = R(S("1", "Overview", para), footnotes=[F(1, doc(1)), F(2, doc(2))])
    assert findings(report, "statement-unreferenced") == []


def test_statement_exemptions_methodology_gap_signpost_and_page_break():
    report = R(
        S(None, "Introduction", P("This report was written by an expert drafter using many sources.")),
        S("1", "Overview",
          P("Additional information on witness protection could not be found among the sources consulted."),
          P("For more information on Shining Path, see Section 3.5 Armed and criminal groups."),
          # a paragraph cut by a page break: the next paragraph's marker covers it
          P("Government officials accused the movement of being behind the"),
          P("protests in the capital and the southern regions.[1]")),
        footnotes=[F(1, doc(1))],
    )
    assert findings(report, "statement-unreferenced") == []


def test_list_items_covered_by_a_later_item():
    report = R(S("1", "Overview",
                 P("The law provides the following protection measures:"),
                 P("police protection for witnesses and their families", ParagraphKind.LIST_ITEM),
                 P("a change of identity and residence for the witness.[1]", ParagraphKind.LIST_ITEM)),
               footnotes=[F(1, doc(1))])
    assert findings(report, "statement-unreferenced") == []


def test_sentence_splitter_keeps_abbreviations_and_decimals():
    text = "The rate was 2.2 percent in 2022, e.g. in Lima. Law No. 30364 applies. Next one."
    assert [s.text for s in split_sentences(text)] == [
        "The rate was 2.2 percent in 2022, e.g. in Lima.", "Law No. 30364 applies.", "Next one."]


# --- transparency ------------------------------------------------------------------------------


@pytest.mark.parametrize("sentence", [
    "Additional information on witness protection programs could not be found among the sources "
    "consulted within the time constraints of this report.",
    "Information on the number of shelters could not be found.",
    "Recent homicide rates could not be found among the sources consulted within the time constraints "
    "of this report.",
])
def test_gap_statements_collected(sentence):
    report = R(S("1.3", "Witness protection", P("Programmes exist in law.[1] " + sentence)),
               footnotes=[F(1, doc(1))])
    got = findings(report, "gap-statement")
    assert len(got) == 1 and got[0]["severity"] == "info" and got[0]["section"] == "1.3"
    assert "could not be found" in got[0]["evidence"]


def test_gap_statement_not_confused_with_a_finding_of_the_sources():
    report = R(S("1", "Overview", P("The commission found that the evidence could not support the charge.[1]"),
                 P("Bodies of the victims were not found by the police.[2]")),
               footnotes=[F(1, doc(1)), F(2, doc(2))])
    assert findings(report, "gap-statement") == []


# --- citation form -----------------------------------------------------------------------------


def test_citation_repeated_in_one_footnote():
    fh = "Freedom House, Freedom in the World 2023: Peru, 2023, url"
    report = R(S("1", "Overview", P("A claim is made here.[1]")),
               footnotes=[F(1, C(fh, "Freedom House", "2023"), doc(2), C(fh, "Freedom House", "2023"))])
    got = findings(report, "citation-repeated")
    assert len(got) == 1 and got[0]["footnote"] == 1 and "Freedom House" in got[0]["evidence"]
    # same source, two different documents: not a repetition
    report = R(S("1", "Overview", P("A claim is made here.[1]")),
               footnotes=[F(1, C("Freedom House, Freedom in the World 2023: Peru, 2023, url", "Freedom House"),
                            C("Freedom House, Freedom in the World 2022: Peru, 2022, url", "Freedom House"))])
    assert findings(report, "citation-repeated") == []


def test_citation_empty_trailing_semicolon():
    report = R(S("1", "Overview", P("A claim is made here.[1] Another claim.[2]")),
               footnotes=[F(1, doc(1), C("", kind=CitationKind.EMPTY), text="HRW, Report 1, 2023, url;"),
                          F(2, doc(2), doc(3), text="HRW, Report 2, 2023, url; HRW, Report 3, 2023, url")])
    assert [f["footnote"] for f in findings(report, "citation-empty")] == [1]


def test_citation_undated_and_no_url():
    nd = C("Peru, Poder Judicial del Perú, Conócenos / Historia, n.d., url", "Peru", date=None,
           url="https://pj.gob.pe")
    print_only = C("Degregori, C., Qué difícil es ser Dios, 2010", "Degregori", date="2010")
    report = R(S("1", "Overview", P("A claim is made here.[1] Another claim.[2]")),
               footnotes=[F(1, nd), F(2, print_only, doc(3))])
    undated = findings(report, "citation-undated")
    assert [(f["footnote"], "n.d." in f["message"]) for f in undated] == [(1, True)]
    assert [f["footnote"] for f in findings(report, "citation-no-url")] == [2]


def test_oral_and_analysis_citations_need_no_date_or_url():
    report = R(S("1", "Overview", P("A claim is made here.[1]")),
               footnotes=[F(1, C("DPLF, interview with EUAA, 6 September 2023", "DPLF", "2023-09-06",
                                 kind=CitationKind.ORAL),
                            C("Analysis by European Union Agency for Asylum", kind=CitationKind.ANALYSIS))])
    assert findings(report, "citation-undated") == [] and findings(report, "citation-no-url") == []


def test_citation_unparsed():
    report = R(S("1", "Overview", P("A claim is made here.[1]")),
               footnotes=[F(1, doc(1), C("July 2023, url", kind=CitationKind.UNPARSED))])
    got = findings(report, "citation-unparsed")
    assert len(got) == 1 and got[0]["evidence"] == "July 2023, url"
    report = R(S("1", "Overview", P("A claim is made here.[1]")), footnotes=[F(1, doc(1))])
    assert findings(report, "citation-unparsed") == []


# --- currency ----------------------------------------------------------------------------------


def test_sources_before_period_and_after_cutoff():
    report = R(S("1", "Overview", P("Old claim.[1] Boundary claim.[2] Late claim.[3] Edge claim.[4]")),
               footnotes=[F(1, doc(1, date="2019-05")), F(2, doc(2, date="2021")),
                          F(3, doc(3, date="2023-10-02")), F(4, doc(4, date="2023-09"))])
    assert [f["footnote"] for f in findings(report, "source-before-period")] == [1]
    late = findings(report, "source-after-cutoff")
    assert [f["footnote"] for f in late] == [3] and late[0]["severity"] == "warning"


def test_reference_period_read_from_methodology_text_when_reader_left_it_empty():
    report = R(S(None, "Methodology", P("The reference period for the report is from January 2021 to "
                                        "19 September 2023 but includes background information.")),
               S("1", "Overview", P("Old claim.[1]")),
               footnotes=[F(1, doc(1, date="2020"))], start=None, cut=None)
    assert findings(report, "reference-period-missing") == []
    got = findings(report, "source-before-period")
    assert [f["footnote"] for f in got] == [1] and "methodology text" in got[0]["message"]


def test_reference_period_missing_said_once():
    report = R(S("1", "Overview", P("Old claim.[1] Other claim.[2]")),
               footnotes=[F(1, doc(1, date="2010")), F(2, doc(2, date="2011"))], start=None, cut=None)
    assert len(findings(report, "reference-period-missing")) == 1
    assert findings(report, "source-before-period") == []


# --- corroboration and balance -----------------------------------------------------------------


def test_single_source_paragraph():
    one = R(S("1", "Overview", P("The courts are slow in Lima.[1] Judges are often corrupt in the provinces.[2]")),
            footnotes=[F(1, doc(1, "USDOS")), F(2, doc(2, "USDOS"))])
    assert len(findings(one, "single-source-paragraph")) == 1
    two = R(S("1", "Overview", P("The courts are slow in Lima.[1] Judges are often corrupt in the provinces.[2]")),
            footnotes=[F(1, doc(1, "USDOS")), F(2, doc(2, "HRW"))])
    assert findings(two, "single-source-paragraph") == []
    lost = R(S("1", "Overview", P("The courts are slow in Lima.[1] Judges are often corrupt in the provinces.[2]")),
             footnotes=[F(1, doc(1, "USDOS")), F(2, text=None)])
    assert findings(lost, "single-source-paragraph") == []


def test_oral_only_support():
    oral = C("DPLF, interview with EUAA, 6 September 2023", "DPLF", "2023-09-06", kind=CitationKind.ORAL)
    report = R(S("1", "Overview", P("The judicial system is not collapsed but it is coopted.[1] "
                                    "Judges are often removed by the council.[2]")),
               footnotes=[F(1, oral), F(2, oral.model_copy(), doc(3))])
    got = findings(report, "oral-only-support")
    assert [f["footnote"] for f in got] == [1]


def _section_with(authors: list[str]):
    text = " ".join(f"Claim number {i} is here.[{i + 1}]" for i in range(len(authors)))
    return R(S("3.1", "Homicides", P(text)),
             footnotes=[F(i + 1, doc(i + 1, a)) for i, a in enumerate(authors)])


def test_section_source_dominance_gives_the_share():
    got = findings(_section_with(["INEI"] * 5 + ["HRW", "AI", "USDOS"]), "section-source-dominance")
    assert len(got) == 1 and "62%" in got[0]["message"] and got[0]["section"] == "3.1"
    assert findings(_section_with(["INEI"] * 3 + ["HRW", "AI", "USDOS", "IPE", "UN"]),
                    "section-source-dominance") == []
    # too few citations to speak of dominance
    assert findings(_section_with(["INEI"] * 4 + ["HRW"]), "section-source-dominance") == []


def test_section_type_dominance_uses_registry_types():
    authors = ["INEI", "MININTER", "PNP", "MIMP", "Defensoria", "Congreso", "MINJUS", "HRW"]
    report = _section_with(authors)
    types = {a: SourceType.GOVERNMENT for a in authors[:-1]} | {"HRW": SourceType.NGO}
    sources = [Source(id=f"src-{a.lower()}", author=a, type=t) for a, t in types.items()]
    got = findings(report, "section-type-dominance", sources)
    assert len(got) == 1 and "government" in got[0]["message"] and "88%" in got[0]["message"]
    types["MINJUS"] = types["Congreso"] = SourceType.MEDIA
    sources = [Source(id=f"src-{a.lower()}", author=a, type=t) for a, t in types.items()]
    assert findings(report, "section-type-dominance", sources) == []


# --- glossary ----------------------------------------------------------------------------------

GLOSSARY = [("HRW", "Human Rights Watch"), ("EU+ countries", "Member States of the EU and associated"),
            ("FF. AA.", "Fuerzas Armadas del Perú"), ("LGBTI", "Lesbian, gay …"),
            ("Préstamos gota a gota", "Loan shark"), ("CAD", "Comités de Autodefensa")]


def _glossary_report(*paragraphs):
    return R(S(None, "Glossary", P("Term Definition")), S("1", "Overview", *paragraphs),
             footnotes=[F(1, doc(1))], glossary=GLOSSARY)


def test_glossary_missing_acronym_not_flagged_when_defined_inline_or_universally_known():
    report = _glossary_report(P("In an interview, the Due Process of Law Foundation (DPLF) said courts "
                                "are slow.[1] DPLF added that judges are removed. HRW agreed. The "
                                "RPP (Radio Programas del Perú) and the BBC reported it, as did the UN "
                                "during COVID-19. The SUNAT said nothing."))
    got = findings(report, "glossary-missing-acronym")
    assert [f["message"].split()[0] for f in got] == ["SUNAT"]
    assert "nor spelled out" in got[0]["message"]


def test_glossary_missing_acronym_ignores_variants_roman_numerals_and_capitalised_titles():
    report = _glossary_report(P("LGBTIQ+ persons and the FF.AA. reported, in phase II, on the "
                                "HYBRID EVENT PERU AT THE CROSSROADS, and EU+ countries agreed.[1]"))
    assert findings(report, "glossary-missing-acronym") == []


def test_glossary_unused_entries_tolerate_dots_prefixes_and_one_typo():
    report = _glossary_report(P("LGBTI people, the FF.AA., EU+ states, HRW and préstamos gota a gota "
                                "lenders.[1]"))
    got = findings(report, "glossary-unused-entry")
    assert [f["evidence"].split(":")[0] for f in got] == ["CAD"]
    report = _glossary_report(P("The CAD and LGBTI people, the FF. AA., EU+ states, HRW and prestamos gota "
                                "a gota.[1]"))
    assert findings(report, "glossary-unused-entry") == []


# --- cross-references --------------------------------------------------------------------------


def test_cross_references_resolve_or_not():
    report = R(
        S("1", "Overview", sections=[S("1.5", "Political developments",
                                       P("Boluarte became President.[1] See 1.5 Political developments."))]),
        S("3", "Criminality", sections=[S("3.5", "Armed and criminal groups", P("Groups operate.[2]"))]),
        S("2", "Demonstrations", P("For more information on Shining Path, see Section 3.5 Armed and criminal "
                                   "groups. See Section 3.7 State response. See 1.5 Economy.[3]"),
          P("Under Section 3 of Law 30364, judges act. See 2 cases in the annex.[4]")),
        footnotes=[F(n, doc(n)) for n in range(1, 5)],
    )
    got = findings(report, "cross-reference-unresolved")
    assert [f["evidence"] for f in got] == ["See Section 3.7 State response", "See 1.5 Economy"]
    assert "no such section" in got[0]["message"] and "Political developments" in got[1]["message"]


# --- the audit as a whole ----------------------------------------------------------------------


def test_severity_threshold_and_summary():
    report = R(S("1", "Overview", P("A claim is here.[1] Another claim here.[2]")),
               footnotes=[F(1, text=None), F(2, C("x", kind=CitationKind.UNPARSED))])
    full = audit_report(report)
    assert full["summary"]["by_rule"]["footnote-text-missing"]["error"] == 1
    errors = audit_report(report, min_severity="error")
    assert {f["severity"] for f in errors["findings"]} == {"error"}
    with pytest.raises(ValueError, match="severity"):
        audit_report(report, min_severity="fatal")
    with pytest.raises(ValueError, match="unknown audit rule"):
        audit_report(report, rules=["nope"])


def test_every_rule_has_documentation_and_a_principle():
    for r in RULES.values():
        assert r.summary and r.rationale and r.principle, r.id


def test_quoted_law_with_articles_and_items_is_one_passage():
    report = R(S("1.3.3", "Witness protection",
                 P("The Procedural Penal Code indicates the following regarding protection measures:"),
                 P("Article 247.- Persons eligible for protection measures", ParagraphKind.QUOTE),
                 P("1. The protection measures provided for in this Title are applicable to witnesses.",
                   ParagraphKind.LIST_ITEM),
                 P("Article 248.- Protection measures", ParagraphKind.QUOTE),
                 P("a) Police protection for the witness and the family.[1]", ParagraphKind.LIST_ITEM),
                 P("Courts rarely grant these measures to ordinary witnesses in practice.")),
               footnotes=[F(1, doc(1))])
    got = findings(report, "statement-unreferenced")
    assert [f["evidence"] for f in got] == ["Courts rarely grant these measures to ordinary witnesses in practice."]


def test_citation_cut_replaces_undated_and_no_url_for_a_cut_footnote():
    from corroborate.models import IngestWarning

    report = R(S("1", "Overview", P("A claim is made here.[1] Another claim made.[2]")),
               footnotes=[F(1, doc(1), C("AFP, At least six killed in Peru", "AFP")),
                          F(2, C("AFP, Killed in Lima", "AFP"))])
    report.warnings = [IngestWarning(code="citation-incomplete", message="cut?", footnote=1)]
    assert [f["footnote"] for f in findings(report, "citation-cut")] == [1]
    assert [f["footnote"] for f in findings(report, "citation-undated")] == [2]
    assert [f["footnote"] for f in findings(report, "citation-no-url")] == [2]


def test_acronym_inside_a_proper_name_is_not_a_glossary_term():
    report = _glossary_report(P("According to data provided by Willax TV, a Peruvian news source, and TVPE "
                                "Noticias, kidnappings rose.[1] LGBT persons and LGBTQI+ groups were cited."))
    assert findings(report, "glossary-missing-acronym") == []
    report = _glossary_report(P("The television channel ATV reported that kidnappings rose sharply.[1]"))
    assert [f["message"].split()[0] for f in findings(report, "glossary-missing-acronym")] == ["ATV"]


def test_single_source_paragraph_skips_quoted_legislation():
    law = C("Peru, Código Procesal Penal, 2004, url", "Peru", "2004", kind=CitationKind.LEGISLATION,
            source_id="src-cpp")
    report = R(S("1.3.3", "Witness protection",
                 P("The protection measures apply to witnesses and experts in all proceedings. They are "
                   "granted by the prosecutor or the judge in the case.[1]")),
               footnotes=[F(1, law)])
    assert findings(report, "single-source-paragraph") == []


def test_back_references_need_no_date_or_url():
    report = R(S("1", "Overview", P("A claim is made here.[1] Another claim made.[2] A third one.[3]")),
               footnotes=[F(1, doc(1)), F(2, C("Ibid., at 71.", kind=CitationKind.DOCUMENT)),
                          F(3, C("See Freire (n. 16), chapter 2.", kind=CitationKind.DOCUMENT))])
    assert findings(report, "citation-undated") == [] and findings(report, "citation-no-url") == []


def test_capitalised_heading_read_as_a_paragraph_is_not_a_statement():
    report = R(S("1", "Overview", P("JOSÉ DELFÍN ACOSTA MARTINEZ AND FAMILY ARGENTINA CASE"),
                 P("The petitioners stated that he was detained without any reason at all.")))
    got = findings(report, "statement-unreferenced")
    assert [f["evidence"][:16] for f in got] == ["The petitioners "]


def test_statute_sections_are_not_internal_cross_references():
    report = R(S("1", "Overview", P("Searches under Section 2 PACE 1984 and section 39A of the Police Act "
                                    "1996 are frequent.[1] See Section 9 Annexes.[2]")),
               footnotes=[F(1, doc(1)), F(2, doc(2))])
    assert [f["evidence"] for f in findings(report, "cross-reference-unresolved")] == ["See Section 9 Annexes"]
    unnumbered = R(S(None, "The legal landscape", P("Stop and search under section 60 is common.[1]")),
                   footnotes=[F(1, doc(1))])
    assert findings(unnumbered, "cross-reference-unresolved") == []


def test_every_rule_has_a_unit_test_here():
    from pathlib import Path

    source = Path(__file__).read_text(encoding="utf-8")
    untested = [rid for rid in RULES if f'"{rid}"' not in source.replace(f'"{rid}" in', "")]
    assert untested == []
