"""Regenerate src/corroborate/data/common-words-en.tsv: the English word forms that general text
uses often (Zipf frequency >= 4.0: at least one in 100 000 words), with their Zipf frequency, from the
`wordfreq` package (a build-time tool only, not a run-time dependency).

    pip install wordfreq==3.1.1 && python scripts/make_common_words.py

`ask` reads it to tell a question's generic words ('count', 'nights') from the specific ones that
name its topic ('surrogacy', 'leprosy'): search/answer.py, `unknown_words`.

The list is derived from wordfreq's data and so is under the Creative Commons
Attribution-ShareAlike 4.0 licence (the file's header says so and names the sources).
"""

from __future__ import annotations

import re
from pathlib import Path

from wordfreq import top_n_list, zipf_frequency

OUT = Path(__file__).resolve().parent.parent / "src" / "corroborate" / "data" / "common-words-en.tsv"
MIN_ZIPF = 4.0
HEADER = """\
# English word forms with Zipf frequency >= 4.0 (log10 of occurrences per billion words:
# 4.0 is one in 100 000 words), most frequent first. Derived from wordfreq 3.1.1 (Robyn Speer,
# https://github.com/rspeer/wordfreq), whose data come from Wikipedia, SUBTLEX, OpenSubtitles,
# Google Books Ngrams, the Leeds Internet Corpus, Reddit, Twitter and other sources; licensed
# CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/), as is this file.
# Regenerate: scripts/make_common_words.py. Lowercase ASCII letters only.
"""


def main() -> None:
    rows = []
    for word in top_n_list("en", 40_000):
        z = zipf_frequency(word, "en")
        if z < MIN_ZIPF:
            break
        if re.fullmatch(r"[a-z]+", word):
            rows.append(f"{word}\t{z:.2f}")
    OUT.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} words -> {OUT}")


if __name__ == "__main__":
    main()
