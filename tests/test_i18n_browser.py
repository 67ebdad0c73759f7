"""A Spanish-speaking caseworker in Debian chromium: switches the interface to Spanish, asks in
Spanish, gets the answer's fixed texts and the not-found statement in Spanish, and the choice
sticks from page to page. Runs the real app (uvicorn) over a copy of the ingested sample.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

COVERED = "¿Qué grupos criminales operan en Lima?"
NOT_COVERED = "¿Existe la poligamia en Perú?"
NOT_FOUND_ES = "No se ha podido encontrar información sobre esta pregunta entre las fuentes consultadas."


@pytest.fixture
def page(browser, base_url):
    # an English browser: Spanish comes from the switch, not from Accept-Language
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url, locale="en-GB")
    context.set_default_timeout(60_000)  # the first semantic query loads the embedding model
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    pg = context.new_page()
    yield pg
    context.close()


def _ask(page, question: str) -> None:
    box = page.get_by_label("Busque en los informes o haga una pregunta")
    box.fill(question)
    page.get_by_role("button", name="Preguntar", exact=True).first.click()
    page.wait_for_url("**mode=ask**")


def test_spanish_session_asks_and_reads_spanish_fixed_texts(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Reports", exact=True).is_visible()
    page.get_by_role("link", name="Español").click()

    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    nav = page.get_by_role("navigation", name="Principal")
    for label in ("Informes", "Buscar", "Preguntar", "Fuentes"):
        assert nav.get_by_role("link", name=label, exact=True).is_visible()
    assert page.get_by_role("heading", name="Informes de esta biblioteca").is_visible()

    _ask(page, COVERED)
    assert page.locator("html").get_attribute("lang") == "es"
    answer = page.locator("section.answer")
    assert answer.get_attribute("lang") == "es"
    assert page.get_by_role("heading", name=f"Respuesta a «{COVERED}»").is_visible()
    assert answer.get_by_text("Cada punto siguiente es una cita literal de un informe").is_visible()
    assert answer.get_by_role("link", name="Leer en contexto").first.is_visible()
    assert answer.get_by_text("Descargar las citas con sus notas al pie:").is_visible()
    assert answer.get_by_role("button", name="Copiar la cita con su referencia").first.is_visible()
    copy = answer.locator(".copy-btn").first  # by place: its name changes once clicked
    copy.click()
    # A locator wait, not wait_for_function: the page's CSP forbids eval, which a string predicate needs
    page.locator(".copy-btn.is-done").first.wait_for(state="attached")
    assert copy.inner_text() == "Copiado ✓"  # the script's own messages are Spanish too
    text = answer.inner_text()
    for english in ("Answer to", "Read in context", "Each point below", "Download the quotes", "Copy quote"):
        assert english not in text

    _ask(page, NOT_COVERED)
    status = page.get_by_role("status").filter(has_text="No se ha podido encontrar")
    assert status.inner_text().strip() == NOT_FOUND_ES
    assert page.get_by_role("link", name="Buscar las palabras en su lugar").is_visible()
    assert "could not be found" not in page.locator("main").inner_text()

    # the choice sticks (cookie) on a page reached without ?locale=
    page.goto("/sources")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("button", name="Aplicar filtros").is_visible()
    page.goto("/reports/no-such-report")
    assert page.get_by_role("heading", name="No encontrado").is_visible()
    assert page.get_by_text("No hay ningún informe «no-such-report» en esta biblioteca.").is_visible()


def test_an_english_question_in_the_spanish_interface_gets_english_fixed_texts(page):
    page.goto("/?locale=es")
    page.goto("/ask?q=" + quote("Is polygamy practised in Peru?"))
    assert page.locator("html").get_attribute("lang") == "es"  # the interface: the reader's choice
    assert page.get_by_role("button", name="Preguntar", exact=True).is_visible()
    answer = page.locator("section.answer")
    assert answer.get_attribute("lang") == "en"  # the answer: the question's language
    assert "could not be found among the sources consulted" in answer.inner_text()
