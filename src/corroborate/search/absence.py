"""What a library has no word for: the question words and phrases `ask` refuses on when neither
its quotes nor any report of the library has a counterpart (search/answer.py).

A word counts as known when the library holds it, or an inflection of it, or one of the library's
own terms lies near it in the multilingual embedding space, so a Spanish question over English
reports passes while a question about a topic no report mentions does not ('dialysis',
'poligamia'), whatever its best sentence scored. Calibrated by the library itself: its index and
its vocabulary, not one threshold fitted to one report. Three readings are stricter, where the
loose one was measured to fail (benchmarks/results/peers.md, sessions 11 and 12):

* a Spanish word the COI vocabulary list renders is read through its renderings ('censura' is
  not 'census');
* a specific English word (rarer in general English than COMMON_ZIPF) through its Snowball stem
  or a translation-near term ('surrogacy' is not 'surrounding', 'honour' is not 'respected');
* a phrase of the list in a Spanish question, through the specific words of its renderings
  ('vientre de alquiler' is 'surrogacy'), and so a listed word rendered only by specific words
  ('diálisis' is 'dialysis', whatever the encoder says of 'analysis').
"""

from __future__ import annotations

import os

import numpy as np

from corroborate.coi_terms import phrases_in, translations
from corroborate.search.common_words import zipf
from corroborate.search.embed import sentence_vectors
from corroborate.search.engine import Searcher
from corroborate.search.expand import inflections, library_vocabulary
from corroborate.search.query import STEM_LENGTH, STOPWORDS, tokens
from corroborate.search.stem import english_stem

# A question word the library has no word for: its nearest library term (any language) is no
# closer than unrelated words are, and the quotes do not cover it either ('dialysis', 'poligamia').
UNKNOWN_WORD_COSINE = 0.58  # unrelated words meet at ~0.5; inflected verbs ("pagan") reach ~0.6
UNKNOWN_WORD_CREDIT = 0.3
# A word the COI list renders, none of whose renderings the library holds: its nearest library term
# must be a rendering-like neighbour ('parlamento' ~ congress 0.71), not a topic one ('censura' ~
# dissenting 0.60). Hand-set between the two (session 11, benchmarks/results/peers.md).
LISTED_WORD_COSINE = 0.7
# A specific word of an English question (rarer in general English than COMMON_ZIPF: 'surrogacy',
# 'honour', 'leprosy'; not 'count' or 'nights') that the library does not hold: known only through
# a neighbour that is an inflection or a rendering ('camera' 0.90, 'beaten' 0.80), not through its
# five-letter stem ('surro' is in 'surrounding') nor a topic neighbour ('honour' ~ respected 0.71,
# 'dictatorship' ~ authoritarian 0.73). Set in session 12 on the tuning half and the later
# refusal-check set (benchmarks/results/peers.md).
SPECIFIC_WORD_COSINE = 0.75
COMMON_ZIPF = 4.5  # about 30 occurrences per million words: the 3 000 commonest English forms


def unknown_words(searcher: Searcher, question_words: dict[str, str], quoted: np.ndarray,
                  names: list[str], language: str, question: str = "") -> list[str]:
    """Question words that neither the quotes nor the library as a whole have a word for.

    Calibrated by the library itself: a word counts as known when it occurs (or shares its
    truncated stem with an indexed word), or when one of the library's own terms lies near it in
    the multilingual embedding space — so a Spanish question over English reports passes, and a
    question about a topic no report mentions does not, whatever its best sentence scored.

    A word of a Spanish question (`language`) that the COI vocabulary list renders
    (`coi_terms.translations`) is read by the list instead: known when the library holds one of
    its renderings (by their truncated stems: 'homosexuality' ~ 'homosexual'), or when its
    nearest library term is near enough for a rendering or an inflection (LISTED_WORD_COSINE:
    a Spanish report's 'censurado' ~ 'censura' 0.96), not only for a topic. Its five-letter stem
    is not asked: 'censura' shares its stem with 'census', and its nearest terms ('dissenting'
    0.60) passed the general bar while the library has no word for censorship (the English
    question, 'censored', is refused); 'parlamento' over a report that says Congress (0.71)
    stays known.

    A word of an English question that is specific (rarer in general English than COMMON_ZIPF,
    `common_words`) is read by the letters its English Snowball stem keeps ('tracking' -> track*,
    'surrogacy' -> surrogac*, never fewer than five), else known only through a neighbour close
    enough for an inflection or a rendering (SPECIFIC_WORD_COSINE): 'surrogacy' shares its five
    letters with 'surrounding', and 'honour' lies 0.71 from 'respected'. A common word ('count',
    'nights') rarely names the topic and keeps the five-letter stem and the looser bar.

    In a Spanish question, the list's phrases none of whose renderings the library could say
    follow the words (`absent_phrases`).
    """
    unheld = [w for w in question_words if w not in names and not any(searcher.holds(f) for f in inflections(w))]
    keys = [w for j, w in enumerate(question_words) if quoted[j] < UNKNOWN_WORD_CREDIT and w in unheld]
    # Neither the quotes' credit nor the encoder is asked of what the list renders into specific
    # English words: a single Spanish word meets English ones at chance ('diálisis' ~ 'analysis'
    # 0.84, ~ 'analysed' 0.83 in "cases analysed by HRW").
    unknown = set(absent_listed_words(searcher, unheld)) if language == "es" else set()
    # renderings of one word ('anti-government' is two: left to the encoder as before)
    listed = {w: [r for r in translations(w, "es") if r.isalnum()] if language == "es" else [] for w in keys}
    # the cosine the encoder's nearest library term must reach for the word to be known
    bar = {w: LISTED_WORD_COSINE for w, renderings in listed.items() if renderings and w not in unknown
           and not any(searcher.store.term_in_index(r) for r in renderings)}
    specific = {w for w in keys if language == "en" and zipf(w) < COMMON_ZIPF}
    # an inflection or derivation held ('tracking' ~ tracked) is read by the word's Snowball stem,
    # never by a shorter prefix than the five-letter one
    bar |= {w: SPECIFIC_WORD_COSINE for w in specific if not held_by_stem(searcher, w)}
    bar |= {w: UNKNOWN_WORD_COSINE for w in keys if not listed[w] and w not in specific
            and not searcher.store.term_in_index(w)}
    if bar:
        asked = list(bar)
        near = library_vocabulary(searcher).nearest(sentence_vectors([question_words[w] for w in asked],
                                                                     searcher.settings), 1)
        unknown |= {w for w, n in zip(asked, near, strict=True) if not n or n[0][1] < bar[w]}
    if language != "es":
        return [w for w in keys if w in unknown]
    return [w for w in unheld if w in unknown] + absent_phrases(searcher, question, unheld)


def absent_listed_words(searcher: Searcher, words: list[str]) -> list[str]:
    """Spanish words the COI list renders only into specific English words (rarer than
    COMMON_ZIPF: 'diálisis' -> dialysis, 'lepra' -> leprosy) none of which the library holds, by
    its Snowball stem's letters or its family (`held_by_stem`). A word rendered by a common one
    ('parlamento' -> parliament) is left to the encoder: a report may say Congress."""
    out = []
    for w in words:
        renderings = [r for r in translations(w, "es") if r.isalnum()]
        if renderings and not any(sayable(searcher, r) for r in renderings):
            out.append(w)
    return out


def sayable(searcher: Searcher, rendering: str) -> bool:
    """Whether the library could say a rendering of the list: it holds each of its specific
    words (rarer than COMMON_ZIPF) by `held_by_stem`; a rendering of common words only it can."""
    return all(held_by_stem(searcher, w) for w in tokens(rendering) if w not in STOPWORDS and zipf(w) < COMMON_ZIPF)


def held_by_stem(searcher: Searcher, word: str) -> bool:
    """Whether the library holds an English word or one of its family: a word sharing the letters
    its Snowball stem keeps ('tracking' -> track*, 'surrogacy' -> surrogac*, never fewer than
    five), or a library term whose stem and the word's are one the other's start, five letters at
    least ('fighters' -> fighter, 'fighting' -> fight). A five-letter prefix alone also meets
    other words ('surrogacy' and 'surrounding': surrogaci, surround)."""
    own = english_stem(word)
    kept = len(os.path.commonprefix([word, own]))  # 'surrogacy', 'surrogaci': 8 letters
    if searcher.store.term_in_index(word, stem_length=max(kept, STEM_LENGTH)):
        return True
    return any(len(other := english_stem(t)) >= STEM_LENGTH and (own.startswith(other) or other.startswith(own))
               for t in library_vocabulary(searcher).terms if t.startswith(word[:STEM_LENGTH]))


def absent_phrases(searcher: Searcher, question: str, weak: list[str]) -> list[str]:
    """The COI list's phrases in a Spanish question ('crímenes de honor', 'vientre de alquiler')
    with a word among `weak` (words the library does not hold) and none of whose
    English renderings the library could say: each rendering has a specific word (rarer than
    COMMON_ZIPF) that the library does not hold, by its Snowball stem's letters ('honour killing':
    honour; 'surrogacy'). Its common words are not asked ('situación política' is known to a
    library that says 'political' and 'situation' apart), nor are renderings of common words only."""
    return [written for written, renderings in phrases_in(question, "es")
            if set(tokens(written)) & set(weak) and not any(sayable(searcher, r) for r in renderings)]
