"""`fold` and snippet matching take fast paths (ASCII text, one regex); they must give exactly
what the plain definitions give: paragraph ids are made from `fold`, so a different folding
would change every id on re-ingest."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from corroborate.models import fold
from corroborate.search.snippets import match_spans


def fold_by_definition(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def spans_by_definition(text: str, exact: set[str], prefixes: set[str]) -> list[tuple[int, int]]:
    starts = tuple(prefixes)
    return [m.span() for m in re.finditer(r"\w+", text)
            if (f := fold_by_definition(m.group())) in exact or (starts and f.startswith(starts))]


# Letters that fold in every way there is: accents, ligatures, the Kelvin sign and long s (which
# a case-insensitive regex would take for k and s), ß (casefolds to ss), ø (no decomposition),
# Greek, apostrophes and the whitespace str.split() knows.
ALPHABET = "aAbeEiIknNoOsStuxyz_09 ,.-’'\t\n\x1fáÁéíóúñÑüçàøßﬁKſİıΣσς\u0301\u00a0\u2028"
texts = st.text(alphabet=ALPHABET, max_size=80)
words = st.text(alphabet="abeiknostuxzáéñøßſ", min_size=1, max_size=6).map(fold_by_definition)


@settings(max_examples=600, deadline=None)
@given(texts)
def test_fold_equals_its_definition(text):
    assert fold(text) == fold_by_definition(text)


@settings(max_examples=600, deadline=None)
@given(texts, st.sets(words, max_size=4), st.sets(words, max_size=3))
def test_snippet_matching_equals_word_by_word_folding(text, exact, prefixes):
    assert match_spans(text, exact, prefixes) == spans_by_definition(text, exact, prefixes)


# every ASCII character (punctuation, controls, the underscore) beside the folding alphabet
tokenisable = st.text(alphabet=ALPHABET + "".join(map(chr, range(128))) + "™½²“”—", max_size=80)


@settings(max_examples=800, deadline=None)
@given(tokenisable)
def test_tokens_equal_the_word_regex_over_the_folded_text(text):
    from corroborate.search.query import tokens

    assert tokens(text) == re.findall(r"\w+", fold_by_definition(text).replace("_", " "))


def test_marks_policia_and_prefixes_in_a_spanish_sentence():
    text = "La Policía Nacional del Perú (PNP) y los policías; POLICE."
    got = [text[s:e] for s, e in match_spans(text, {"policia"}, {"polic"})]
    assert got == ["Policía", "policías", "POLICE"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "ab", "abc", "c"]), max_size=12),
       st.lists(st.sampled_from(["a", "b", "ab", "c"]), min_size=1, max_size=3), st.booleans())
def test_a_phrase_is_found_where_a_scan_of_every_position_finds_it(toks, phrase, prefix):
    from corroborate.search.query import Atom, _contains

    *head, last = phrase
    by_definition = any(
        toks[i:i + len(head)] == head and (toks[i + len(head)] == last or (prefix and toks[i + len(head)].startswith(last)))
        for i in range(len(toks) - len(phrase) + 1))
    assert _contains(toks, Atom(tokens=tuple(phrase), prefix=prefix, phrase=len(phrase) > 1)) == by_definition
