"""One footnote's text -> its citations (EUAA / ACCORD citation style, English or Spanish).

A footnote is a sequence of citations separated by `;` or by sentence ends, with commentary
around them. A citation reads `Author, Title, Date, url, locator`; titles may hold commas,
colons, semicolons, question marks and dates, so boundaries are decided by structure:

- a `;` or a sentence end separates two pieces only when the part before it ends like a
  citation (with `url`, a locator or a date) - or when it is a sentence of prose and what
  follows opens like a citation (`Fuerza Popular is a ... party. DW, ...`);
- inside a citation, the locator and `url` are read from the end, then the date is the last
  date-like comma segment, and the author/title boundary comes from `authors.split_author`
  (structure plus evidence from the whole report).

Commentary becomes the `note` of the citation it introduces (`See also:`, a prose sentence
before a citation) or, when nothing follows, of the citation before it (`Legend: ...`,
`; for information on ..., see pp. 18-21 of the same source.`). A footnote of commentary
only (`EU+ includes EU Member States, Norway and Switzerland`) yields one citation of kind
`empty` holding the text as its note: it cites no source.

Other styles met in COI work are read too, without weakening the above: links written out
(`..., 30.04.2022, https://...`), academic references with quoted titles and bracketed years
(`Author ‘Title’ [2021] Journal 94(1) 58–74`) or journal tails (`Journal 13 (2020) 331 ff`),
the period-separated style of the Inter-American and UN systems (`I/A Court HR. Case of X v. Y.
Judgment of May 21, 2013. Series C No. 261, par. 128.`),
`see`/`cf` signals, `Ibid.` and `Name (n. 8)` short forms (resolved by `link_citations` to the
cited work, with their own locator and the short form as note), and locator-only footnotes
(`Para 422.`: kind `empty` with the locator, pointing into the work under discussion).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from corroborate.citations.authors import (
    AuthorEvidence,
    is_acronym,
    is_plausible_author,
    split_author,
)
from corroborate.citations.dates import parse_date
from corroborate.citations.knowledge import COUNTRIES, INSTITUTION_WORDS, LEGISLATION_START
from corroborate.models import Citation, CitationKind

# The `url` placeholder of EUAA style, or a link written out in the text.
URL_TOKEN = re.compile(r"(?:^|,)\s*(?P<url>url|https?://\S+?)[.,;]?\s*$", re.IGNORECASE)
# Academic styles end a reference with pages: `31–42`, `184 ff`, `331 (337 f)`, `(2019) 5 ff`.
PAGES_END = re.compile(r"(?:\b\d+\s*ff?\.?|\b\d{1,4}\s*[–-]\s*\d{1,4}|\b\d+\s*\([^()]*\d[^()]*\))\s*$")
YEAR_RANGE = re.compile(r"\b(?:19|20)\d\d\s*[–-]\s*(?:19|20)\d\d\s*$")
# `Author ‘Title’ [2021] Journal 94(1) 58–74` / `Author, 'Title' (2005) 14 Policing 31`.
QUOTED = re.compile(
    r"^(?P<author>[^‘“\"'\d]{2,160}?)[,\s]+[‘“](?P<title>[^’”]{3,}?)[’”]\s*,?\s*(?P<rest>.*)$", re.DOTALL)
YEAR_MARK = re.compile(r"[\[(](?P<year>(?:1[89]|20)\d\d)[\])]")
# `Journal of Human Rights and the Environment, 9:2 (2018) 194 ff` / `Law & Policy 35:3 (2012) 141 ff`
JOURNAL_TAIL = re.compile(
    r"^(?P<journal>[^\d()]*?)\s*(?:\d[\d:/()\-–]*\s*)?[(\[](?P<year>(?:1[89]|20)\d\d)[)\]]\s*(?P<pages>\d.*)?$")
# `Ibid.`, `Ibid., 81.`, `See, for example, Ibid., chapter 2, pages 71-86`: the citation before.
IBID = re.compile(r"^(?P<lead>(?:see|cf)\b.*?)?\b(?:ibid|ibidem|id)\.?(?:,?\s*(?P<loc>.+?))?\.?$", re.IGNORECASE)
# `McCanney and others (n. 8)`, `HMIC (n. 37), at 12`: a short form pointing at an earlier footnote.
BACKREF = re.compile(
    r"^(?P<lead>(?:see|cf)\.?\s+)?(?P<name>[^()]{2,80}?)\s*\((?:n|fn|note|supra note|supra n)\.?\s*(?P<n>\d{1,4})\)"
    r"\s*,?\s*(?:at\s+)?(?P<loc>[^.;]*?)\.?$",
    re.IGNORECASE,
)
_LOC_HEAD = (
    r"(?:pp?\.|paras?\.?|arts?\.|articles?|chs?\.|chapters?|sections?|secs?\.|§{1,2}|s\.|seiten?|p[áa]gs?\.|"
    r"p[áa]rrs?\.|cap\.|pars?\.|"
    r"annex(?:es)?|footnotes?|fn\.|tables?|figs?\.|figures?|slides?)"
)
_LOC_ITEM = r"[\dIVXLCivxlc][\w\-–/.]*"
LOCATOR = re.compile(
    rf"(?:^|,)\s*(?P<loc>{_LOC_HEAD}\s*{_LOC_ITEM}(?:\s*(?:,|and|&|y|-|–)\s*{_LOC_ITEM})*)\s*$",
    re.IGNORECASE,
)
# `Para 422.`, `Para 416 ff.`, `p. 5`: only a locator into the work under discussion.
LOCATOR_ONLY = re.compile(
    rf"^(?P<lead>(?:see|see also|cf)\.?\s+)?(?P<loc>{_LOC_HEAD}\s*{_LOC_ITEM}"
    rf"(?:\s*(?:ff?\.?|,|and|&|-|–|to)\s*(?:{_LOC_ITEM})?)*?)\.?$",
    re.IGNORECASE)
CAPTION = re.compile(
    r"^(?P<note>(?:Map|Figure|Fig\.|Table|Graph|Chart|Mapa|Figura|Tabla|Gráfico|Cuadro)\s+\d+[.:])\s*",
    re.IGNORECASE,
)
SEE_LEAD = re.compile(r"^(?P<note>[^:;]{0,240}?\b(?:see|véase|ver)(?:\s+also)?\s*:)\s*(?P<rest>.+)$",
                      re.IGNORECASE | re.DOTALL)
# `Cf Schmid, ...`, `For an analysis see for instance Pedersen, ...`: a signal without a colon.
SIGNAL_LEAD = re.compile(
    r"^(?P<note>(?:[^:;]{0,200}?\s)?(?:see(?:\s+also)?(?:,?\s+(?:for\s+instance|for\s+example|e\.g\.),?)?|cf\.?|"
    r"véase|compare))\s+(?P<rest>[A-ZÁÉÍÓÚÑ].+)$",
    re.IGNORECASE | re.DOTALL,
)
# `To name only a few examples: Bähr/Brunner, ...`: a short lead-in phrase ending with a colon.
COLON_LEAD = re.compile(r"^(?P<note>[^:;,]{3,120}:)\s+(?P<rest>.+)$", re.DOTALL)
BOOK = re.compile(
    r"^(?P<lead>.*?\bsee\s+the\s+(?:book|monograph|thesis|study|chapter)\s+by\b.*?)\s*"
    r"(?P<author>(?:[A-ZÁÉÍÓÚÑ][\w'’\-]+\s+){0,3}[A-ZÁÉÍÓÚÑ][\w'’\-]+)\s*,\s*(?P<rest>.+)$",
    re.DOTALL,
)
ANALYSIS = re.compile(r"^(?:analysis|análisis)\s+(?:by|de|del|por)\s+(?P<author>.+?)\.?$", re.IGNORECASE)
ORAL = re.compile(
    r"^(?:(?:remote|online|phone|telephone|in-person|email|e-mail|written)\s+)?"
    r"(?:interview(?:ed)?|exchange|correspondence|communication|meeting|consultation|entrevista|"
    r"comunicación|correo)\b.*\b(?:with|con|to|a)\b|^(?:e-?mail|correo electrónico|phone call|llamada)\b",
    re.IGNORECASE,
)
LEGISLATION = re.compile(rf"^{LEGISLATION_START}", re.IGNORECASE)
COLLECTION = re.compile(
    r"\b(?:Collection|Series|Archive|Archives|Database|Journal|Review|Repository|Colección|Serie|"
    r"Revista|Archivo|Proceedings|Working Papers?)\b"
)
# A sentence end: ., ? or ! (optionally closing a quote), spaces, then a capital or opener.
SENTENCE_END = re.compile(r"[.?!][\"’”»)]?\s+(?=[A-ZÁÉÍÓÚÑ¿¡“\"‘])")
ABBREVIATION = re.compile(
    r"(?:\b(?:No|Nr|Nº|St|Dr|Mr|Mrs|Ms|Jr|Sr|Sra|Vol|Rev|Art|Arts|Inc|Ltd|Co|Gen|Col|Lt|vs|cf|etc|"
    r"e\.g|i\.e|al|p|pp|para|paras|ch|fig|Av|Ed|Eds|approx|v)|\b[A-Z])\.$",
)


# Period-separated style of the Inter-American and UN systems:
# `I/A Court HR. Case of X v. Y. Merits. Judgment of May 21, 2013. Series C No. 261, par. 128.`
_PERIOD_ABBREV = re.compile(r"(?:\b(?:v|vs|No|Nos|Art|Arts|par|para|paras|p|pp|al|Inc|Ltd|Rev|Doc|Ser|Vol|Ed|Mr|Mrs|Ms|Dr|St|"
                            r"Jr|Sr|cf)|\b[A-Z])$")
PERIOD_DATE = re.compile(
    r"(?:[A-Z][a-z]+day,\s*)?(?P<date>[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} (?:de )?[A-Za-zé]+ (?:de )?\d{4}|"
    r"[A-Z][a-z]+ \d{4})")
# A UN document symbol (`A/HRC/37/8`, `CCPR/C/PER/CO/6`, `E/C.12/PER/CO/4`): a complete reference.
UN_SYMBOL = re.compile(r"^[A-Z]{1,8}(?:/[A-Za-z0-9.()\-]+){2,7}$")
CASE_TITLE = re.compile(r"^(?:Case of|Caso|Matter of|Asunto|In re)\b")


def period_units(text: str) -> list[str]:
    """Split at `. ` where the word before the period is not an abbreviation (`v.`, `No.`)."""
    units, start = [], 0
    for m in re.finditer(r"\.\s+(?=\S)", text):
        if _PERIOD_ABBREV.search(text[start:m.start()]):
            continue
        units.append(text[start:m.start()].strip())
        start = m.end()
    units.append(text[start:].strip().rstrip("."))
    return [u for u in units if u]


def _period_author(unit: str) -> bool:
    ws = unit.split()
    if not 1 <= len(ws) <= 9 or re.search(r"\d", unit) or "," in unit or not unit[0].isupper():
        return False
    return is_acronym(unit) or any(w.casefold() in INSTITUTION_WORDS for w in ws) or is_plausible_author(unit)


@dataclass
class Piece:
    """A stretch of a footnote: a citation, a note, or the empty tail after a final `;`."""

    text: str
    role: str  # "citation" | "note" | "empty" | "unparsed"
    lead_note: str | None = None  # commentary inside the piece, before the citation
    head: list[str] = field(default_factory=list)  # author+title segments
    date: str | None = None
    date_remark: str | None = None
    has_url: bool = False
    locator: str | None = None
    kind: CitationKind = CitationKind.DOCUMENT
    author: str | None = None  # set by patterns that know it (analysis, book, quoted title)
    title: str | None = None
    container: str | None = None
    inline_url: str | None = None  # a link written out in the text, not a placeholder
    quoted: bool = False  # read by the quoted-title (academic) reader
    inherit_author: bool = False  # `Case of ...` after a citation of the same court
    ref_n: int | None = None  # role "backref": the footnote pointed at
    ref_name: str | None = None


def normalise(text: str) -> str:
    return " ".join(text.split())


def split_segments(text: str) -> list[str]:
    """Comma segments, keeping commas inside balanced parentheses/brackets together."""
    out, buf, depth = [], [], 0
    closing = {"(": ")", "[": "]"}
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in closing and closing[ch] in text[i + 1:]:
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        # `27,5%` and `5,9 %` are decimal commas, not separators: a separator is followed by a space.
        if ch == "," and depth == 0 and (i + 1 == len(text) or text[i + 1].isspace()):
            out.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
        i += 1
    out.append("".join(buf).strip())
    return [s for s in out if s]


def ends_like_citation(text: str) -> bool:
    """Does this stretch end where citations end: `url`, a locator, or a date segment?"""
    s = text.strip().rstrip(".").strip()
    if not s:
        return False
    if URL_TOKEN.search(s) or LOCATOR.search(s):
        return True
    if PAGES_END.search(s) and not YEAR_RANGE.search(s) and (QUOTED.match(s) or YEAR_MARK.search(s)):
        return True
    segs = split_segments(s)
    if len(segs) >= 2 and parse_date(segs[-1]) is not None:
        return True
    return bool(ANALYSIS.match(s))


def is_prose(text: str) -> bool:
    """A sentence of commentary rather than `Author, Title` (several lower-case words)."""
    lower = [w for w in re.findall(r"[^\W\d_]+", text) if w[0].islower()]
    segs = split_segments(text)
    first = segs[0] if segs else ""
    if URL_TOKEN.search(text.rstrip(". ")):
        return False
    return len(lower) >= 2 and not is_plausible_author(first)


def opens_like_citation(text: str) -> bool:
    s = CAPTION.sub("", text.strip())
    m = SEE_LEAD.match(s) or _signal(s)
    if m:
        s = m.group("rest")
    segs = split_segments(s)
    if len(segs) < 2 or not is_plausible_author(segs[0]):
        return False
    return ends_like_citation(s) or len(segs) >= 3


def split_pieces(text: str) -> list[str]:
    """Cut a footnote at the `;` and sentence ends that are real citation boundaries."""
    text = normalise(text)
    if not text:
        return []
    parts = text.split(";")
    merged: list[str] = []
    for i, part in enumerate(parts):
        if merged and not ends_like_citation(merged[-1]) and not (i == len(parts) - 1 and not part.strip()):
            merged[-1] = f"{merged[-1]};{part}"  # a `;` inside a title
        else:
            merged.append(part)
    pieces: list[str] = []
    for part in merged:
        part = part.strip()
        if is_period_style(part):
            # periods separate the units of one citation here: cut only before a new signal
            pieces.extend(p.strip() for p in re.split(r"(?<=\.)\s+(?=(?:See also|See|Cf\.?|Also)\b)", part)
                          if p.strip())
        else:
            pieces.extend(_split_sentences(part))
    return pieces


def is_period_style(text: str) -> bool:
    """`I/A Court HR. Case of ...`: the first unit ends with a period before any comma."""
    s = SIGNAL_LEAD.sub(lambda m: m.group("rest"), text.strip(), count=1) if _signal(text.strip()) else text.strip()
    first_comma, first_period = s.find(", "), s.find(". ")
    if first_period < 0 or (0 <= first_comma < first_period):
        return False
    first = period_units(s)[0]
    return bool(CASE_TITLE.match(first)) or _period_author(first)


# How much text on either side of a period decides whether it ends a citation. Without a bound a
# long stretch with no boundary ("IV. IV. IV. …") is re-read whole at every period: quadratic.
_SENTENCE_WINDOW = 2000


def _split_sentences(text: str) -> list[str]:
    if not text:
        return [""]
    out: list[str] = []
    start = 0
    for m in SENTENCE_END.finditer(text):
        left = text[max(start, m.start() + 1 - _SENTENCE_WINDOW):m.start() + 1]
        if ABBREVIATION.search(left[-20:]):
            continue
        right = text[m.end():m.end() + _SENTENCE_WINDOW]
        if ends_like_citation(left) or (is_prose(left) and opens_like_citation(right)):
            out.append(text[start:m.end()].strip())
            start = m.end()
    out.append(text[start:].strip())
    return [p for p in out if p]


def analyse_piece(text: str) -> Piece:
    """Classify one piece and read its tail (locator, url, date) and head segments."""
    raw = text.strip()
    if not raw:
        return Piece(text="", role="empty", kind=CitationKind.EMPTY)
    body = raw
    lead: list[str] = []
    m = CAPTION.match(body)
    if m:
        lead.append(m.group("note"))
        body = body[m.end():]
    stripped = body.strip()
    m = IBID.match(stripped)
    if m:
        return Piece(text=raw, role="ibid", locator=(m.group("loc") or "").strip(" ,.") or None,
                     lead_note=normalise(" ".join(lead + [(m.group("lead") or "").strip(" ,")])) or None)
    m = BACKREF.match(stripped)
    if m:
        return Piece(text=raw, role="backref", ref_n=int(m.group("n")), ref_name=m.group("name").strip(" ,"),
                     locator=m.group("loc").strip(" ,") or None,
                     lead_note=normalise(" ".join(lead + [(m.group("lead") or "").strip()])) or None)
    m = LOCATOR_ONLY.match(stripped)
    if m:
        return Piece(text=raw, role="locator", locator=m.group("loc").strip(" .,"), kind=CitationKind.EMPTY,
                     lead_note=(m.group("lead") or "").strip() or None)
    m = ANALYSIS.match(body)
    if m:
        return Piece(text=raw, role="citation", kind=CitationKind.ANALYSIS, author=m.group("author").strip(),
                     lead_note=" ".join(lead) or None)
    m = BOOK.match(body)
    if m and not URL_TOKEN.search(m.group("rest").rstrip(". ")):
        piece = _read_citation(raw, m.group("rest"), lead + [m.group("lead").strip()])
        piece.author = m.group("author").strip()
        piece.head = [piece.author] + piece.head
        piece.kind = CitationKind.BOOK
        return piece
    m = SEE_LEAD.match(body)
    if m and _cited_after_see(m.group("rest")):
        lead.append(m.group("note").strip())
        body = m.group("rest")
    else:
        m = _signal(body)
        if m is None:
            c = COLON_LEAD.match(body)
            if c and len(c.group("note").split()) <= 10 and ends_like_citation(c.group("rest")) \
                    and opens_like_citation(c.group("rest")):
                m = c
        if m is not None:
            lead.append(m.group("note").strip())
            body = m.group("rest")
    period = _read_period_style(raw, body, lead)
    if period is not None:
        return period
    quoted = _read_quoted(raw, body, lead)
    if quoted is not None:
        return quoted
    if (lead and _cited_after_see(body)) or opens_like_citation(body) or (URL_TOKEN.search(body.rstrip(". ")) and len(split_segments(body)) >= 2):
        return _read_citation(raw, body, lead)
    segs = split_segments(body.rstrip(". "))
    if len(segs) >= 2 and any(ORAL.match(x) for x in segs[1:]):
        # `Lawyer based in Lima, email to EUAA, 5 May 2023`: an oral source described by role
        return _read_citation(raw, body, lead)
    if is_prose(body) or (lead and not body.strip()):
        return Piece(text=raw, role="note", lead_note=normalise(" ".join(lead + [body])))
    segs = split_segments(body.rstrip(". "))
    if len(segs) >= 2 and (ends_like_citation(body) or is_plausible_author(segs[0])):
        # `AFP, At least six killed in Peru`: a citation whose end was lost in extraction.
        return _read_citation(raw, body, lead)
    return Piece(text=raw, role="unparsed", kind=CitationKind.UNPARSED, lead_note=" ".join(lead) or None)


def _read_period_style(raw: str, body: str, lead: list[str]) -> Piece | None:
    """`Author. Title. ... Judgment of <date>. Series ..., par. N.`: units separated by periods,
    the first an institution (or, for `Case of ...`, the author of the citation before)."""
    s = body.strip()
    if re.search(r"(?:^|,)\s*url\b", s, re.IGNORECASE) or not is_period_style(s):
        return None  # `Author, Title, ...`: the comma style
    piece = Piece(text=raw, role="citation", lead_note=normalise(" ".join(lead)) or None)
    m = LOCATOR.search(s.rstrip("."))
    if m:
        piece.locator = m.group("loc").strip()
        s = s[:m.start()].rstrip(" ,.")
    units = period_units(s)
    if CASE_TITLE.match(units[0]):
        piece.author, title_units = None, units  # author: the citation before (resolve_pieces)
        piece.inherit_author = True
    elif len(units) >= 2 and _period_author(units[0]):
        piece.author, title_units = units[0], units[1:]
    else:
        return None
    title = title_units[0]
    if CASE_TITLE.match(title) and len(title_units) >= 2 and not PERIOD_DATE.search(title_units[1]):
        title = f"{title}. {title_units[1]}"  # `Case of X v. Y. Merits, Reparations and Costs`
    piece.title = title.strip(" ,")
    for unit in title_units[1:] + title_units[:1]:  # `CERD/C/ARG/CO/21-23 of 11 January 2017`
        d = PERIOD_DATE.search(unit)
        if d and (parsed := parse_date(d.group("date").replace(".", ""))) is not None and parsed.iso:
            piece.date = parsed.iso
            break
    series = [u for u in title_units[1:] if COLLECTION.search(u)]
    piece.container = series[0].split(",")[0].strip() if series else None
    piece.quoted = True  # author/title/container are final: no comma-style author split
    return piece


def _read_quoted(raw: str, body: str, lead: list[str]) -> Piece | None:
    """Academic/legal styles that quote the title (OSCOLA and kin), written without `url`
    placeholders: author before the quote, year in brackets after it, then the journal."""
    if re.search(r"(?:^|,)\s*url\b", body, re.IGNORECASE):
        return None
    segs = split_segments(body.strip().rstrip("."))
    if len(segs) >= 2 and parse_date(segs[-1]) is not None:
        return None  # `Outlet, Headline with “a quote”, 9 July 2023`: EUAA shape, link lost
    m = QUOTED.match(body.strip())
    if not m:
        return None
    author = m.group("author").strip(" ,")
    see = re.match(r"^(?P<note>.*?\b(?:see(?:\s+also)?(?:,?\s+for\s+example,?)?|cf\.?|compare))\s+(?=[A-ZÁÉÍÓÚÑ])",
                   author, re.IGNORECASE)
    notes = list(lead)
    if see:
        notes.append(see.group("note").strip())
        author = author[see.end():].strip(" ,")
    if not author or len(author.split()) > 14 or not author[0].isupper() or ":" in author:
        return None
    rest = m.group("rest").strip().rstrip(".")
    piece = Piece(text=raw, role="citation", lead_note=normalise(" ".join(notes)) or None)
    piece.author, piece.title = author, m.group("title").strip(" ,.")
    u = re.search(r"https?://\S+", rest)
    if u:
        piece.inline_url = u.group(0).rstrip(".,;")
        rest = (rest[:u.start()] + rest[u.end():]).strip(" ,")
    y = YEAR_MARK.search(rest)
    if y:
        piece.date = y.group("year")
        container = rest[y.end():].strip(" ,")
        before = rest[:y.start()].strip(" ,")
    else:
        container, before = rest, ""
    # the container is the journal name, before its volume/issue/pages
    container = re.split(r",?\s*\d", container, maxsplit=1)[0].strip(" ,:") or before or None
    piece.container = container
    piece.quoted = True
    return piece


def _signal(text: str) -> re.Match | None:
    """A `see`/`cf` lead (without colon) followed by an author and a comma."""
    m = SIGNAL_LEAD.match(text)
    if not m:
        return None
    segs = split_segments(m.group("rest"))
    return m if len(segs) >= 2 and is_plausible_author(segs[0]) else None


def _cited_after_see(rest: str) -> bool:
    """After `See also:` a citation is expected: an author and one more segment suffice."""
    segs = split_segments(rest.strip().rstrip("."))
    return opens_like_citation(rest) or (len(segs) >= 2 and is_plausible_author(segs[0])) or is_period_style(rest)


def _read_citation(raw: str, body: str, lead: list[str]) -> Piece:
    s = body.strip().rstrip(".").strip() if not body.strip().endswith("et al.") else body.strip()
    piece = Piece(text=raw, role="citation", lead_note=normalise(" ".join(x for x in lead if x)) or None)
    m = LOCATOR.search(s)
    if m and (URL_TOKEN.search(s[:m.start()]) or len(split_segments(s[:m.start()])) >= 2
              or UN_SYMBOL.match(s[:m.start()].strip())):
        piece.locator = m.group("loc").strip()
        s = s[:m.start()].rstrip(" ,")
    m = URL_TOKEN.search(s)
    if m is None and not piece.locator:
        # `..., url, S. 12` / `..., url, slide 4`: whatever short text follows the placeholder
        # is where in the source the claim is, even in a form the locator pattern does not know.
        t = re.search(r",\s*url\s*,\s*(?P<loc>[^,]{1,40}(?:,\s*[^,]{1,20})?)$", s, re.IGNORECASE)
        if t:
            piece.locator = t.group("loc").strip()
            s = s[:t.start("loc")].rstrip(" ,")
            m = URL_TOKEN.search(s)
    if m:
        if m.group("url").lower() == "url":
            piece.has_url = True
        else:
            piece.inline_url = m.group("url").rstrip(".,;")
        s = s[:m.start()].rstrip(" ,")
    segs = split_segments(s)
    if len(segs) >= 2:
        d = parse_date(segs[-1])
        if d is None and len(segs) >= 3:  # `March 20, 2023` cut by the comma split
            d2 = parse_date(f"{segs[-2]}, {segs[-1]}")
            if d2 is not None and d2.iso and len(d2.iso) == 10:
                segs = segs[:-1]
                d = d2
        if d is not None:
            piece.date, piece.date_remark = d.iso, d.remark
            segs = segs[:-1]
        elif not piece.has_url and (j := JOURNAL_TAIL.match(segs[-1])):
            # academic: the journal, its volume, the year in brackets, then pages
            piece.date = j.group("year")
            if j.group("pages") and not piece.locator:
                piece.locator = j.group("pages").strip()
            journal = j.group("journal").strip(" ,")
            segs = segs[:-1] + ([journal] if journal else [])
            if journal and len(segs) >= 3:
                piece.container = journal
                segs = segs[:-1]
    piece.head = segs
    if any(ORAL.match(seg) for seg in segs[1:]):
        piece.kind = CitationKind.ORAL
    return piece


def build_citation(piece: Piece, evidence: AuthorEvidence | None) -> Citation:
    """Resolve a piece into a Citation (author boundary, container, kind)."""
    if piece.role == "empty":
        return Citation(kind=CitationKind.EMPTY, raw="")
    if piece.role == "unparsed":
        return Citation(kind=CitationKind.UNPARSED, raw=piece.text, note=piece.lead_note)
    if piece.role == "note":
        return Citation(kind=CitationKind.EMPTY, raw=piece.text, note=piece.lead_note)
    if piece.kind == CitationKind.ANALYSIS:
        return Citation(author=piece.author, kind=CitationKind.ANALYSIS, raw=piece.text, note=piece.lead_note)
    if len(piece.head) == 1 and UN_SYMBOL.match(piece.head[0]):
        # `A/HRC/37/8, paras. 111.1-111.5`: the symbol names the document, whoever issued it
        return Citation(title=piece.head[0], locator=piece.locator, date=piece.date, raw=piece.text,
                        note=piece.lead_note)
    if piece.quoted:
        author, container, title_segs = piece.author, piece.container, [piece.title] if piece.title else []
    elif piece.kind == CitationKind.BOOK:
        author, container, title_segs = piece.author, None, piece.head[1:]
    else:
        split = split_author(piece.head, evidence)
        author, container, title_segs = split.author, split.container or piece.container, split.title_segments
    if container is None and len(title_segs) >= 2 and (
        COLLECTION.search(title_segs[-1]) or (evidence is not None and evidence.is_container(title_segs[-1]))
    ):
        container, title_segs = title_segs[-1], title_segs[:-1]
    title = ", ".join(title_segs) or None
    date = piece.date
    if title and date is None and not piece.has_url and not piece.quoted:
        # `Review of Police Leadership and Training (2011). London: Home Office, at 129`: a book
        # title closed by its year in brackets; what follows is the imprint (kept in `raw`).
        y = YEAR_MARK.search(title)
        if y and len(title[:y.start()].split()) >= 2:
            title, date = title[:y.start()].strip(" ,.") or title, y.group("year")
    kind = piece.kind
    # Laws are issued by states: a `Ley ...` headline from a newspaper is not legislation.
    by_state = bool(author) and author.split(",", 1)[0].strip().casefold() in COUNTRIES
    if kind == CitationKind.DOCUMENT and (
        (by_state and title and LEGISLATION.match(title))
        or (piece.locator and re.match(r"arts?\b", piece.locator, re.I))
    ):
        kind = CitationKind.LEGISLATION
    notes = [n for n in (piece.lead_note, piece.date_remark) if n]
    return Citation(
        author=author, title=title, container=container, date=date, locator=piece.locator,
        kind=kind, note=" ".join(notes) or None, raw=piece.text, url=piece.inline_url,
    )


def is_dataset_url(url: str) -> bool:
    """Statistical portals publish indicators, not documents (`/indicator/`, `/data/`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    # The path decides: `data.larepublica.pe/...` is a newsroom's data-journalism article.
    return bool(re.search(r"/(?:indicators?|datasets?|databank|data)/", parts.path.lower()))


@dataclass
class ParsedFootnote:
    citations: list[Citation]
    url_slots: list[int]  # indexes of citations with a `url` token, in order
    problems: list[str]


def parse_footnote(text: str, evidence: AuthorEvidence | None = None) -> ParsedFootnote:
    """Parse a footnote into citations; URLs are not assigned here (see `assign_urls`)."""
    pieces = [analyse_piece(p) for p in split_pieces(text)]
    return resolve_pieces(pieces, evidence)


# Finds the citation a short form refers to: (footnote number or None for "the one before",
# name written in the short form or None) -> the earlier citation, or None.
Referent = Callable[[int | None, str | None], Citation | None]


def _from_referent(piece: Piece, referent: Referent | None) -> Citation:
    """`Ibid.` / `Name (n. 8)`: a citation of the same source, with its own locator."""
    target = referent(piece.ref_n, piece.ref_name) if referent else None
    if target is None:
        return Citation(kind=CitationKind.UNPARSED, raw=piece.text, locator=piece.locator, note=piece.lead_note)
    note = piece.text.strip()  # the short form as written (`Ibid., 81.`, `See Turner (n. 13)`)
    return target.model_copy(update={"locator": piece.locator, "note": note, "raw": piece.text, "url": target.url,
                                     "source_id": None})


def resolve_pieces(pieces: list[Piece], evidence: AuthorEvidence | None,
                   referent: Referent | None = None,
                   short_form: Callable[[str], Citation | None] | None = None) -> ParsedFootnote:
    """`short_form` reads a citation by abbreviation (`JS7, p.8`) through the report's key."""
    citations: list[Citation] = []
    url_slots: list[int] = []
    problems: list[str] = []
    pending: list[str] = []  # notes waiting for the next citation
    for piece in pieces:
        by_key = False
        if piece.role == "note":
            pending.append(piece.lead_note or piece.text)
            continue
        if piece.role in ("ibid", "backref"):
            cit = _from_referent(piece, referent)
            if cit.kind == CitationKind.UNPARSED:
                what = "the previous citation" if piece.role == "ibid" else f"footnote {piece.ref_n}"
                problems.append(f"could not resolve {piece.text!r}: {what} cites nothing matching")
                citations.append(cit)
                continue
        elif piece.role == "locator":
            cit = Citation(kind=CitationKind.EMPTY, locator=piece.locator, raw=piece.text, note=piece.lead_note)
        elif short_form is not None and (short := short_form(piece.text)) is not None:
            cit, by_key = short, True
        else:
            cit = build_citation(piece, evidence)
            if piece.inherit_author and cit.author is None:
                before = [c for c in citations if c.author]
                cit.author = before[-1].author if before else None
        if pending and cit.kind != CitationKind.EMPTY:
            cit.note = " ".join(pending + ([cit.note] if cit.note else []))
            pending = []
        if piece.has_url:
            url_slots.append(len(citations))
        if cit.kind == CitationKind.UNPARSED:
            problems.append(f"could not read a citation in {piece.text!r}")
        elif piece.role in ("ibid", "backref", "locator") or by_key:
            pass  # a short form: the work it points to is complete elsewhere
        elif cit.kind == CitationKind.DOCUMENT and not piece.has_url and not cit.date and cit.title and not (
                UN_SYMBOL.match(cit.title)):
            problems.append(f"citation without date or url (text cut?): {piece.text!r}")
        citations.append(cit)
    if pending:
        tail = " ".join(pending)
        real = [c for c in citations if c.kind not in (CitationKind.EMPTY, CitationKind.UNPARSED)]
        if real:
            target = real[-1]
            target.note = f"{target.note} {tail}" if target.note else tail
        else:
            citations.append(Citation(kind=CitationKind.EMPTY, note=tail, raw=tail))
    return ParsedFootnote(citations, url_slots, problems)
