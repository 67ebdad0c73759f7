"""Markdown with footnote links (`[^46]` … `[^46]: …`), as Pandoc, GitHub and Obsidian read it."""

from __future__ import annotations

import re

from corroborate.export.document import BlockKind, FootnotedDocument, Link, NoteRef, Segment

_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_BULLET = re.compile(r"^[•▪◦‣·∙○■□\-–]\s*")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def escape_line_start(text: str) -> str:
    """Keep '1. Unlicenced Justices…' or '- text' from turning into a Markdown list."""
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def _link(s: Segment | Link) -> str:
    if s.text == s.href:
        return f"<{s.href}>"
    return f"[{escape(s.text)}]({s.href.replace(')', '%29').replace(' ', '%20')})"


def _segments(segs: list[Segment]) -> str:
    out = []
    for s in segs:
        if s.href:
            out.append(_link(s))
        else:
            out.append(escape(s.text))
    return "".join(out)


def render_markdown(doc: FootnotedDocument) -> str:
    lines = [f"# {escape(doc.title)}", ""]
    for sub in doc.subtitle:
        lines += [f"*{escape(sub)}*  ", ""]
    for block in doc.blocks:
        text = "".join(f"[^{i.n}]" if isinstance(i, NoteRef) else _link(i) if isinstance(i, Link)
                       else escape(i.text) for i in block.inlines)
        text = " ".join(text.split())
        if block.kind not in (BlockKind.HEADING, BlockKind.LIST_ITEM, BlockKind.QUOTE):
            text = escape_line_start(text)
        if not text:
            continue
        if block.kind == BlockKind.HEADING:
            lines.append("#" * min(block.level + 1, 6) + " " + text)
        elif block.kind == BlockKind.LIST_ITEM:
            # the extracted text often keeps its bullet glyph; Markdown draws its own
            lines.append(f"- {_BULLET.sub('', text)}")
        elif block.kind == BlockKind.QUOTE:
            lines.append(f"> {text}")
        elif block.kind == BlockKind.CAPTION:
            lines.append(f"*{text}*")
        else:
            lines.append(text)
        lines.append("")
    if doc.bibliography:
        lines += [f"## {escape(doc.bibliography_title)}", ""]
        for group in doc.bibliography:
            lines += [f"### {escape(group.title)}", ""]
            lines += [f"- {_segments(item.segments)}" for item in group.items]
            lines.append("")
    called = set(doc.note_calls())
    for n, note in doc.notes.items():
        if n in called:
            lines.append(f"[^{n}]: {' '.join(_segments(note.segments()).split())}")
    return "\n".join(lines).rstrip() + "\n"
