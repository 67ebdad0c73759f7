"""Small hand-built COI reports for search tests: sections, footnote markers, citations and
sources of known types and dates, stored through the real store with real embeddings."""

from __future__ import annotations

from corroborate import Library
from corroborate.models import (
    Citation,
    Footnote,
    Marker,
    Paragraph,
    Report,
    Section,
    Source,
    SourceType,
    assign_paragraph_ids,
)

EXTORTION = (
    "Criminal gangs extort small shop owners in Lima, charging a weekly fee known as cupo; "
    "those who refuse have their premises attacked with explosives.1 Bus companies pay the "
    "highest amounts.2"
)
MARRIAGE = (
    "Same-sex marriage is not legal in Peru and same-sex couples cannot register a civil union.3"
)
POLICE = "The National Police of Peru (PNP) had 1 495 police stations in 2017.4"
PROTESTS = "The largest demonstrations took place in southern Peru, in Puno and Ayacucho.5"
MINING = "Illegal mining in Madre de Dios destroys forests & rivers <and> poisons them with mercury.6"


def _marker_at_end(text: str, n: int) -> list[Marker]:
    return [Marker(n=n, offset=len(text))]


def make_report(report_id: str = "test-peru", extra: str | None = None) -> tuple[Report, list[Source]]:
    def para(text: str, n: int) -> Paragraph:
        clean = text.rstrip("0123456789")
        return Paragraph(text=clean, markers=_marker_at_end(clean, n))

    p1 = Paragraph(
        text=EXTORTION.replace("explosives.1", "explosives.").replace("amounts.2", "amounts."),
        markers=[],
    )
    p1.markers = [Marker(n=1, offset=p1.text.index("explosives.") + len("explosives.")),
                  Marker(n=2, offset=len(p1.text))]
    sections = [
        Section(number="1", title="Political situation", paragraphs=[para(PROTESTS, 5)]),
        Section(number="3", title="Security situation", paragraphs=[], sections=[
            Section(number="3.5", title="Criminal groups", level=2, paragraphs=[p1], sections=[
                Section(number="3.5.1", title="Extortion", level=3, paragraphs=[para(POLICE, 4)]),
            ]),
            Section(number="3.6", title="Mining", level=2, paragraphs=[para(MINING, 6)]),
        ]),
        Section(number="4", title="Vulnerable groups", paragraphs=[para(MARRIAGE, 3)]),
    ]
    if extra:
        sections[0].paragraphs.append(Paragraph(text=extra))
    sources = [
        Source(id="src-larepublica", author="La República", type=SourceType.MEDIA, date="2023-05-02"),
        Source(id="src-hrw", author="Human Rights Watch", type=SourceType.NGO, date="2022"),
        Source(id="src-inei", author="INEI", type=SourceType.GOVERNMENT, date="2018-03"),
    ]
    footnotes = [
        Footnote(n=1, text="La República, Extorsión a bodegueros, 2 May 2023, url",
                 urls=["https://larepublica.pe/x"],
                 citations=[Citation(author="La República", title="Extorsión a bodegueros",
                                     date="2023-05-02", source_id="src-larepublica")]),
        Footnote(n=2, text="Human Rights Watch, World Report 2022, url",
                 citations=[Citation(author="Human Rights Watch", title="World Report 2022", date="2022",
                                     source_id="src-hrw")]),
        Footnote(n=3, text="Human Rights Watch, World Report 2022, url",
                 citations=[Citation(author="Human Rights Watch", title="World Report 2022", date="2022",
                                     source_id="src-hrw")]),
        Footnote(n=4, text="INEI, Censo de comisarías 2017, March 2018",
                 citations=[Citation(author="INEI", title="Censo de comisarías 2017", date="2018-03",
                                     source_id="src-inei")]),
        Footnote(n=5, text=None),  # text lost in extraction: still listed, with text None
        Footnote(n=6, text="La República, Minería ilegal, 2 May 2023",
                 citations=[Citation(author="La República", title="Minería ilegal", date="2023-05-02",
                                     source_id="src-larepublica")]),
    ]
    report = Report(id=report_id, title=f"Peru – test report {report_id}", sections=sections,
                    footnotes=footnotes, source_hash=f"hash-{report_id}-{extra or ''}")
    return report, sources


def store(lib: Library, report: Report, sources: list[Source], replace: list[str] | None = None) -> None:
    """Store a hand-built report the way `Library.ingest` does (ids, embeddings, one transaction)."""
    assign_paragraph_ids(report, report.id)
    embeddings, e5 = lib._embed(report) if lib.settings.embeddings else (None, None)
    lib.store.save_report(report, report.id, sources, embeddings, replace_ids=replace, e5=e5)
