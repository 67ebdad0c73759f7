"""`corroborate` command line: a thin click layer over `corroborate.Library`.

Human output by default, `--json` for machines. Errors name the file or id and the problem
and exit non-zero; no traceback reaches the user.
"""

from __future__ import annotations

import functools
import json
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the CLI starts without importing the library
    from corroborate.library import IngestResult, Library

DB_HELP = ("SQLite database file, or a PostgreSQL database as postgresql://user@host:port/name "
           "(env CORROBORATE_DB, default ./corroborate.db).")
STYLES = ["euaa", "oscola"]
STYLE_HELP = ("Citation style: euaa (EUAA COI methodology) or oscola (UK tribunals). Permalinks need "
              "CORROBORATE_BASE_URL.")


def emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def friendly_errors(fn):
    """Turn the library's expected failures into `Error: …` and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            from corroborate.library import NotFound

            if not isinstance(exc, expected_errors()):
                raise
            msg = exc.args[0] if isinstance(exc, NotFound) and exc.args else str(exc)
            raise click.ClickException(msg) from exc

    return wrapper


def expected_errors() -> tuple[type[Exception], ...]:
    """The library's expected failures (imported on use: the CLI starts without the library)."""
    from corroborate.library import NotFound
    from corroborate.readers import ReaderError
    from corroborate.store import StoreError

    return (ReaderError, StoreError, NotFound, ValueError, PermissionError)


def open_library(ctx: click.Context):
    from corroborate.library import Library
    from corroborate.store import StoreError

    settings = ctx.obj["settings"]
    try:
        lib = Library(settings=settings)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.call_on_close(lib.close)
    return lib


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="CORROBORATE_DB", default="corroborate.db", show_default=True,
              help=DB_HELP)
@click.version_option(package_name="corroborate")
@click.pass_context
def main(ctx: click.Context, db: str) -> None:
    """Corroborate: a citation-traceable evidence base for country-of-origin information.

    Ingest COI reports, then search them, quote them with their footnotes, audit them and
    export them.

    The command line acts as a researcher on a local database file: it sees the names of
    confidential sources and may write. Web and API users, with their roles, are managed with
    `corroborate user`; every write is recorded in the audit log (`corroborate log`).
    """
    from corroborate.settings import Settings

    ctx.ensure_object(dict)
    ctx.obj["settings"] = Settings(db=db)


# --- ingest and reading back ---------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True,
              help="Replace earlier versions of a changed report instead of keeping them.")
@click.option("--id", "report_id", help="Report id to use (default: from the file name).")
@click.option("--no-embeddings", is_flag=True, help="Skip dense embeddings (lexical search only).")
@click.option("--no-e5", is_flag=True,
              help="Skip the second encoder (multilingual-E5, ~0.3 s a paragraph here) that sharpens the "
                   "ranking; the report's paragraphs then rank by USE alone.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def ingest(ctx, paths, replace, report_id, no_embeddings, no_e5, as_json):
    """Ingest report files (text, PDF, HTML, DOCX) into the library.

    Each file is stored in one transaction: a failure leaves the database as it was.
    Re-ingesting the same content changes nothing; a changed file becomes a new version.
    The format is read from the content (a name that says otherwise gets a warning). Every
    file gets its own result line, or an error naming it; a bad file never stops the others,
    and the exit status is 1 if any file failed. On a terminal, an ingest running over a second
    shows on stderr each file's name, its stage (reading, structuring, citations, embedding,
    saving) and the time left; --json turns that off. Saved searches are then matched against
    the new paragraphs (see `corroborate searches`).
    """
    if no_embeddings:
        ctx.obj["settings"] = ctx.obj["settings"].model_copy(update={"embeddings": False})
    if no_e5:
        ctx.obj["settings"] = ctx.obj["settings"].model_copy(update={"e5": False})
    if report_id and len(paths) > 1:
        raise click.UsageError("--id can only be used with one file")
    lib = open_library(ctx)
    outcomes: list[tuple[str, IngestResult | str]] = []  # (path, result or error), in order
    from corroborate.ingest_progress import IngestDisplay

    with IngestDisplay(list(paths), enabled=not as_json) as show:
        for path in paths:
            outcomes.append((path, _ingest_one(lib, path, replace, report_id, show)))
            show.finished(path)
    failed = [(p, o) for p, o in outcomes if isinstance(o, str)]
    if as_json:
        emit_json({
            "files": [{"path": p, "status": "failed", "error": o} if isinstance(o, str)
                      else {"path": p, **o.model_dump()} for p, o in outcomes],
            "reports": [o.model_dump() for _, o in outcomes if not isinstance(o, str)],
            "errors": [o for _, o in failed],
        })
    else:
        for _, o in outcomes:
            if isinstance(o, str):
                click.echo(f"Error: {o}", err=True)
                continue
            click.echo(
                f"{o.status:11} {o.id}  {o.title!r}: {o.sections} sections, {o.paragraphs} "
                f"paragraphs, {o.footnotes} footnotes, {o.warnings} warnings"
            )
            for notice in o.notices:
                click.echo(f"Warning: {notice}", err=True)
        if len(paths) > 1:
            click.echo(f"{len(paths) - len(failed)} of {len(paths)} files ingested, {len(failed)} failed",
                       err=True)
    if failed:
        sys.exit(1)


def _ingest_one(lib: Library, path: str, replace: bool, report_id: str | None, progress=None) -> IngestResult | str:
    """One file's result, or its error naming the file: a batch never stops at a bad file."""
    from corroborate.readers import ReaderError
    from corroborate.store import StoreError

    try:
        return lib.ingest(path, replace=replace, report_id=report_id, progress=progress)
    except (ReaderError, StoreError, ValueError) as exc:
        message = str(exc)
    except Exception as exc:  # noqa: BLE001 - a bug on one file must not cost the user the others
        message = f"unexpected error ({type(exc).__name__}: {str(exc)[:200]})"
    return message if path in message else f"{path}: {message}"


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def reports(ctx, as_json):
    """List the reports in the library."""
    rows = open_library(ctx).reports()
    if as_json:
        emit_json({"reports": rows})
        return
    if not rows:
        click.echo("No reports yet. Add one with: corroborate ingest FILE")
    for r in rows:
        click.echo(
            f"{r['id']}  {r['title']!r} (v{r['version']}, {r['format']}): {r['sections']} sections, "
            f"{r['paragraphs']} paragraphs, {r['footnotes']} footnotes, {r['warnings']} warnings"
        )
        click.echo("    " + _metadata_line(r))


def _metadata_line(r: dict) -> str:
    fields = [("country", r.get("country")), ("publisher", r.get("publisher")),
              ("type", r.get("document_type")), ("date", r.get("published")),
              ("language", r.get("language"))]
    return "  ".join(f"{name}: {value or '?'}" for name, value in fields)


@main.group()
def report():
    """Correct a report's library metadata (what search filters on)."""


@report.command("set")
@click.argument("report_id", metavar="ID")
@click.option("--title", help="The report's title.")
@click.option("--country", help="ISO 3166-1 alpha-2 code of the country the report is about (PE, CO …).")
@click.option("--publisher", help="Who published it (e.g. EUAA, UK Home Office).")
@click.option("--type", "document_type",
              help="Document type: country-focus, country-report, cpin, query-response, guidelines, "
                   "court-decision, ngo-report, article or other.")
@click.option("--date", "published", help="Publication date: 2023, 2023-09 or 2023-09-19.")
@click.option("--language", help="Two-letter language code (en, es …).")
@click.option("--json", "as_json", is_flag=True, help="Print the report's row as JSON.")
@click.pass_context
@friendly_errors
def report_set(ctx, report_id, title, country, publisher, document_type, published, language, as_json):
    """Set a report's title, country, publisher, type, date or language; an empty value clears
    it (not the title). Recorded in the audit log."""
    row = open_library(ctx).set_report_metadata(
        report_id, title=title, country=country, publisher=publisher, document_type=document_type,
        published=published, language=language)
    if as_json:
        emit_json(row)
        return
    click.echo(f"{row['id']}  {_metadata_line(row)}")


@main.command()
@click.argument("report_id", metavar="REPORT")
@click.option("--section", help="Only this section (number such as 3.5, or title).")
@click.option("--json", "as_json", is_flag=True, help="Print the report's JSON contract.")
@click.pass_context
@friendly_errors
def show(ctx, report_id, section, as_json):
    """Show a report's structure, paragraphs and footnotes."""
    from corroborate.contract import report_json

    report = open_library(ctx).report(report_id)
    try:
        data = report_json(report, section)
    except KeyError:
        raise click.ClickException(f"report {report_id!r} has no section {section!r}") from None
    if as_json:
        emit_json(data)
        return
    _print_report(data)


def _print_report(data: dict) -> None:
    click.secho(data["title"], bold=True)
    rp = data["reference_period"]
    if rp.get("start") or rp.get("end"):
        click.echo(f"Reference period: {rp.get('start') or '?'} – {rp.get('end') or '?'}")

    def walk(sections, depth=0):
        for s in sections:
            head = f"{s['number']} {s['title']}" if s["number"] else s["title"]
            click.secho("\n" + "#" * (depth + 1) + " " + head, bold=True)
            for p in s["paragraphs"]:
                marks = f" [{', '.join(map(str, p['footnotes']))}]" if p["footnotes"] else ""
                click.echo(f"\n  ({p['id']}, {p['kind']}) {p['text']}{marks}")
            walk(s["sections"], depth + 1)

    walk(data["sections"])
    click.secho("\nFootnotes", bold=True)
    for f in data["footnotes"]:
        click.echo(f"  {f['n']}. {f['text'] if f['text'] is not None else '[text missing]'}")
    if data["warnings"]:
        click.secho(f"\n{len(data['warnings'])} warnings", bold=True)
        for w in data["warnings"]:
            click.echo(f"  {w}")


@main.command()
@click.argument("report_id", metavar="REPORT")
@click.pass_context
@friendly_errors
def delete(ctx, report_id):
    """Delete a report and its index entries."""
    open_library(ctx).delete(report_id)
    click.echo(f"deleted {report_id}")


# --- sources -------------------------------------------------------------------------------


@main.command()
@click.argument("report_id", metavar="[REPORT]", required=False)
@click.option("--type", "source_type",
              type=click.Choice(["government", "igo", "ngo", "media", "academic", "oral", "legislation", "other"]),
              help="Only sources of this type.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly_errors
def sources(ctx, report_id, source_type, as_json):
    """List the bibliography: each source once, with how many footnotes cite it."""
    rows = open_library(ctx).sources(report_id, source_type)
    if as_json:
        emit_json({"sources": rows})
        return
    for s in rows:
        who = s["author"] or "?"
        click.echo(f"{s['id']}  {s['footnotes']:>3} fn  [{s['type']}{'/' + s['language'] if s['language'] else ''}]"
                   f"{' CONFIDENTIAL' if s['confidential'] else ''} {who}, {s['title'] or ''}"
                   f"{', ' + s['date'] if s['date'] else ''}")


@main.command()
@click.argument("source_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly_errors
def source(ctx, source_id, as_json):
    """Show one source and every footnote and paragraph citing it."""
    data = open_library(ctx).source(source_id)
    if as_json:
        emit_json(data)
        return
    click.secho(f"{data['author'] or '?'}, {data['title'] or ''}", bold=True)
    click.echo(f"type: {data['type']}  language: {data['language'] or '?'}  date: {data['date'] or 'n.d.'}"
               f"{'  CONFIDENTIAL' if data['confidential'] else ''}")
    if data["aliases"]:
        click.echo(f"also cited as: {', '.join(data['aliases'])}")
    for u in data["urls"]:
        click.echo(f"  {u}")
    for c in data["cited_by"]:
        click.echo(f"\n{c['report_id']} footnote {c['footnote_n']}"
                   f"{', ' + c['locator'] if c['locator'] else ''}")
        for p in c["paragraphs"]:
            click.echo(f"  §{p['section']} ({p['id']}): {p['text'][:160]}…")


@main.command()
@click.argument("source_id", metavar="ID")
@click.option("--off", is_flag=True, help="Mark the source as citable again.")
@click.pass_context
@friendly_errors
def confidential(ctx, source_id, off):
    """Mark a source (e.g. an oral source) as confidential: never named to readers, nor in exports
    unless a researcher asks for names."""
    open_library(ctx).set_confidential(source_id, not off)
    click.echo(f"{source_id}: {'not ' if off else ''}confidential")


# --- audit and terms of reference (issue 6) ------------------------------------------------


@main.command()
@click.argument("report_id", metavar="REPORT")
@click.option("--severity", type=click.Choice(["info", "warning", "error"]),
              help="Only findings at or above this severity.")
@click.option("--rule", "rules", multiple=True, help="Only this rule (repeatable); see docs/audit-rules.md.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the same as /api/reports/{id}/audit).")
@click.pass_context
@friendly_errors
def audit(ctx, report_id, severity, rules, as_json):
    """Audit a report against the EUAA COI methodology: defects with their locations."""
    data = open_library(ctx).audit(report_id, severity=severity, rules=list(rules) or None)
    if as_json:
        emit_json(data)
        return
    from corroborate.audit.render import audit_lines

    # the whole of a rule when it is asked for; otherwise one line per rule and a few examples
    for line, style in audit_lines(data, per_rule=None if rules else 3):
        click.secho(line, **style)


@main.command()
@click.argument("report_id", metavar="REPORT")
@click.option("--terms", "terms_file", type=click.Path(dir_okay=False),
              help="Check this ToR instead of the report's own: a text file, one topic per line, nested by "
                   "indentation, list markers optional; English or Spanish.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the same as /api/reports/{id}/tor).")
@click.pass_context
@friendly_errors
def tor(ctx, report_id, terms_file, as_json):
    """Terms-of-reference coverage: each ToR item covered, partial or a gap, with evidence."""
    terms = None
    if terms_file is not None:
        from corroborate.readers.tor_file import read_terms_of_reference

        terms = read_terms_of_reference(terms_file)
    data = open_library(ctx).tor(report_id, terms)
    if as_json:
        emit_json(data)
        return
    from corroborate.audit.render import tor_lines

    for line, style in tor_lines(data):
        click.secho(line, **style)


# --- search, ask, serve (issue 4) ----------------------------------------------------------


def search_filters(fn):
    """The search filters, shared by `search` and `searches save` (one set of names)."""
    options = [
        click.option("--report", "report_id", help="Only this report."),
        click.option("--section", help="Only this section and its subsections (e.g. 3.5)."),
        click.option("--country", help="Only reports about this country (ISO alpha-2, e.g. PE)."),
        click.option("--publisher", help="Only reports by this publisher (e.g. EUAA)."),
        click.option("--type", "document_type", help="Only reports of this type (e.g. country-focus, cpin)."),
        click.option("--language", help="Only reports in this language (en, es …)."),
        click.option("--published-from", help="Only reports dated on or after (2023, 2023-06)."),
        click.option("--published-to", help="Only reports dated on or before (2023, 2023-06)."),
        click.option("--source-type", help="Only paragraphs citing this type of source (e.g. media, ngo)."),
        click.option("--source", help="Only paragraphs citing this source (its id)."),
        click.option("--source-language", help="Only paragraphs citing a source in this language."),
        click.option("--since", help="Only paragraphs citing sources dated on or after (2023, 2023-06-01)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@main.command()
@click.argument("query")
@click.option("--k", default=10, show_default=True, help="Number of results (1-100).")
@click.option("--mode", type=click.Choice(["hybrid", "lexical", "semantic"]), default="hybrid",
              show_default=True, help="Ranking: words (lexical), meaning (semantic) or both fused.")
@click.option("--offset", default=0, show_default=True, help="Skip this many results (paging).")
@click.option("--page", type=click.IntRange(1), help="Page number (pages of --k results); sets --offset.")
@search_filters
@click.option("--style", type=click.Choice(STYLES), default="euaa", show_default=True, help=STYLE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the same as /api/search).")
@click.pass_context
@friendly_errors
def search(ctx, query, k, mode, offset, page, style, as_json, report_id, **filters):
    """Search paragraphs in English or Spanish.

    QUERY: words, "exact phrases", OR between alternatives, -word or NOT word to exclude,
    prefix*. A query naming a country ("… in Peru", "peruanas") lists first the passages that
    can speak for it (hybrid mode); --country keeps only reports about it.
    """
    if page is not None:
        offset = (page - 1) * k
    lib = open_library(ctx)
    data = lib.search(query, k=k, mode=mode, offset=offset, report=report_id, **filters)
    if as_json:
        emit_json(data)
        return
    from corroborate.citations.format import footnote_line
    from corroborate.search.snippets import to_terminal

    if not data["results"]:
        click.echo("No paragraphs match." if not data["total"] else f"No results past {data['total']}.")
    where = _passage_references(lib, style, data["results"])
    for i, r in enumerate(data["results"], offset + 1):
        click.secho(f"\n{i}. {where(r)}", bold=True)
        click.echo("   " + to_terminal(r["snippet"], lambda t: click.style(t, fg="yellow", bold=True)))
        for f in r["footnotes"]:
            click.echo(f"   {footnote_line(f, f['n'], style)}")
    shown = offset + len(data["results"])
    if shown < data["total"] or data["more"]:
        of = f"{data['total']}+" if data["more"] else data["total"]
        click.echo(f"\n{offset + 1}-{shown} of {of}; next page: --offset {shown}")


def _passage_references(lib: Library, style: str, hits: list[dict]):
    """hit -> 'EUAA, Peru – Country Focus, September 2023, section 3.5.1 ‘Tren de Aragua’, p. 43'
    (the permalink too when CORROBORATE_BASE_URL is set): page and section, not stored ids.
    Each report is read once, as an excerpt of its hits' paragraphs, not whole."""
    from corroborate.citations.format import passage_reference

    wanted: dict[str, list[str]] = {}
    for h in hits:
        wanted.setdefault(h["report_id"], []).append(h["paragraph_id"])
    reports: dict[str, object] = {}

    def where(hit: dict) -> str:
        rid = hit["report_id"]
        if rid not in reports:
            reports[rid] = lib.excerpt(rid, wanted[rid])
        report = reports[rid]
        p = next((p for p in report.paragraphs() if p.id == hit["paragraph_id"]), None)
        if p is None:  # changed under us: still say where, without the stored id
            return f"{hit.get('report_title') or rid}, section {hit.get('section')}"
        return passage_reference(report, p, style, lib.settings.base_url)

    return where


@main.command()
@click.argument("question")
@click.option("--k", default=5, show_default=True, help="At most this many quotes (1-10).")
@click.option("--report", "report_id", help="Only this report.")
@click.option("--style", type=click.Choice(STYLES), default="euaa", show_default=True, help=STYLE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the same as /api/ask).")
@click.pass_context
@friendly_errors
def ask(ctx, question, k, report_id, style, as_json):
    """Answer a question with verbatim, footnoted quotes from the library."""
    lib = open_library(ctx)
    data = lib.ask(question, k=k, report=report_id)
    if as_json:
        emit_json(data)
        return
    if not data["found"]:
        click.echo(data["answer"])
        if data.get("unknown_words"):
            click.echo(f"No report in this library has a word for: {', '.join(data['unknown_words'])}.")
        return
    syn = data.get("synthesis") or {}
    if syn.get("text"):
        click.secho(syn["text"], bold=True)
    from corroborate.citations.format import footnote_line

    where = _passage_references(lib, style, data["quotes"])
    for qt in data["quotes"]:
        marks = "".join(f"[{f['n']}]" for f in qt["footnotes"])
        click.secho(f"\n[{qt['id']}] {where(qt)}", bold=True)
        click.echo(f"  “{qt['text']}”{marks}")
        for f in qt["footnotes"]:
            click.echo(f"  {footnote_line(f, f['n'], style)}")
    if syn.get("error"):
        click.echo(f"\n({syn['error']})", err=True)


# --- saved searches and alerts (issue 16) ----------------------------------------------------


@main.group()
def searches() -> None:
    """Saved searches: after each ingest, the passages of the new or changed paragraphs a saved
    search matches (among its first 10 results in that report) are kept as new for it, and shown
    by `searches new`, on the web page /searches and in the search's Atom feed."""


@searches.command("save")
@click.argument("name")
@click.argument("query")
@click.option("--mode", type=click.Choice(["hybrid", "lexical", "semantic"]), default="hybrid",
              show_default=True, help="Ranking, as for `search`.")
@search_filters
@click.option("--ui-language", "ui_language", type=click.Choice(["en", "es"]), default="en", show_default=True,
              help="Language of the feed's and page's own texts.")
@click.option("--json", "as_json", is_flag=True, help="Print the saved search as JSON (with its feed path).")
@click.pass_context
@friendly_errors
def searches_save(ctx, name, query, mode, ui_language, as_json, report_id, **filters):
    """Save QUERY with its mode and filters as NAME."""
    from corroborate.alerts import SavedSearchIn

    filters = {k: v for k, v in {"report": report_id, **filters}.items() if v}
    saved = open_library(ctx).save_search(_saved_search_in(SavedSearchIn, name=name, query=query, mode=mode,
                                                             filters=filters, language=ui_language))
    if as_json:
        emit_json(saved.model_dump())
        return
    click.echo(f"saved search {saved.id} {saved.name!r}: {saved.query}{_filters_text(saved.filters)}")
    click.echo(f"Atom feed (keep it private): {saved.feed}")


def _saved_search_in(model, **fields):
    from pydantic import ValidationError

    try:
        return model(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise click.ClickException(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def _filters_text(filters: dict) -> str:
    return "".join(f" --{k.replace('_', '-')} {v}" for k, v in filters.items())


@searches.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the same as /api/searches).")
@click.pass_context
@friendly_errors
def searches_list(ctx, as_json):
    """The saved searches and how many new passages each has."""
    rows = open_library(ctx).saved_searches()
    if as_json:
        emit_json({"searches": [r.model_dump() for r in rows]})
        return
    if not rows:
        click.echo("No saved searches yet. Save one with: corroborate searches save NAME QUERY")
    for r in rows:
        click.echo(f"{r.id:>3}  {r.name!r}: {r.query} ({r.mode}{_filters_text(r.filters)}), "
                   f"{r.passages} new passage{'s' if r.passages != 1 else ''}")


@searches.command("new")
@click.argument("search_id", metavar="[ID]", type=int, required=False)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000), help="Newest passages to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the same as /api/searches/new).")
@click.pass_context
@friendly_errors
def searches_new(ctx, search_id, limit, as_json):
    """Passages the saved searches (or search ID) matched in newly ingested reports, newest first,
    quoted with their citations."""
    rows = open_library(ctx).new_passages(search_id, limit)
    if as_json:
        emit_json({"passages": [r.model_dump() for r in rows]})
        return
    if not rows:
        click.echo("Nothing new for your searches.")
    for r in rows:
        click.secho(f"\n{r.search_name} · found {r.found_at}", bold=True)
        for line in r.citation.splitlines():
            click.echo(f"  {line}")


@searches.command("remove")
@click.argument("search_id", metavar="ID", type=int)
@click.pass_context
@friendly_errors
def searches_remove(ctx, search_id):
    """Delete a saved search and what it found."""
    open_library(ctx).delete_search(search_id)
    click.echo(f"removed saved search {search_id}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port.")
@click.pass_context
def serve(ctx, host, port):
    """Run the web interface and the REST API (OpenAPI docs at /docs).

    With no users (one person on their own machine) anyone who can reach the server may read
    and write, so only a loopback --host is accepted until `corroborate user add` made one.
    Once a user exists every page and API call needs a sign-in or an API token.
    """
    import ipaddress

    from corroborate.users import Users
    from corroborate.web.server import run

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not Users(open_library(ctx).store).any():
        raise click.ClickException(
            f"--host {host}: the library has no users, so it would be open to anyone on the network; "
            "add one first (corroborate user add NAME --role admin) or serve on 127.0.0.1"
        )

    run(ctx.obj["settings"], host, port)


# --- export and compile (issue 7) ------------------------------------------------------------

_DOC_FORMATS = ["md", "html", "docx", "pdf"]
_REGISTRY_FORMATS = ["csl-json", "ris", "bibtex"]


@main.command("export")
@click.argument("report_id", metavar="[REPORT]", required=False)
@click.option("--format", "fmt", required=True,
              type=click.Choice(_DOC_FORMATS + _REGISTRY_FORMATS, case_sensitive=False),
              help="md/html/docx/pdf: the report with its footnotes and bibliography; "
                   "csl-json/ris/bibtex: its sources for Zotero and other reference managers.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File to write (replaced atomically if it exists).")
@click.option("--all", "all_reports", is_flag=True,
              help="With csl-json/ris/bibtex: the sources of every report in the library.")
@click.option("--name-confidential", is_flag=True,
              help="Name sources marked confidential (default: a neutral label).")
@click.pass_context
@friendly_errors
def export_cmd(ctx, report_id, fmt, output, all_reports, name_confidential):
    """Export a report (footnoted document) or its source registry."""
    fmt = fmt.lower()
    if all_reports and report_id:
        raise click.UsageError("give either REPORT or --all, not both")
    if all_reports and fmt not in _REGISTRY_FORMATS:
        raise click.UsageError("--all exports the source registry: use --format csl-json, ris or bibtex")
    if not all_reports and not report_id:
        raise click.UsageError("missing REPORT (or --all for the whole library's sources)")
    lib = open_library(ctx)
    try:
        if all_reports:
            path = lib.export_sources(None, fmt, output, name_confidential)
        else:
            path = lib.export_report(report_id, fmt, output, name_confidential)
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write ({exc.strerror or exc})") from exc
    click.echo(f"wrote {path}")


@main.command("compile")
@click.option("--question", "-q", "questions", multiple=True, help="A question (repeatable).")
@click.option("--tor", "tor_report", metavar="REPORT", help="Use this report's Terms of Reference items.")
@click.option("--questions", "questions_file", type=click.Path(dir_okay=False),
              help="File of questions: one a line, or JSON lines with \"q\".")
@click.option("--report", "reports", multiple=True, metavar="ID",
              help="Only quote these reports (repeatable; default: the whole library).")
@click.option("--format", "fmt", required=True, type=click.Choice(_DOC_FORMATS, case_sensitive=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File to write (replaced atomically if it exists).")
@click.option("--name-confidential", is_flag=True,
              help="Name sources marked confidential (default: a neutral label).")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 20),
              help="At most this many quotes per question.")
@click.option("--style", type=click.Choice(STYLES), default="euaa", show_default=True, help=STYLE_HELP)
@click.pass_context
@friendly_errors
def compile_cmd(ctx, questions, tor_report, questions_file, reports, fmt, output, name_confidential, k, style):
    """Compile a footnoted query response: verbatim evidence per question, original citations
    renumbered as footnotes, methodology and disclaimer, and the sources cited."""
    from corroborate.export.compile import read_questions_file

    lib = open_library(ctx)
    asked = list(questions)
    if questions_file:
        asked += read_questions_file(questions_file)
    if tor_report:
        asked += lib.tor_questions(tor_report)
    if not asked:
        raise click.UsageError("give --question, --questions FILE or --tor REPORT")
    try:
        path = lib.compile(asked, fmt.lower(), output, reports=list(reports) or None,
                           name_confidential=name_confidential, k=k, style=style)
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write ({exc.strerror or exc})") from exc
    click.echo(f"wrote {path} ({len(asked)} question{'s' if len(asked) != 1 else ''})")


# --- report metadata, users and the audit log (issue 14) --------------------------------------


@main.group()
def user() -> None:
    """Web and API users: admin (users, audit log), researcher (ingest, delete, edit, mark
    confidential, sees confidential names), reader (search, read, ask, export; confidential
    sources unnamed)."""


def _users(ctx: click.Context):
    from corroborate.users import Users

    return Users(open_library(ctx).store)


def _print_token(data: dict, as_json: bool) -> None:
    if as_json:
        emit_json(data)
    else:
        click.echo(f"{data['name']} ({data['role']}). API token, shown only this once:\n{data['token']}")


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "researcher", "reader"]))
@click.option("--days", default=365, show_default=True, help="Days until the API token expires.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: name, role, token.")
@click.pass_context
@friendly_errors
def user_add(ctx, name, role, days, as_json):
    """Create a user and print their API token (only this once)."""
    from corroborate.users import command_line_caller

    _print_token(_users(ctx).add(name, role, command_line_caller(), days=days), as_json)


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly_errors
def user_list(ctx, as_json):
    """The users, their roles and whether they can sign in to the web app."""
    rows = _users(ctx).list()
    if as_json:
        emit_json({"users": rows})
        return
    for r in rows:
        click.echo(f"{r['name']:24} {r['role']:11} token until {(r['token_expires'] or '')[:10]}"
                   f"{'' if r['has_password'] else '  (no password: API only)'}")


@user.command("remove")
@click.argument("name")
@click.pass_context
@friendly_errors
def user_remove(ctx, name):
    """Remove a user: their token and sessions stop working at once."""
    from corroborate.users import command_line_caller

    _users(ctx).remove(name, command_line_caller())
    click.echo(f"removed {name}")


@user.command("token")
@click.argument("name")
@click.option("--days", default=365, show_default=True, help="Days until the new token expires.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: name, role, token.")
@click.pass_context
@friendly_errors
def user_token(ctx, name, days, as_json):
    """Issue a new API token; the old one is revoked."""
    from corroborate.users import command_line_caller

    _print_token(_users(ctx).rotate_token(name, command_line_caller(), days=days), as_json)


@user.command("password")
@click.argument("name")
@click.password_option("--password", prompt="New password", help="Prompted for when not given.")
@click.pass_context
@friendly_errors
def user_password(ctx, name, password):
    """Set the password NAME signs in to the web app with (ends their web sessions)."""
    from corroborate.users import command_line_caller

    _users(ctx).set_password(name, password, command_line_caller())
    click.echo(f"password set for {name}")


@main.command("log")
@click.option("--limit", default=50, show_default=True, help="Newest entries to show.")
@click.option("--user", "user_name", help="Only this user's writes.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly_errors
def log_cmd(ctx, limit, user_name, as_json):
    """The audit log: who ingested, deleted, edited or marked what, and when (newest first)."""
    from corroborate.users import Caller

    rows = open_library(ctx).as_caller(Caller("command line", "admin")).audit_log(limit, user_name)
    if as_json:
        emit_json({"log": rows})
        return
    for r in rows:
        click.echo(f"{r['at']}  {r['user']} ({r['role']})  {r['action']} {r['target'] or ''}"
                   f"{'  ' + r['detail'] if r['detail'] else ''}")


# --- case files (issue 16): in their own module, registered here ------------------------------

from corroborate.cli_cases import case as _case_group  # noqa: E402

main.add_command(_case_group)
