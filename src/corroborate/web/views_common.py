"""What every HTML page shares: the template environment, access to the Library, error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from corroborate import i18n
from corroborate.i18n import N_
from corroborate.library import Library
from corroborate.metadata import DOCUMENT_TYPE_LABELS
from corroborate.models import Source
from corroborate.urls import safe_url
from corroborate.users import OPEN_MODE
from corroborate.web import render
from corroborate.web.locale import request_locale

WEB = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(WEB / "templates"))
# The templates ship inside the package and change only with it: no stat() of the template file
# on every render (it showed in profiles of the search page under load). Restart to see an edit.
templates.env.auto_reload = False
templates.env.globals.update(
    human_date=render.human_date,
    snippet_html=render.snippet_html,
    MISSING_FOOTNOTE=render.MISSING_FOOTNOTE,
)
templates.env.filters["human_date"] = render.human_date
templates.env.filters["url_host"] = render.url_host
templates.env.filters["footnote_html"] = render.footnote_html
templates.env.filters["safe_url"] = safe_url
templates.env.filters["country_name"] = i18n.country_name
templates.env.globals["DOCUMENT_TYPE_LABELS"] = i18n.Labels(DOCUMENT_TYPE_LABELS)
templates.env.filters["capitalize_first"] = lambda text: text[:1].upper() + text[1:]
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def in_language(locale: str, caller: Any) -> str:
    """`{% call in_language(lang) %}…{% endcall %}`: the block's fixed texts in `locale` (an
    answer's fixed texts follow the language of the question, the rest of the page the reader's)."""
    with i18n.use_locale(locale):
        return caller()


# `_()`, `gettext`, `ngettext` and `{% trans %}` in every template and macro, in the locale of the
# request being rendered (a context variable set by `page`, never a process-wide install).
templates.env.add_extension("jinja2.ext.i18n")
templates.env.policies["ext.i18n.trimmed"] = True
templates.env.install_gettext_callables(i18n.template_gettext, i18n.template_ngettext, newstyle=True)
# `text|translate`: a text from a registry (audit rules), translated as it is, with no placeholders
# (`_()` in a template always %-formats, so a literal "80%" would break it).
templates.env.filters["translate"] = i18n.gettext
templates.env.globals.update(current_locale=i18n.current_locale, LOCALE_NAMES=i18n.LOCALE_NAMES,
                             in_language=in_language)

# Read in the reader's language (`i18n.Labels`).
SOURCE_TYPE_LABELS = i18n.Labels({
    "government": N_("Government"),
    "igo": N_("Intergovernmental (UN …)"),
    "ngo": N_("NGO"),
    "media": N_("Media"),
    "academic": N_("Academia / think tank"),
    "oral": N_("Oral source"),
    "legislation": N_("Legislation"),
    "other": N_("Other"),
})
LANGUAGE_LABELS = i18n.Labels({"en": N_("English"), "es": N_("Spanish"), "fr": N_("French"),
                               "pt": N_("Portuguese"), "de": N_("German")})
SEVERITY_LABELS = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}
VERDICT_LABELS = {"covered": N_("covered"), "partial": N_("partial"), "gap": N_("gap")}
JOB_STATUS_LABELS = i18n.Labels({
    "waiting": N_("waiting"), "ingesting": N_("ingesting"), "added": N_("added"), "unchanged": N_("unchanged"),
    "new-version": N_("new version"), "replaced": N_("replaced"), "failed": N_("failed"),
})
templates.env.globals.update(SOURCE_TYPE_LABELS=SOURCE_TYPE_LABELS, LANGUAGE_LABELS=LANGUAGE_LABELS,
                             SEVERITY_LABELS=SEVERITY_LABELS, VERDICT_LABELS=VERDICT_LABELS,
                             JOB_STATUS_LABELS=JOB_STATUS_LABELS, js_messages=i18n.js_messages)

def get_library(request: Request) -> Library:
    """This request's Library, checked out by the `api.library` dependency that `web/app.py`
    puts on every page route (one pooled connection per request, as for the REST API), acting
    for whoever is calling: a reader's pages never name a confidential source."""
    from corroborate.web.auth import current_caller

    lib = getattr(request.state, "library", None)
    if lib is None:
        raise RuntimeError(f"{request.url.path}: page route without the api.library dependency")
    return lib.as_caller(current_caller(request))


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from corroborate.web.auth import csrf_token

    context.setdefault("q", "")
    context.setdefault("csrf", csrf_token(request))
    context.setdefault("caller", getattr(request.state, "caller", None))
    context.setdefault("open_mode", context["caller"] == OPEN_MODE)
    with i18n.use_locale(request_locale(request)):  # the template renders here, in this thread
        return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status_code: int, title: str, message: str, **context: Any) -> HTMLResponse:
    return page(request, "error.html", status_code=status_code, status=status_code, title=title,
                message=message, **context)


def not_found(request: Request, message: str) -> HTMLResponse:
    return error_page(request, 404, i18n.translate(N_("Not found"), request_locale(request)), message)


def registry_sources(lib: Library, report_id: str) -> dict[str, Source]:
    """The sources a report cites, by id (confidential flags included)."""
    return {row["id"]: Source.model_validate(row) for row in lib.sources(report_id=report_id)}


def citation_options(request: Request) -> tuple[str, str]:
    """(style, base address) for the citations a page offers to copy: `?style=oscola` picks the
    style (default euaa); permalinks use CORROBORATE_BASE_URL, else the address the page has."""
    style = request.query_params.get("style", "euaa")
    style = style if style in ("euaa", "oscola") else "euaa"
    settings = getattr(request.app.state, "settings", None)
    return style, (getattr(settings, "base_url", None) or str(request.base_url)).rstrip("/")
