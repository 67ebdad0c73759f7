"""Terms-of-reference coverage: for each ToR item, does the report treat it, where, and how well.

An item is judged per facet, the topics it enumerates ("Economy/humanitarian situation" ->
Economy, humanitarian situation); qualifiers ("including …", "especially …", "(e.g. …)", and
their Spanish and French forms) and ToR framing words ("main actors", "mechanisms and measures")
add no topic. A facet's concepts are its content words, each standing for the report words the
multilingual sentence encoder puts next to it (cosine >= WORD_MATCH_MIN): 'presión' -> pressure,
'vínculos' -> links, 'judiciary' -> judicial, so a ToR in another language or with other words
than the report's is read in the report's words. A ToR in the other language of the pair
Spanish/English is first rewritten through the COI vocabulary list (coi_terms.py), for the
words the encoder does not pair ('libertad de circulación' -> freedom of movement). Without
embeddings a concept is its own stem. Words written next to each other ('criminal groups') form
one unit that a paragraph holds whole or not at all.

* section titles: a section whose path of titles holds at least half of the facet's concepts
  (IDF-weighted) including its rarest, and one conjunct of whose own title is made of the item's
  words ("Political developments" -> 1.5 Political developments, "Prevalence" under "Domestic
  violence" -> 4.1 Prevalence and social attitudes);
* paragraphs: a body paragraph supports a facet when it holds the facet's rarest concept, at
  least half of its IDF-weighted concepts and all of them but one in three (a facet of one or two
  concepts needs them all), AND, when embeddings are stored, it stands out semantically: its
  cosine to "heading: facet" is at least one robust standard deviation (1.4826 x MAD) above the
  median over the report. "All but one in three" counts units, not words.

Why both gates: sentence embeddings rank "protests in rural areas" close to every protest
paragraph, so similarity alone would call an untreated item covered because its neighbours
sound related. Requiring the facet's own concepts keeps a gap a gap; requiring the semantic
outlier keeps a passing word ("freedom" in "Freedom House") from counting.

A ToR heading naming a chapter ("LGBTI" -> 5 Situation of LGBTI people) confines its items to
that chapter; items worded alike under several headings need the heading's words near them.
Each facet gets a support: `section` (a matching section), `paragraphs` (at least
MIN_TREATED_PARAGRAPHS), `passing` (one paragraph) or none. Verdicts: `covered` = at least
COVERED_SHARE of the facets have some support (a ToR slash often lists near-synonyms:
"actors/gangs/groups/cartels", one of which the report may never use) and the item as a whole has
a section or MIN_COVERED_PARAGRAPHS evidence
paragraphs; `partial` = some facet has support; `gap` = none. An item with sub-items is covered
when it and all its sub-items are, a gap when all are, else partial. Every evidence paragraph
names the facets it supports. docs/audit-rules.md gives the figures on the sample.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from corroborate.audit.context import AuditContext
from corroborate.coi_terms import LANGUAGES, rewrite
from corroborate.i18n import question_language
from corroborate.models import Paragraph, Report, TorItem, fold

LEXICAL_MIN = 0.5  # share of the item's IDF-weighted vocabulary a paragraph must hold
SEMANTIC_Z_MIN = 1.0  # robust standard deviations above the item's median cosine over the report
TITLE_RECALL_MIN = 0.5
TITLE_PRECISION_MIN = 0.5
MIN_COVERED_PARAGRAPHS = 3  # treatment, not a mention in passing
MIN_TREATED_PARAGRAPHS = 2  # a facet with one evidence paragraph is touched, not treated
COVERED_SHARE = 0.75  # of an item's facets treated: "actors/gangs/groups/cartels" lists near-synonyms
MAX_EVIDENCE = 5
CONTEXT_MIN = 0.34  # share of the heading's vocabulary an ambiguous item's evidence must hold
WORD_MATCH_MIN = 0.8  # cosine at which a report word stands for a ToR word (presión ~ pressure 0.91)

_STOP = set("""
a an and are as at be been being both but by can could did do does for from had has have he her his
how i if in into is it its may more most no nor not of on or other others our out over per s she so
some such than that the their them then there these they this those through to under up upon very
was we were what when where which while who whom why will with within without would you your also
including include includes especially particular particularly e g eg etc i e ie via among between
against all any each about after before during related regarding concerning well
""".split()) | set("""
del las los por para con una uno unos unas que como sus entre sobre sin otro otros otra otras parte ante
desde hasta muy mas tambien incluido incluida incluidos incluidas especialmente nivel
des les une aux pour par avec dans sur sans autres entre notamment compris
""".split()) | {  # Spanish and French function words: a ToR may be written in either
    # ToR framing words: they say how a topic is asked about, not which topic it is
    "involvement", "ability", "role", "extent", "level", "levels", "capacity", "situation", "main",
    "overall", "general", "issue", "issues", "aspect", "aspects", "mechanisms", "mechanism", "measure",
    "measures", "method", "methods", "actor", "actors", "body", "bodies", "form", "forms", "type", "types",
    # the same in Spanish
    "participacion", "capacidad", "papel", "nivel", "niveles", "situacion", "principal", "principales",
    "aspectos", "mecanismos", "mecanismo", "medida", "medidas", "metodo", "metodos", "actores",
    "organismo", "organismos", "forma", "formas", "tipo", "tipos",
}


def stem(word: str) -> str:
    """Light English suffix stripping, enough to meet 'protesters'/'protests', 'registration'/'registry'."""
    if word.endswith("es") and re.search(r"(s|x|z|ch|sh)es$", word):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ational", "ation", "ator", "ition", "ment", "ities", "ity", "ing", "ated", "ate", "ness",
                   "ively", "ive", "ion", "er", "ied", "ed", "y"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if word.endswith(("ive", "ness")) and len(word) >= 8:  # effectiveness -> effective -> effect
        word = word[: -4 if word.endswith("ness") else -3]
    return word


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in _STOP and len(w) > 2]


def terms(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


# Qualifiers narrow an item without adding a topic of their own ("…, including effectiveness",
# "…, especially in Lima", "(e.g. extortion to avoid road blocks)").
_QUALIFIER = re.compile(
    r"\s*,?\s*\(?(?:\b(?:including|especially|in particular|particularly|such as|notably|incluid[oa]s?|"
    r"especialmente|en particular|notamment|y compris|en particulier)\b|\be\.\s?g\.|\bp\.\s?ej\.).*$",
    re.I | re.S,
)


def facets(text: str, has_topic: Callable[[str], bool] | None = None) -> list[str]:
    """The topics a ToR item enumerates, each to be addressed: 'Economy/humanitarian situation'
    -> Economy, humanitarian situation; 'Activities/methods: Violence, threats, …' -> the list
    after the label. Qualifiers are dropped; an item with no enumeration is one facet."""
    head = _QUALIFIER.sub("", text).strip() or text
    label, colon, rest = head.partition(":")
    if colon and rest.strip():
        head = rest
    out = []
    for chunk in re.split(r"\s*,\s*|\s*;\s*|\s+(?:and|y|et)\s+|\s*/\s*", head):
        part = re.sub(r"\s+(and|or|y|o|et|ou)$", "", chunk.strip(" .;"))
        if (has_topic or terms)(part):
            out.append(part)
    return out or [text]


Term = tuple[frozenset[str], float]  # the report stems that stand for one ToR word, and its weight

_LEXICON: dict[tuple, np.ndarray] = {}  # embedded vocabulary per report text, kept across calls


@dataclass
class _Doc:
    paragraph: Paragraph
    path_titles: list[str]
    stems: set[str]


def _section_paths(report: Report) -> dict[str, list[str]]:
    paths: dict[str, list[str]] = {}

    def visit(section, trail):
        here = trail + [section.title]
        paths[section.key] = here
        for child in section.sections:
            visit(child, here)

    for top in report.sections:
        visit(top, [])
    return paths


class TorMatrix:
    def __init__(self, report: Report, vectors: tuple[list[str], np.ndarray] | None = None,
                 embed: Callable[[list[str]], np.ndarray] | None = None):
        self.report = report
        self.ctx = AuditContext(report)
        self.paths = _section_paths(report)
        self.docs = [
            _Doc(p, self.paths.get(p.section or "", []),
                 set(terms(p.text)) | {t for title in self.paths.get(p.section or "", []) for t in terms(title)})
            for p in self.ctx.body_paragraphs
        ]
        own_stems = [set(terms(d.paragraph.text)) for d in self.docs]
        df = Counter(t for s in own_stems for t in s)
        n = len(self.docs)
        self.idf = lambda t: math.log((n + 1) / (df.get(t, 0) + 1)) + 1.0
        # A concept is as rare as the paragraphs holding any of its words, whichever word the ToR
        # used for it ('personas' and 'persons' both stand for people/person: one weight).
        self.concept_idf = lambda alts: math.log((n + 1) / (sum(1 for s in own_stems if alts & s) + 1)) + 1.0
        # Items worded alike under several ToR headings ("Protection mechanisms …" under each
        # topic) are only told apart by their heading: for them the heading's words must be there.
        self.repeats = Counter(frozenset(terms(i.text)) for top in report.terms_of_reference for i in top.walk())
        # A ToR in another language than the report's is read through the COI vocabulary list
        # first ('libertad de circulación' -> freedom of movement), then through the encoder.
        self.source = question_language(" ".join(i.text for top in report.terms_of_reference for i in top.walk()))
        self.target = report.language if report.language in LANGUAGES else "en"
        self.semantic = False
        if vectors is not None and embed is not None and len(vectors[0]):
            row = {pid: i for i, pid in enumerate(vectors[0])}
            idx = [row.get(d.paragraph.id) for d in self.docs]
            if all(i is not None for i in idx):
                self.matrix = vectors[1][idx]
                self.embed = embed
                self.semantic = True
        self.meaning: dict[str, list[tuple[str, float]]] = {}
        if self.semantic:
            self._bridge(report)

    # --- what a ToR word means in the report's words ------------------------------------------

    def _bridge(self, report: Report) -> None:
        """Map every ToR word to the report words the sentence encoder puts next to it (cosine >=
        WORD_MATCH_MIN): 'presión' -> pressure, 'vínculos' -> links, 'judiciary' -> judicial,
        so the word gate below works whatever the ToR's language and the report's synonyms."""
        texts = [p.paragraph.text for p in self.docs] + [t for path in self.paths.values() for t in path]
        # Words are embedded as written (accents carry meaning: 'presión' ~ pressure at 0.91,
        # 'presion' ~ pressure 0.53) and looked up folded, as `words` gives them.
        vocab = sorted({w for t in texts for w in re.findall(r"\w+", t.lower())
                        if len(w) > 2 and not w.isdigit()})
        key = (report.id, len(vocab), hash(tuple(vocab)))
        if key not in _LEXICON:
            _LEXICON.clear()
            _LEXICON[key] = self.embed(vocab)
        matrix = _LEXICON[key]
        asked = sorted({w for top in report.terms_of_reference for i in top.walk()
                        for w in re.findall(r"\w+", self.read(i.text).lower()) if len(w) > 2 and fold(w) not in _STOP})
        if not asked:
            return
        for w, q in zip(asked, self.embed(asked), strict=True):
            cos = matrix @ q
            near = np.flatnonzero(cos >= WORD_MATCH_MIN)
            self.meaning[fold(w)] = sorted(((fold(vocab[i]), float(cos[i])) for i in near), key=lambda x: -x[1])

    def read(self, text: str) -> str:
        """A ToR text in the report's language, as far as the COI vocabulary list goes."""
        return rewrite(text, self.source, self.target)

    def units(self, text: str) -> list[list[Term]]:
        """The item's topic words as report stems, grouped as written: words next to each other
        ('criminal groups', 'anti-government protesters') name one thing together. A word whose
        nearest report word is a stop or ToR framing word ('actores' -> actors) adds no topic and
        ends a group; a word the report never uses (nor anything near it) weighs most, as it
        should: it names what the report lacks."""
        folded = fold(self.read(text))
        out: list[list[Term]] = []
        seen: set[frozenset[str]] = set()
        last_end = None  # end of the previous topic word, None after a stop word
        for m in re.finditer(r"[a-z0-9]+", folded):
            w = m.group()
            near = self.meaning.get(w)
            if w in _STOP or len(w) <= 2 or (near and near[0][0] in _STOP):
                last_end = None
                continue
            if near:
                alts = frozenset(stem(v) for v, _ in near if v not in _STOP)
                weight = self.concept_idf(alts)
            else:
                alts, weight = frozenset({stem(w)}), self.idf(stem(w))
            joined = last_end is not None and folded[last_end:m.start()].strip(" -") == ""
            last_end = m.end()
            if alts in seen:
                continue
            seen.add(alts)
            if joined and out:
                out[-1].append((alts, weight))
            else:
                out.append([(alts, weight)])
        return out

    def concept(self, text: str) -> list[Term]:
        """The item's topic words as report stems (see `units`)."""
        return [t for unit in self.units(text) for t in unit]

    # --- one item --------------------------------------------------------------------------

    @staticmethod
    def _lexical(own: list[Term], stems: set[str]) -> float:
        total = sum(w for _, w in own)
        return sum(w for alts, w in own if alts & stems) / total if total else 0.0

    def _title_sections(self, own: list[Term], context: list[Term]) -> list[tuple[str, float]]:
        out = []
        vocab = {a for alts, _ in own + context for a in alts}
        for section in self.report.walk_sections():
            if section.key in self.ctx.apparatus_sections:
                continue
            path_stems = {t for title in self.paths[section.key] for t in terms(title)}
            recall = self._lexical(own, path_stems)
            conjuncts = [terms(c) for c in re.split(r"\band\b|/|,|\(|\)", fold(section.title))]
            precision = max(
                (sum(self.idf(t) for t in c if t in vocab) / sum(self.idf(t) for t in c) for c in conjuncts if c),
                default=0.0,
            )
            has_text = any(p.section == section.key for p in self.ctx.body_paragraphs) or section.sections
            if recall >= TITLE_RECALL_MIN and precision >= TITLE_PRECISION_MIN and has_text:
                out.append((section.key, round(2 * recall * precision / (recall + precision), 3)))
        return sorted(out, key=lambda x: -x[1])

    @staticmethod
    def _context(context: list[Term], stems: set[str]) -> float:
        """Share of the ToR heading's vocabulary in a paragraph; a 4-letter prefix is enough
        ('crime' ~ 'criminal'), since the heading only says which topic the item belongs to."""
        prefixes = {t[:4] for t in stems}
        total = sum(w for _, w in context)
        return sum(w for alts, w in context if alts & stems or any(a[:4] in prefixes for a in alts)
                   ) / total if total else 1.0

    def _zscores(self, queries: list[str]) -> list[np.ndarray | None]:
        if not self.semantic or not queries:
            return [None] * len(queries)
        out = []
        for q in self.embed(queries):
            cos = self.matrix @ q
            # Robust baseline (median, MAD): the paragraphs that do treat the item must not raise
            # the bar they are measured against.
            med = float(np.median(cos))
            spread = 1.4826 * float(np.median(np.abs(cos - med))) or float(cos.std()) or 1.0
            out.append((cos - med) / spread)
        return out

    def _facet(self, facet: str, own_item: list[Term], context: list[Term], ambiguous: bool,
               sims: np.ndarray | None, scope: set[str] | None) -> dict:
        units = self.units(facet)
        own = [t for unit in units for t in unit]
        sections = self._title_sections(own, own_item + context) if own else []
        if scope is not None:
            sections = [(k, sc) for k, sc in sections if k in scope]
        # The facet's rarest word in the report is its most specific concept ("pressure" in
        # "pressure to participate in protests"): a paragraph without it treats something broader.
        key = max(own, key=lambda t: t[1])[0] if len(own) > 1 else None
        if ambiguous:  # "Protection …" under every heading: the section must be under this one's topic
            sections = [(k, sc) for k, sc in sections if (scope is not None and k in scope) or self._context(
                context, {t for title in self.paths[k] for t in terms(title)}) >= CONTEXT_MIN]
        if key:  # a section on something broader is not this facet's section
            sections = [(k, sc) for k, sc in sections
                        if key & {t for title in self.paths[k] for t in terms(title)}]
        evidence = []
        for i, d in enumerate(self.docs):
            if not own or (key and not key & d.stems):
                continue
            if scope is not None and d.paragraph.section not in scope:
                continue
            lex = self._lexical(own, d.stems)
            missing = sum(1 for unit in units if any(not alts & d.stems for alts, _ in unit))
            if lex < LEXICAL_MIN or missing > len(units) // 3:
                continue  # a facet of up to 2 concepts needs them all, a longer one all but 1 in 3
            if ambiguous and self._context(context, d.stems) < CONTEXT_MIN and not any(
                    d.paragraph.section == k for k, _ in sections):
                continue  # the right words under another heading (protection of LGBTI vs of witnesses)
            z = float(sims[i]) if sims is not None else None
            if z is not None and z < SEMANTIC_Z_MIN:
                continue
            sem = min(1.0, max(0.0, z / 3)) if z is not None else lex
            evidence.append({
                "paragraph_id": d.paragraph.id, "section": d.paragraph.section,
                "section_title": d.path_titles[-1] if d.path_titles else None,
                "snippet": _snippet(d.paragraph.text), "score": round((lex + sem) / 2, 3),
                "lexical": round(lex, 3), "semantic_z": None if z is None else round(z, 2),
                "facets": [facet],
            })
        evidence.sort(key=lambda e: -e["score"])
        top = [e["score"] for e in evidence[:MIN_COVERED_PARAGRAPHS]]
        score = max([sum(top) / MIN_COVERED_PARAGRAPHS] + [sc for _, sc in sections[:1]])
        support = ("section" if sections else "paragraphs" if len(evidence) >= MIN_TREATED_PARAGRAPHS
                   else "passing" if evidence else None)
        return {"text": facet, "treated": support is not None, "support": support, "score": round(score, 3),
                "sections": sections, "evidence": evidence}

    def scope_of(self, heading: TorItem) -> set[str] | None:
        """The chapter(s) a ToR heading names ("LGBTI" -> 5 Situation of LGBTI people), with
        their subsections: its items are looked for there. None when no chapter is named
        ("Political opponents and activists"), and then the whole report is searched."""
        own = self.concept(heading.text)
        if not own:
            return None
        scope: set[str] = set()
        for section in self.report.walk_sections():
            if section.key in self.ctx.apparatus_sections:
                continue
            if self._lexical(own, set(terms(section.title))) >= TITLE_RECALL_MIN:
                scope.update(s.key for s in section.walk())
        return scope or None

    def assess(self, item: TorItem, trail: list[str], scope: set[str] | None = None) -> dict:
        own = self.concept(item.text)
        ambiguous = self.repeats.get(frozenset(terms(item.text)), 0) > 1
        context = [t for text in trail for t in self.concept(text)]
        parts = facets(item.text, lambda p: bool(self.concept(p)))
        sims = self._zscores([self.read(": ".join(trail[-1:] + [f])) for f in parts])
        found = [self._facet(f, own, context, ambiguous, z, scope) for f, z in zip(parts, sims, strict=True)]
        evidence: dict[str, dict] = {}
        for f in found:
            for e in f["evidence"]:
                if e["paragraph_id"] in evidence:
                    kept = evidence[e["paragraph_id"]]
                    kept["facets"] = kept["facets"] + e["facets"]
                    kept["score"] = max(kept["score"], e["score"])
                else:
                    evidence[e["paragraph_id"]] = dict(e)
        ranked = sorted(evidence.values(), key=lambda e: (-len(e["facets"]), -e["score"]))
        sections: dict[str, float] = {}
        for f in found:
            for k, sc in f["sections"]:
                sections[k] = max(sections.get(k, 0.0), sc)
        treated = [f for f in found if f["treated"]]
        # Each facet must be addressed somewhere (a paragraph will do: "corruption in the security
        # forces" is one paragraph of 1.4.1 beside the justice system's sections), and the item as a
        # whole must be treated: a section, or MIN_COVERED_PARAGRAPHS evidence paragraphs.
        if not treated:
            verdict = "gap"
        elif len(treated) >= COVERED_SHARE * len(found) and (sections or len(ranked) >= MIN_COVERED_PARAGRAPHS):
            verdict = "covered"
        else:
            verdict = "partial"
        score = sum(f["score"] for f in found) / len(found) if found else 0.0
        return {
            "text": item.text, "verdict": verdict, "score": round(score, 3),
            "facets": [{"text": f["text"], "treated": f["treated"], "support": f["support"], "score": f["score"],
                        "evidence_count": len(f["evidence"])} for f in found],
            "sections": [{"section": k, "title": self.paths[k][-1], "score": sc}
                         for k, sc in sorted(sections.items(), key=lambda kv: -kv[1])[:3]],
            "evidence": ranked[:MAX_EVIDENCE], "evidence_count": len(ranked),
        }

    def walk(self, items: list[TorItem], trail: list[str], prefix: str,
             scope: set[str] | None = None) -> list[dict]:
        out = []
        for i, item in enumerate(items, start=1):
            node = self.assess(item, trail, scope)
            node["id"] = f"{prefix}{i}"
            child_scope = (self.scope_of(item) or scope) if item.items else scope
            node["scope"] = sorted(child_scope) if item.items and child_scope else None
            node["items"] = self.walk(item.items, trail + [item.text], f"{prefix}{i}.", child_scope)
            if node["items"]:
                node["own_verdict"] = node["verdict"]
                verdicts = {node["verdict"]} | {c["verdict"] for c in node["items"]}
                node["verdict"] = ("covered" if verdicts == {"covered"}
                                   else "gap" if verdicts == {"gap"} else "partial")
                node["score"] = round(sum(c["score"] for c in node["items"]) / len(node["items"]), 3)
            out.append(node)
        return out


def _snippet(text: str, n: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def tor_matrix(report: Report, vectors: tuple[list[str], np.ndarray] | None = None,
               embed: Callable[[list[str]], np.ndarray] | None = None) -> dict:
    """The coverage matrix of `report`'s terms of reference (see the module docstring)."""
    m = TorMatrix(report, vectors, embed)
    items = m.walk(report.terms_of_reference, [], "")
    counts = Counter()

    def count(nodes):
        for node in nodes:
            if not node["items"]:
                counts[node["verdict"]] += 1
            count(node["items"])

    count(items)
    return {
        "report": report.id, "title": report.title,
        "method": {
            "semantic": m.semantic, "lexical_min": LEXICAL_MIN, "semantic_z_min": SEMANTIC_Z_MIN,
            "title_recall_min": TITLE_RECALL_MIN, "title_precision_min": TITLE_PRECISION_MIN,
            "min_covered_paragraphs": MIN_COVERED_PARAGRAPHS,
            "min_treated_paragraphs": MIN_TREATED_PARAGRAPHS, "covered_share": COVERED_SHARE,
            "word_match_min": WORD_MATCH_MIN if m.semantic else None,
        },
        "items": items,
        "summary": {"items": sum(counts.values()), "covered": counts["covered"],
                    "partial": counts["partial"], "gap": counts["gap"]},
    }
