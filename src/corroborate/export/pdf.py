"""PDF through WeasyPrint: the print-mode HTML, with each footnote floated to the bottom of the
page its call falls on, numbered as in the source (not renumbered by the layout engine)."""

from __future__ import annotations

from pathlib import Path

from corroborate.export.document import FootnotedDocument
from corroborate.export.html import render_html


def write_pdf(doc: FootnotedDocument, path: Path) -> None:
    import logging

    from weasyprint import HTML

    # WeasyPrint logs every CSS property it ignores; users need none of it.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    HTML(string=render_html(doc, print_mode=True)).write_pdf(str(path))
