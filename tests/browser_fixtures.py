"""What the browser tests share (fixtures registered by conftest): Debian chromium with the
flags this machine needs (a test asking for `browser` is skipped when chromium or python
playwright is missing), a live server over a copy of the ingested sample, one browser per
module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corroborate.settings import Settings
from live_server import live_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

def copy_sample(sample_db_master: Path, folder: Path) -> Path:
    """A private copy of the ingested sample (with its WAL files), for a server to change."""
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{sample_db_master}{suffix}")
        if src.exists():
            shutil.copy(src, folder / f"sample.db{suffix}")
    return folder / "sample.db"


@pytest.fixture(scope="module")
def base_url(sample_db_master, tmp_path_factory) -> str:
    """The real app served by uvicorn over this module's own copy of the sample."""
    from corroborate.web.app import create_app

    db = copy_sample(sample_db_master, tmp_path_factory.mktemp("browser-db"))
    with live_server(create_app(Settings(db=str(db)))) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM}")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="python playwright is not installed")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
