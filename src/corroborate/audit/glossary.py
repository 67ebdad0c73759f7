"""Glossary: every acronym the reader meets is explained, and the glossary lists only what is used."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from corroborate.audit.context import AuditContext
from corroborate.audit.findings import Finding, Severity
from corroborate.audit.registry import rule
from corroborate.i18n import gettext, ngettext
from corroborate.models import GlossaryEntry, Paragraph, fold

PRINCIPLE = "Transparency (terminology and abbreviations explained)"

_ACRONYM = re.compile(r"(?<![\w+&])([A-Z][A-Z0-9&]*[A-Z]\+?)(s?)(?![\w&])")
_DOTTED = re.compile(r"(?<![\w.])((?:[A-Z]{2,3}\.\s?){2,})")  # "FF. AA.", Spanish plural abbreviations
_ROMAN = re.compile(r"[IVXLCDM]+")
_CAPS_WORD = re.compile(r"[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ0-9&+\-]+")
# "Due Process of Law Foundation (DPLF)", "(INEI, Instituto Nacional …)"
_INLINE = re.compile(r"\(\s*([A-Z][A-Z0-9&]*[A-Z]\+?)\s*(?:[,;:][^)]{0,200})?\)")
# "DPLF (Due Process of Law Foundation)": the long form follows in brackets
_INLINE_AFTER = re.compile(r"(?<![\w+&])([A-Z][A-Z0-9&]*[A-Z]\+?)\s*\(\s*([A-ZÁÉÍÓÚÑ][^)]{3,200})\)")
# Acronyms every reader of a COI report knows; explaining them would be noise. Keep it small.
WELL_KNOWN = frozenset({
    "UN", "EU", "US", "USA", "UK", "NGO", "BBC", "CNN", "COVID", "HIV", "AIDS", "DNA", "GDP",
    "TV", "CCTV", "ID", "PDF", "URL", "SMS",
})
_GLOSSARY_TITLE = re.compile(r"\b(glossary|abbreviations?|acronyms)\b")
VARIANT_PREFIX = 4  # "LGBTIQ+" is a variant of a listed "LGBTI"; two letters ("EU") are too short


def _key(acronym: str) -> str:
    return re.sub(r"[\s.+]", "", acronym)


def _is_acronym(token: str) -> bool:
    bare = _key(token)
    return len(bare) >= 2 and bare.upper() == bare and sum(ch.isalpha() for ch in bare) >= 2


@dataclass
class _Use:
    count: int = 0
    first: Paragraph | None = None
    inline: Paragraph | None = None
    inline_text: str = ""
    forms: set[str] = field(default_factory=set)


def _text_paragraphs(ctx: AuditContext) -> list[Paragraph]:
    """The report's running text, without the glossary itself (its terms are not uses)."""
    return [p for p in ctx.paragraphs
            if not _GLOSSARY_TITLE.search(fold(ctx.section_titles.get(p.section or "", "")))]


def _in_caps_run(text: str, start: int, end: int) -> bool:
    """Part of a heading or title set in capitals ("HYBRID EVENT – PERU AT THE CROSSROADS")."""
    left = text[max(0, start - 60): start].split()[-2:]
    right = text[end: end + 60].split()[:2]
    caps = [w for w in left + right if _CAPS_WORD.fullmatch(w.strip(",.;:–-()‘’'\""))]
    return len(caps) >= 2


def acronym_uses(ctx: AuditContext) -> dict[str, _Use]:
    uses: dict[str, _Use] = {}
    for p in _text_paragraphs(ctx):
        text = p.text
        for m in _DOTTED.finditer(p.text):
            token = m.group(1).strip()
            u = uses.setdefault(_key(token), _Use())
            u.count += 1
            u.forms.add(token)
            u.first = u.first or p
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end():]
        for m in _ACRONYM.finditer(text):
            token = m.group(1)
            if _ROMAN.fullmatch(token) or not _is_acronym(token) or _in_caps_run(text, *m.span()):
                continue
            if _in_name(text, *m.span(1)):
                continue
            u = uses.setdefault(_key(token), _Use())
            u.count += 1
            u.forms.add(token)
            u.first = u.first or p
        for m in _INLINE.finditer(p.text):
            u = uses.get(_key(m.group(1)))
            if u is not None and u.inline is None:
                u.inline = p
                start = max(0, p.text.rfind(".", 0, m.start()) + 1, m.start() - 80)
                u.inline_text = " ".join(p.text[start: m.end()].split())
        for m in _INLINE_AFTER.finditer(p.text):
            u = uses.get(_key(m.group(1)))
            if u is not None and u.inline is None and m.group(2)[0] == m.group(1)[0]:
                u.inline = p
                u.inline_text = " ".join(m.group(0).split())
    return uses


def glossary_keys(entries: list[GlossaryEntry]) -> set[str]:
    """The acronyms a glossary explains: acronym terms and a term's leading acronym
    ("EU+ countries" explains EU+, "FARC dissidents" FARC, "FF. AA." FFAA)."""
    keys = set()
    for e in entries:
        term = e.term.strip()
        if _is_acronym(term):
            keys.add(_key(term))
        first = term.split()[0] if term.split() else ""
        if _is_acronym(first):
            keys.add(_key(first))
    return keys


def explained(acronym: str, keys: set[str]) -> bool:
    """Listed, or a variant of a listed acronym: both share their first VARIANT_PREFIX letters
    (LGBT, LGBTIQ+ and LGBTQI+ for a listed LGBTI)."""
    return acronym in keys or any(
        len(k) >= VARIANT_PREFIX and len(acronym) >= VARIANT_PREFIX and acronym[:VARIANT_PREFIX] == k[:VARIANT_PREFIX]
        for k in keys
    )


def _in_name(text: str, start: int, end: int) -> bool:
    """Part of a proper name ("Willax TV", "TVPE Noticias"): a capitalised word sits right
    beside it (not across a sentence end or a bracket). Such uses name an outlet, not a term."""
    before = re.search(r"([A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)[ \t]+$", text[max(0, start - 40): start])
    after = re.match(r"[ \t]+[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+", text[end: end + 40])
    if before:
        head = text[: start - len(before.group(0))].rstrip()
        if head and head[-1] not in ".!?:;(" and before.group(1) not in _SENTENCE_OPENERS:
            return True
    return bool(after)


# Words that open a clause before an acronym subject ("According to …", "In …") are not names.
_SENTENCE_OPENERS = {"According", "In", "On", "The", "For", "By", "From", "To", "With", "As", "At", "And"}


@rule("glossary-missing-acronym", PRINCIPLE, Severity.WARNING)
def glossary_missing_acronym(ctx: AuditContext) -> Iterator[Finding]:
    """An acronym used in the text but neither in the glossary nor spelled out where the text
    uses it.

    A reader meeting the acronym has nowhere to look it up. Not flagged: acronyms the text
    defines inline ("Due Process of Law Foundation (DPLF)" or "DPLF (Due Process of Law
    Foundation)"); universally known ones (UN, EU, US, USA, UK, NGO, BBC, CNN, COVID, HIV, AIDS,
    DNA, GDP, TV, CCTV, ID, PDF, URL, SMS); variants of a listed acronym sharing its first four
    letters (LGBTIQ+ for LGBTI); Roman numerals, words in capitalised titles and acronyms inside
    a proper name ("Willax TV").
    """
    if not ctx.report.glossary:
        return
    keys = glossary_keys(ctx.report.glossary)
    for key, u in sorted(acronym_uses(ctx).items()):
        if explained(key, keys) or u.first is None or u.inline is not None or key in WELL_KNOWN:
            continue
        form = sorted(u.forms, key=len)[0]
        yield Finding(
            rule="glossary-missing-acronym", severity=Severity.WARNING,
            message=ngettext("%(form)s is used %(num)d time but is not in the glossary nor spelled out in the text.",
                             "%(form)s is used %(num)d times but is not in the glossary nor spelled out in the text.",
                             u.count, form=form),
            section=u.first.section, paragraph_id=u.first.id, evidence=_around(u.first.text, form),
        )


def _around(text: str, token: str, width: int = 90) -> str:
    i = text.find(token)
    i = max(0, i)
    return " ".join(text[max(0, i - width): i + len(token) + width].split())


def _term_used(term: str, raw: str, folded_words: list[str], folded: str) -> bool:
    t = term.strip()
    first = t.split()[0] if t.split() else t
    if _is_acronym(first):
        # Case-sensitive, dot- and space-insensitive: "FF. AA." is written FF.AA. or FFAA too.
        letters = _key(first) if first != t and not _is_acronym(t) else _key(t)
        pattern = r"\.?\s*".join(re.escape(ch) for ch in letters)
        plus = r"\+" if first.endswith("+") or t.endswith("+") else ""
        return bool(re.search(rf"(?<![\w]){pattern}\.?{plus}(?![\w])", raw))
    ft = fold(t)
    if re.search(rf"(?<!\w){re.escape(ft)}(?!\w)", folded):
        return True
    # A misspelt multi-word term ("Péstamos gota a gota" for "préstamos gota a gota").
    words = ft.split()
    if len(words) < 2 or len(ft) < 10:
        return False
    n = len(words)
    anchors = set(words)
    for i in range(len(folded_words) - n + 1):
        if folded_words[i] in anchors or folded_words[i + n - 1] in anchors:
            window = " ".join(folded_words[i: i + n])
            if difflib.SequenceMatcher(None, ft, window).ratio() >= 0.9:
                return True
    return False


@rule("glossary-unused-entry", PRINCIPLE, Severity.INFO)
def glossary_unused_entry(ctx: AuditContext) -> Iterator[Finding]:
    """A glossary entry whose term appears nowhere in the text or the footnotes.

    Matching is case-sensitive for acronyms and tolerant of dots and spaces ("FF. AA."), of a
    leading acronym in a longer term ("EU+ countries" is used when EU+ is), of accents and of one
    misspelt letter in multi-word terms. Info: harmless, but a sign the glossary was not updated.
    """
    paragraphs = _text_paragraphs(ctx)
    raw = "\n".join([p.text for p in paragraphs] + [f.text or "" for f in ctx.report.footnotes])
    folded = fold(raw)
    folded_words = re.findall(r"\w+", folded)
    folded_spaced = " ".join(folded_words)
    for e in ctx.report.glossary:
        if fold(e.term) in ("term", "") or _term_used(e.term, raw, folded_words, folded):
            continue
        first = e.term.split()[0] if e.term.split() else ""
        if not _is_acronym(first) and _term_used(
            " ".join(re.findall(r"\w+", fold(e.term))), raw, folded_words, folded_spaced
        ):
            continue  # punctuation differences ("Péstamos gota a gota" vs "gota-a-gota")
        yield Finding(
            rule="glossary-unused-entry", severity=Severity.INFO,
            message=gettext("Glossary entry %(term)s is not used in the report.", term=repr(e.term)),
            evidence=f"{e.term}: {e.definition}",
        )
