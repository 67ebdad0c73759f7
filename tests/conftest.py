"""Shared fixtures: the real sample report ingested into a real SQLite file, once per run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Store tests run on both backends (`backend_db`, `backend_store`, `sample_backend_lib`).
from backend_fixtures import (  # noqa: F401
    backend_db,
    backend_samples,
    backend_store,
    pg_sample_db,
    pg_sample_template,
    sample_backend_db,
    sample_backend_lib,
)

# Browser tests: one chromium per module, a live server over a copy of the sample.
from browser_fixtures import base_url, browser  # noqa: F401
from corroborate import Library
from corroborate.settings import Settings

# The session's PostgreSQL cluster and per-test databases (skipped without Debian's binaries).
from pg_fixtures import pg_cluster, pg_url  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "euaa-peru-country-focus-2023.txt"
SAMPLE_ID = "euaa-peru-country-focus-2023"
# Everything a test reads ships in tests/data (see tests/data/PROVENANCE.md): a clone passes alone.
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="session", autouse=True)
def encoder_cache(tmp_path_factory):
    """The sentence encoder's cache (search/model_cache.py) in the session's temp folder, not in
    the user's home; subprocesses started by tests inherit it."""
    if "CORROBORATE_CACHE_DIR" in os.environ:
        yield
        return
    os.environ["CORROBORATE_CACHE_DIR"] = str(tmp_path_factory.mktemp("encoder-cache"))
    yield
    del os.environ["CORROBORATE_CACHE_DIR"]


@pytest.fixture(scope="session", autouse=True)
def ingest_without_e5():
    """Ingest embeds with USE only (CORROBORATE_E5=0; subprocesses inherit it): the second
    encoder costs ~0.3 s a paragraph on this machine. The shared sample (`sample_db_master`) is
    the exception: it is ingested with E5, so the search and ask tests on it rank as a user's
    library does; libraries a test ingests itself rank by the USE-only model."""
    if "CORROBORATE_E5" in os.environ:
        yield
        return
    os.environ["CORROBORATE_E5"] = "0"
    yield
    del os.environ["CORROBORATE_E5"]


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample_db_master(tmp_path_factory) -> Path:
    """The sample ingested once, with embeddings. Copy it (`sample_db`) before writing."""
    path = tmp_path_factory.mktemp("db") / "sample.db"
    with Library(path, settings=Settings(e5=True)) as lib:
        lib.ingest(SAMPLE)
    return path


@pytest.fixture(scope="session")
def sample_lib(sample_db_master) -> Library:
    """Read-only use of the ingested sample: do not write through this one."""
    lib = Library(sample_db_master)
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def sample_report(sample_lib):
    return sample_lib.report(SAMPLE_ID)


@pytest.fixture
def sample_db(sample_db_master, tmp_path) -> Path:
    """A private, writable copy of the ingested sample database."""
    dst = tmp_path / "sample.db"
    shutil.copy(sample_db_master, dst)
    return dst


@pytest.fixture(scope="session")
def several_reports(sample_db_master, tmp_path_factory) -> Library:
    """A library of five reports with embeddings: the sample (Peru), the Home Office CPIN on
    Colombia and the corpus PDFs (an IACHR report, two law articles). Read-only."""
    folder = tmp_path_factory.mktemp("several-reports")
    db = folder / "lib.db"
    shutil.copy(sample_db_master, db)
    cpin = DATA / "corpus" / "cpin" / "cpin-colombia-internal-relocation-2026-03.html"
    wrapped = folder / cpin.name  # a GOV.UK body fragment: wrapped so that it sniffs as HTML
    wrapped.write_bytes(b"<html><body>" + cpin.read_bytes() + b"</body></html>")
    lib = Library(db)
    lib.ingest(wrapped)
    pdfs = sorted((DATA / "corpus" / "pdf").glob("*.pdf"))
    for pdf in pdfs:
        lib.ingest(pdf)
    assert len(lib.reports()) == 2 + len(pdfs) >= 4
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def module_sample_lib(sample_db_master, tmp_path_factory) -> Library:
    """A writable copy of the ingested sample shared by one test module (exports, compile)."""
    db = tmp_path_factory.mktemp("module-db") / "sample.db"
    shutil.copy(sample_db_master, db)
    lib = Library(db)
    yield lib
    lib.close()


@pytest.fixture
def empty_db(tmp_path) -> Path:
    return tmp_path / "empty.db"
