"""Small, valid documents of every supported format, built here from raw parts so a test can
change one member, attribute or byte and see what the reader does with it."""

from __future__ import annotations

import io
import zipfile

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="word/document.xml"/>
</Relationships>"""

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W_NS}">
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>
 <w:pPr><w:numPr><w:numId w:val="1"/><w:ilvl w:val="0"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Heading1"/>
 <w:pPr><w:numPr><w:numId w:val="1"/><w:ilvl w:val="1"/></w:numPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/></w:style>
</w:styles>"""

NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W_NS}">
<w:abstractNum w:abstractNumId="0">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="%1.%2"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>"""

DOCUMENT = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Political context</w:t></w:r></w:p>
<w:p><w:r><w:t>Protests spread across the southern regions in December 2022.</w:t></w:r>
 <w:r><w:footnoteReference w:id="1"/></w:r>
 <w:r><w:t xml:space="preserve"> Police used lethal force.</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>Lima</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Quote"/></w:pPr><w:r><w:t>We were shot at as we ran.</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">See the monitoring at </w:t></w:r>
 <w:hyperlink r:id="rId5"><w:r><w:t>the OHCHR site</w:t></w:r></w:hyperlink></w:p>
</w:body></w:document>"""

DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
 Target="https://www.ohchr.org/en" TargetMode="External"/>
</Relationships>"""

FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{W_NS}" xmlns:r="{R_NS}">
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">Amnesty International, Lethal repression, 2023, </w:t></w:r>
 <w:r><w:fldChar w:fldCharType="begin"/></w:r>
 <w:r><w:instrText xml:space="preserve"> HYPERLINK "https://www.amnesty.org/en/documents/amr46/6761/2023/en/" </w:instrText></w:r>
 <w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>amnesty.org</w:t></w:r>
 <w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:footnote>
<w:footnote w:id="2"><w:p><w:r><w:t>Human Rights Watch, Deadly Decline, 2023.</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""


def docx_parts() -> dict[str, str]:
    """The members of a small Word document with styles, numbering, footnotes and links."""
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "word/document.xml": DOCUMENT,
        "word/_rels/document.xml.rels": DOC_RELS,
        "word/styles.xml": STYLES,
        "word/numbering.xml": NUMBERING,
        "word/footnotes.xml": FOOTNOTES,
    }


def zip_parts(parts: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    return buf.getvalue()


def docx_bytes(**changes: str) -> bytes:
    """The small document with members replaced: docx_bytes(styles=...) replaces word/styles.xml."""
    parts = docx_parts()
    for key, value in changes.items():
        member = {"content_types": "[Content_Types].xml", "rels": "word/_rels/document.xml.rels"}.get(
            key, f"word/{key}.xml")
        parts[member] = value
    return zip_parts(parts)


HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Peru: Security</title></head>
<body><main>
<h1>Peru: Security situation</h1>
<h2>1. Political context</h2>
<p>Protests spread across the southern regions in December 2022.<sup><a href="#fn1" id="r1">1</a></sup>
Police used lethal force in Ayacucho.<sup><a href="#fn2" id="r2">2</a></sup></p>
<ul><li>Curfews were declared in Lima.</li><li>Roads were blocked.</li></ul>
<blockquote><p>We were shot at as we ran.</p></blockquote>
<h2>2. Human rights defenders</h2>
<p>See the monitoring at <a href="https://www.ohchr.org/en">the OHCHR site</a>.</p>
<ol class="footnotes">
<li id="fn1">Amnesty International, Lethal repression, 2023,
 <a href="https://www.amnesty.org/en/documents/amr46/6761/2023/en/">amnesty.org</a> <a href="#r1">↩</a></li>
<li id="fn2">Human Rights Watch, Deadly Decline, 2023. <a href="#r2">↩</a></li>
</ol>
</main></body></html>"""

TEXT = """Peru: Security situation

1. Political context

Protests spread across the southern regions in December 2022.1 Police used lethal force in
Ayacucho, according to several organi-
sations.2

1.1 Lima

Curfews were declared in Lima.
\x20
1 Amnesty International, Lethal repression, 2023, url
2 Human Rights Watch, Deadly Decline, 2023.

https://www.amnesty.org/en/documents/amr46/6761/2023/en/
"""


PDF_PAGES = (
    ("1. Political context",
     ("Protests spread across the southern regions in December 2022, and the police",
      "used lethal force in Ayacucho and in Juliaca during the following weeks."),
     "Amnesty International, Lethal repression, 2023, url"),
    ("2. Human rights defenders",
     ("Defenders of land and water rights in the Amazon reported threats from",
      "illegal miners and loggers, and several of them were killed in 2022."),
     "Human Rights Watch, World Report 2023: Peru, 12 January 2023, url"),
)


def pdf_bytes(link: str = "https://www.amnesty.org/en/") -> bytes:
    """A two-page PDF: a heading, body text ending in a superscript footnote marker, a
    separator rule and the footnote, whose "url" carries a link annotation to `link`."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle("Peru: Security situation")
    for n, (heading, lines, note) in enumerate(PDF_PAGES, start=1):
        c.setFont("Helvetica-Bold", 14)
        c.drawString(72, 780, heading)
        y = 750
        for line in lines:
            c.setFont("Helvetica", 11)
            c.drawString(72, y, line)
            y -= 15
        end = 72 + c.stringWidth(lines[-1], "Helvetica", 11)
        c.setFont("Helvetica", 7)
        c.drawString(end, y + 19, str(n))
        c.line(72, 100, 250, 100)
        c.setFont("Helvetica", 7)
        c.drawString(72, 90, str(n))
        c.setFont("Helvetica", 9)
        c.drawString(78, 87, note)
        x = 78 + c.stringWidth(note[:-3], "Helvetica", 9)
        c.linkURL(link, (x, 85, x + c.stringWidth("url", "Helvetica", 9), 97), relative=0)
        c.showPage()
    c.save()
    return buf.getvalue()


class Deadline(Exception):
    """The code under test ran past its time limit: a hang or a super-linear blow-up."""


class deadline:  # noqa: N801 - used as `with deadline(60):`
    """Interrupt the block after `seconds` of this process's CPU time (SIGPROF, main thread
    only). CPU time, not wall-clock time, so that a machine shared with other jobs does not
    fail a case that is merely waiting for a core. The limits are generous: they catch hangs
    and quadratic blow-ups, they do not measure speed."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def _fire(self, *_):
        raise Deadline(f"still running after {self.seconds} s of CPU time")

    def __enter__(self):
        import signal

        self._old = signal.signal(signal.SIGPROF, self._fire)
        signal.setitimer(signal.ITIMER_PROF, self.seconds)
        return self

    def __exit__(self, *exc):
        import signal

        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, self._old)
        return False
