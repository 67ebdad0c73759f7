"""The interface in English or Spanish: gettext catalogues, the locale of each request, dates.

Marking strings (extracted by `make messages`, `scripts/messages.py`):

* Python: `from corroborate.i18n import gettext as _, ngettext` and `_("No report %(id)s", id=rid)`;
  a module-level constant is marked with `N_("…")` and translated where it is shown: `_(LABEL)`.
* Templates: `{{ _("Search") }}`, `{{ _("%(n)s sections", n=r.sections) }}`,
  `{{ ngettext("%(num)d footnote", "%(num)d footnotes", n) }}` or `{% trans %}…{% endtrans %}`.

The locale is a context variable, never a process-wide setting: requests run concurrently in
threads, each in its own context (`use_locale`), so one caseworker's Spanish never leaks into
another's page. The catalogues (`locales/{en,es}/LC_MESSAGES/messages.po`) are compiled in memory
on first use, so a fresh clone needs no build step and a stale compiled file cannot exist.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.support import Translations

LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"
LOCALE_NAMES = {"en": "English", "es": "Español"}
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent / "locales"
# Babel locale for dates: British English writes "20 March 2023", as EUAA reports do.
_DATE_LOCALE = {"en": "en_GB", "es": "es"}

_current: ContextVar[str] = ContextVar("corroborate_locale", default=DEFAULT_LOCALE)
_catalogues: dict[str, Translations] = {}
_lock = threading.Lock()


def catalogue_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def translations(locale: str) -> Translations:
    """The compiled catalogue of `locale` (English, the source language, for anything else)."""
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    found = _catalogues.get(locale)
    if found is None:
        with _lock:
            found = _catalogues.get(locale) or _compile(locale)
            _catalogues[locale] = found
    return found


def _compile(locale: str) -> Translations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    path = catalogue_path(locale)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the {locale} message catalogue is missing from the package")
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale, domain=DOMAIN)
    buf = BytesIO()
    write_mo(buf, catalog)  # fuzzy entries are left out, as msgfmt does
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def current_locale() -> str:
    return _current.get()


@contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    """Translate in `locale` within the block (in this thread or task only)."""
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    token = _current.set(locale)
    try:
        yield locale
    finally:
        _current.reset(token)


def gettext(message: str, **variables: object) -> str:
    """`message` in the current locale; `%(name)s` placeholders filled from `variables`."""
    text = translations(_current.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(_current.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def template_gettext(message: str) -> str:
    """For Jinja's i18n extension, which fills the placeholders itself (escaping the values)."""
    return translations(_current.get()).gettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a constant for extraction; it is translated where it is shown, with `gettext`."""
    return message


class Labels(dict):
    """Labels marked with `N_`, by key, read in the current locale: `LABELS.get(key, default)`."""

    def __getitem__(self, key: object) -> str:
        return gettext(super().__getitem__(key))

    def get(self, key: object, default: object = None) -> object:
        return self[key] if key in self else default

    def values(self):  # type: ignore[override]
        return [self[k] for k in self]

    def items(self):  # type: ignore[override]
        return [(k, self[k]) for k in self]


def translate(message: str, locale: str, **variables: object) -> str:
    """`message` in an explicit locale (an answer's language rather than the reader's)."""
    with use_locale(locale):
        return gettext(message, **variables)


# --- choosing the locale ------------------------------------------------------------------------

_RANGE = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def negotiate(accept_language: str | None) -> str | None:
    """The supported locale the browser prefers most (RFC 9110 q-values), or None."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        m = _RANGE.match(part)
        if not m:
            continue
        try:
            q = float(m.group(2)) if m.group(2) is not None else 1.0
        except ValueError:
            continue
        if q <= 0:
            continue
        primary = m.group(1).split("-")[0].lower()
        if primary in LOCALES:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else None


def choose_locale(explicit: str | None, cookie: str | None, accept_language: str | None) -> str:
    """`?locale=` first, then the remembered choice (cookie), then the browser's languages, else English."""
    for choice in (explicit, cookie):
        if choice and choice.lower() in LOCALES:
            return choice.lower()
    return negotiate(accept_language) or DEFAULT_LOCALE


def question_language(text: str) -> str:
    """'es' or 'en': the language the fixed texts of an answer to `text` are written in."""
    from corroborate.search.rank import question_language as detect

    return detect(text or "")


# --- dates --------------------------------------------------------------------------------------

def format_iso_date(value: str | None, locale: str | None = None) -> str:
    """An ISO date of any precision (`2023`, `2023-09`, `2023-09-20`) written for the reader:
    "20 March 2023" / "20 de marzo de 2023"; what is not an ISO date is returned as given."""
    from babel.dates import format_date, format_skeleton

    if not value:
        return ""
    loc = _DATE_LOCALE.get(locale or _current.get(), "en_GB")
    m = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", value.strip())
    if not m:
        return value
    try:
        if m.group(3):
            return format_date(date(int(m.group(1)), int(m.group(2)), int(m.group(3))), "long", locale=loc)
        if m.group(2):
            return format_skeleton("yMMMM", date(int(m.group(1)), int(m.group(2)), 1), locale=loc)
    except ValueError:  # 2023-02-30
        return value
    return m.group(1)


def country_name(code: str | None) -> str | None:
    """A country's name in the reader's language (Babel's territory names; English from the
    library's own table, as stored)."""
    from corroborate.metadata import country_name as english_name

    if not code:
        return None
    if _current.get() != DEFAULT_LOCALE:
        from babel import Locale

        found = Locale.parse(_DATE_LOCALE[_current.get()]).territories.get(code.upper())
        if found:
            return found
    return english_name(code)


# --- scripts ------------------------------------------------------------------------------------

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"


def _js_msgids() -> tuple[str, ...]:
    """The messages that `static/*.js` marks with `_("…")` (read once; the same extractor as
    `make messages`)."""
    global _js_ids
    if _js_ids is None:
        from babel.messages.extract import extract_javascript

        found: list[str] = []
        for path in sorted(STATIC_DIR.glob("*.js")):
            with path.open("rb") as f:
                for _line, _func, message, _comments in extract_javascript(f, {"_": None}, [], {}):
                    if isinstance(message, str) and message not in found:
                        found.append(message)
        _js_ids = tuple(found)
    return _js_ids


_js_ids: tuple[str, ...] | None = None


def js_messages() -> dict[str, str]:
    """The scripts' messages in the current locale, for the page to hand to them as JSON."""
    if _current.get() == DEFAULT_LOCALE:
        return {}
    return {m: gettext(m) for m in _js_msgids()}
