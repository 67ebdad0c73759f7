"""`corroborate case …`: case files on the command line (`corroborate.cases`).

The command line works on the database's own cases (those used when there are no users);
`--user NAME` works on a web user's cases instead, as that user (whoever can open the file can
read it anyway). Items are named by the id `case show` prints before each quote.
"""

from __future__ import annotations

import click

from corroborate.cli import emit_json, friendly_errors, open_library

SPAN_HELP = "Only characters A to B of the paragraph (a sentence: as `ask --json` gives start-end)."


def _cases(ctx: click.Context):
    lib = open_library(ctx)
    name = ctx.find_object(dict).get("case_user")
    if name:
        from corroborate.users import Caller

        user = lib.store.get_user(name)
        if user is None:
            raise click.ClickException(f"--user {name}: no such user in {lib.settings.db}")
        lib = lib.as_caller(Caller(user["name"], user["role"]))
    return lib.cases


def _span(text: str | None) -> tuple[int | None, int | None]:
    if not text:
        return None, None
    a, sep, b = text.partition("-")
    if not sep or not a.strip().isdigit() or not b.strip().isdigit():
        raise click.BadParameter(f"{text!r}: give the span as START-END, e.g. 274-681", param_hint="--span")
    return int(a), int(b)


def _print_case(case) -> None:
    click.secho(f"{case.name}  (case {case.id}, {case.language}, {len(case.entries)} quotes)", bold=True)
    for e in case.entries:
        click.echo()
        if e.status == "lost":
            click.secho(f"{e.position}. [item {e.id}] LOST: {e.lost}", fg="red")
            click.echo(f"   quoted then: “{e.text}”")
        else:
            click.secho(f"{e.position}. [item {e.id}] {e.reference}", bold=True)
            click.echo(f"   “{e.text}”" + "".join(f"[{n}]" for n in e.footnotes))
            from corroborate.citations.format import footnote_line

            for fn in e.notes:
                click.echo(f"   {footnote_line(fn, fn.n)}")
        if e.note:
            click.echo(f"   Note: {e.note}")


@click.group("case")
@click.option("--user", "user_name", metavar="NAME", help="Work on this web user's cases (default: the database's own).")
@click.pass_context
def case(ctx, user_name):
    """Case files: collect verbatim quotes for one claim, order and annotate them, export them
    with their original footnotes (DOCX, PDF, Markdown) in the case's language."""
    ctx.ensure_object(dict)["case_user"] = user_name


@case.command("new")
@click.argument("name")
@click.option("--lang", "language", type=click.Choice(["en", "es"]), default="en", show_default=True,
              help="Language of the case's exports.")
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@click.pass_context
@friendly_errors
def case_new(ctx, name, language, as_json):
    """Create a case named NAME."""
    created = _cases(ctx).create(name, language)
    if as_json:
        emit_json(created.model_dump(mode="json"))
        return
    click.echo(f"case {created.id}: {created.name} ({created.language})")


@case.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly_errors
def case_list(ctx, as_json):
    """The cases, most recently changed first."""
    rows = _cases(ctx).list()
    if as_json:
        emit_json({"cases": [r.model_dump(mode="json") for r in rows]})
        return
    if not rows:
        click.echo("no cases yet: corroborate case new NAME")
    for r in rows:
        click.echo(f"{r.id:>4}  {r.name}  ({r.language}, {r.items} quote{'s' if r.items != 1 else ''}, "
                   f"changed {r.updated_at[:16].replace('T', ' ')})")


@case.command("show")
@click.argument("case_ref", metavar="CASE")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the same as /api/cases/ID).")
@click.pass_context
@friendly_errors
def case_show(ctx, case_ref, as_json):
    """A case's quotes in order, each with its citation, footnotes and note (CASE: id or name)."""
    shown = _cases(ctx).get(case_ref)
    if as_json:
        emit_json(shown.model_dump(mode="json"))
        return
    _print_case(shown)


@case.command("add")
@click.argument("case_ref", metavar="CASE")
@click.argument("report_id", metavar="REPORT")
@click.argument("paragraph_id", metavar="PARAGRAPH")
@click.option("--span", help=SPAN_HELP)
@click.option("--note", default="", help="Your note on this quote.")
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@click.pass_context
@friendly_errors
def case_add(ctx, case_ref, report_id, paragraph_id, span, note, as_json):
    """Quote a paragraph of a report (or a span of it) in a case."""
    cases = _cases(ctx)
    start, end = _span(span)
    item = cases.add(case_ref, report_id, paragraph_id, start, end, note)
    shown = cases.get(case_ref)
    if as_json:
        emit_json(shown.model_dump(mode="json"))
        return
    entry = next(e for e in shown.entries if e.id == item)
    click.echo(f"item {item} at position {entry.position} of {shown.name}: {entry.reference}")


@case.command("remove")
@click.argument("case_ref", metavar="CASE")
@click.argument("item", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@click.pass_context
@friendly_errors
def case_remove(ctx, case_ref, item, as_json):
    """Remove item ITEM from a case."""
    cases = _cases(ctx)
    cases.remove(case_ref, item)
    if as_json:
        emit_json(cases.get(case_ref).model_dump(mode="json"))
        return
    click.echo(f"removed item {item}")


@case.command("move")
@click.argument("case_ref", metavar="CASE")
@click.argument("item", type=int)
@click.argument("position", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@click.pass_context
@friendly_errors
def case_move(ctx, case_ref, item, position, as_json):
    """Move item ITEM to POSITION (1 = first)."""
    cases = _cases(ctx)
    cases.move(case_ref, item, position)
    shown = cases.get(case_ref)
    if as_json:
        emit_json(shown.model_dump(mode="json"))
        return
    order = [e.id for e in shown.entries]
    click.echo(f"item {item} is now at position {order.index(item) + 1}; order: {' '.join(map(str, order))}")


@case.command("note")
@click.argument("case_ref", metavar="CASE")
@click.argument("item", type=int)
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@click.pass_context
@friendly_errors
def case_note(ctx, case_ref, item, text, as_json):
    """Set the note of item ITEM ("" clears it)."""
    cases = _cases(ctx)
    cases.annotate(case_ref, item, text)
    if as_json:
        emit_json(cases.get(case_ref).model_dump(mode="json"))
        return
    click.echo(f"note {'set' if text.strip() else 'cleared'} on item {item}")


@case.command("set")
@click.argument("case_ref", metavar="CASE")
@click.option("--name", help="A new name.")
@click.option("--lang", "language", type=click.Choice(["en", "es"]), help="Language of the exports.")
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@click.pass_context
@friendly_errors
def case_set(ctx, case_ref, name, language, as_json):
    """Rename a case or change its language."""
    changed = _cases(ctx).update(case_ref, name=name, language=language)
    if as_json:
        emit_json(changed.model_dump(mode="json"))
        return
    click.echo(f"case {changed.id}: {changed.name} ({changed.language})")


@case.command("delete")
@click.argument("case_ref", metavar="CASE")
@click.pass_context
@friendly_errors
def case_delete(ctx, case_ref):
    """Delete a case and its items (the reports are not touched)."""
    _cases(ctx).delete(case_ref)
    click.echo(f"deleted case {case_ref}")


@case.command("export")
@click.argument("case_ref", metavar="CASE")
@click.option("--format", "fmt", required=True, type=click.Choice(["docx", "pdf", "md", "html"], case_sensitive=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File to write (replaced atomically if it exists).")
@click.option("--name-confidential", is_flag=True,
              help="Name sources marked confidential (researchers; default: a neutral label).")
@click.option("--style", type=click.Choice(["euaa", "oscola"]), default="euaa", show_default=True,
              help="Citation style of the passage references.")
@click.pass_context
@friendly_errors
def case_export(ctx, case_ref, fmt, output, name_confidential, style):
    """Export a case: its quotes with continuous footnotes carrying the original citations, the
    notes, a bibliography and the methodology disclaimer, in the case's language."""
    try:
        path = _cases(ctx).export(case_ref, fmt.lower(), output, name_confidential, style)
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write ({exc.strerror or exc})") from exc
    click.echo(f"wrote {path}")
