"""The PDF reader on small PDFs generated here (reportlab) for the hard cases: a footnote
continued over a page, a marker after a closing quote, two columns, running headers, link
annotations, hyphenation, and bad input (no text layer, encrypted, corrupt)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from corroborate import Library
from corroborate.models import Report
from corroborate.readers import ReaderError, read_document

W, H = A4
LEFT, RIGHT = 72, W - 72
BODY, NOTE = 10, 8

Segment = tuple[str, str, float, float]  # text, font, size, rise


def line(c: canvas.Canvas, x: float, y: float, *segments: Segment) -> None:
    t = c.beginText(x, y)
    for text, font, size, rise in segments:
        t.setFont(font, size)
        t.setRise(rise)
        t.textOut(text)
    c.drawText(t)


def body(text: str) -> Segment:
    return (text, "Helvetica", BODY, 0)


def sup(n: int, size: float = 6) -> Segment:
    return (str(n), "Helvetica", size, 3.5)


def bold(text: str, size: float = 12) -> Segment:
    return (text, "Helvetica-Bold", size, 0)


def note(c: canvas.Canvas, y: float, n: int | None, text: str) -> None:
    segs: list[Segment] = [sup(n, 5)] if n is not None else []
    segs.append((("" if n is None else " ") + text, "Helvetica", NOTE, 0))
    line(c, LEFT, y, *segs)


def paragraph(c: canvas.Canvas, y: float, text: str, indent: float = 0, x: float = LEFT,
              right: float = RIGHT, leading: float = 12, max_lines: int = 99) -> tuple[float, str]:
    """Ragged-right text wrapped greedily like a word processor; "{n}" is a superscript marker
    glued to the word before it, "|" forces a line break (a hyphenated word). Returns the next y
    and the words left over after `max_lines` (they go on the next page)."""
    words = text.split(" ")
    lines: list[list[str]] = [[]]
    width = indent

    def w(word: str) -> float:
        plain = word.replace("|", "")
        for n in range(1, 10):
            plain = plain.replace(f"{{{n}}}", "9")
        return stringWidth(plain, "Helvetica", BODY)

    for word in words:
        add = w(word) + (stringWidth(" ", "Helvetica", BODY) if lines[-1] else 0)
        if lines[-1] and x + width + add > right:
            lines.append([])
            width = 0
            add = w(word)
        lines[-1].append(word)
        width += add
        if word.endswith("|"):
            lines.append([])
            width = 0
    lines = [ln for ln in lines if ln]
    rest = " ".join(" ".join(ln) for ln in lines[max_lines:])
    for i, words_ in enumerate(lines[:max_lines]):
        segs: list[Segment] = []
        for text_ in re.split(r"(\{\d+\})", " ".join(words_).replace("|", "")):
            m = re.fullmatch(r"\{(\d+)\}", text_)
            segs.append(sup(int(m.group(1))) if m else body(text_))
        line(c, x + (indent if i == 0 else 0), y, *segs)
        y -= leading
    return y, rest


def running(c: canvas.Canvas, page: int) -> None:
    line(c, LEFT, H - 40, ("Country Focus Peru - Security situation", "Helvetica", 8, 0))
    line(c, W / 2, 30, (str(page), "Helvetica", 8, 0))


def footnoted_pdf(path: Path) -> Path:
    """Two pages: note 2 runs over to page 2; a paragraph runs over too; marker after a quote."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("Peru security fixture")
    running(c, 1)
    line(c, LEFT, 760, bold("1. Introduction"))
    y, _ = paragraph(c, 735, "Protests spread across the southern regions in December 2022.{1} The police "
                     "response drew criticism from the investigation units and was called investi-| "
                     "gation-worthy and “disproportionate.”{2} The investigation continues.")
    y, _ = paragraph(c, y - 8, "Detentions followed in Puno and Juliaca.")
    _, rest = paragraph(c, y - 8, "A second paragraph starts here with an indented first line and runs on to a "
                        "second line that fills the measure of the column all the way to the right margin, and "
                        "the paragraph then continues on the next page of the report without any break, "
                        "ending here.{3}", indent=20, max_lines=2)
    c.line(LEFT, 120, LEFT + 150, 120)
    note(c, 105, 1, "Amnesty International, Lethal repression, 2023, https://www.amnesty.org/en/")
    note(c, 95, 2, "Human Rights Watch, Deadly Decline: Abuses by Security Forces in Peru, which")
    note(c, 85, None, "documents the killings of protesters in the south of the")
    c.linkURL("https://www.hrw.org/report/2023/04/26/deadly-decline", (LEFT, 92, LEFT + 300, 102), relative=0)
    c.showPage()
    running(c, 2)
    paragraph(c, 760, rest)
    line(c, LEFT, 735, bold("2. Human rights defenders"))
    line(c, LEFT, 710, body("Defenders reported threats in 2023."), sup(4))
    c.line(LEFT, 120, LEFT + 150, 120)
    note(c, 105, None, "country, 2023.")
    note(c, 95, 3, "Defensoría del Pueblo, Reporte de conflictos sociales, 2023.")
    note(c, 85, 4, "Front Line Defenders, Global Analysis, 2023.")
    c.showPage()
    c.save()
    return path


def two_column_pdf(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    col_w = (RIGHT - LEFT - 20) / 2
    right_x = LEFT + col_w + 20
    line(c, LEFT, 780, bold("Two-column report", 14))
    left_lines = ["Left column paragraph one opens the", "text and runs down the left column to",
                  "its end in this first half.", "Left column paragraph two is short."]
    right_lines = ["Right column paragraph three comes", "after everything in the left column",
                   "even though it is level with it."]
    y = 740
    for i, text in enumerate(left_lines):
        line(c, LEFT, y - i * 12 - (10 if i == 3 else 0), body(text))
    for i, text in enumerate(right_lines):
        line(c, right_x, y - i * 12, body(text))
    c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Report:
    return read_document(footnoted_pdf(tmp_path_factory.mktemp("pdf") / "fixture.pdf"))


def test_footnote_continued_over_the_page(report):
    assert [f.n for f in report.footnotes] == [1, 2, 3, 4]
    f2 = report.footnote(2)
    assert f2.page == 1
    assert f2.text == ("Human Rights Watch, Deadly Decline: Abuses by Security Forces in Peru, which documents "
                       "the killings of protesters in the south of the country, 2023.")
    assert report.footnote(3).page == 2
    assert report.footnote(3).text == "Defensoría del Pueblo, Reporte de conflictos sociales, 2023."


def test_link_annotation_goes_to_the_note_it_covers(report):
    assert report.footnote(2).urls == ["https://www.hrw.org/report/2023/04/26/deadly-decline"]
    assert report.footnote(1).urls == ["https://www.amnesty.org/en/"]


def test_marker_after_closing_quote_and_hyphenation(report):
    para = report.sections[0].paragraphs[0]
    assert "was called investigation-worthy and" in para.text
    m2 = next(m for m in para.markers if m.n == 2)
    assert para.text[:m2.offset].endswith("“disproportionate.”")
    m1 = next(m for m in para.markers if m.n == 1)
    assert para.text[:m1.offset].endswith("December 2022.")
    assert "2022.1" not in para.text and "”2" not in para.text


def test_paragraph_joined_across_pages_and_headings(report):
    intro = report.sections[0]
    assert (intro.number, intro.title) == ("1", "Introduction")
    assert [s.number for s in report.sections] == ["1", "2"]
    assert intro.paragraphs[1].text == "Detentions followed in Puno and Juliaca."
    second = intro.paragraphs[2]
    assert second.text.endswith("without any break, ending here.")
    assert second.page == 1
    assert [m.n for m in second.markers] == [3]
    assert report.sections[1].paragraphs[0].page == 2


def test_running_header_and_page_numbers_dropped(report):
    text = " ".join(p.text for p in report.paragraphs())
    assert "Country Focus Peru" not in text
    assert not any(p.text.strip().isdigit() for p in report.paragraphs())
    assert "Amnesty" not in text  # no footnote text in running text


def test_two_columns_read_left_then_right(tmp_path):
    report = read_document(two_column_pdf(tmp_path / "cols.pdf"))
    texts = [p.text for p in report.paragraphs()]
    assert texts == [
        "Left column paragraph one opens the text and runs down the left column to its end in this first half.",
        "Left column paragraph two is short.",
        "Right column paragraph three comes after everything in the left column even though it is level with it.",
    ]


def test_image_only_pdf_is_refused_as_scanned(tmp_path):
    img = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(img).text((20, 80), "Scanned page, no text layer", fill=0)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 72, 500, width=400, height=200)
    c.showPage()
    c.save()
    with pytest.raises(ReaderError, match="scanned PDF: no text layer; OCR is not supported"):
        read_document(path)


def test_encrypted_pdf_is_refused_and_nothing_written(tmp_path, monkeypatch):
    monkeypatch.setenv("CORROBORATE_EMBEDDINGS", "0")
    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, encrypt="s3cret")
    line(c, LEFT, 700, body("Confidential interview notes."))
    c.showPage()
    c.save()
    with pytest.raises(ReaderError, match="encrypted PDF"):
        read_document(path)
    with Library(tmp_path / "lib.db") as lib:
        with pytest.raises(ReaderError):
            lib.ingest(path)
        assert lib.reports() == []


@pytest.mark.parametrize("payload", [b"%PDF-1.7\n%\xe2\xe3\n1 0 obj << /Type /Catalog >>\ngarbage", b"%PDF-1.4\n"])
def test_corrupt_pdf_gives_a_clear_error(tmp_path, payload):
    path = tmp_path / "broken.pdf"
    path.write_bytes(payload)
    with pytest.raises(ReaderError) as err:
        read_document(path)
    assert "broken.pdf" in str(err.value)
    assert "PDF" in err.value.problem


def test_ingested_fixture_round_trips(tmp_path, monkeypatch):
    monkeypatch.setenv("CORROBORATE_EMBEDDINGS", "0")
    path = footnoted_pdf(tmp_path / "fixture.pdf")
    with Library(tmp_path / "lib.db") as lib:
        result = lib.ingest(path)
        stored = lib.report(result.id)
    assert stored.format == "pdf"
    assert stored.footnote(2).page == 1
    assert {m.n for p in stored.paragraphs() for m in p.markers} == {1, 2, 3, 4}


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_word_document_printed_to_pdf_reads_back_identically(tmp_path):
    """A footnoted DOCX (python-docx-ng) printed to PDF by LibreOffice, another producer with
    another layout: the PDF reader must give the same paragraphs, markers and footnote texts as
    the DOCX reader does on the source."""
    import random

    import docx

    rng = random.Random(7)
    words = ("the police protesters regions security forces detained investigation human rights defenders "
             "report violence government authorities demonstrations lethal force emergency").split()
    d = docx.Document()
    d.add_heading("1. Political context", level=1)
    n = 0
    for i in range(12):
        p = d.add_paragraph()
        for _ in range(6):
            p.add_run(" ".join(rng.choice(words) for _ in range(rng.randint(8, 18))).capitalize() + ". ")
            if rng.random() < 0.5:
                n += 1
                text = (f"Source {n}: " + " ".join(rng.choice(words) for _ in range(rng.randint(6, 70)))
                        + f", https://example.org/doc/{n}.")
                p.add_run().add_footnote_reference(d.footnotes.add_footnote(text))
        if i == 5:
            d.add_heading("2. Human rights defenders", level=1)
    source = tmp_path / "draft.docx"
    d.save(source)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, timeout=180, capture_output=True)
    printed = read_document(tmp_path / "draft.pdf")
    original = read_document(source)
    assert len(printed.footnotes) == n > 20
    assert [(f.n, f.text) for f in printed.footnotes] == [(f.n, f.text) for f in original.footnotes]
    assert [f.urls for f in printed.footnotes] == [f.urls for f in original.footnotes]

    def stream(report: Report) -> tuple[str, list[tuple[int, int]]]:
        """All running text as one string, markers at absolute offsets."""
        text, markers = "", []
        for p in report.paragraphs():
            base = len(text) + (1 if text else 0)
            text = f"{text} {p.text}" if text else p.text
            markers += [(m.n, base + m.offset) for m in p.markers]
        return text, markers

    assert stream(printed) == stream(original)
    # a paragraph that ends on a full last line at the foot of a page cannot be told from one
    # that goes on: at most such a boundary may be lost
    assert len(list(original.paragraphs())) - len(list(printed.paragraphs())) in (0, 1, 2)
    assert [s.number for s in printed.walk_sections()] == ["1", "2"]
    assert all(f.page for f in printed.footnotes)


def test_scanned_page_inside_a_born_digital_pdf_is_reported(tmp_path):
    path = tmp_path / "mixed.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    paragraph(c, 700, "The first page has a text layer and a note.{1}")
    note(c, 100, 1, "Amnesty International, Lethal repression, 2023.")
    c.showPage()
    c.rect(72, 400, 300, 200, fill=1)  # the second page is only an image of text
    c.showPage()
    c.save()
    report = read_document(path)
    assert [f.n for f in report.footnotes] == [1]
    assert [w.code for w in report.warnings] == ["page-no-text"]
    assert "page 2" in report.warnings[0].message


def test_plain_numbered_notes_and_a_date_opening_a_continuation_line(tmp_path):
    """Notes numbered on the baseline ("1 Text"): a continuation line opening with a day of
    the month is not the next note."""
    path = tmp_path / "plain.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    paragraph(c, 700, "Curfews were imposed in Puno.{1} Protests went on in Juliaca.{2}")
    for y, text in ((110, "1 Amnesty International, Peru: Lethal repression, report published on"),
                    (100, "2 February 2023, https://www.amnesty.org/en/."),
                    (90, "2 Human Rights Watch, Deadly Decline, 2023.")):
        line(c, LEFT, y, (text, "Helvetica", NOTE, 0))
    c.showPage()
    c.save()
    report = read_document(path)
    assert [(f.n, f.text) for f in report.footnotes] == [
        (1, "Amnesty International, Peru: Lethal repression, report published on 2 February 2023, "
            "https://www.amnesty.org/en/."),
        (2, "Human Rights Watch, Deadly Decline, 2023."),
    ]


def test_figure_caption_in_small_print_stays_in_the_text_as_a_caption(tmp_path):
    path = tmp_path / "figure.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    y, _ = paragraph(c, 760, "Protests spread across the south.{1}")
    c.rect(LEFT, 560, 200, 150)
    line(c, LEFT, 545, ("Figure 1: Regions under a state of emergency, January 2023", "Helvetica", NOTE, 0))
    paragraph(c, 520, "The map shows the regions concerned.")
    note(c, 100, 1, "Defensoría del Pueblo, Reporte de conflictos sociales, 2023.")
    c.showPage()
    c.save()
    report = read_document(path)
    kinds = [(p.kind.value, p.text) for p in report.paragraphs()]
    assert kinds == [("body", "Protests spread across the south."),
                     ("caption", "Figure 1: Regions under a state of emergency, January 2023"),
                     ("body", "The map shows the regions concerned.")]
    assert [f.n for f in report.footnotes] == [1]


def test_two_columns_with_full_width_footnotes(tmp_path):
    path = tmp_path / "cols-notes.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    col_w = (RIGHT - LEFT - 20) / 2
    right_x = LEFT + col_w + 20
    left_text = ("Security forces used firearms against protesters in Juliaca on 9 January 2023, "
                 "killing seventeen people according to the Ombudsman.{1} The government declared "
                 "a state of emergency in several southern regions the following week.")
    right_text = ("Human rights organisations documented arbitrary detentions in Lima and Cusco.{2} "
                  "Several detainees reported ill-treatment during transfers between police stations "
                  "and prosecutors opened investigations into the deaths.{3}")
    paragraph(c, 760, left_text, x=LEFT, right=LEFT + col_w)
    paragraph(c, 760, right_text, x=right_x, right=RIGHT)
    filler = "footnote-heavy reports run their notes across the whole page width under both columns"
    notes = [(1, "Defensoría del Pueblo, Reporte de conflictos sociales No. 227, January 2023, a long note:"),
             *[(None, f"line {k} of it: {filler}") for k in range(2, 8)],
             (2, "Amnesty International, Lethal repression: state violence and human rights abuses in Peru"),
             *[(None, f"line {k} of it: {filler}") for k in range(2, 5)],
             (3, "Human Rights Watch, Deadly Decline: abuses by security forces against protesters in Peru.")]
    for i, (n, text) in enumerate(notes):
        note(c, 200 - i * 10, n, text)
    c.showPage()
    c.save()
    report = read_document(path)
    texts = [p.text for p in report.paragraphs()]
    assert texts[0].startswith("Security forces used firearms") and texts[0].endswith("following week.")
    assert texts[1].startswith("Human rights organisations") and texts[1].endswith("into the deaths.")
    assert len(texts) == 2
    assert report.footnote(1).text.endswith(f"line 7 of it: {filler}")
    assert len(report.footnote(2).text) > 300
    assert [m.n for p in report.paragraphs() for m in p.markers] == [1, 2, 3]


def test_ligatures_expand_without_moving_markers(tmp_path):
    """A ligature glyph (ﬁ) becomes two letters; the marker after the word stays after it."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font = next((f for f in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                             "/usr/share/fonts/dejavu/DejaVuSans.ttf") if Path(f).exists()), None)
    if font is None:
        pytest.skip("no TrueType font with ligature glyphs installed")
    pdfmetrics.registerFont(TTFont("DejaVu", font))
    path = tmp_path / "lig.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    line(c, LEFT, 700, ("The ﬁndings were conﬁrmed", "DejaVu", BODY, 0), sup(1), (" by the court.", "DejaVu", BODY, 0))
    note(c, 100, 1, "Ruling of the Constitutional Tribunal, 2023.")
    c.showPage()
    c.save()
    para = next(read_document(path).paragraphs())
    assert para.text == "The findings were confirmed by the court."
    assert para.text[:para.markers[0].offset] == "The findings were confirmed"


def test_endnotes_under_a_notes_heading_are_linked(tmp_path):
    path = tmp_path / "endnotes.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    line(c, LEFT, 760, bold("1. Context"))
    paragraph(c, 735, "Protests spread across the southern regions in December 2022.{1} The police response "
                      "was called disproportionate by the Ombudsman.{2}")
    c.showPage()
    line(c, LEFT, 760, bold("2. Defenders"))
    paragraph(c, 735, "Defenders reported threats throughout 2023.{3}")
    line(c, LEFT, 600, bold("Endnotes"))
    for y, text in ((580, "1. Amnesty International, Peru: Lethal repression, 2023."),
                    (565, "2. Defensoría del Pueblo, Reporte de conflictos sociales No. 227, January 2023,"),
                    (553, "https://www.defensoria.gob.pe/."),
                    (538, "3. Front Line Defenders, Global Analysis 2023.")):
        line(c, LEFT, y, body(text))
    c.showPage()
    c.save()
    report = read_document(path)
    assert [(f.n, f.page) for f in report.footnotes] == [(1, 2), (2, 2), (3, 2)]
    assert report.footnote(2).text == ("Defensoría del Pueblo, Reporte de conflictos sociales No. 227, January 2023, "
                                       "https://www.defensoria.gob.pe/.")
    assert [m.n for p in report.paragraphs() for m in p.markers] == [1, 2, 3]
    assert not any("Amnesty" in p.text for p in report.paragraphs())


def test_numbered_headings_in_the_text_face(tmp_path):
    """Headings set in the body font, recognised by their multi-level numbers."""
    path = tmp_path / "plainheads.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    line(c, LEFT, 760, body("2.1 Security situation"))
    y, _ = paragraph(c, 740, "Violence rose in the southern regions during 2023, with clashes between "
                             "protesters and the police in several provinces.{1}")
    line(c, LEFT, y - 10, body("2.2 Human rights defenders"))
    paragraph(c, y - 30, "Defenders reported threats. In 2.1 above the context is set out.")
    note(c, 100, 1, "Defensoría del Pueblo, Reporte de conflictos sociales, 2023.")
    c.showPage()
    c.save()
    report = read_document(path)
    assert [(s.number, s.title) for s in report.walk_sections()] == [
        ("2.1", "Security situation"), ("2.2", "Human rights defenders")]
    assert report.section("2.2").paragraphs[0].text == "Defenders reported threats. In 2.1 above the context is set out."


def test_chapters_that_restart_their_notes_at_one(tmp_path):
    """Notes numbered again from 1 in a new chapter (same page): numbered on through the report,
    each marker still linked to its own chapter's note."""
    path = tmp_path / "chapters.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    line(c, LEFT, 760, bold("1. First chapter"))
    y, _ = paragraph(c, 735, "Curfews were imposed.{1} Detentions followed.{2} Courts were slow.{3}")
    line(c, LEFT, y - 20, bold("2. Second chapter"))
    paragraph(c, y - 45, "Defenders were threatened.{1} Journalists too.{2}")
    for i, (n, text) in enumerate([(1, "Chapter one, first note."), (2, "Chapter one, second note."),
                                   (3, "Chapter one, third note."), (1, "Chapter two, first note."),
                                   (2, "Chapter two, second note.")]):
        note(c, 140 - i * 10, n, text)
    c.showPage()
    c.save()
    report = read_document(path)
    assert [(f.n, f.text) for f in report.footnotes] == [
        (1, "Chapter one, first note."), (2, "Chapter one, second note."), (3, "Chapter one, third note."),
        (4, "Chapter two, first note."), (5, "Chapter two, second note.")]
    second = report.section("2").paragraphs[0]
    assert [m.n for m in second.markers] == [4, 5]
    assert [w.code for w in report.warnings] == ["footnote-renumbered"]


EUAA_NOTES = ("Defensoría del Pueblo, Informe anual 2022, 30 March 2023, url, p. 14",
              "USDOS, 2022 Country Reports on Human Rights Practices: Peru, 20 March 2023, url, p. 9")


def euaa_notes_pdf(path: Path, number: str) -> Path:
    """A page with two markers and EUAA-style notes (no final full stop) numbered on the
    baseline as `number` writes them ("{}." or "{}")."""
    c = canvas.Canvas(str(path), pagesize=A4)
    paragraph(c, 700, "The programme had few resources.{1} Witnesses rarely got a new identity.{2}")
    for n, (y, text) in enumerate(zip((110, 100), EUAA_NOTES, strict=True), 1):
        line(c, LEFT, y, (f"{number.format(n)} {text}", "Helvetica", NOTE, 0))
    c.showPage()
    c.save()
    return path


def test_notes_numbered_with_a_full_stop_after_a_note_without_one(tmp_path):
    """Notes numbered "1. Text" on the baseline (an HTML-to-PDF tool's footnotes), each ending
    like EUAA's without a full stop ("…, url, p. 14"): "2. USDOS …" opens note 2; a day of the
    month opening a line still goes on the note before it (the test above)."""
    report = read_document(euaa_notes_pdf(tmp_path / "dotted.pdf", "{}."))
    assert [(f.n, f.text) for f in report.footnotes] == [
        (1, "Defensoría del Pueblo, Informe anual 2022, 30 March 2023, url, p. 14"),
        (2, "USDOS, 2022 Country Reports on Human Rights Practices: Peru, 20 March 2023, url, p. 9"),
    ]


def test_plain_numbered_notes_ending_without_a_stop(tmp_path):
    """The same EUAA-style notes numbered on the baseline without a full stop ("2 USDOS …"):
    a capitalised word that is no month opens the next note; "2 February 2023" would not."""
    assert [f.n for f in read_document(euaa_notes_pdf(tmp_path / "plain-euaa.pdf", "{}")).footnotes] == [1, 2]
