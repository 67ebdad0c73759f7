"""The web UI on a phone (issue 16): Chromium at 390×844 CSS pixels over the real sample.

On the search page the first result is above the fold (the filters are folded away above the
results); no page scrolls sideways (the audit page's wide table scrolls inside its own box);
the reader's copy button sits under its own paragraph, not beside the next one. Screenshots go
to $CORROBORATE_SHOTS (default: a temporary folder) for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SAMPLE_ID

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("CORROBORATE_SHOTS") or tmp_path_factory.mktemp("phone-shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def phone(browser, base_url):
    # Chromium's window at a phone's size, as the screenshots were taken (a mouse: the
    # reader's tools would appear on hover on a wide screen)
    context = browser.new_context(viewport=PHONE, base_url=base_url, device_scale_factor=1)
    context.set_default_timeout(60_000)  # the first semantic query loads the embedding model
    page = context.new_page()
    yield page
    context.close()


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: the page is {width}px wide"


def _shot(page, shots: Path, name: str) -> None:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 5_000


@pytest.mark.parametrize("locale", ["en", "es"])  # Spanish labels are longer
def test_search_shows_the_first_result_above_the_fold(phone, shots, locale):
    phone.goto(f"/search?q=Tren+de+Aragua+members&locale={locale}")
    first = phone.locator(".hit").first
    first.wait_for()
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] < PHONE["height"], box
    # the filters are there, folded: one tap opens them
    fold = phone.locator("details.facets-fold")
    assert fold.count() == 1 and fold.get_attribute("open") is None
    assert not phone.locator(".facet").first.is_visible()
    _no_sideways_scroll(phone)
    _shot(phone, shots, f"phone-search-{locale}")
    fold.locator(":scope > summary").click()
    assert phone.locator(".facet").first.is_visible()
    _no_sideways_scroll(phone)
    _shot(phone, shots, f"phone-search-filters-{locale}")


def test_the_audit_table_scrolls_inside_its_box(phone, shots):
    phone.goto(f"/reports/{SAMPLE_ID}/audit")
    table = phone.locator("table.audit-summary")
    table.wait_for()
    _no_sideways_scroll(phone)
    wrap = table.locator("xpath=..")
    assert wrap.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    box = wrap.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    table.scroll_into_view_if_needed()
    _shot(phone, shots, "phone-audit")


def test_the_readers_copy_button_belongs_to_its_paragraph(phone, shots):
    phone.goto(f"/reports/{SAMPLE_ID}")
    para = phone.locator(".para").filter(has=phone.locator('a.fn-ref[data-fn="298"]')).first
    para.scroll_into_view_if_needed()
    para.hover()
    button = para.locator(".copy-btn")
    button.wait_for(state="visible")
    b, p = button.bounding_box(), para.bounding_box()
    # inside its own paragraph's box, below the paragraph's text
    text = para.locator(".para__text").bounding_box()
    assert p["y"] <= b["y"] and b["y"] + b["height"] <= p["y"] + p["height"] + 1, (b, p)
    assert b["y"] >= text["y"] + text["height"] - 1, (b, text)
    following = para.locator("xpath=following-sibling::*[contains(@class, 'para')][1]").bounding_box()
    assert following is None or b["y"] + b["height"] <= following["y"], (b, following)
    _no_sideways_scroll(phone)
    _shot(phone, shots, "phone-reader")


def test_new_for_your_searches_fits_a_phone(phone, shots):
    phone.goto("/searches")
    phone.locator("h1").wait_for()
    _no_sideways_scroll(phone)
    _shot(phone, shots, "phone-searches")
