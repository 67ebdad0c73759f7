"""Acceptance (issue 16, case files) in Chromium: a Spanish session asks a question, collects three
quotes into a case, reorders them, exports DOCX, and the DOCX has three real Word footnotes whose
links are the ones the reader shows for the same footnotes. Against uvicorn serving the real app
over a copy of the ingested sample; no JavaScript is needed for any of it.

Screenshots go to $CORROBORATE_SHOTS when set.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import SAMPLE_ID
from corroborate.export.case import METHOD_TITLE
from corroborate.i18n import translate
from test_cases import docx_footnotes, docx_text

pytestmark = pytest.mark.browser

QUESTION = "¿Cuántas comisarías había en el Perú en 2017?"


@pytest.fixture
def spanish_page(browser, base_url):
    context = browser.new_context(locale="es-ES", base_url=base_url, accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)  # the first question loads the sentence encoder
    yield context.new_page()
    context.close()


def _ask(page) -> None:
    page.goto("/ask")
    box = page.locator("#q")
    box.fill(QUESTION)
    box.press("Enter")
    page.wait_for_url("**/search?**mode=ask**")
    page.locator("ol.quotes").wait_for()


def _chips(quote) -> list[int]:
    return [int(re.search(r"\d+", t).group(0)) for t in quote.locator("details.chip summary").all_inner_texts()]


def test_spanish_caseworker_collects_reorders_and_exports_three_footnoted_quotes(spanish_page, tmp_path):
    page = spanish_page
    shots = Path(os.environ["CORROBORATE_SHOTS"]) if os.environ.get("CORROBORATE_SHOTS") else None
    _ask(page)
    assert page.locator("html").get_attribute("lang") == "es"
    quotes = page.locator("li.quote")
    # three quotes with one footnote each: the file must then carry exactly three footnotes
    chosen = [i for i in range(quotes.count()) if len(_chips(quotes.nth(i))) == 1][:3]
    assert len(chosen) == 3, "the answer should hold three quotes with one footnote each"
    texts = [quotes.nth(i).locator("blockquote").inner_text().strip() for i in chosen]
    numbers = [_chips(quotes.nth(i))[0] for i in chosen]
    assert len(set(numbers)) == 3

    for k, i in enumerate(chosen):
        if k:
            _ask(page)  # back on the answer for the next quote
        link = page.locator("li.quote").nth(i).locator("a.add-to-case")
        assert link.inner_text().startswith("Añadir al expediente")
        link.focus()
        page.keyboard.press("Enter")  # the control works from the keyboard
        page.wait_for_url("**/cases/add?**")
        assert page.locator("blockquote").inner_text().strip() == texts[k]
        if k == 0:
            page.locator("#case-new").check()
            assert page.locator("#new-language").input_value() == "es"  # the session's language
            page.locator("#new-name").fill("Solicitud 2026/118")
        else:  # the case used last is already chosen
            assert page.locator("input[name=case]:checked + label").inner_text().startswith("Solicitud 2026/118")
        page.locator("#note").fill(f"nota {k + 1}")
        page.locator("#add-submit").click()
        page.wait_for_url("**/cases/*?added=*")
        assert "La cita se ha añadido a este expediente." in page.locator("#added-notice").inner_text()
        assert page.locator("li.case-item").count() == k + 1
        page.locator("#back-link").click()
        page.wait_for_url("**/search?**mode=ask**")
    page.goto("/cases")
    page.get_by_role("link", name="Solicitud 2026/118").click()
    page.wait_for_url("**/cases/*")
    case_url = page.url
    items = page.locator("li.case-item")
    assert [items.nth(j).locator("blockquote").inner_text().strip() for j in range(3)] == texts

    # reorder: the third quote up to second place
    items.nth(2).locator("button.move-up").click()
    page.wait_for_url(f"{case_url}#item-*")
    order = [0, 2, 1]
    items = page.locator("li.case-item")
    assert [items.nth(j).locator("blockquote").inner_text().strip() for j in range(3)] == [texts[j] for j in order]
    if shots:
        page.screenshot(path=str(shots / "case-es.png"), full_page=True)

    with page.expect_download() as info:
        page.locator("a.export-docx").click()
    path = tmp_path / "case.docx"
    info.value.save_as(path)
    data = path.read_bytes()
    notes = docx_footnotes(data)
    assert len(notes) == 3, notes  # three real w:footnote elements
    expected = [numbers[j] for j in order]
    assert [int(re.search(r"nota (\d+)\)$", text).group(1)) for text, _ in notes] == expected
    body = docx_text(data)
    assert translate(METHOD_TITLE, "es").startswith("Metodología")
    assert translate(METHOD_TITLE, "es") in body and "Fuentes citadas" in body and "Nota: nota 1" in body

    # each footnote links where the reader's footnote links
    page.goto(f"/reports/{SAMPLE_ID}")
    for (_, links), n in zip(notes, expected, strict=True):
        reader_links = page.locator(f"#fn-{n} .fn-text a.ext").evaluate_all("els => els.map(e => e.href)")
        assert links == reader_links, n
        assert links, f"footnote {n} has a link in the reader"
