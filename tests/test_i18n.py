"""The interface in Spanish and English: the catalogues, the locale of each request, and pages
rendered in Spanish on the real sample library."""

from __future__ import annotations

import importlib.util
import re
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corroborate import i18n
from corroborate.settings import Settings
from corroborate.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
HTML = {"accept": "text/html"}


def _messages_script():
    spec = importlib.util.spec_from_file_location("messages", ROOT / "scripts" / "messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- catalogues ---------------------------------------------------------------------------------

def test_every_extracted_message_has_a_spanish_translation():
    """A new label marked with _() in a module or template fails here until `make messages` has
    added it and it is translated in locales/es/LC_MESSAGES/messages.po."""
    messages = _messages_script()
    template = messages.extract()
    assert len(template) > 40  # the extraction really found the marked strings
    spanish = messages.load("es")
    missing = [m.id for m in template if m.id and (m.id not in spanish or spanish[m.id] is None)]
    assert not missing, f"not in the Spanish catalogue (run `make messages`): {missing[:10]}"
    untranslated = messages.untranslated(messages.updated("es", template))
    assert not untranslated, f"no Spanish translation: {untranslated[:10]}"


def test_catalogues_are_up_to_date_with_the_sources():
    assert _messages_script().main(["--check"]) == 0


def test_placeholders_survive_translation():
    """A msgstr that drops or renames a %(name)s placeholder would fail at run time."""
    spanish = _messages_script().load("es")
    for m in spanish:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(re.findall(r"%\((\w+)\)", ids[-1]))
        for s in strings:
            assert set(re.findall(r"%\((\w+)\)", s)) <= wanted | {"num"}, (m.id, s)
            assert set(re.findall(r"%\((\w+)\)", s)) >= wanted - {"num"}, (m.id, s)


def test_gettext_follows_the_locale_of_the_calling_context_only():
    assert i18n.gettext("Search") == "Search"
    with i18n.use_locale("es"):
        assert i18n.gettext("Search") == "Buscar"
        assert i18n.gettext("There is no page at %(path)s.", path="/x") == "No existe ninguna página en /x."
        seen = []
        other = threading.Thread(target=lambda: seen.append(i18n.gettext("Search")))
        other.start()
        other.join()
        assert seen == ["Search"]  # another thread (another request) is not switched
    assert i18n.gettext("Search") == "Search"
    assert i18n.translate("Search", "es") == "Buscar"
    assert i18n.translate("Search", "fr") == "Search"  # unsupported: the source language


# --- choosing the locale ------------------------------------------------------------------------

@pytest.mark.parametrize("header, expected", [
    ("es-ES,es;q=0.9,en;q=0.8", "es"),
    ("en-GB,en;q=0.9,es;q=0.8", "en"),
    ("fr-FR,fr;q=0.9,es;q=0.5,en;q=0.3", "es"),  # the best supported one, by q-value
    ("fr-FR,fr;q=0.9,en;q=0.5,es;q=0.7", "es"),
    ("en;q=0.2, es-PE;q=0.6", "es"),  # order in the header does not matter, q does
    ("es;q=0, en;q=0.1", "en"),  # q=0 means "not this one"
    ("ES", "es"),
    ("de, fr", None),
    ("*", None),
    ("", None),
    ("es;q=abc, en", "en"),  # a broken range is skipped, not fatal
])
def test_accept_language_with_q_values(header, expected):
    assert i18n.negotiate(header) == expected


def test_explicit_choice_then_cookie_then_browser_then_english():
    assert i18n.choose_locale("es", "en", "en") == "es"
    assert i18n.choose_locale(None, "es", "en-GB") == "es"
    assert i18n.choose_locale("xx", "es", "en") == "es"  # an unknown ?locale= is ignored
    assert i18n.choose_locale(None, "xx", "es-MX,es;q=0.9") == "es"
    assert i18n.choose_locale(None, None, "de-DE") == "en"
    assert i18n.choose_locale(None, None, None) == "en"


def test_dates_in_the_readers_locale():
    assert i18n.format_iso_date("2023-03-20", "en") == "20 March 2023"
    assert i18n.format_iso_date("2023-03-20", "es") == "20 de marzo de 2023"
    assert i18n.format_iso_date("2023-09", "es") == "septiembre de 2023"
    assert i18n.format_iso_date("2023-09", "en") == "September 2023"
    assert i18n.format_iso_date("2023", "es") == "2023"
    assert i18n.format_iso_date("sometime", "es") == "sometime"
    with i18n.use_locale("es"):
        assert i18n.format_iso_date("2023-02-14") == "14 de febrero de 2023"


# --- pages --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(sample_db_master) -> TestClient:
    return TestClient(create_app(Settings(db=str(sample_db_master))))


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def test_english_by_default_and_spanish_from_accept_language(client):
    en = client.get("/", headers=HTML)
    assert _lang(en.text) == "en" and ">Reports</a>" in en.text
    es = client.get("/", headers={**HTML, "accept-language": "es-ES,es;q=0.9,en;q=0.5"})
    assert _lang(es.text) == "es" and ">Informes</a>" in es.text
    assert es.headers["content-language"] == "es"
    assert 'hreflang="en"' in es.text  # the switch offers the other language


def test_lang_switch_sticks_in_a_cookie(sample_db_master):
    c = TestClient(create_app(Settings(db=str(sample_db_master))))
    first = c.get("/?locale=es", headers={**HTML, "accept-language": "en"})
    assert _lang(first.text) == "es"
    assert "corroborate_lang=es" in first.headers["set-cookie"]
    later = c.get("/sources", headers={**HTML, "accept-language": "en"})  # no ?locale= any more
    assert _lang(later.text) == "es" and ">Fuentes</a>" in later.text
    back = c.get("/?locale=en", headers=HTML)
    assert _lang(back.text) == "en"
    assert _lang(c.get("/", headers={**HTML, "accept-language": "es"}).text) == "en"  # the choice wins


def test_error_pages_in_spanish(client):
    r = client.get("/no/such/page", headers={**HTML, "accept-language": "es"})
    assert r.status_code == 404
    assert "Página no encontrada" in r.text and "No existe ninguna página en /no/such/page." in r.text
    assert "Page not found" not in r.text
    api = client.get("/api/no/such", headers={"accept-language": "es"})
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}  # machine field unchanged
