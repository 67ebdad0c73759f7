"""The server's memory of answers already given (`read_cache`): reused only for the same content
version and the same visibility, so a reader is never shown what was made for a researcher, and
nothing computed before a write is served after it."""

from __future__ import annotations

import re
import shutil

import pytest
from fastapi.testclient import TestClient

from conftest import SAMPLE_ID
from corroborate import Library
from corroborate.library import LibraryPool
from corroborate.settings import Settings
from corroborate.users import Caller, Users
from corroborate.web.app import create_app

NAMED = re.compile(r"(?i:dplf)|Due Process of Law")
SEARCH = "Executive Director judicial system limitations"
QUESTION = "What did the Executive Director say about the judicial system collapse?"
READER, RESEARCHER = Caller("r", "reader"), Caller("s", "researcher")


@pytest.fixture
def db(sample_db_master, tmp_path):
    path = tmp_path / "sample.db"
    shutil.copy(sample_db_master, path)
    return path


def _dplf(db) -> str:
    with Library(db) as lib:
        return next(s["id"] for s in lib.sources() if s["author"] == "DPLF")


def test_an_answer_made_for_a_researcher_is_never_given_to_a_reader(db):
    dplf = _dplf(db)
    with Library(db) as lib:
        lib.set_confidential(dplf)
        users = Users(lib.store)
        admin = Caller("setup", "admin")
        tokens = {role: users.add(f"{role}1", role, admin)["token"] for role in ("reader", "researcher")}
    client = TestClient(create_app(Settings(db=str(db))))
    urls = [("/api/search", {"q": SEARCH}), ("/api/ask", {"q": QUESTION}), (f"/api/reports/{SAMPLE_ID}", {}),
            ("/search", {"q": SEARCH})]

    def get(role, url, params):
        r = client.get(url, params=params, headers={"Authorization": f"Bearer {tokens[role]}"})
        assert r.status_code == 200, (url, r.text[:300])
        return r.text

    for url, params in urls:  # the researcher first: their answers (with the name) are cached
        assert NAMED.search(get("researcher", url, params)), url
        assert NAMED.search(get("researcher", url, params)), url
    reads = client.app.state.libraries.reads
    assert reads.hits >= 3  # the second researcher round came from memory
    for url, params in urls:
        assert not NAMED.search(get("reader", url, params)), url
        assert not NAMED.search(get("reader", url, params)), url
    assert NAMED.search(get("researcher", "/api/search", {"q": SEARCH}))


def test_nothing_remembered_before_a_write_is_served_after_it(db):
    pool = LibraryPool(Settings(db=str(db)))
    try:
        with pool.library() as lib:  # not yet confidential: the reader reads the name
            first = lib.as_caller(READER).search(SEARCH, k=5)
        assert NAMED.search(str(first))
        with pool.library() as lib:
            assert lib.as_caller(READER).search(SEARCH, k=5) == first
        hits = pool.reads.hits
        assert hits >= 1
        with Library(db) as writer:  # another connection (as another process would) marks it
            writer.set_confidential(_dplf(db))
        for _ in range(3):  # whichever pooled connection serves the next requests
            with pool.library() as lib:
                assert not NAMED.search(str(lib.as_caller(READER).search(SEARCH, k=5)))
                assert not NAMED.search(lib.as_caller(READER).ask_json(QUESTION).decode())
                assert not NAMED.search(lib.as_caller(READER).report_json(SAMPLE_ID).decode())
    finally:
        pool.close()


def test_remembered_answers_are_fresh_copies_and_equal_the_computed_ones(db):
    pool = LibraryPool(Settings(db=str(db)))
    try:
        with Library(db) as plain:
            expected = plain.search(SEARCH, k=7, mode="hybrid", facets=True)
        with pool.library() as lib:
            a = lib.search(SEARCH, k=7, mode="hybrid", facets=True)
            a["results"][0]["text"] = "changed by a caller"
        with pool.library() as lib:
            b = lib.search(SEARCH, k=7, mode="hybrid", facets=True)
        assert pool.reads.hits >= 1
        assert b == expected
    finally:
        pool.close()
