"""Snowball stems (PyStemmer) of folded tokens, in English and in Spanish.

A token's language is not known (a Spanish question, an English report, Spanish names in
English text), so a token stands for both of its stems: 'protesters' -> {protest}, 'comisarías'
-> {comisari, comis}. Two words meet when they share a stem.
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer

_EN = Stemmer.Stemmer("english")
_ES = Stemmer.Stemmer("spanish")


@lru_cache(maxsize=100_000)
def stems(token: str) -> frozenset[str]:
    return frozenset((_EN.stemWord(token), _ES.stemWord(token)))


def stem_prefix(token: str, language: str) -> str:
    """The letters a word shares with its Snowball stem in `language` ("en" or "es"): what its
    inflections and derivations start with ('surrogacy' -> surrogac, 'tracking' -> track)."""
    stem = (_EN if language == "en" else _ES).stemWord(token)
    n = 0
    while n < min(len(stem), len(token)) and stem[n] == token[n]:
        n += 1
    return token[:n]


def english_stem(token: str) -> str:
    return _EN.stemWord(token)
