"""Citations deduplicated into Sources: identity, type, language, date and URLs.

Identity. Two citations cite the same source when their author and title agree after folding
(case, accents, quotes, dashes, spacing and trailing punctuation). The id is a short hash of
that folded key, so it survives re-ingest and is the same across reports. Editions that differ
only by date (`The World Factbook: Peru`, 1 and 23 August 2023) are one source whose `date` is
the LATEST date cited (ISO strings of mixed precision compare correctly for this purpose: a
longer string with the same prefix is later or equal). URLs are the union, in order of first
appearance.

Type, by mechanism, first match wins:
1. the citation kind: oral -> oral, legislation -> legislation;
2. the generic publisher knowledge base (`knowledge.PUBLISHERS`: name/acronym or web host);
3. author shape: a country as first level (`Peru, INEI`) -> government; an intergovernmental
   parent (`OAS, IACHR`, `UN, ...`) -> igo;
4. URL host: `.gob.xx`, `.gov`, `.gov.xx`, `.gouv.fr`, `.mil` -> government; `un.org` and
   subdomains, `.int`, `oas.org`, `europa.eu` -> igo; `.edu`, `.ac.xx`, `.edu.xx` -> academic;
5. author vocabulary: persons (`Surname, Given`) and university/institute words -> academic;
   news words (News, Noticias, TV, Televisión, Radio, Diario, ...) -> media; NGO words -> ngo;
6. URL shape: a dated news path (`/2023/06/10/`) or a news section -> media; `.org` -> ngo;
7. otherwise `other`.

Language: `lingua` limited to English and Spanish, on the title (author added when the title
is short); None when there is nothing to detect on, and for oral sources and the report's own
analysis (their "title" is the report's description, not the source's words).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

from corroborate.citations.authors import is_parent
from corroborate.citations.knowledge import COUNTRIES, IGO_PARENTS, PUBLISHERS
from corroborate.models import Citation, CitationKind, Source, SourceType, fold

_QUOTES = str.maketrans({c: None for c in "\"'“”‘’«»`´"})
_DASHES = re.compile(r"[‐‑‒–—―-]+")


def key_text(text: str | None) -> str:
    """How author and title are compared: folded, without quotes, dashes unified."""
    if not text:
        return ""
    s = fold(unicodedata.normalize("NFKC", text)).translate(_QUOTES)
    s = _DASHES.sub("-", s)
    s = re.sub(r"\s*-\s*", " - ", s)
    return " ".join(s.split()).strip(" .,;:")


def source_key(citation: Citation) -> str:
    title = citation.title
    if citation.kind == CitationKind.ANALYSIS and not title:
        title = "analysis"
    return f"{key_text(citation.author)}\x1f{key_text(title)}"


def source_id(citation: Citation) -> str:
    return hashlib.blake2b(source_key(citation).encode(), digest_size=6).hexdigest()


def cites_a_source(citation: Citation) -> bool:
    """Empty and unparsed citations name no source; everything with an author or title does."""
    if citation.kind in (CitationKind.EMPTY, CitationKind.UNPARSED):
        return False
    return bool(citation.author or citation.title)


# --- type ----------------------------------------------------------------------------------

_PUBLISHER_BY_NAME: dict[str, str] = {}
_PUBLISHER_BY_HOST: list[tuple[str, str]] = []
for _names, _type, _hosts in PUBLISHERS:
    for _n in _names:
        _PUBLISHER_BY_NAME[key_text(_n)] = _type
    for _h in _hosts:
        _PUBLISHER_BY_HOST.append((_h, _type))

GOV_HOST = re.compile(r"(?:^|\.)(?:gob|gov|gouv|go|govt|gub|mil)(?:\.[a-z]{2})?$|\.gov$|\.mil$")
IGO_HOST = re.compile(r"(?:^|\.)(?:un\.org|oas\.org|europa\.eu|[a-z0-9-]+\.int|int)$")
ACADEMIC_HOST = re.compile(r"(?:^|\.)(?:edu|ac)(?:\.[a-z]{2})?$")
NEWS_PATH = re.compile(
    r"/(?:19|20)\d\d/\d{1,2}/(?:\d{1,2}/)?|/(?:news|noticias?|politica|actualidad|sociedad|"
    r"nacional|mundo|world|article|articulo|nota|story)/",
    re.IGNORECASE,
)
ACADEMIC_WORDS = re.compile(
    r"\b(?:University|Universidad|Universidade|Université|College|Institute of|Instituto de Estudios|"
    r"Think Tank|Centre for|Center for|Centro de Estudios|Research|Investigaci[oó]n|Academy|Academia|"
    r"Journal|Revista)\b",
    re.IGNORECASE,
)
MEDIA_WORDS = re.compile(
    r"\b(?:News|Noticias|TV|Televisi[oó]n|Television|Radio|Diario|Daily|Times|Post|Herald|Tribune|"
    r"Press|Gazette|Magazine|Semanario|Periódico|Prensa|Channel|Canal|Noticiero|Informativo)\b",
    re.IGNORECASE,
)
NGO_WORDS = re.compile(
    r"\b(?:Human Rights|Derechos Humanos|Coordinadora|Asociaci[oó]n|Association|Foundation|"
    r"Fundaci[oó]n|Alliance|Alianza|Coalition|Coalici[oó]n|Movimiento|Movement|Federation|"
    r"Federaci[oó]n|Network|Collective|Colectivo|Campaign|Watch|Ciudadana|Sociedad Civil|"
    r"Civil Society|NGO|ONG)\b",
    re.IGNORECASE,
)
PERSON = re.compile(r"^[A-ZÁÉÍÓÚÑ][\w'’\-]+(?: [A-ZÁÉÍÓÚÑ][\w'’\-]+)?, [A-ZÁÉÍÓÚÑ][\w.'’\-]+")


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower().split(":")[0].removeprefix("www.")
    except ValueError:
        return ""


def _host_matches(host: str, known: str) -> bool:
    return host == known or host.endswith("." + known)


def source_type(author: str | None, kind: CitationKind, urls: list[str], newsroom: bool = False) -> SourceType:
    """`newsroom`: the report cites several different day-dated items of this author (see
    `build_sources`), the publishing pattern of a news outlet."""
    if kind == CitationKind.ORAL:
        return SourceType.ORAL
    if kind == CitationKind.LEGISLATION:
        return SourceType.LEGISLATION
    levels = [p.strip() for p in (author or "").split(",")] if author else []
    levels = [p for p in levels if p]
    # 2. knowledge base: the most specific level first (`OAS, IACHR` -> IACHR).
    for level in reversed(levels):
        hit = _PUBLISHER_BY_NAME.get(key_text(re.sub(r"\s+et al\.?$", "", level)))
        if hit:
            return SourceType(hit)
    hosts = [h for h in (_host(u) for u in urls) if h]
    for host in hosts:
        for known, typ in _PUBLISHER_BY_HOST:
            if _host_matches(host, known):
                return SourceType(typ)
    # 3. author shape
    if levels:
        first = levels[0].casefold()
        if first in COUNTRIES:
            return SourceType.GOVERNMENT
        if first in IGO_PARENTS or (len(levels) > 1 and is_parent(levels[0])):
            return SourceType.IGO
    # 4. URL host
    for host in hosts:
        if GOV_HOST.search(host):
            return SourceType.GOVERNMENT
        if IGO_HOST.search(host):
            return SourceType.IGO
        if ACADEMIC_HOST.search(host):
            return SourceType.ACADEMIC
    # 5. author vocabulary
    name = author or ""
    if PERSON.match(name) or ACADEMIC_WORDS.search(name):
        return SourceType.ACADEMIC
    if MEDIA_WORDS.search(name):
        return SourceType.MEDIA
    if NGO_WORDS.search(name):
        return SourceType.NGO
    # 6. URL shape
    for url in urls:
        try:
            path = urlsplit(url).path
        except ValueError:
            continue
        if NEWS_PATH.search(path):
            return SourceType.MEDIA
    if any(h.endswith(".org") or ".org." in h for h in hosts):
        return SourceType.NGO
    if newsroom and not PERSON.match(name) and "," not in name:
        return SourceType.MEDIA
    return SourceType.OTHER


# --- language ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SPANISH).build()


def detect_language(title: str | None, author: str | None = None) -> str | None:
    text = (title or "").strip()
    if len(text.split()) < 4 and author:
        text = f"{text} {author}".strip()
    if not re.search(r"[^\W\d_]{3,}", text):
        return None
    from lingua import Language

    lang = _detector().detect_language_of(text[:1000])  # a title's opening decides; a runaway "title" costs seconds
    if lang == Language.ENGLISH:
        return "en"
    if lang == Language.SPANISH:
        return "es"
    return None


# --- registry ------------------------------------------------------------------------------


def _later(a: str | None, b: str | None) -> str | None:
    if not a:
        return b
    if not b:
        return a
    # Mixed precision: `2023-08` vs `2023-08-23` share a prefix; prefer the more precise one.
    return max(a, b)


def build_sources(citations: list[Citation], abbreviations: dict[str, str] | None = None) -> list[Source]:
    """Assign `source_id` to every citation that names a source; return the sources once each.
    `abbreviations` (the report's key, abbreviation -> name) become the aliases of the source
    the short forms resolved to: the one with that name as author and no title."""
    by_id: dict[str, Source] = {}
    kinds: dict[str, CitationKind] = {}
    for cit in citations:
        if not cites_a_source(cit):
            cit.source_id = None
            continue
        sid = source_id(cit)
        cit.source_id = sid
        src = by_id.get(sid)
        if src is None:
            src = Source(id=sid, author=cit.author, title=cit.title, date=cit.date, kind=cit.kind)
            by_id[sid] = src
            kinds[sid] = cit.kind
        else:
            src.date = _later(src.date, cit.date)
        if cit.url and cit.url not in src.urls:
            src.urls.append(cit.url)
    # Evidence from the report: an author with several different day-dated items is a newsroom.
    day_dated: dict[str, int] = {}
    for src in by_id.values():
        if src.date and len(src.date) == 10 and kinds[src.id] == CitationKind.DOCUMENT:
            day_dated[key_text(src.author)] = day_dated.get(key_text(src.author), 0) + 1
    names: dict[str, list[str]] = {}
    for abbr, name in (abbreviations or {}).items():
        names.setdefault(key_text(name), []).append(abbr)
    for sid, src in by_id.items():
        if not src.title:
            src.aliases = names.get(key_text(src.author), [])
        newsroom = day_dated.get(key_text(src.author), 0) >= 2
        src.type = source_type(src.author, kinds[sid], src.urls, newsroom)
        # An oral source's "title" is the report's own description (`interview with EUAA`), and
        # an analysis has none: neither says in which language the source speaks.
        own_words = kinds[sid] in (CitationKind.ORAL, CitationKind.ANALYSIS)
        src.language = None if own_words else detect_language(src.title, src.author)
    return list(by_id.values())
