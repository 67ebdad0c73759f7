"""Other citation styles met in COI work: academic/legal references, inline links, short forms."""

from __future__ import annotations

from corroborate.citations import link_citations, parse_footnote_text
from corroborate.models import CitationKind, Footnote, Report


def report_of(*texts: str) -> Report:
    report = Report(footnotes=[Footnote(n=i + 1, text=t) for i, t in enumerate(texts)])
    link_citations(report)
    return report


def test_inline_link_instead_of_a_placeholder():
    (c,) = parse_footnote_text(
        "Schmid, Victim Status before the ECtHR in Cases of Alleged Omissions: The Swiss Climate Case, EJIL:Talk!, "
        "30.04.2022, https://www.ejiltalk.org/victim-status/.")
    assert (c.author, c.date, c.url) == ("Schmid", "2022-04-30", "https://www.ejiltalk.org/victim-status/")


def test_quoted_titles_with_bracketed_years():
    cits = parse_footnote_text(
        "Katie Strudwick ‘Learning through practice: Collaborative policing partnerships in teaching in higher "
        "education’ [2021] The Police Journal: Theory, Practice and Principles, 94(1) 58–74; Colin Rogers and James "
        "Gravelle, ‘Implementing a police foundation degree – insights from South Wales’[2019] Policing: A Journal "
        "of Policy and Practice, 1–13")
    assert [(c.author, c.date) for c in cits] == [("Katie Strudwick", "2021"), ("Colin Rogers and James Gravelle", "2019")]
    assert cits[0].title == ("Learning through practice: Collaborative policing partnerships in teaching in higher "
                             "education")
    assert cits[0].container == "The Police Journal: Theory, Practice and Principles"
    assert cits[1].container == "Policing: A Journal of Policy and Practice"


def test_journal_volume_year_pages_and_cf_signal():
    (c,) = parse_footnote_text(
        "Cf Niska, Climate Change Litigation and the European Court of Human Rights - A Strategic Next Step?, "
        "Journal of World Energy Law and Business 13 (2020) 331 ff")
    assert (c.author, c.date, c.container, c.locator, c.note) == (
        "Niska", "2020", "Journal of World Energy Law and Business", "331 ff", "Cf")
    assert c.title == "Climate Change Litigation and the European Court of Human Rights - A Strategic Next Step?"


def test_a_journal_closing_several_titles_is_learned_as_container():
    report = report_of(
        "For Austria: Somek, Grundrecht kraft Mitlaufens mit dem Zeitgeist, Die Presse, 15.04.2024; Kary, "
        "Klimaklagen: Muss jetzt auch Österreich zittern?, Die Presse, 10.04.2024",
        "Ennöckl, Ein kleiner Klimaprotest mit großer Wirkung, Die Presse, 12.04.2024")
    cits = [c for f in report.footnotes for c in f.citations]
    assert [(c.author, c.title, c.container) for c in cits] == [
        ("Somek", "Grundrecht kraft Mitlaufens mit dem Zeitgeist", "Die Presse"),
        ("Kary", "Klimaklagen: Muss jetzt auch Österreich zittern?", "Die Presse"),
        ("Ennöckl", "Ein kleiner Klimaprotest mit großer Wirkung", "Die Presse"),
    ]
    assert cits[0].note == "For Austria:"
    # seen once, the same segment stays part of the title
    (alone,) = parse_footnote_text("Somek, Grundrecht kraft Mitlaufens mit dem Zeitgeist, Die Presse, 15.04.2024")
    assert alone.container is None


def test_ibid_and_back_references_cite_the_same_source():
    report = report_of(
        "Peter Neyroud, Review of Police Leadership and Training (2011). London: Home Office, at 129.",
        "Ibid., 81.",
        "HRW, Deadly Decline: Security Force Abuses, April 2023, url, p. 3",
        "See Neyroud (n. 1), at 12.",
        "Unknown (n. 9)",
    )
    first, ibid, _, back, lost = (f.citations[0] for f in report.footnotes)
    assert (first.author, first.title, first.date) == ("Peter Neyroud", "Review of Police Leadership and Training",
                                                       "2011")
    assert (ibid.source_id, ibid.locator, ibid.note) == (first.source_id, "81", "Ibid., 81.")
    assert (back.source_id, back.locator) == (first.source_id, "12")
    assert lost.kind == CitationKind.UNPARSED and lost.source_id is None
    assert any(w.code == "citation-unparsed" and w.footnote == 5 for w in report.warnings)


def test_locator_only_footnote_refers_to_the_work_under_discussion():
    report = report_of("Para 422.", "Cf para 10.")
    a, b = (f.citations[0] for f in report.footnotes)
    assert (a.kind, a.locator, a.source_id) == (CitationKind.EMPTY, "Para 422", None)
    assert (b.locator, b.note) == ("para 10", "Cf")
    assert not [w for w in report.warnings if w.code.startswith("citation")]


def test_period_separated_style_of_the_inter_american_system():
    report = report_of(
        "I/A Court HR. Case of Chaparro Álvarez and Lapo Íñiguez. v. Ecuador. Preliminary Objections, Merits, "
        "Reparations, and Costs. Judgment of November 21, 2007. Series C No. 170, par. 55. See also: IACHR. Report "
        "on Citizen Security and Human Rights. Thursday, December 31, 2009, paras. 144-146.",
        "Committee on the Elimination of Racial Discrimination. CERD/C/ARG/CO/21-23 of 11 January 2017.",
        "I/A Court HR. Case of the “Juvenile Reeducation Institute” v. Paraguay. Judgment of September 2, 2004, "
        "par. 152; Case of Mendoza v. Argentina. Judgment of May 14, 2013, par. 188",
    )
    court, iachr = report.footnotes[0].citations
    assert (court.author, court.title, court.date, court.container, court.locator) == (
        "I/A Court HR", "Case of Chaparro Álvarez and Lapo Íñiguez. v. Ecuador", "2007-11-21", "Series C No. 170",
        "par. 55")
    assert (iachr.author, iachr.title, iachr.date, iachr.locator, iachr.note) == (
        "IACHR", "Report on Citizen Security and Human Rights", "2009-12-31", "paras. 144-146", "See also:")
    (cerd,) = report.footnotes[1].citations
    assert (cerd.author, cerd.date) == ("Committee on the Elimination of Racial Discrimination", "2017-01-11")
    first, second = report.footnotes[2].citations
    assert (second.author, second.title, second.date, second.locator) == (
        "I/A Court HR", "Case of Mendoza v. Argentina", "2013-05-14", "par. 188")  # the court of the case before
    assert first.title == "Case of the “Juvenile Reeducation Institute” v. Paraguay"
