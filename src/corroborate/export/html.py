"""HTML with footnote links and back-links; the same markup, in print mode, feeds the PDF
(footnotes floated to the page bottom by WeasyPrint's CSS Paged Media support)."""

from __future__ import annotations

from html import escape

from corroborate.export.document import Block, BlockKind, FootnotedDocument, Link, NoteRef, Segment
from corroborate.i18n import gettext

SCREEN_CSS = """
body { font-family: "Noto Serif", Georgia, serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1a1a1a; }
header .subtitle { color: #555; margin: 0; }
sup.fn-ref a { text-decoration: none; padding: 0 .1em; }
p.caption { font-style: italic; color: #444; }
p.list-item { margin-left: 1.5rem; }
div.notice { border-left: 3px solid #999; padding-left: 1rem; color: #333; }
section.footnotes { font-size: .9rem; border-top: 1px solid #aaa; margin-top: 2rem; }
section.footnotes li.missing { color: #8a1c1c; }
a { color: #0645ad; word-break: break-word; }
"""

PRINT_CSS = """
@page { size: A4; margin: 2cm 2cm 2.4cm;
        @bottom-center { content: counter(page); font-size: 9pt; }
        @footnote { border-top: .5pt solid #888; padding-top: 4pt; } }
body { font-family: "DejaVu Serif", "Noto Serif", serif; font-size: 10.5pt; line-height: 1.4; }
h1 { font-size: 18pt; } h2 { font-size: 14pt; } h3 { font-size: 12pt; } h4, h5, h6 { font-size: 11pt; }
header .subtitle { color: #444; margin: 0; }
p.caption { font-style: italic; }
p.lead { break-after: avoid; margin-bottom: 2pt; }
p.list-item { margin-left: 1.2em; }
div.notice { border-left: 2pt solid #999; padding-left: 8pt; }
/* block, not line: WeasyPrint (66-70, measured) left a note whose line held two calls on the
   next page under 'line'; 'block' moves the paragraph with its notes instead */
.footnote { float: footnote; footnote-policy: block; font-size: 8pt; line-height: 1.25; text-align: left; font-style: normal; }
.footnote::footnote-call { content: attr(data-n); vertical-align: super; font-size: 65%; line-height: 0; }
.footnote::footnote-marker { content: attr(data-n) ". "; }
.fn-again { vertical-align: super; font-size: 65%; line-height: 0; }
.missing-note { color: #8a1c1c; }
section.bibliography ul { list-style: none; padding-left: 0; }
section.bibliography li { padding-left: 1.5em; text-indent: -1.5em; margin-bottom: 3pt; }
a { color: #0645ad; overflow-wrap: anywhere; }
"""

_TAG = {BlockKind.QUOTE: "blockquote", BlockKind.CAPTION: "p", BlockKind.LIST_ITEM: "p",
        BlockKind.PARAGRAPH: "p", BlockKind.NOTICE: "p", BlockKind.LEAD: "p"}


def _segments(segs: list[Segment]) -> str:
    return "".join(f'<a href="{escape(s.href)}">{escape(s.text)}</a>' if s.href else escape(s.text)
                   for s in segs)


class _Calls:
    """Ids for repeated calls of the same footnote, so each back-link has a target."""

    def __init__(self) -> None:
        self.count: dict[int, int] = {}

    def next(self, n: int) -> int:
        self.count[n] = self.count.get(n, 0) + 1
        return self.count[n]


def _inline(block: Block, doc: FootnotedDocument, calls: _Calls, print_mode: bool) -> str:
    out = []
    for i in block.inlines:
        if isinstance(i, Link):
            out.append(f'<a href="{escape(i.href)}">{escape(i.text)}</a>')
            continue
        if not isinstance(i, NoteRef):
            out.append(escape(i.text))
            continue
        k = calls.next(i.n)
        note = doc.notes.get(i.n)
        if print_mode:
            if k == 1 and note is not None:
                cls = "footnote missing-note" if note.missing else "footnote"
                out.append(f'<span class="{cls}" data-n="{i.n}">{_segments(note.segments())}</span>')
            else:
                out.append(f'<span class="fn-again">{i.n}</span>')
        else:
            ident = f"fnref-{i.n}" + (f"-{k}" if k > 1 else "")
            out.append(f'<sup class="fn-ref"><a href="#fn-{i.n}" id="{ident}">{i.n}</a></sup>')
    return "".join(out)


def render_html(doc: FootnotedDocument, print_mode: bool = False) -> str:
    calls = _Calls()
    parts = [
        "<!doctype html>",
        f'<html lang="{escape(doc.language)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(doc.title)}</title><style>{PRINT_CSS if print_mode else SCREEN_CSS}</style>",
        "</head><body>",
        f"<header><h1>{escape(doc.title)}</h1>",
        *[f'<p class="subtitle">{escape(s)}</p>' for s in doc.subtitle],
        "</header><main>",
    ]
    in_notice = False
    for block in doc.blocks:
        if in_notice and block.kind != BlockKind.NOTICE:
            parts.append("</div>")
            in_notice = False
        body = _inline(block, doc, calls, print_mode)
        if block.kind == BlockKind.HEADING:
            lvl = min(block.level + 1, 6)
            parts.append(f"<h{lvl}>{body}</h{lvl}>")
            continue
        if block.kind == BlockKind.NOTICE and not in_notice:
            parts.append('<div class="notice">')
            in_notice = True
        tag = _TAG.get(block.kind, "p")
        ident = f' id="p-{escape(block.anchor)}"' if block.anchor else ""
        cls = f' class="{block.kind.value.replace("_", "-")}"'
        parts.append(f"<{tag}{ident}{cls}>{body}</{tag}>")
    if in_notice:
        parts.append("</div>")
    parts.append("</main>")
    if doc.bibliography:
        parts.append(f'<section class="bibliography"><h2>{escape(doc.bibliography_title)}</h2>')
        for group in doc.bibliography:
            parts.append(f"<h3>{escape(group.title)}</h3><ul>")
            parts += [f"<li>{_segments(item.segments)}</li>" for item in group.items]
            parts.append("</ul>")
        parts.append("</section>")
    if not print_mode and doc.notes:
        parts.append('<section class="footnotes" role="doc-endnotes"><h2>' + escape(gettext("Footnotes")) + '</h2><ol>')
        back = escape(gettext("Back to the text"))
        for n, note in doc.notes.items():
            backs = " ".join(
                f'<a href="#fnref-{n}{"" if k == 1 else f"-{k}"}" aria-label="{back}">↩</a>'
                for k in range(1, calls.count.get(n, 0) + 1))
            cls = ' class="missing"' if note.missing else ""
            parts.append(f'<li id="fn-{n}" value="{n}"{cls}>{_segments(note.segments())} {backs}</li>')
        parts.append("</ol></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
