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


@lru_cache(maxsize=100_000)
def english_stem(token: str) -> str:
    return _EN.stemWord(token)
