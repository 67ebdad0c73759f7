"""Signing in, reading and uploading in a real browser (Debian chromium via playwright, the
launch setup of `test_web_browser.py`), against uvicorn serving a copy of the ingested sample
with a reader and a researcher."""

from __future__ import annotations

import pytest

from browser_fixtures import copy_sample
from conftest import DATA, SAMPLE_ID
from corroborate import Library
from corroborate.settings import Settings
from corroborate.users import Caller, Users
from live_server import live_server

PASSWORD = "correct horse battery staple"
PDF = DATA / "corpus" / "pdf" / "mpilhlt_klimaseniorinnen_10.25364_01.11-2024.1.5.pdf"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(sample_db_master, tmp_path_factory) -> str:
    from corroborate.web.app import create_app

    db = copy_sample(sample_db_master, tmp_path_factory.mktemp("browser-auth"))
    with Library(db) as lib:
        users = Users(lib.store)
        for name, role in (("rita", "reader"), ("sam", "researcher")):
            users.add(name, role, Caller("setup", "admin"))
            users.set_password(name, PASSWORD, Caller("setup", "admin"))
    app = create_app(Settings(db=str(db), embeddings=False))
    with live_server(app) as url:
        yield url


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    context.set_default_timeout(60_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()
    # the Content-Security-Policy would report blocked inline script here
    assert not [e for e in errors if "Content Security Policy" in e], errors


def sign_in(page, name: str) -> None:
    page.goto("/search?q=police")
    page.wait_for_url("**/signin?next=**")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/search?q=police")


def test_reader_signs_in_searches_sees_no_write_controls_and_signs_out(page):
    page.goto("/signin")
    page.get_by_label("User name").fill("rita")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert "Wrong user name or password" in page.locator("#signin-error").inner_text()

    sign_in(page, "rita")
    assert page.locator(".hit").count() > 0
    assert "rita" in page.locator(".account__name").inner_text()
    assert page.locator('a[href="/upload"]').count() == 0
    page.goto(f"/reports/{SAMPLE_ID}")
    assert page.locator("#delete-report").count() == 0 and page.locator("#edit-metadata").count() == 0
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/signin")
    page.goto("/")
    page.wait_for_url("**/signin?next=/")


def test_researcher_uploads_a_pdf_and_finds_it_in_search(page):
    sign_in(page, "sam")
    page.locator('a[href="/upload"]').click()
    page.wait_for_url("**/upload")
    page.set_input_files("#upload-file", str(PDF))
    page.get_by_role("button", name="Upload and ingest").click()
    page.wait_for_url("**/jobs/*")
    # upload.js polls the job until the file is in
    page.locator('#job[data-done="yes"]').wait_for(timeout=120_000)
    assert "added" in page.locator("#job tbody").inner_text()
    page.locator("#job tbody a").first.click()
    page.wait_for_url("**/reports/*")
    assert "KlimaSeniorinnen" in page.locator("h1").inner_text()
    assert page.locator("#delete-report").count() == 1
    page.goto("/search?q=KlimaSeniorinnen")
    assert "KlimaSeniorinnen" in page.locator(".hit").first.inner_text()
