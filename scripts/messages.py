"""Extract the interface's messages and bring the gettext catalogues up to date (`make messages`).

    python scripts/messages.py            # extract; add new msgids to every catalogue; list what
                                          # Spanish still lacks (exit 1 if anything)
    python scripts/messages.py --check    # change nothing; exit 1 if a catalogue is out of date

Sources: every `src/corroborate/**.py` (`_`, `gettext`, `ngettext`, `N_`, `translate`), every
template under `web/templates` (`_()`, `gettext()`, `ngettext()`, `{% trans %}`), the scripts in
`web/static` (`_("…")`), and the audit rules' principles, summaries and severities (their
docstrings are the rules' documentation, so they are read from the registry, not marked). Catalogues:
`src/corroborate/locales/{en,es}/LC_MESSAGES/messages.po`, sorted by msgid with file (not line)
locations, so that two branches adding strings rarely touch the same lines. English is the source
language: its catalogue stays empty (msgid is shown). No compiled .mo file is kept: the package
compiles the .po in memory on first use (`corroborate.i18n`).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "corroborate"
LOCALE_DIR = PACKAGE / "locales"
LOCALES = ("en", "es")
METHODS = [
    ("web/templates/**.html", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
    ("web/static/**.js", "javascript"),
]
OPTIONS = {"web/templates/**.html": {"trimmed": "true", "extensions": ""}}
KEYWORDS = {**DEFAULT_KEYWORDS, "translate": None}
HEADER = "Corroborate interface messages"
PINNED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def extract() -> Catalog:
    """Every message marked in the package's Python modules and templates."""
    template = Catalog(project="corroborate", header_comment=f"# {HEADER}.", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), METHODS, OPTIONS, KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True,
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    from corroborate.audit import RULES
    from corroborate.audit.findings import SEVERITY_MEANING

    for meaning in SEVERITY_MEANING.values():
        template.add(meaning, None, [("audit/findings.py", 0)])
    for r in RULES.values():
        for text in (r.principle, r.summary, r.grouped):
            if text:
                template.add(text, None, [(f"audit/{r.fn.__module__.rsplit('.', 1)[-1]}.py", 0)])
    return template


def catalogue_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str) -> Catalog:
    path = catalogue_path(locale)
    if not path.is_file():
        return Catalog(locale=locale, project="corroborate", header_comment=f"# {HEADER} ({locale}).")
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def render(catalog: Catalog) -> bytes:
    buf = BytesIO()
    write_po(buf, catalog, sort_output=True, include_lineno=False, ignore_obsolete=True, width=100)
    return buf.getvalue()


def updated(locale: str, template: Catalog) -> Catalog:
    catalog = load(locale)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=False)
    # dates that change on every run would make every branch's catalogue conflict with the others
    catalog.creation_date = catalog.revision_date = PINNED_DATE
    catalog.fuzzy = False
    catalog.last_translator = catalog.language_team = "Corroborate <corroborate@localhost>"
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    """msgids with no usable translation (empty, or any plural form empty, or fuzzy)."""
    out = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(s and s.strip() for s in strings):
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail if out of date")
    args = parser.parse_args(argv)
    template = extract()
    status = 0
    for locale in LOCALES:
        catalog = updated(locale, template)
        text = render(catalog)
        path = catalogue_path(locale)
        if args.check:
            if not path.is_file() or path.read_bytes() != text:
                print(f"{path.relative_to(ROOT)}: out of date: run `make messages`", file=sys.stderr)
                status = 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text)
        if locale != "en":
            missing = untranslated(catalog)
            for msgid in missing:
                print(f"{locale}: untranslated: {msgid!r}", file=sys.stderr)
            if missing:
                status = 1
    print(f"{len(template)} messages extracted", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
