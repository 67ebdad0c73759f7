"""Spanish <-> English COI vocabulary: a ToR written in one language read in the report's words,
and a question's words widened to the library's (`translations`, used by search/expand.py).

The multilingual sentence encoder pairs many words across the two languages ('presión' ~
pressure 0.91) but not all of the ones ToRs are written with ('circulación' ~ movement 0.61,
'pandillas' ~ gangs 0.59, 'trata de personas' ~ 'human trafficking' 0.42). data/coi-terms-es-en.tsv
holds generic COI vocabulary (its header states the scope); a text is rewritten phrase by phrase,
longest first ('libertad de circulación' -> freedom of movement as a whole, not word by word), and
what the list does not hold is left as written for the encoder. Words are compared without their
number and (in Spanish) gender endings, so 'pandillas', 'urbanas' and 'ciudades' meet 'pandilla',
'urbano' and 'ciudad'; a phrase does not run across punctuation ('rurales/urbanas'). Snowball
stems were tried and join too much ('manifestantes' ~ 'manifestación', 'actividades' ~ 'activista').

The Debian FreeDict dictionaries (spa-eng, eng-spa: ~4 500 and ~5 900 headwords) were measured
against this list and helped less: they lack most COI words (circulación, pandilla, trata,
violencia, libertad); see benchmarks/results/peers.md.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from corroborate.models import fold

LANGUAGES = ("es", "en")
_DATA = Path(__file__).resolve().parent / "data" / "coi-terms-es-en.tsv"


@lru_cache(maxsize=1)
def pairs() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(Spanish, English alternatives) per line of the list, in its order."""
    out = []
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        es, en = line.split("\t")
        out.append((es.strip(), tuple(a.strip() for a in en.split("|"))))
    return tuple(out)


def _base(word: str, language: str) -> str:
    """A folded word without its plural, and in Spanish its gender vowel: 'urbanas' -> urban."""
    if language == "en":
        return word[:-3] + "y" if word.endswith("ies") and len(word) > 4 else \
            word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word
    if word.endswith("ces") and len(word) > 4:  # jueces -> juez, veces -> vez
        return word[:-3] + "z"
    if word.endswith("s") and len(word) > 3:
        word = word[:-1]
    return word[:-1] if word[-1] in "aeo" and len(word) > 3 else word


def _key(text: str, language: str) -> tuple[str, ...]:
    return tuple(_base(w, language) for w in re.findall(r"\w+", fold(text)))


@lru_cache(maxsize=len(LANGUAGES))
def _phrases(source: str) -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]:
    """First stem -> [(the phrase's stems, its renderings in the other language)], longest first."""
    target = "en" if source == "es" else "es"
    out: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    seen: set[tuple[str, ...]] = set()
    for es, en in pairs():
        written = {"es": (es,), "en": en}
        for phrase in written[source]:
            key = _key(phrase, source)
            if key and key not in seen:  # the first entry for a phrase wins
                seen.add(key)
                out.setdefault(key[0], []).append((key, written[target]))
    for candidates in out.values():
        candidates.sort(key=lambda c: -len(c[0]))
    return out


def _matches(text: str, source: str):
    """(start, end, words, renderings) of each listed phrase in `text`, longest first, left to
    right; a phrase does not run across punctuation."""
    phrases = _phrases(source)
    tokens = list(re.finditer(r"\w+", text))
    keys = [_base(fold(t.group()), source) for t in tokens]
    i = 0
    while i < len(tokens):
        for key, renderings in phrases.get(keys[i], ()):
            j = i + len(key)
            if tuple(keys[i:j]) == key and all(not text[tokens[k].end():tokens[k + 1].start()].strip()
                                               for k in range(i, j - 1)):
                yield tokens[i].start(), tokens[j - 1].end(), len(key), renderings
                i = j
                break
        else:
            i += 1


def rewrite(text: str, source: str, target: str) -> str:
    """`text` (in `source`) with the list's phrases put in `target`; the rest as written."""
    if source == target or source not in LANGUAGES or target not in LANGUAGES:
        return text
    out, last = [], 0
    for start, end, _, renderings in _matches(text, source):
        rendering = renderings[0]
        if text[start].isupper():  # 'Presencia' -> 'Presence': the encoder is case-sensitive
            rendering = rendering[0].upper() + rendering[1:]
        out += [text[last:start], rendering]
        last = end
    out.append(text[last:])
    return "".join(out)


def phrases_in(text: str, source: str) -> list[tuple[str, tuple[str, ...]]]:
    """The list's phrases of two words or more in `text` (in `source`), as written, with all
    their renderings: 'crímenes de honor' -> (honour killing, honor killing, honour crime)."""
    if source not in LANGUAGES:
        return []
    return [(text[start:end], renderings) for start, end, words, renderings in _matches(text, source) if words > 1]


@lru_cache(maxsize=1)
def _words() -> dict[str, dict[str, tuple[str, ...]]]:
    """Language -> a single word of it (its base) -> its one-word renderings in the other."""
    out: dict[str, dict[str, list[str]]] = {lang: {} for lang in LANGUAGES}
    for es, en in pairs():
        for source, phrase, renderings in (("es", es, en), *(("en", e, (es,)) for e in en)):
            key = _key(phrase, source)
            if len(key) != 1:
                continue
            for r in renderings:
                if len(folded := fold(r).split()) == 1 and folded[0] not in out[source].setdefault(key[0], []):
                    out[source][key[0]].append(folded[0])
    return {lang: {k: tuple(v) for k, v in words.items()} for lang, words in out.items()}


def translations(word: str, language: str | None = None) -> tuple[str, ...]:
    """The list's one-word renderings of a folded word in the other language: 'pandillas' ->
    (gang,); 'jueces' -> (judge,); a word the list lacks -> (). `language`: read the word as
    a word of that language only (else Spanish first, then English)."""
    words = _words()
    for lang in (language,) if language else LANGUAGES:
        if found := words[lang].get(_base(word, lang)):
            return found
    return ()
