"""What concurrent serving rests on, without a server: pooled read-only stores, one model and
one vector index per process, literal section filters, and the search page's partial loads."""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from fastapi.testclient import TestClient

from conftest import SAMPLE_ID
from corroborate.library import Library, LibraryPool
from corroborate.search import vectors
from corroborate.search.query import QueryError
from corroborate.settings import Settings
from corroborate.store import StoreError, StorePool
from corroborate.store.sqlite import SqliteStore
from corroborate.web.app import create_app


@pytest.fixture
def pool_db(sample_db_master, tmp_path):
    db = tmp_path / "pool.db"
    shutil.copy(sample_db_master, db)
    return db


def test_pooled_stores_are_read_only(pool_db):
    pool = StorePool(pool_db)
    try:
        with pool.store() as store, pytest.raises(Exception, match="readonly"):
            store.set_confidential("anything", True)
    finally:
        pool.close()


def test_read_only_store_needs_an_existing_database(tmp_path):
    with pytest.raises(StoreError, match="no such database"):
        SqliteStore(tmp_path / "missing.db", readonly=True)


def test_a_store_checked_out_in_one_thread_is_usable_in_another(pool_db):
    """FastAPI runs a dependency and its endpoint on different threads: the per-thread Library
    failed exactly here ("SQLite objects created in a thread can only be used in that same thread")."""
    pool = LibraryPool(Settings(db=str(pool_db)))
    try:
        with ThreadPoolExecutor(2) as threads:
            checkout = pool.library()
            lib = threads.submit(checkout.__enter__).result()
            try:
                got = threads.submit(lambda: lib.search("police", k=3, mode="lexical")).result()
                assert len(got["results"]) == 3
            finally:
                threads.submit(checkout.__exit__, None, None, None).result()
    finally:
        pool.close()


def test_concurrent_checkouts_never_share_a_store_and_are_reused(pool_db):
    pool = StorePool(pool_db, max_idle=4)
    in_use: set[int] = set()
    clash = threading.Event()
    lock = threading.Lock()

    def work(_):
        with pool.store() as store:
            with lock:
                if id(store) in in_use:
                    clash.set()
                in_use.add(id(store))
            assert store.list_reports()[0]["id"] == SAMPLE_ID
            time.sleep(0.01)
            with lock:
                in_use.discard(id(store))

    try:
        with ThreadPoolExecutor(8) as threads:
            list(threads.map(work, range(64)))
        assert not clash.is_set()
        assert 1 <= pool.idle <= 4
    finally:
        pool.close()


def test_readers_see_a_write_committed_meanwhile(pool_db):
    pool = StorePool(pool_db)
    try:
        source_id = Library(pool_db).sources()[0]["id"]
        with pool.store() as reader:
            assert reader.get_source(source_id).confidential is False
            with Library(pool_db) as writer:  # another connection writes while a reader is open
                writer.set_confidential(source_id, True)
        with pool.store() as reader:
            assert reader.get_source(source_id).confidential is True
    finally:
        pool.close()


def test_the_vector_index_is_built_once_however_many_ask_at_once():
    calls = []

    def load():
        calls.append(1)
        time.sleep(0.2)  # a slow load: every other thread arrives while it runs
        return np.arange(3, dtype=np.int64), np.eye(3, 512, dtype=np.float32)

    key = f"test-once-{time.monotonic_ns()}"
    with ThreadPoolExecutor(8) as threads:
        indexes = list(threads.map(lambda _: vectors.cached_index(key, "fp1", load), range(8)))
    assert len(calls) == 1
    assert all(ix is indexes[0] for ix in indexes)
    vectors.cached_index(key, "fp2", load)  # a changed library is loaded again
    assert len(calls) == 2


def test_the_encoder_is_loaded_once_and_complete_before_it_is_shared():
    from corroborate.search import embed

    with ThreadPoolExecutor(4) as threads:
        models = list(threads.map(lambda _: embed._model(2), range(4)))
    assert all(m is models[0] for m in models)
    assert models[0]._backend is not None  # weights loaded under the lock, not lazily later


def test_query_vectors_are_cached_and_read_only():
    from corroborate.search.embed import embed_query, embed_texts

    a = embed_query("¿Pueden casarse las parejas del mismo sexo en el Perú?")
    assert embed_query("¿Pueden casarse las parejas del mismo sexo en el Perú?") is a
    assert not a.flags.writeable
    fresh = embed_texts(["¿Pueden casarse las parejas del mismo sexo en el Perú?"])[0]
    assert float(a @ fresh) > 0.999


@pytest.mark.parametrize("section", ["%", "_", "3._", "3.%", "%5"])
def test_section_wildcards_are_literal_characters(sample_lib, section):
    # LIKE would read these as wildcards and match real sections (all of them for "%").
    with pytest.raises(QueryError, match="no such section"):
        sample_lib.search("police", section=section, mode="lexical")


def test_section_filter_still_includes_subsections(sample_lib):
    got = sample_lib.search("police crime gangs", section="3", k=50, mode="lexical")["results"]
    assert got and all(r["section"] == "3" or r["section"].startswith("3.") for r in got)
    assert any(r["section"].count(".") >= 1 for r in got)


def test_api_section_wildcard_is_400(sample_db):
    with TestClient(create_app(Settings(db=str(sample_db)))) as client:
        for section in ("%", "_"):
            r = client.get("/api/search", params={"q": "police", "section": section})
            assert r.status_code == 400 and "no such section" in r.json()["detail"]


def test_excerpt_holds_only_the_asked_paragraphs_and_their_footnotes(sample_lib, sample_report):
    wanted = [p for p in sample_report.paragraphs() if p.markers][3:6]
    part = sample_lib.excerpt(SAMPLE_ID, [p.id for p in wanted])
    assert [p.id for p in part.paragraphs()] == [p.id for p in wanted]
    assert [p.model_dump() for p in part.paragraphs()] == [p.model_dump() for p in wanted]
    numbers = sorted({m.n for p in wanted for m in p.markers})
    assert [f.n for f in part.footnotes] == numbers
    whole = {f.n: f for f in sample_report.footnotes}
    assert all(f == whole[f.n] for f in part.footnotes)
    assert (part.title, part.publisher, part.published) == (
        sample_report.title, sample_report.publisher, sample_report.published)


def test_sources_by_id_leaves_unknown_ids_out(sample_lib):
    known = sample_lib.sources()[0]["id"]
    got = sample_lib.sources_by_id([known, "no-such-source", known])
    assert list(got) == [known] and got[known].id == known
