"""How common an English word is in general text: its Zipf frequency (log10 of occurrences per
billion words) from data/common-words-en.tsv, derived from wordfreq (CC BY-SA 4.0, see the file's
header and scripts/make_common_words.py). Words below the list's floor (4.0) read as 0.

`ask` uses it to tell a question's generic words ('count', 'nights') from those that name its
topic ('surrogacy', 'leprosy'): search/absence.py.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data" / "common-words-en.tsv"


@lru_cache(maxsize=1)
def _table() -> dict[str, float]:
    out: dict[str, float] = {}
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, zipf = line.split("\t")
            out[word] = float(zipf)
    return out


def zipf(word: str) -> float:
    """The Zipf frequency of a folded English word or of its singular ('nights' -> night)."""
    table = _table()
    forms = [word, word[:-1]] if word.endswith("s") and len(word) > 3 else [word]
    return max(table.get(f, 0.0) for f in forms)
