"""The web UI in a real browser: Debian chromium driven by playwright against uvicorn serving
the real app over a copy of the ingested sample report.

Screenshots of every page go to $CORROBORATE_SHOTS (default: a temporary folder) so a person
can look at them: `CORROBORATE_SHOTS=/tmp/shots pytest -m browser tests/test_web_browser.py`.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import SAMPLE_ID

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=base_url)
    context.set_default_timeout(60_000)  # the first semantic query loads the embedding model
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("CORROBORATE_SHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _search(page, query: str) -> None:
    page.goto("/")
    box = page.get_by_label("Search the reports or ask a question")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url("**/search?**")


def _footnote_marker(page, n: int):
    return page.locator(f'.para a.fn-ref[data-fn="{n}"]').first


def test_search_opens_reader_at_the_paragraph(page):
    _search(page, "Tren de Aragua members")
    first = page.locator(".hit__link").first
    assert "Tren de Aragua" in first.inner_text()
    first.click()
    page.wait_for_url(f"**/reports/{SAMPLE_ID}#p-*")
    pid = page.url.split("#", 1)[1]
    target = page.locator(f"#{pid}")
    assert target.is_visible()
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == pid
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, "the paragraph is scrolled into view"
    assert "Tren de Aragua" in target.inner_text()


def test_footnote_298_opens_in_place_with_its_citation(page):
    page.goto(f"/reports/{SAMPLE_ID}")
    marker = _footnote_marker(page, 298)
    marker.scroll_into_view_if_needed()
    marker.click()
    popover = page.locator("#fn-popover")
    popover.wait_for(state="visible")
    assert "Transparencia Venezuela, Economías ilícitas" in popover.inner_text()
    assert marker.get_attribute("aria-expanded") == "true"
    assert "#fn-298" not in page.url, "with JavaScript the reader stays where it is"
    page.keyboard.press("Escape")
    popover.wait_for(state="hidden")
    assert marker.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.getAttribute('data-fn')") == "298"


def test_footnote_298_without_javascript_jumps_to_the_panel(browser, base_url, shots):
    context = browser.new_context(java_script_enabled=False, base_url=base_url,
                                  viewport={"width": 1440, "height": 900})
    try:
        pg = context.new_page()
        pg.goto(f"/reports/{SAMPLE_ID}")
        _footnote_marker(pg, 298).click()
        pg.wait_for_url("**#fn-298")
        note = pg.locator("#fn-298")
        assert note.is_visible()
        assert "Transparencia Venezuela, Economías ilícitas" in note.inner_text()
        pg.screenshot(path=str(shots / "footnote-nojs.png"))
        # the citation to copy by hand is one click away
        cite = pg.locator(".para .cite summary").first
        cite.click()
        assert pg.locator(".para .cite textarea").first.is_visible()
    finally:
        context.close()


def test_sources_lead_to_insight_crime_and_its_paragraphs(page):
    page.goto("/sources")
    link = page.locator("table.sources-table a", has_text="InSight Crime").first
    link.click()
    page.wait_for_url("**/sources/*")
    assert "InSight Crime" in page.locator("h1").inner_text()
    citing = page.locator(".citing-par footer a")
    assert citing.count() > 0
    citing.first.click()
    page.wait_for_url(f"**/reports/{SAMPLE_ID}#p-*")
    assert page.locator(":target").is_visible()


def test_query_with_script_is_shown_as_text(page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    payload = "<script>alert(1)</script>"
    _search(page, payload)
    page.goto(f"/search?q={quote(payload)}&mode=ask")
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.get_by_label("Search the reports or ask a question").input_value() == payload
    assert payload in page.locator("h2#answer-title").inner_text()


def test_copy_citation_puts_quote_and_footnotes_on_the_clipboard(page, base_url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page.goto(f"/reports/{SAMPLE_ID}")
    para = page.locator(".para").filter(has=page.locator('a.fn-ref[data-fn="298"]')).first
    para.scroll_into_view_if_needed()
    para.hover()
    button = para.locator(".copy-btn")
    button.click()
    # A locator wait, not wait_for_function: the page's CSP forbids eval, which a string predicate needs
    page.locator(".copy-btn.is-done").first.wait_for(state="attached")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "[298]" in copied and "Transparencia Venezuela, Economías ilícitas" in copied
    assert copied.startswith("“")


def test_keyboard_skip_link_and_focus(page):
    page.goto("/sources")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_screenshots_of_every_page(page, shots):
    def shot(name: str) -> None:
        path = shots / f"{name}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000

    page.goto("/")
    shot("home")
    _search(page, "Tren de Aragua members")
    shot("results")
    page.goto(f"/ask?q={quote('¿Está penalizado el aborto en casos de violación?')}")
    page.locator(".quotes, .answer__none").first.wait_for()
    shot("ask")
    page.goto(f"/reports/{SAMPLE_ID}")
    shot("reader")
    marker = _footnote_marker(page, 298)
    marker.scroll_into_view_if_needed()
    marker.click()
    page.locator("#fn-popover").wait_for(state="visible")
    shot("footnote-open")
    page.goto("/sources")
    shot("sources")
    page.locator("table.sources-table a", has_text="InSight Crime").first.click()
    page.wait_for_url("**/sources/*")
    shot("source")
    page.goto("/reports/no-such-report")
    shot("404")
    page.goto(f"/search?q={quote(chr(34) + 'unclosed')}")
    shot("400")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/reports/{SAMPLE_ID}")
    shot("reader-phone")


def test_copy_falls_back_to_selecting_the_citation(browser, base_url):
    """Without the Clipboard API (old browser, insecure origin) the citation is opened and
    selected so that Ctrl+C copies it."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1440, "height": 900})
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});")
    try:
        pg = context.new_page()
        pg.goto(f"/reports/{SAMPLE_ID}")
        para = pg.locator(".para").filter(has=pg.locator('a.fn-ref[data-fn="298"]')).first
        para.scroll_into_view_if_needed()
        para.hover()
        para.locator(".copy-btn").click()
        assert para.locator("details.cite").get_attribute("open") is not None
        selected = pg.evaluate(
            "(() => { const a = document.activeElement; return a.tagName === 'TEXTAREA' ?"
            " a.value.substring(a.selectionStart, a.selectionEnd) : ''; })()")
        assert "[298] Transparencia Venezuela, Economías ilícitas" in selected
    finally:
        context.close()


def test_footnote_popover_works_from_the_keyboard(page):
    page.goto(f"/reports/{SAMPLE_ID}")
    marker = _footnote_marker(page, 298)
    marker.focus()
    page.keyboard.press("Enter")
    popover = page.locator("#fn-popover")
    popover.wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "fn-popover"
    assert popover.get_attribute("role") == "dialog"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "popover__close"
    page.keyboard.press("Enter")
    popover.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.getAttribute('data-fn')") == "298"


def test_hovering_a_footnote_number_previews_it(page):
    page.goto(f"/reports/{SAMPLE_ID}")
    marker = _footnote_marker(page, 298)
    marker.scroll_into_view_if_needed()
    marker.hover()
    popover = page.locator("#fn-popover")
    popover.wait_for(state="visible")
    assert "Transparencia Venezuela" in popover.inner_text()
    assert page.evaluate("document.activeElement.id") != "fn-popover"  # a preview does not take focus
    page.mouse.move(5, 5)
    popover.wait_for(state="hidden")


def test_keyboard_home_focus_enter_on_ask_and_skip_to_results(page):
    # the home page's search box has the focus as soon as it loads (autofocus, no script)
    page.goto("/")
    assert page.evaluate("document.activeElement.id") == "q"
    # on the Ask page, Enter in the box asks (the form's first button is Ask there)
    page.goto("/ask")
    box = page.get_by_label("Search the reports or ask a question")
    box.fill("Who leads Tren de Aragua?")
    box.press("Enter")
    page.wait_for_url("**/search?**")
    assert "mode=ask" in page.url
    assert page.locator("#answer-title").is_visible()
    # on a results page the second Tab stop skips the form and the facets to the results
    _search(page, "Tren de Aragua members")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to results"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.hit') !== null")


def test_a_tor_pasted_on_the_tor_page_is_checked(page, shots):
    page.goto(f"/reports/{SAMPLE_ID}/tor")
    page.get_by_text("Check the report against another ToR").click()
    page.get_by_label("One topic per line").fill("Panorama general\n    - Libertad de circulación\n"
                                                 "Servicio militar\n    - Objeción de conciencia\n")
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(f"**/reports/{SAMPLE_ID}/tor")
    assert "Judged against the ToR given below" in page.locator(".notice").inner_text()
    items = page.locator(".tor-item__text").all_inner_texts()
    assert items == ["Panorama general", "Libertad de circulación", "Servicio militar", "Objeción de conciencia"]
    assert page.locator("#tor-2\\.1 .verdict").inner_text().strip().lower() == "gap"
    page.screenshot(path=str(shots / "tor-given.png"))
