"""Cited answers without a language model: the passages of the library that answer a question,
quoted verbatim with their offsets, footnotes and citations — or a plain statement that the
sources consulted hold nothing on it.

Pipeline: hybrid search picks the top paragraphs; each is split into sentences (offsets into
the stored text, so a quote is `text[start:end]` by construction) and candidate quotes are
single sentences and pairs of consecutive sentences (an answer often needs the sentence that
names its subject). A sentence that points back ("It has …", "The same source …") is never a
candidate alone: it comes with the sentence before it. Each candidate is scored by
  * embedding cosine to the question (multilingual: a Spanish question meets an English sentence),
  * IDF-weighted coverage of the question's content words: the word itself counts fully, a shared
    truncated stem a little less, and a word that does not occur earns soft credit from its
    nearest word in the candidate by word embedding ('periodistas' ~ 'journalists'),
  * a gentle prior from the rank of its paragraph in the hybrid search (which saw the whole
    paragraph), and
  * a small bonus for stating a figure when the question asks how many / how much / cuántos;
the best non-overlapping candidates are quoted. Whether anything answers at all is decided by a
threshold on the best candidate's score, calibrated on answerable and off-topic questions
(`benchmarks/eval_search.py --ask`), with a penalty when none of the names in the question
(Germany, Mongolia …) occurs in the library; and a question is refused when one of its words
has no counterpart in the quotes nor anywhere in the library's vocabulary, in any language
('dialysis', 'poligamia', 'vientre de alquiler': search/absence.py). A question naming a country is
answered only from passages about that country (`place_scope`): the report's country, or the
country named in the paragraph, its section or report title, read past other countries'
paragraphs when those crowd the first ones (`candidates_for`); only from passages that its
topic alone (the countries blanked out) also ranks first among that country's paragraphs
(`topic_scope`: a passage found through 'Peru' and 'death' does not answer 'Does Peru carry
out the death penalty?'); and it is refused when a rare word of it occurs only in the passages
about other countries (`found_elsewhere`).
Last, when the library stores E5 vectors, one of the quotes must itself lie near the question
for the retrieval encoder (`quote_relevance`): words and a country shared with a passage on
another topic are not an answer.
(A logistic refusal model fitted on the library questions was tried and not kept:
benchmarks/results/peers.md.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from corroborate.coi_terms import translations
from corroborate.i18n import N_
from corroborate.models import fold
from corroborate.search.absence import UNKNOWN_WORD_CREDIT, unknown_words
from corroborate.search.embed import sentence_vectors
from corroborate.search.engine import Searcher
from corroborate.search.query import STEM_LENGTH, STOPWORDS, QueryError, parse_query, tokens
from corroborate.search.rank import question_language
from corroborate.search.sentences import is_anaphoric, sentence_footnotes, split_sentences
from corroborate.settings import Settings

NOT_FOUND = N_("Information on this question could not be found among the sources consulted.")

PARAGRAPHS = 8  # top paragraphs whose sentences compete
# hits read for a question naming a country, to find the first PARAGRAPHS about it (and, in
# topic_scope, those its topic alone finds)
PLACE_DEPTH = 100
MAX_WINDOW = 2  # sentences per quote
WEIGHTS = {"cosine": 0.5, "overlap": 0.35, "prior": 0.1}
QUANTITY_BONUS = 0.05  # "how many …?" is answered by a sentence stating a figure
SOFT_FROM, SOFT_FULL = 0.5, 0.8
STEM_CREDIT = 0.85
SOFT_MAX = 0.7  # a translation or synonym counts less than the word itself
FOUND_THRESHOLD = 0.33  # best candidate's score; calibration margins in benchmarks/results/search.md
LEXICAL_ONLY_THRESHOLD = 0.6  # without embeddings: share of the question's words
UNKNOWN_NAME_PENALTY = 0.25
# A rare question word (in at most 1 % of the library's paragraphs) that a passage about another
# country holds (the word or its stem: credit >= 0.8) while the quotes about the asked country do not.
ELSEWHERE_RARE = 0.01
ELSEWHERE_CREDIT = 0.8
KEEP_WITHIN = 0.12  # further quotes must score within this of the best one
# A quote must be about what is asked: the retrieval encoder's (E5) cosine of the question to the
# quote itself, when the library stores E5 vectors. In one language both are compared with their
# countries blanked out; a question and a quote in two languages meet lower and are compared as
# they are. Set on the tuning half of benchmarks/questions (benchmarks/results/peers.md,
# sessions 6 and 9).
QUOTE_RELEVANCE_SAME = 0.816
QUOTE_RELEVANCE_ACROSS = 0.81
# A quote that far above its floor answers the question in words of its own: a question word the
# library lacks is then a synonym of the report's ('runoff' for 'second round', 'unrest' for
# 'demonstrations': +0.048 to +0.061), not an absent topic (not-covered questions whose word the
# library lacks: +0.041 at most). Session 12, on the tuning half and the later check sets.
SYNONYM_MARGIN = 0.045
MAX_K = 10


@dataclass
class Candidate:
    pk: int
    start: int
    end: int
    text: str
    rank: int  # of its paragraph in the hybrid search
    first: int  # index of its first sentence in the paragraph
    last: int
    parts: tuple[str, ...] = ()  # its sentences, embedded one by one
    cosine: float = 0.0
    overlap: float = 0.0
    score: float = 0.0


def _stems(words) -> set[str]:
    return {w[:STEM_LENGTH] for w in words}


def overlap(question_stems: set[str], sentence: str, idf: dict[str, float]) -> float:
    """IDF-weighted share of the question's content stems found in the sentence."""
    if not question_stems:
        return 0.0
    have = _stems(tokens(sentence))
    total = sum(idf.get(s, 1.0) for s in question_stems)
    got = sum(idf.get(s, 1.0) for s in question_stems if s in have)
    return got / total if total else 0.0


_NAME = re.compile(r"(?<![.?!¿¡]\s)(?<!^)\b([A-ZÁÉÍÓÚÑ][\w’'-]{2,})")


def names_in(question: str) -> list[str]:
    """Capitalised words not opening the sentence: the places, people and groups asked about."""
    out = []
    for m in _NAME.finditer(question.strip().lstrip("¿¡\"'“ ")):
        word = m.group(1)
        toks = tokens(word)
        if toks and toks[0] not in STOPWORDS:
            out.append(toks[0])
    return out


def candidates_for(searcher: Searcher, question: str, k_paragraphs: int, report: str | None,
                   asked: set[str]):
    """The sentences (and short runs of them) of the first `k_paragraphs` paragraphs, with their
    rows and, for a question naming the countries `asked`, which paragraphs speak for them
    (`Searcher.speaking_for`; None when it names none).

    For a question naming a country, when fewer than half of those paragraphs speak for it,
    the other countries' reports have crowded it out ('Do gangs extort small businesses in
    Peru?' beside forty reports on extortion elsewhere): it then reads the first `k_paragraphs`
    that speak for the country among the first PLACE_DEPTH, ranked among themselves, beside the
    others of the first `k_paragraphs` (for `found_elsewhere`). Otherwise the first
    `k_paragraphs` stand as ranked: reading deeper there only adds weaker passages about the
    country for a question the library may not cover."""
    q = parse_query(question)
    f = searcher.make_filter(report=report)
    # as ranked, other countries' passages in their places: they are read here, and weighed by
    # `found_elsewhere`, by rules of their own
    hits = searcher.rank(q, PLACE_DEPTH if asked else k_paragraphs, "hybrid", f, places=False)
    top = hits[:k_paragraphs]
    rows = searcher.store.paragraphs_by_pk([h.pk for h in top])
    ranked = list(enumerate(top))
    speaks = None
    if asked:
        speaks = searcher.speaking_for(asked, rows)
        if sum(bool(speaks.get(h.pk)) for h in top) < k_paragraphs / 2:
            deeper = searcher.store.paragraphs_by_pk([h.pk for h in hits[k_paragraphs:]])
            speaks |= searcher.speaking_for(asked, deeper)
            about = [h for h in hits if speaks.get(h.pk)][:k_paragraphs]
            ranked = list(enumerate(about)) + list(enumerate(h for h in top if not speaks.get(h.pk)))
            read = {h.pk for _, h in ranked}
            rows = {pk: row for pk, row in (rows | deeper).items() if pk in read}
    cands: list[Candidate] = []
    for rank, h in ranked:
        if h.pk not in rows:
            continue
        text = rows[h.pk]["text"]
        spans = split_sentences(text)
        for i in range(len(spans)):
            # a sentence that refers back ("It has …", "They are …") is quoted with the sentence
            # naming its subject, never alone: the quote must stand on its own
            first = i - 1 if i > 0 and is_anaphoric(text[spans[i][0]:spans[i][1]]) else i
            for j in range(i, min(first + MAX_WINDOW, len(spans))):
                s, e = spans[first][0], spans[j][1]
                if not cands or (cands[-1].pk, cands[-1].first, cands[-1].last) != (h.pk, first, j):
                    parts = tuple(text[a:b] for a, b in spans[first:j + 1])
                    cands.append(Candidate(h.pk, s, e, text[s:e], rank, first, j, parts))
    return q, rows, cands, speaks


def window_cosines(searcher: Searcher, question: str, cands: list[Candidate]) -> np.ndarray:
    """Cosine of each candidate to the question. Sentences are embedded once; a window of
    several sentences is represented by the normalised sum of its sentences' vectors."""
    from corroborate.search.embed import embed_query

    qv = embed_query(question, searcher.settings)
    sentences = list(dict.fromkeys(t for c in cands for t in c.parts))
    vecs = dict(zip(sentences, sentence_vectors(sentences, searcher.settings), strict=True))
    out = np.zeros(len(cands), dtype=np.float32)
    for i, c in enumerate(cands):
        v = sum(vecs[t] for t in c.parts)
        norm = float(np.linalg.norm(v))
        out[i] = float(v @ qv) / norm if norm else 0.0
    return out


# Question words that say what kind of answer is wanted rather than what it is about.
_ASKING = frozenset(fold(w) for w in """many much number numbers cuántos cuántas cuánto cuánta número
    porcentaje percentage proportion proporción share""".split()) | frozenset(fold(w) for w in
    # what a source said, in a Spanish question ("¿Qué dijo Human Rights Watch sobre la policía?"):
    # the asking, not the topic, and an English library has no word for 'dijo'
    """dijo dijeron dice dicen afirmó afirmaron afirma afirman señaló señalaron señala señalan
    declaró declararon declara declaran indicó indicaron indica indican mencionó mencionaron
    menciona mencionan opinó opinaron opina opinan""".split())
# "how many …", "cuántos …", or a question about a rate, share or number: a figure answers it
_QUANTITY = re.compile(r"\b(how (many|much)|cu[aá]nt[oa]s?|rates?|percentages?|proportions?|share|numbers?|"
                       r"figures?|tasas?|porcentajes?|proporci[oó]n|n[uú]meros?|cifras?|[ií]ndices?)\b",
                       re.IGNORECASE)
_COUNT = re.compile(r"\d")
_YEAR = re.compile(r"\b(1[89]|20)\d\d\b")
_WORD = re.compile(r"[^\W\d_][\w’'-]*")


def asks_quantity(question: str) -> bool:
    return bool(_QUANTITY.search(question))


def states_quantity(text: str) -> bool:
    """A figure other than a year: counts, amounts, percentages."""
    return bool(_COUNT.search(_YEAR.sub(" ", text)))


def _words(text: str) -> dict[str, str]:
    """Folded content word -> its surface form (accents kept: the embedding model reads them)."""
    out: dict[str, str] = {}
    for m in _WORD.finditer(text):
        raw = m.group(0).strip("’'-").lower()
        for tok in tokens(raw):
            if len(tok) >= 3 and tok not in STOPWORDS:
                out.setdefault(tok, raw if len(tokens(raw)) == 1 else tok)
    return out


def soft_credit(similarity: np.ndarray) -> np.ndarray:
    """Credit of a word that does not occur but has a translation or synonym in the sentence:
    0 at the cosine of unrelated words (about 0.5 for the multilingual model), 1 at 0.8."""
    return SOFT_MAX * np.clip((similarity - SOFT_FROM) / (SOFT_FULL - SOFT_FROM), 0.0, 1.0)


def coverage(searcher: Searcher, question_words: dict[str, str], cands: list[Candidate],
             semantic: bool) -> np.ndarray:
    """Credit (candidates x question words): 1 when the word's stem occurs in the candidate, else
    the best soft credit of the candidate's words (cross-lingual: 'periodistas' ~ 'journalists')."""
    qkeys = list(question_words)
    cwords = [_words(c.text) for c in cands]
    out = np.zeros((len(cands), len(qkeys)), dtype=np.float32)
    for i, c in enumerate(cands):
        words = set(tokens(c.text))
        have = _stems(words)
        for j, w in enumerate(qkeys):
            if w in words:
                out[i, j] = 1.0
            elif w[:STEM_LENGTH] in have:  # same truncated stem: 'elected' ~ 'election', but also
                out[i, j] = STEM_CREDIT    # 'congress' ~ 'congresswoman': less sure than the word
    if not semantic or not qkeys:
        return out
    vocab = sorted({w for ws in cwords for w in ws})
    surface = {w: ws[w] for ws in cwords for w in ws}
    if not vocab:
        return out
    vecs = sentence_vectors([question_words[w] for w in qkeys] + [surface[w] for w in vocab],
                            searcher.settings)
    credit = soft_credit(vecs[: len(qkeys)] @ vecs[len(qkeys):].T)  # question words x vocab
    index = {w: k for k, w in enumerate(vocab)}
    for i, ws in enumerate(cwords):
        if ws:
            cols = [index[w] for w in ws]
            out[i] = np.maximum(out[i], credit[:, cols].max(axis=1))
    return out


def score_candidates(searcher: Searcher, question: str, q, cands: list[Candidate]
                     ) -> tuple[dict[str, str], np.ndarray]:
    """Score every candidate; returns the question's content words and their credit in each
    candidate (candidates x words)."""
    semantic = searcher.semantic_available()
    content = set(q.content_tokens())
    # surface forms from the question itself: the embedding model reads 'comisarías', not 'comisarias'
    qwords = {w: raw for w, raw in _words(question).items() if w in content and w not in _ASKING}
    numbers = [t for t in q.content_tokens() if t.isdigit()]
    cover = coverage(searcher, qwords, cands, semantic)
    for n in numbers:  # figures in the question (years, amounts) match only literally
        col = np.array([1.0 if n in tokens(c.text) else 0.0 for c in cands], dtype=np.float32)
        cover = np.concatenate([cover, col[:, None]], axis=1)
    # IDF over the candidates: a word every candidate shares says little about which one answers
    df = cover.sum(axis=0)
    idf = np.log1p(len(cands) / (1.0 + df))
    total = float(idf.sum())
    cos = window_cosines(searcher, question, cands) if semantic else np.zeros(len(cands), dtype=np.float32)
    quantity = asks_quantity(question)
    w = WEIGHTS
    for i, c in enumerate(cands):
        c.cosine = float(cos[i])
        c.overlap = float(cover[i] @ idf) / total if total else 0.0
        prior = 1.0 - c.rank / PARAGRAPHS
        if semantic:
            c.score = w["cosine"] * c.cosine + w["overlap"] * c.overlap + w["prior"] * prior
        else:
            c.score = c.overlap
        if quantity and states_quantity(c.text):
            c.score += QUANTITY_BONUS
    return qwords, cover[:, : len(qwords)]


def place_scope(cands: list[Candidate], speaks: dict[int, bool] | None
                ) -> tuple[list[Candidate], list[Candidate]]:
    """The candidates that can speak for the countries the question names ('Peru', 'peruanas',
    'Colombian'; `speaks` from `Searcher.speaking_for`): their paragraph, section title or report title
    names one of them, or their report is about one of them (its `country`). A question about
    Peru is not answered by a Home Office report's sentence on Colombia that shares its words
    ('The law prohibited FGM/C …' for 'Is FGM practised in Peru?'). A question naming no country
    (`speaks` None) keeps every candidate. Returns (candidates about the question's countries,
    the others)."""
    if speaks is None:
        return cands, []
    return [c for c in cands if speaks.get(c.pk)], [c for c in cands if not speaks.get(c.pk)]


def without_places(question: str) -> str:
    """The question with the countries it names blanked out ('Peru', 'peruanas', 'Costa Rica'):
    what it asks, whatever the place."""
    from corroborate.metadata import country_table

    names = country_table()[0]
    words = list(_WORD.finditer(question))
    out, at, i = [], 0, 0
    while i < len(words):
        for n in (2, 1):  # two-word names first: 'Costa Rica', 'El Salvador'
            span = words[i:i + n]
            said = re.sub(r"[’']s?$", "", question[span[0].start():span[-1].end()])  # "Peru's"
            if len(span) == n and fold(said) in names:
                out.append(question[at:span[0].start()] + " ")
                at, i = span[-1].end(), i + n
                break
        else:
            i += 1
    return "".join(out) + question[at:]


def topic_scope(searcher: Searcher, question: str, asked: set[str], cands: list[Candidate],
                report: str | None) -> list[Candidate]:
    """The candidates whose paragraph the question's topic alone (its countries blanked out)
    also ranks among the first PARAGRAPHS (the depth `ask` reads) of the paragraphs that speak
    for the asked country.

    A question naming a country is a topic and a place. `place_scope` checks the place; this
    checks that a passage was found for the topic, not for the place: 'Does Peru carry out the
    death penalty?' reached "… the 2022 suspicious death of a Peruvian …" through 'Peru' and
    'death', but "carry out the death penalty?" alone ranks other Peru paragraphs above it.
    The rank is counted among the asked country's paragraphs only: in a library of many
    countries' reports on the same topic (extortion in forty country reports), the topic alone
    fills its first pages with the other countries, and a rank over the whole library would then
    refuse every covered question. The bar is a rank among the library's own paragraphs, not a
    score threshold, so it follows each library (measured in benchmarks/results/peers.md).
    A question naming no country keeps every candidate (its topic search is the search).
    """
    topic = without_places(question)
    if topic == question or not asked or not cands or not set(_words(topic)) - _ASKING:
        return cands  # no country, or nothing but a country ('What about Peru?'): the place is the topic
    hits = searcher.rank(parse_query(topic), PLACE_DEPTH, "hybrid", searcher.make_filter(report=report), places=False)
    speaks = searcher.speaking_for(asked, searcher.store.paragraphs_by_pk([h.pk for h in hits]))
    found = [h.pk for h in hits if speaks.get(h.pk)][:PARAGRAPHS]
    if len(found) < PARAGRAPHS and len(hits) == PLACE_DEPTH:
        # the asked country's paragraphs lie deeper than the topic search read: no evidence
        # that the candidates were found for their place rather than their topic
        return cands
    return [c for c in cands if c.pk in found]


def found_elsewhere(searcher: Searcher, question_words: dict[str, str], quoted: np.ndarray,
                    outside: np.ndarray, names: list[str]) -> list[str]:
    """Rare question words that passages about another country hold and the quotes do not:
    the library treats the topic, but not for the country asked about ('mutilation' only in the
    CPIN on Colombia, for a question on Peru). Rare is relative to the library's size: held by at
    most ELSEWHERE_RARE of its paragraphs, so 'country' or 'part' never count."""
    cap = max(1, int(ELSEWHERE_RARE * searcher.store.approximate_size()))
    out = []
    for j, w in enumerate(question_words):
        if w in names or outside[j] < ELSEWHERE_CREDIT or quoted[j] >= UNKNOWN_WORD_CREDIT:
            continue
        if searcher.store.paragraphs_holding(w, cap) <= cap:
            out.append(w)
    return out


def quote_relevance(searcher: Searcher, question: str, chosen: list[Candidate]) -> list[float] | None:
    """How far each chosen quote lies above the floor of being about what is asked (the gate:
    `answer` refuses when none reaches it). The retrieval encoder (search/e5.py, trained on
    question -> passage pairs) puts the question near the quote itself, not only near its
    paragraph. "The judiciary is considered one of the most corrupt institutions in Peru" shares
    words and a country with "Does Peru carry out the death penalty?" and scores above the word
    and sentence-cosine threshold; E5 puts it at 0.83, a covered answer at 0.84-0.93.

    A quote in the question's language is compared with the countries blanked out of both
    (`without_places`): the place scope has already kept only quotes about the asked country, so
    a shared 'Peru' is no evidence of the topic, yet it carried "Does Peru allow dual
    nationality?" to 0.856 of a same-sex marriage quote (0.805 without it; the covered English
    questions of the tuning half keep 0.828 and more). Across two languages ('Perú' ~ 'Peru') the
    blanking separated nothing there, so those pairs are compared as they are.

    A pair-wise score of the encoder, not of the library: the same floor holds for any library.
    None for a library stored without E5 vectors (`ingest --no-e5`): every quote is kept."""
    pks = {c.pk for c in chosen}
    if len(searcher.store.e5_vectors(list(pks))) < len(pks):
        return None
    from corroborate.search import e5

    asked = question_language(question)
    same = [question_language(c.text) == asked for c in chosen]
    read = {True: without_places, False: str}  # how a pair in one language / in two is compared
    passages = e5.embed_passages([read[s](c.text) for c, s in zip(chosen, same, strict=True)]).astype(np.float32)
    floor = {True: QUOTE_RELEVANCE_SAME, False: QUOTE_RELEVANCE_ACROSS}
    # embed_query remembers its vectors: each reading of the question is embedded once
    return [float(v @ e5.embed_query(read[s](question))) - floor[s] for s, v in zip(same, passages, strict=True)]


def pick(cands: list[Candidate], k: int) -> list[Candidate]:
    """Best candidates first, none overlapping another chosen one."""
    chosen: list[Candidate] = []
    if not cands:
        return chosen
    ordered = sorted(cands, key=lambda c: (-c.score, c.rank, c.start))
    best = ordered[0].score
    for c in ordered:
        if len(chosen) >= k or c.score < best - KEEP_WITHIN:
            break
        if any(o.pk == c.pk and not (c.last < o.first or c.first > o.last) for o in chosen):
            continue
        chosen.append(c)
    return chosen


def answer(store, settings: Settings, question: str, k: int = 3, report: str | None = None) -> dict:
    if not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise QueryError(f"k={k!r}: use a number of quotes between 1 and {MAX_K}")
    searcher = Searcher(store, settings)
    from corroborate.metadata import country_counts

    asked = set(country_counts(question))
    q, rows, cands, speaks = candidates_for(searcher, question, PARAGRAPHS, report, asked)
    result = {"question": question, "found": False, "answer": NOT_FOUND, "quotes": [], "synthesis": None,
              "best_score": None, "unknown_words": []}
    if not cands:
        return result
    qwords, cover = score_candidates(searcher, question, q, cands)
    here, elsewhere = place_scope(cands, speaks)
    here = topic_scope(searcher, question, asked, here, report)
    chosen = pick(here, k)
    if not chosen:
        return result
    best = chosen[0].score
    names = names_in(question)
    if names and not any(store.term_in_index(n) or any(store.term_in_index(r) for r in translations(n, "es"))
                         for n in names):
        # the question is about something the library never names, in either language
        # ('CIDH' is the IACHR: the COI list renders it)
        best -= UNKNOWN_NAME_PENALTY
    result["best_score"] = round(best, 4)
    threshold = FOUND_THRESHOLD if searcher.semantic_available() else LEXICAL_ONLY_THRESHOLD
    if best < threshold:
        return result
    if searcher.semantic_available():
        quoted = cover[[cands.index(c) for c in chosen]].max(axis=0)
        margins = quote_relevance(searcher, question, chosen)
        missing = unknown_words(searcher, qwords, quoted, names, question_language(question), question)
        if missing and (margins is None or max(margins) < SYNONYM_MARGIN):
            result["unknown_words"] = [qwords.get(w, w) for w in missing]  # as asked: 'diálisis'
            return result
        if elsewhere:
            outside = cover[[cands.index(c) for c in elsewhere]].max(axis=0)
            if found_elsewhere(searcher, qwords, quoted, outside, names):
                return result
        if margins is not None and max(margins) < 0:
            return result

    wanted: set[tuple[int, int]] = set()
    notes_of: list[list[int]] = []
    for c in chosen:
        row = rows[c.pk]
        spans = split_sentences(row["text"])
        per_sentence = sentence_footnotes(spans, row["markers"])
        notes: list[int] = []
        for i in range(c.first, c.last + 1):
            notes += [n for n in per_sentence[i] if n not in notes]
        notes_of.append(notes)
        wanted.update((row["report_pk"], n) for n in notes)
    footnotes = store.footnotes_for(wanted)
    quotes = []
    for i, (c, notes) in enumerate(zip(chosen, notes_of, strict=True), 1):
        row = rows[c.pk]
        quotes.append({
            "id": f"q{i}",
            "paragraph_id": row["id"],
            "report_id": row["report_id"],
            "report_title": row["report_title"],
            "section": row["section_number"] or row["section_title"],
            "section_title": row["section_title"],
            "start": c.start,
            "end": c.end,
            "text": c.text,
            "score": round(c.score, 4),
            "footnotes": [footnotes[(row["report_pk"], n)] for n in notes],
        })
    result.update(found=True, quotes=quotes,
                  answer=" ".join(f"“{qt['text']}” [{qt['id']}]" for qt in quotes))
    if settings.llm_url:
        from corroborate.search.synthesis import synthesise

        result["synthesis"] = synthesise(settings, question, quotes)
    return result
