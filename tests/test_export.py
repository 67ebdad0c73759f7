"""Exports opened by real consumers: LibreOffice and pypdf read the DOCX and the PDF back,
lxml the HTML, citeproc-py renders the CSL-JSON, rispy parses the RIS. The sample report
(ingested into a real SQLite file) is exported once per format per module; a small hand-built
report pins down the cases the sample may not contain (a footnote called twice, a lost footnote,
a footnote whose reference mark was lost, a confidential source inside a mixed footnote)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree, html

from conftest import SAMPLE_ID
from corroborate import Library
from corroborate.citations.format import footnote_segments, link_segments, plain
from corroborate.cli import main
from corroborate.export import atomic_write
from corroborate.export.bibliography import collect_entries, persons
from corroborate.models import (
    Citation,
    CitationKind,
    Footnote,
    Marker,
    Paragraph,
    Report,
    Section,
    Source,
    SourceType,
    assign_paragraph_ids,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MISSING = "text missing in the source document"


def squash(text: str) -> str:
    """Compare texts across renderers that wrap, hyphenate and space them differently."""
    return re.sub(r"\s+", "", text).replace("\u00ad", "")


def shows(note_text: str, rendered: str) -> bool:
    """Whether a footnote's text is in a squashed rendering; a long footnote may continue at the
    foot of the next page (with that page's body text in between), so its head and tail count."""
    t = squash(note_text)
    if t in rendered:
        return True
    return any(t[:k] in rendered and t[k:] in rendered for k in range(20, len(t) - 19))


def pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def soffice_to_pdf(docx: Path, outdir: Path) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = outdir / "lo-profile"  # private profile: other soffice processes may be running
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(docx)], check=True, capture_output=True, timeout=300)
    return outdir / (docx.stem + ".pdf")


# --- the sample, exported once per format ------------------------------------------------------


@pytest.fixture(scope="module")
def lib(module_sample_lib):
    return module_sample_lib


@pytest.fixture(scope="module")
def report(lib) -> Report:
    return lib.report(SAMPLE_ID)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="module")
def exported(lib, out) -> dict[str, Path]:
    paths = {}
    for fmt, ext in [("md", "md"), ("html", "html"), ("docx", "docx"), ("pdf", "pdf"),
                     ("csl-json", "json"), ("ris", "ris"), ("bibtex", "bib")]:
        paths[fmt] = lib.export_report(SAMPLE_ID, fmt, out / f"sample.{ext}")
    return paths


@pytest.fixture(scope="module")
def docx_as_pdf(exported, out) -> list[str]:
    """LibreOffice's rendering of the DOCX (slow: once per module)."""
    return pdf_pages(soffice_to_pdf(exported["docx"], out))


def called(report: Report) -> list[int]:
    seen: dict[int, None] = {}
    for p in report.paragraphs():
        for m in p.markers:
            seen.setdefault(m.n)
    return list(seen)


def shown(fn: Footnote) -> str:
    """The footnote as every output shows it: links placed by citations.format (lost ones left
    out, found ones written out)."""
    return plain(footnote_segments(fn))


def texted(report: Report) -> list[Footnote]:
    calls = set(called(report))
    return [f for f in report.footnotes if f.text and f.n in calls]


def test_sample_has_what_these_tests_need(report):
    # guards the assertions below against passing vacuously on an empty reader result
    assert len(texted(report)) > 200
    lost = [n for n in called(report) if (report.footnote(n) is None or report.footnote(n).text is None)]
    assert lost, "the sample lost footnotes ~139-239; the reader should report them as lost"


def test_markdown_keeps_every_footnote_and_marks_lost_ones(exported, report):
    md = exported["md"].read_text(encoding="utf-8")
    calls = re.findall(r"\[\^(\d+)\](?!:)", md)
    assert len(calls) == sum(len(p.markers) for p in report.paragraphs())
    for f in texted(report):
        m = re.search(rf"^\[\^{f.n}\]: (.*)$", md, re.M)
        assert m, f"footnote {f.n} has no definition"
        # the definition is the footnote's text (Markdown-escaped, URLs made links)
        md_text = re.sub(r"\]\([^)]*\)", "", m.group(1)).replace("\\", "").replace("[", "")
        md_text = re.sub(r"<(https?://[^>]+)>", r"\1", md_text)
        assert squash(shown(f).replace("[", "").replace("]", "")) in squash(md_text) or \
            squash(md_text).startswith(squash(shown(f))[:30])
    lost = [n for n in called(report) if report.footnote(n) is None or report.footnote(n).text is None]
    for n in lost:
        assert f"[^{n}]: \\[footnote {n}: {MISSING}\\]" in md
    assert "## Bibliography" in md
    # the glossary and the Terms of Reference the reader keeps as data are put back in place
    plain = md.replace("\\", "")
    assert report.glossary and all(f"{g.term} – {g.definition}" in plain for g in report.glossary)
    items = [t.text for top in report.terms_of_reference for t in top.walk()]
    assert items and all(t in plain for t in items)
    assert plain.index(items[0]) > plain.index("Annex 2")


def test_html_links_each_call_to_its_footnote_and_urls_are_clickable(exported, report):
    tree = html.fromstring(exported["html"].read_bytes())
    refs = tree.xpath("//sup[@class='fn-ref']/a")
    assert len(refs) == sum(len(p.markers) for p in report.paragraphs())
    for a in refs:
        target = a.get("href")[1:]
        assert tree.xpath(f"//li[@id='{target}']"), f"{target} has no footnote"
    by_n = {f.n: f for f in report.footnotes}
    for li in tree.xpath("//section[@class='footnotes']//li"):
        n = int(li.get("value"))
        fn = by_n.get(n)
        if fn is None or fn.text is None:
            assert MISSING in li.text_content()
            continue
        assert squash(shown(fn)) in squash(li.text_content())
        hrefs = [a.get("href") for a in li.xpath(".//a[not(@aria-label)]")]
        assert hrefs == [u for u in fn.urls if u in hrefs] and set(hrefs) <= set(fn.urls) | set(
            re.findall(r"https?://\S+", fn.text)) or not fn.urls
    # footnotes with URLs get every one of them as a link target
    with_urls = [f for f in texted(report) if f.urls]
    assert with_urls
    for f in with_urls[:50]:
        li = tree.xpath(f"//li[@id='fn-{f.n}']")[0]
        assert set(f.urls) <= {a.get("href") for a in li.xpath(".//a")}


def test_docx_has_one_word_footnote_per_footnote_with_text(exported, report):
    with zipfile.ZipFile(exported["docx"]) as z:
        body = etree.fromstring(z.read("word/document.xml"))
        notes = etree.fromstring(z.read("word/footnotes.xml"))
        rels = z.read("word/_rels/footnotes.xml.rels").decode()
    refs = body.iter(f"{W}footnoteReference")
    ref_ids = [r.get(f"{W}id") for r in refs]
    authored = [f for f in notes.iter(f"{W}footnote") if f.get(f"{W}type") not in ("separator",
                                                                                 "continuationSeparator")]
    assert len(ref_ids) == len(authored) == len(texted(report))
    assert sorted(ref_ids) == sorted(f.get(f"{W}id") for f in authored)
    # clickable URLs: hyperlink relationships in the footnotes part
    urls = {u for f in texted(report) for u in f.urls}
    targets = set(re.findall(r'Target="([^"]+)"', rels))
    assert urls and len(urls & {t.replace("&amp;", "&") for t in targets}) >= 0.9 * len(urls)


def test_docx_read_back_by_libreoffice_shows_the_footnote_texts(docx_as_pdf, report):
    text = squash("".join(docx_as_pdf))
    missing = [f.n for f in texted(report) if not shows(shown(f), text)]
    assert not missing, f"footnotes not rendered by LibreOffice: {missing[:10]}"
    lost = [n for n in called(report) if report.footnote(n) is None or report.footnote(n).text is None]
    assert squash(f"[footnote {lost[0]}: {MISSING}]") in text


def test_pdf_puts_each_footnote_at_the_bottom_of_the_page_calling_it(exported, report):
    pages = pdf_pages(exported["pdf"])
    squashed = [squash(p) for p in pages]
    whole = "".join(squashed)
    assert all(shows(shown(f), whole) for f in texted(report))
    # the footnote's text is on the page where the text just before its call is
    checked = 0
    for p in report.paragraphs():
        for m in p.markers:
            fn = report.footnote(m.n)
            before = squash(p.text[max(0, m.offset - 60):m.offset])
            if not fn or not fn.text or len(before) < 30 or checked >= 40:
                continue
            note_pages = {i for i, s in enumerate(squashed) if squash(shown(fn))[:40] in s}
            call_pages = {i for i, s in enumerate(squashed) if before[-30:] in s}
            if len(call_pages) == 1:
                assert call_pages & note_pages, f"footnote {m.n} not on the page calling it"
                checked += 1
    assert checked >= 20


def test_csl_json_renders_with_citeproc(exported):
    from citeproc import Citation as CPCitation
    from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(exported["csl-json"].read_text(encoding="utf-8"))
    assert len(items) > 50
    assert all(i["type"] and i.get("title") and i.get("id") for i in items)
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bib = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bib.register(CPCitation([CitationItem(item["id"])]))
    rendered = [str(b) for b in bib.bibliography()]
    assert len(rendered) == len(items)
    dated = [i for i in items if "issued" in i and len(i["issued"].get("date-parts", [[]])[0]) == 3]
    assert dated, "no day-precision dates in the registry"
    year = str(dated[0]["issued"]["date-parts"][0][0])
    assert any(year in r for r in rendered)
    # institutional authors stay whole; persons are family/given
    for i in items:
        for a in i.get("author", []):
            assert "literal" in a or ("family" in a and "given" in a)


def test_ris_parses_with_rispy(exported):
    import rispy

    csl = json.loads(exported["csl-json"].read_text(encoding="utf-8"))
    entries = rispy.loads(exported["ris"].read_text(encoding="utf-8"))
    assert len(entries) == len(csl)
    assert [e["id"] for e in entries] == [i["id"] for i in csl]
    by_id = {i["id"]: i for i in csl}
    for e in entries:
        assert e["title"] == " ".join(by_id[e["id"]]["title"].split())
        if "URL" in by_id[e["id"]]:
            assert e["urls"] == [by_id[e["id"]]["URL"]]


def parse_bibtex(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """A small BibTeX reader: balanced braces, `key = {value}` fields."""
    entries = []
    pos = 0
    while (at := text.find("@", pos)) >= 0:
        m = re.compile(r"@(\w+)\{([^,\s]+),").match(text, at)
        assert m, f"bad entry head at {at}: {text[at:at + 40]!r}"
        depth, i = 1, m.end()
        fields: dict[str, str] = {}
        while depth:
            f = re.compile(r"\s*(\w+) = \{").match(text, i)
            if f is None:
                close = re.compile(r"\s*\}").match(text, i)
                assert close, f"unbalanced entry {m.group(2)}"
                i, depth = close.end(), 0
                break
            j, d = f.end(), 1
            while d:
                ch = text[j]
                if ch == "\\":
                    j += 2
                    continue
                d += {"{": 1, "}": -1}.get(ch, 0)
                j += 1
            fields[f.group(1)] = text[f.end():j - 1]
            i = j
            if text[i] == ",":
                i += 1
        entries.append((m.group(1), m.group(2), fields))
        pos = i
    return entries


def test_bibtex_parses_back(exported):
    csl = json.loads(exported["csl-json"].read_text(encoding="utf-8"))
    entries = parse_bibtex(exported["bibtex"].read_text(encoding="utf-8"))
    assert len(entries) == len(csl)
    keys = [k for _, k, _ in entries]
    assert len(set(keys)) == len(keys)
    assert all("title" in f for _, _, f in entries)
    assert {t for t, _, _ in entries} <= {"techreport", "misc", "article", "book"}


def test_bibliography_is_grouped_by_source_type(exported):
    md = exported["md"].read_text(encoding="utf-8")
    bib = md[md.index("## Bibliography"):]
    groups = re.findall(r"^### (.+)$", bib, re.M)
    assert len(groups) >= 3
    # EUAA's order: oral sources first when there are any
    if "Oral sources" in groups:
        assert groups[0] == "Oral sources"


# --- confidential sources ----------------------------------------------------------------------


def dplf_source(lib: Library) -> dict:
    oral = [s for s in lib.sources(SAMPLE_ID) if s["author"] and "DPLF" in s["author"]]
    assert oral, "the sample's DPLF oral source is not in the registry"
    return oral[0]


def test_confidential_source_is_not_named_unless_asked(sample_db, tmp_path):
    with Library(sample_db) as lib:
        src = dplf_source(lib)
        lib.set_confidential(src["id"])
        hidden = lib.export_report(SAMPLE_ID, "md", tmp_path / "hidden.md").read_text(encoding="utf-8")
        named = lib.export_report(SAMPLE_ID, "md", tmp_path / "named.md", name_confidential=True)
        named = named.read_text(encoding="utf-8")
        registry = lib.export_sources(SAMPLE_ID, "csl-json", tmp_path / "s.json").read_text(encoding="utf-8")
    notes_hidden = "\n".join(line for line in hidden.splitlines() if line.startswith("[^"))
    notes_named = "\n".join(line for line in named.splitlines() if line.startswith("[^"))
    assert "DPLF, interview with EUAA" in notes_named
    assert "DPLF, interview with EUAA" not in notes_hidden
    assert "Confidential oral source, interview with EUAA, 6 September 2023" in notes_hidden
    assert "DPLF" not in hidden[hidden.index("## Bibliography"):].split("[^")[0]
    # nor in the running text, where its name and long form read "[confidential source]" and the
    # footnote calls keep their places
    assert "DPLF" not in hidden and "Due Process of Law Foundation" not in hidden
    assert "Executive Director of \\[confidential source\\] (\\[confidential source\\])" in hidden
    assert hidden.count("[^") == named.count("[^")
    assert "DPLF" not in registry and "Confidential oral source" in registry


# --- a hand-built report: the edge cases -------------------------------------------------------


def small_report() -> tuple[Report, list[Source]]:
    report = Report(
        title="Peru – Test focus", publisher="EUAA", published="2023-09",
        sections=[Section(number="1.", title="Politics", paragraphs=[
            Paragraph(text="Corruption is widespread. Courts are slow.",
                      markers=[Marker(n=1, offset=25), Marker(n=2, offset=42)]),
            Paragraph(text="A claim whose footnote was lost.", markers=[Marker(n=3, offset=32)]),
            Paragraph(text="Cited again.", markers=[Marker(n=1, offset=12)]),
        ])],
        footnotes=[
            Footnote(n=1, text="USDOS, Country Reports 2022: Peru, 20 March 2023, url, pp. 11-12",
                     urls=["https://www.state.gov/peru-2022"],
                     citations=[Citation(author="USDOS", title="Country Reports 2022: Peru", date="2023-03-20",
                                         url="https://www.state.gov/peru-2022", locator="pp. 11-12",
                                         raw="USDOS, Country Reports 2022: Peru, 20 March 2023, url, pp. 11-12",
                                         source_id="usdos-cr-2022")]),
            Footnote(n=2, text="Oral source A, interview with EUAA, 6 September 2023; Infobae, Title, 2023, url",
                     urls=["https://infobae.com/a"],
                     citations=[Citation(author="Oral source A", kind=CitationKind.ORAL, date="2023-09-06",
                                         raw="Oral source A, interview with EUAA, 6 September 2023",
                                         source_id="oral-a"),
                                Citation(author="Infobae", title="Title", date="2023", url="https://infobae.com/a",
                                         raw="Infobae, Title, 2023, url", source_id="infobae-title")]),
            Footnote(n=3, text=None),
            Footnote(n=9, text="A footnote whose mark the extraction lost, url", urls=["https://lost.example/x"]),
        ],
    )
    assign_paragraph_ids(report, "small")
    report.id = "small"
    report.source_hash = "small"
    sources = [
        Source(id="usdos-cr-2022", author="USDOS", title="Country Reports 2022: Peru", type=SourceType.GOVERNMENT,
               date="2023-03-20", urls=["https://www.state.gov/peru-2022"], language="en"),
        Source(id="oral-a", author="Oral source A", type=SourceType.ORAL, kind=CitationKind.ORAL, date="2023-09-06"),
        Source(id="infobae-title", author="Infobae", title="Title", type=SourceType.MEDIA, date="2023",
               urls=["https://infobae.com/a"], language="es"),
    ]
    return report, sources


@pytest.fixture
def small(tmp_path) -> Library:
    lib = Library(tmp_path / "small.db")
    report, sources = small_report()
    lib.store.save_report(report, "small", sources)
    yield lib
    lib.close()


def test_small_report_every_case_in_docx_and_markdown(small, tmp_path):
    small.set_confidential("oral-a")
    md = small.export_report("small", "md", tmp_path / "s.md").read_text(encoding="utf-8")
    assert "Corruption is widespread.[^1] Courts are slow.[^2]" in md
    assert "Cited again.[^1]" in md
    assert "[^1]: USDOS, Country Reports 2022: Peru, 20 March 2023, <https://www.state.gov/peru-2022>, pp. 11-12" in md
    # only the confidential citation of the mixed footnote is replaced
    assert ("[^2]: Confidential oral source, interview with EUAA, 6 September 2023; Infobae, Title, 2023, "
            "<https://infobae.com/a>") in md
    assert f"[^3]: \\[footnote 3: {MISSING}\\]" in md
    assert "Oral source A" not in md
    # a footnote whose call was lost is kept, under its own heading
    assert "9\\. A footnote whose mark the extraction lost, <https://lost.example/x>" in md

    docx = small.export_report("small", "docx", tmp_path / "s.docx")
    with zipfile.ZipFile(docx) as z:
        body = z.read("word/document.xml").decode()
        notes = z.read("word/footnotes.xml").decode()
    # footnotes 1 and 2 are Word footnotes (1 called twice: one footnote); 3 is lost, said inline
    assert body.count("<w:footnoteReference") == 2
    assert len(re.findall(r'<w:footnote w:id="\d+">', notes)) == 2
    assert f"[footnote 3: {MISSING}]" in body
    pdf = soffice_to_pdf(docx, tmp_path)
    text = squash("".join(pdf_pages(pdf)))
    assert squash("USDOS, Country Reports 2022: Peru, 20 March 2023, https://www.state.gov/peru-2022, pp. 11-12") in text
    assert squash("Confidential oral source, interview with EUAA, 6 September 2023; Infobae") in text


def test_registry_of_the_small_report(small, tmp_path):
    import rispy

    items = json.loads(small.export_sources("small", "csl-json", tmp_path / "s.json").read_text())
    usdos = next(i for i in items if i["id"] == "usdos-cr-2022")
    assert usdos == {
        "id": "usdos-cr-2022", "type": "report", "title": "Country Reports 2022: Peru",
        "author": [{"literal": "USDOS"}], "issued": {"date-parts": [[2023, 3, 20]]},
        "URL": "https://www.state.gov/peru-2022", "publisher": "USDOS", "language": "en",
    }
    infobae = next(i for i in items if i["id"] == "infobae-title")
    assert infobae["type"] == "article-newspaper" and infobae["issued"] == {"date-parts": [[2023]]}
    ris = rispy.loads(small.export_sources("small", "ris", tmp_path / "s.ris").read_text())
    assert {e["type_of_reference"] for e in ris} == {"RPRT", "NEWS", "PCOMM"}
    assert next(e for e in ris if e["id"] == "usdos-cr-2022")["date"] == "2023/03/20/"


def test_person_names_split_institutions_kept_whole():
    assert persons("Muñoz, César") == [{"family": "Muñoz", "given": "César"}]
    assert persons("Smith, J.; Pérez, Ana") == [{"family": "Smith", "given": "J."},
                                                {"family": "Pérez", "given": "Ana"}]
    assert persons("Castilla, Luis Miguel") == [{"family": "Castilla", "given": "Luis Miguel"}]
    for institution in ("Human Rights Watch", "UN, OHCHR", "Ministry of Interior, Peru", "USDOS", "Peru, INEI",
                        "Peru, Defensoría del Pueblo", None):
        assert persons(institution) is None


def test_url_placeholders_get_the_footnotes_link_targets_in_order():
    segs = link_segments("A, T, 2023, url; B, U, 2022, url, p. 3", ["https://a.example", "https://b.example"])
    assert [(s.text, s.href) for s in segs if s.href] == [("https://a.example", "https://a.example"),
                                                          ("https://b.example", "https://b.example")]


def test_a_placeholder_takes_its_own_citations_link_and_a_lost_one_is_left_out():
    text = "InSight Crime, Tren de Aragua, 14 February 2023, url; Infobae, Extorsión, 1 April 2023, url"
    cits = [Citation(author="InSight Crime", title="Tren de Aragua", raw="InSight Crime, Tren de Aragua, "
                     "14 February 2023, url"),
            Citation(author="Infobae", title="Extorsión", url="https://infobae.example/a",
                     raw="Infobae, Extorsión, 1 April 2023, url")]
    segs = link_segments(text, ["https://infobae.example/a"], cits)
    assert plain(segs) == ("InSight Crime, Tren de Aragua, 14 February 2023; Infobae, Extorsión, 1 April 2023, "
                           "https://infobae.example/a")
    assert [s.href for s in segs if s.href] == ["https://infobae.example/a"]
    # search JSON has no raw text: the citation is found by its author
    as_json = [c.model_dump(exclude={"raw"}) for c in cits]
    assert plain(link_segments(text, ["https://infobae.example/a"], as_json)) == plain(segs)
    # a lost link inside a citation, before its locator
    segs = link_segments("T, Title, June 2022, url, p. 104", [], [Citation(author="T", title="Title")])
    assert plain(segs) == "T, Title, June 2022, p. 104"
    # more targets than placeholders: the rest are shown, not dropped
    segs = link_segments("A, T, 2023", ["https://a.example"])
    assert segs[-1].href == "https://a.example"
    # a spelled-out URL links itself and is not matched twice
    segs = link_segments("See https://x.example/url-page.", ["https://x.example/url-page"])
    assert [s.href for s in segs if s.href] == ["https://x.example/url-page"]


def test_redacting_a_name_moves_the_footnote_markers_with_the_text():
    from corroborate.redaction import REDACTED, redact

    text = "According to Due Process of Law Foundation (DPLF), courts are slow."
    shown, move = redact(text, ["Due Process of Law Foundation", "DPLF"])
    assert shown == f"According to {REDACTED} ({REDACTED}), courts are slow."
    assert shown[move(len(text)):] == ""
    assert shown[:move(text.index(")") + 1)].endswith(f"({REDACTED})")
    assert move(text.index("DPLF") + 2) == shown.index(f"({REDACTED})") + 1 + len(REDACTED)  # inside a name


def test_unlinked_citations_are_kept_verbatim_not_dropped():
    fn = Footnote(n=1, text="Something the parser could not split", citations=[
        Citation(raw="Something the parser could not split", kind=CitationKind.UNPARSED)])
    entries = collect_entries([fn], {})
    assert [e.raw for e in entries] == ["Something the parser could not split"]


# --- files and errors ---------------------------------------------------------------------------


def test_a_failed_export_leaves_the_previous_file_whole(tmp_path):
    target = tmp_path / "out.md"
    target.write_text("previous export")

    def boom(tmp: Path) -> None:
        tmp.write_text("half a fi")
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert target.read_text() == "previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_cli_export_and_its_errors(small, tmp_path):
    db = small.settings.db
    runner = CliRunner()
    ok = runner.invoke(main, ["--db", db, "export", "small", "--format", "html", "-o", str(tmp_path / "a.html")])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "a.html").read_text().startswith("<!doctype html>")
    ok = runner.invoke(main, ["--db", db, "export", "--all", "--format", "bibtex", "-o", str(tmp_path / "a.bib")])
    assert ok.exit_code == 0 and "@techreport{usdos-cr-2022," in (tmp_path / "a.bib").read_text()
    bad = runner.invoke(main, ["--db", db, "export", "nope", "--format", "md", "-o", str(tmp_path / "b.md")])
    assert bad.exit_code == 1 and "no report 'nope'" in bad.output
    bad = runner.invoke(main, ["--db", db, "export", "--all", "--format", "pdf", "-o", str(tmp_path / "b.pdf")])
    assert bad.exit_code == 2 and "--all exports the source registry" in bad.output
    bad = runner.invoke(main, ["--db", db, "export", "small", "--format", "md", "-o", str(tmp_path / "no/dir/x.md")])
    assert bad.exit_code == 1 and "does not exist" in bad.output
    assert "Traceback" not in bad.output


def test_web_download_routes(small):
    from fastapi.testclient import TestClient

    from corroborate.settings import Settings
    from corroborate.web.app import create_app

    client = TestClient(create_app(Settings(db=small.settings.db, embeddings=False)))
    r = client.get("/api/reports/small/export", params={"format": "docx"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert r.headers["content-disposition"].startswith('attachment; filename="small.docx"')
    assert r.content[:2] == b"PK"
    r = client.get("/api/reports/small/export", params={"format": "ris"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-research-info-systems")
    assert "TY  - RPRT" in r.text
    r = client.get("/api/export/sources", params={"format": "csl-json"})
    assert r.status_code == 200 and json.loads(r.content)
    assert client.get("/api/reports/small/export", params={"format": "odt"}).status_code == 400
    assert client.get("/api/reports/nope/export", params={"format": "md"}).status_code == 404
    assert client.get("/api/compile", params={"format": "md"}).status_code == 400
