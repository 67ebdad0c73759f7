"""The library's embedded vocabulary is kept beside the database, so a new process (each CLI
command) maps it instead of embedding thousands of words again."""

from __future__ import annotations

import numpy as np

from corroborate import Library
from corroborate.search import expand
from corroborate.search.engine import Searcher


def test_vocabulary_is_written_once_and_mapped_by_the_next_process(sample_db, monkeypatch):
    monkeypatch.setattr(expand, "MAX_TERMS", 40)  # the rule, not the size, is under test
    with Library(sample_db) as lib:
        first = expand.library_vocabulary(Searcher(lib.store, lib.settings))
    assert len(first.terms) == 40 and first.vectors.shape == (40, 512)
    assert (sample_db.parent / f"{sample_db.name}.vocabulary").is_file()

    expand._cache.clear()  # what a new process starts with

    def no_embedding(*_args, **_kwargs):
        raise AssertionError("the vocabulary was embedded again instead of read from its file")

    monkeypatch.setattr(expand, "term_vectors", no_embedding)
    with Library(sample_db) as lib:
        again = expand.library_vocabulary(Searcher(lib.store, lib.settings))
    assert again.terms == first.terms
    assert np.allclose(again.vectors, first.vectors) and np.array_equal(again.docs, first.docs)


def test_a_changed_library_is_not_served_the_old_vocabulary(sample_db, tmp_path, monkeypatch):
    monkeypatch.setattr(expand, "MAX_TERMS", 40)
    with Library(sample_db) as lib:
        before = expand.library_vocabulary(Searcher(lib.store, lib.settings))
        extra = tmp_path / "extra.txt"
        extra.write_text("A short note\n\nThe police said so.\n\nThe police said it again, in Peru.\n",
                         encoding="utf-8")
        lib.settings = lib.settings.model_copy(update={"embeddings": False})
        lib.ingest(extra)
        expand._cache.clear()
        after = expand.library_vocabulary(Searcher(lib.store, lib.settings))
    police = before.terms.index("police")
    assert after.docs[after.terms.index("police")] == before.docs[police] + 2  # counted anew
