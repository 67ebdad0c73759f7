"""Citations written with a hyperlink on the title, the GOV.UK and most web reports' form:

    Author, <a href="URL">Title</a> (locator), date[, amended …]. Accessed: date

The link says exactly where the title starts and ends, which the plain-text parser can only
guess (titles hold commas, authors hold commas: `UK Foreign, Commonwealth and Development
Office`). When a citation's text has this shape around one link, author, title, locator, date
and URL are read from it; any other shape keeps what the plain-text parser found.
"""

from __future__ import annotations

import re

from corroborate.citations.dates import parse_date
from corroborate.models import Citation, CitationKind, Link

_LOCATOR_PAREN = re.compile(
    r"^\s*\((?P<loc>(?:p|pp|page|pages|para|paras|paragraph|paragraphs|section|sections|chapter|"
    r"table|figure|annex|footnote|art|article|s)\b\.?\s*[^()]{0,60})\)", re.I)
_REMARK_PAREN = re.compile(r"^\s*\((?P<remark>[^()]{1,80})\)")
_ACCESSED = re.compile(r"[.,;]?\s*(?:last\s+)?(?:accessed|consulted|consultado|retrieved)\b.*$", re.I)
_ADDRESS = re.compile(r"(?:https?://|www\.)|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?$", re.I)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_SIGNAL = re.compile(r"^(?:see(?:\s+also)?|cf\.?|véase|ver)[:,]?\s+", re.I)


def apply_link(cit: Citation, raw: str, link: Link, offset: int) -> bool:
    """Re-read `cit` (whose text `raw` starts at `offset` in the note) around `link`."""
    start, end = link.start - offset, link.end - offset
    if not (0 <= start < end <= len(raw)) or not link.url.lower().startswith(("http://", "https://")):
        return False
    before, title, after = raw[:start], raw[start:end].strip(), raw[end:]
    if not before.strip():
        author = None
    elif before.rstrip().endswith(","):
        author = _SIGNAL.sub("", before.rstrip().rstrip(",").strip()) or None
    else:
        return False  # the link is inside a sentence, not on a title
    if _ADDRESS.match(title) or len(title) < 2:
        return False  # the link shows its address: it is not on the title
    if author and (_YEAR.search(author) or len(author.split()) > 15):
        return False  # a year before the link: it follows a title and date, so it is the URL's label
    locator = None
    note_parts: list[str] = []
    m = _LOCATOR_PAREN.match(after)
    if m:
        locator, after = m.group("loc").strip(), after[m.end():]
    else:
        m = _REMARK_PAREN.match(after)
        if m:
            note_parts.append(m.group("remark").strip())
            after = after[m.end():]
    accessed = _ACCESSED.search(after)
    if accessed:
        after = after[:accessed.start()]
        note_parts.append(accessed.group(0).strip(" .,;"))
    rest = after.strip().strip(".").strip()
    if rest and not rest.startswith(","):
        return False
    date = cit.date
    segments = [s.strip() for s in rest.strip(",").split(",") if s.strip()]
    if segments:
        parsed = parse_date(segments[0])
        if parsed is None:
            return False
        date = parsed.iso
        if parsed.remark:
            note_parts.append(parsed.remark)
        note_parts.extend(segments[1:])
    if cit.note and cit.note.strip() == raw.strip():
        cit.note = None  # a short form resolved elsewhere: this text says it all itself
    cit.source_id = None
    cit.author = author if author is not None else cit.author
    cit.title = title
    cit.url = link.url
    cit.date = date
    cit.locator = locator
    if note_parts:
        cit.note = "; ".join(filter(None, [cit.note, *note_parts]))
    if cit.kind in (CitationKind.EMPTY, CitationKind.UNPARSED):
        cit.kind = CitationKind.DOCUMENT
    return True


def drop_address_label(cit: Citation, label: str) -> None:
    """`Author, Title, 2023, amnesty.org` with the link on `amnesty.org`: the label stands where
    other reports write `url`, so it is neither title nor date."""
    label = label.strip()
    if not (cit.title and label and _ADDRESS.match(label) and cit.title.endswith(label)):
        return
    title = cit.title[:-len(label)].rstrip(" ,;")
    head, _, last = title.rpartition(",")
    parsed = parse_date(last) if head else None
    if parsed is not None and cit.date is None:
        cit.date, title = parsed.iso, head.strip()
    cit.title = title or cit.title
