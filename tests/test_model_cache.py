"""The sentence encoder's cache: a new process loads the built weights and tokenizer from it
instead of rebuilding them, and embeds exactly as the freshly built model does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT

PROBE = """
import json
from corroborate.search import model_cache
from corroborate.search.embed import embed_texts
v = embed_texts(["¿Pueden casarse las parejas del mismo sexo en el Perú?", "extortion of small shops"])
print(json.dumps({"counters": dict(model_cache.counters), "vectors": v.tolist()}))
"""


def probe(cache: str) -> dict:
    env = {**os.environ, "CORROBORATE_CACHE_DIR": cache}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, cwd=ROOT,
                         env=env, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_encoder_cache_is_written_then_reused_with_identical_vectors(tmp_path):
    cache = tmp_path / "cache"
    first = probe(str(cache))
    assert first["counters"] == {"built": 1}
    assert sorted(p.suffix for p in cache.iterdir()) == [".arrays", ".tokenizer"]
    second = probe(str(cache))
    assert second["counters"] == {"cached": 1}
    assert second["vectors"] == first["vectors"]
    # a damaged cache is not used: the model is built again and still embeds the same
    for p in cache.iterdir():
        if p.suffix == ".arrays":
            p.write_bytes(p.read_bytes()[:1000])
    third = probe(str(cache))
    assert third["counters"] == {"built": 1} and third["vectors"] == first["vectors"]
    # nor is a tokenizer file of another format (a pickle, as written before marshal)
    tokenizer = next(p for p in cache.iterdir() if p.suffix == ".tokenizer")
    tokenizer.write_bytes(b"\x80\x05K\x01.")
    fourth = probe(str(cache))
    assert fourth["counters"] == {"built": 1} and fourth["vectors"] == first["vectors"]
    assert probe(str(cache))["counters"] == {"cached": 1}  # and the rebuilt one is used again
    # turned off with an empty folder name
    assert probe("")["counters"] == {"built": 1}
