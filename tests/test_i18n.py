"""The interface in Spanish and English: the catalogues, the locale of each request, and pages
rendered in Spanish on the real sample library."""

from __future__ import annotations

import importlib.util
import re
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import SAMPLE_ID
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


def test_lang_filter_of_search_is_not_the_interface_switch(client):
    """`lang=` already filters search hits and sources by the cited sources' language."""
    r = client.get("/sources", params={"lang": "es"}, headers={**HTML, "accept-language": "en"})
    assert _lang(r.text) == "en"
    assert "corroborate_lang" not in r.headers.get("set-cookie", "")


def test_concurrent_requests_keep_their_own_language(client):
    """Pages render in worker threads at the same time: no request sees another's language."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(i: int) -> tuple[str, str]:
        want = "es" if i % 2 else "en"
        r = client.get("/sources", headers={**HTML, "accept-language": want})
        return want, _lang(r.text) + ("|Fuentes" if "<h1>Fuentes" in r.text else "|Sources")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(fetch, range(24)))
    for want, got in results:
        assert got == ("es|Fuentes" if want == "es" else "en|Sources")


# English labels that must not be left on a Spanish page (visible text and labels, not report text)
LEFTOVERS = ["Skip to main content", "Search", "Ask", "Sources", "Search the reports",
             "Read in context", "Footnotes", "Download", "Cite this paragraph", "Copy quote with citation",
             "Filter results", "Methodology audit", "Terms-of-reference coverage", "text missing in the source",
             "Published", "information until", "footnotes", "paragraphs", "Apply filters", "All types",
             "findings", "Severity at least", "Principle", "Show all", "Table of contents", "Glossary",
             "Information cut-off", "Permanent link", "opens in a new tab", "Sources cited in footnote",
             "is referenced in the text", "warning", "covered", "gaps"]


def _visible(html: str) -> str:
    """What a reader sees or hears of the page (text, aria-labels, titles), without the report's
    own text, quotes, citations and section titles (those stay as published)."""
    for pattern in (r"(?s)<script.*?</script>", r"(?s)<article.*?</article>", r"(?s)<blockquote.*?</blockquote>",
                    r"(?s)<textarea.*?</textarea>", r'(?s)<p class="fn-text">.*?</p>', r'(?s)<ul class="cits".*?</ul>',
                    r'(?s)<span class="(?:chip-label|facet__label|tor-item__text|tor-facet[^"]*)">.*?</span>',
                    r"(?s)<cite>.*?</cite>", r"(?s)<h3.*?</h3>", r'(?s)<select id="f-report".*?</select>',
                    r'(?s)<p class="hit__where">.*?</p>', r'(?s)<nav class="toc".*?</nav>', r"(?s)<code>.*?</code>",
                    r'(?s)<span class="src-author">.*?</span>', r'(?s)<a class="ext".*?</a>',
                    r'(?s)<blockquote class="finding__evidence">.*?</blockquote>', r'(?s)<title>.*?</title>',
                    r'(?s)<a class="brand".*?</a>', r'(?s)<span class="finding__where">.*?</span>',
                    r'(?s)<p class="tor-item__(?:sections|facets)[^"]*">.*?</p>', r'(?s)<ol>\s*<li><a href="/reports/[^"]*#p-.*?</ol>'):
        html = re.sub(pattern, " ", html)
    labels = re.findall(r'(?:aria-label|title|placeholder)="([^"]*)"', html)
    return re.sub(r"<[^>]+>", " ", html) + " " + " ".join(labels)


@pytest.mark.parametrize("path, spanish", [
    ("/", ["Informes de esta biblioteca", "437 notas al pie", "información hasta el 19 de septiembre de 2023",
           "auditoría metodológica", "Perú"]),
    ("/search?q=extorsión", ["Filtrar resultados", "Leer en contexto", "Tipo de fuente", "Citar",
                             "Copiar la cita con su referencia", "texto ausente en el documento de origen"]),
    (f"/reports/{SAMPLE_ID}", ["Índice", "Notas al pie", "Fecha de cierre de la información", "Citar este párrafo",
                               "Descargar con notas al pie:", "Enlace permanente a este párrafo"]),
    ("/sources", ["Aplicar filtros", "Todos los tipos", "Notas al pie que la citan"]),
    (f"/reports/{SAMPLE_ID}/audit", ["Auditoría metodológica", "165 notas al pie no tienen texto",
                                      "Gravedad mínima", "advertencia", "Transparencia y trazabilidad"]),
    (f"/reports/{SAMPLE_ID}/tor", ["Términos de referencia", "cubiertos", "lagunas"]),
    ("/upload", ["Subir informes", "Subir e incorporar"]),
])
def test_spanish_pages_have_spanish_labels_and_no_english_leftovers(client, path, spanish):
    r = client.get(path, headers={**HTML, "accept-language": "es-ES,es;q=0.9"})
    assert r.status_code == 200 and _lang(r.text) == "es"
    assert '>Informes</a>' in r.text and '>Reports</a>' not in r.text
    shown = _visible(r.text)
    for label in spanish:
        assert label in r.text, label
    left = [label for label in LEFTOVERS if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", shown)]
    assert not left, f"{path}: English left on the Spanish page: {left}"


def test_the_same_page_in_english_keeps_english(client):
    r = client.get("/search?q=extortion", headers={**HTML, "accept-language": "en"})
    assert "Filter results" in r.text and "Read in context" in r.text and "Filtrar" not in r.text
    assert "data-messages=" not in r.text  # the scripts' English is their own


def test_scripts_get_their_spanish_messages(client):
    r = client.get("/search?q=extorsión", headers={**HTML, "accept-language": "es"})
    import html
    import json

    data = json.loads(html.unescape(re.search(r'<body[^>]* data-messages="([^"]*)"', r.text).group(1)))
    assert data["Copied ✓"] == "Copiado ✓"
    assert data["Footnote %(n)s"] == "Nota al pie %(n)s"


# --- ask and compile: the question's language ---------------------------------------------------

SPANISH_NOT_COVERED = "¿Existe la poligamia en Perú?"


def test_api_ask_answers_a_spanish_question_with_spanish_fixed_texts(client):
    es = client.get("/api/ask", params={"q": SPANISH_NOT_COVERED}).json()
    assert es["found"] is False and es["quotes"] == []  # machine fields as before
    assert es["answer"] == "Information on this question could not be found among the sources consulted."
    assert es["lang"] == "es"
    assert es["message"] == "No se ha podido encontrar información sobre esta pregunta entre las fuentes consultadas."
    en = client.get("/api/ask", params={"q": "Is polygamy practised in Peru?"},
                    headers={"accept-language": "es"}).json()
    assert en["lang"] == "en"  # the question's language, not the browser's
    assert en["message"] == en["answer"] == "Information on this question could not be found among the sources consulted."


def test_ask_page_answer_in_the_question_language_inside_the_readers_interface(client):
    r = client.get("/ask", params={"q": SPANISH_NOT_COVERED}, headers={**HTML, "accept-language": "en"})
    assert _lang(r.text) == "en" and ">Reports</a>" in r.text  # the interface stays English
    assert '<section class="answer" aria-labelledby="answer-title" lang="es">' in r.text
    assert "No se ha podido encontrar información sobre esta pregunta entre las fuentes consultadas." in r.text
    assert "Respuesta a «¿Existe la poligamia en Perú?»" in r.text
    assert "Buscar las palabras en su lugar" in r.text


# A refusal because the library has no word for one of the question's words names that word, in
# the question's language.
def test_ask_page_names_the_word_the_library_lacks(client):
    es = client.get("/ask", params={"q": "¿Hay censura de internet en el Perú?"}, headers={**HTML, "accept-language": "en"})
    assert "Ningún informe de esta biblioteca tiene una palabra para: censura." in es.text
    en = client.get("/ask", params={"q": "Is polygamy practised in Peru?"}, headers={**HTML, "accept-language": "es"})
    assert "No report in this library has a word for: polygamy." in en.text
    # refused on its score alone: nothing to name
    other = client.get("/ask", params={"q": SPANISH_NOT_COVERED}, headers=HTML)
    assert "answer__none" in other.text and "answer__unknown" not in other.text


def test_compiled_response_in_the_questions_language(client):
    r = client.get("/api/compile", params={"q": ["¿Qué grupos criminales operan en Lima?", SPANISH_NOT_COVERED],
                                           "format": "md"})
    assert r.status_code == 200
    md = r.text
    for heading in ("Respuesta a consulta COI", "Preguntas", "Metodología y cláusula de exención de responsabilidad",
                    "Fuentes citadas", "Informes citados"):
        assert heading in md, heading
    assert "No se ha podido encontrar información sobre ‘¿Existe la poligamia en Perú’ entre las fuentes " \
           "consultadas dentro del plazo disponible para esta consulta." in md
    assert re.search(r"Elaborada el \d{1,2} de [a-z]+ de \d{4}", md)
    for english in ("COI query response", "Methodology and disclaimer", "Sources cited", "could not be found"):
        assert english not in md
    en = client.get("/api/compile", params={"q": "Is polygamy practised in Peru?", "format": "md"}).text
    assert "COI query response" in en and "could not be found among the sources consulted" in en


def test_sign_in_page_and_its_error_in_spanish(tmp_path):
    from corroborate.users import Caller, Users
    from corroborate.web import auth

    db = tmp_path / "users.db"
    from corroborate import Library

    with Library(db) as lib:
        Users(lib.store).add("ana", "reader", Caller("test setup", "admin"))
        Users(lib.store).set_password("ana", "correct horse battery staple", Caller("test setup", "admin"))
    client = TestClient(create_app(Settings(db=str(db), embeddings=False)))
    es = {**HTML, "accept-language": "es"}
    page = client.get("/signin", headers=es)
    assert "Iniciar sesión" in page.text and "Nombre de usuario" in page.text and "Contraseña" in page.text
    r = client.post("/signin", data={"name": "ana", "password": "wrong", "next": "/",
                                     "csrf": client.cookies.get(auth.CSRF_COOKIE)}, headers=es)
    assert r.status_code == 401
    assert "Nombre de usuario o contraseña incorrectos." in r.text and "Wrong user name" not in r.text


def test_400_and_500_pages_in_spanish(tmp_path):
    app = create_app(Settings(db=str(tmp_path / "empty.db"), embeddings=False))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    client = TestClient(app, raise_server_exceptions=False)
    es = {**HTML, "accept-language": "es"}
    bad = client.get("/search", params={"q": "extorsión", "page": "0"}, headers=es)
    assert bad.status_code == 400 and _lang(bad.text) == "es"
    assert "No se ha podido realizar esta búsqueda" in bad.text and "Revise la consulta" in bad.text
    assert "could not be run" not in bad.text
    broken = client.get("/boom", headers=es)
    assert broken.status_code == 500 and _lang(broken.text) == "es"
    assert "Se ha producido un error" in broken.text and "error interno" in broken.text
    assert "Something went wrong" not in broken.text and "a bug" not in broken.text
    assert "Something went wrong" in client.get("/boom", headers=HTML).text
