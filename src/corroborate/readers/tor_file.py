"""Terms of reference written by a researcher, to check a report (or a draft) against a ToR that is
not its own annex: the ToR being drafted, or the same ToR in Spanish.

One topic per line; nesting by indentation (spaces, or tabs counted as four). A leading list
marker is dropped: '-', '*', '+', '•', '◦', '▪', 'o', '1.', '1.2', '1)', 'a)', a Markdown '#'.
So a Markdown list, a list copied from a Word ToR, or plain indented lines all read the same.
Blank lines and lines starting with '//' are ignored.

    Overview
        - Government/state structure
        - Freedom of movement
    LGBTI
        - Treatment by society, the state
"""

from __future__ import annotations

import re
from pathlib import Path

from corroborate.models import TorItem
from corroborate.readers import ReaderError

MAX_TOR_BYTES = 256 * 1024  # a ToR is a page or two; more is not a ToR
MAX_ITEM_CHARS = 600  # the annex reader's bound too: longer lines are prose
# a number is a marker with its point or bracket ('1.', '2)') or as a section number ('1.2'), so
# that a topic opening with a year ('2021 elections') keeps it
_MARKER = re.compile(r"^(?:#{1,6}\s+|[-*+•◦▪‣o]\s+|\d+(?:\.\d+)+[.)]?\s+|\d+[.)]\s+|[a-z][.)]\s+)", re.I)


def read_terms_of_reference(path: str | Path) -> list[TorItem]:
    """The ToR in `path` as a tree of items; ReaderError names the file and what is wrong."""
    path = Path(path)
    try:
        size = path.stat().st_size  # refused before it is read
        data = path.read_bytes() if size <= MAX_TOR_BYTES else b""
    except FileNotFoundError:
        raise ReaderError(path, "no such file") from None
    except OSError as exc:
        raise ReaderError(path, f"cannot be read ({exc.strerror or exc})") from None
    if size > MAX_TOR_BYTES:
        raise ReaderError(path, f"file is {size / 1024:.0f} KB; a ToR file may be at most "
                                f"{MAX_TOR_BYTES // 1024} KB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReaderError(path, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    return parse_terms_of_reference(text, path)


def parse_terms_of_reference(text: str, path: str | Path = "<text>") -> list[TorItem]:
    """`text` as a tree of items; ReaderError names `path` (a file, a request body, a form) and
    what is wrong. Every way in comes through here, so each is checked alike."""
    if "\x00" in text:  # a binary file decodes as UTF-8 often enough (NUL is valid UTF-8)
        raise ReaderError(path, "is not a text file")
    roots: list[TorItem] = []
    stack: list[tuple[int, TorItem]] = []  # (indentation, item) of the open ancestors
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("//"):
            continue
        expanded = raw.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip())
        item_text = _MARKER.sub("", expanded.strip(), count=1).strip()
        if not item_text:
            continue
        if len(item_text) > MAX_ITEM_CHARS:
            raise ReaderError(path, f"line {number} has {len(item_text)} characters; a ToR item may have at "
                                    f"most {MAX_ITEM_CHARS} (one topic per line)")
        item = TorItem(text=item_text)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        (stack[-1][1].items if stack else roots).append(item)
        stack.append((indent, item))
    if not roots:
        raise ReaderError(path, "holds no terms of reference (one topic per line, nested by indentation)")
    return roots
