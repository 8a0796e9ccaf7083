"""Deleting and restoring: `q rm`, `forecasts rm`, `evidence rm`, `restore KIND REF`, `trash`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from forecast.cli.app import app
from forecast.cli.context import CliState, state
from forecast.cli.evidence import evidence_app
from forecast.cli.output import UsageFailure, guarded, note, print_json, print_table
from forecast.cli.questions import q_app

restore_app = typer.Typer(help="Bring back a deleted question, forecast or evidence (see `forecast trash`).",
                          no_args_is_help=True)  # fmt: skip
app.add_typer(restore_app, name="restore")

PURGE_HELP = "Remove it for good instead of moving it to the trash (asks first; an item already in the trash is purged there)."
YES_HELP = "Purge without asking (for scripts)."
BY_HELP = "Who deletes (default: your name from the config file)."


def _confirm_purge(what: str, yes: bool) -> None:
    """A purge cannot be undone: ask on the terminal, or insist on --yes where there is none to ask on."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageFailure(f"refusing to purge {what} without confirmation: no terminal to ask on (add --yes)")
    if not typer.confirm(f"Remove {what} for good? This cannot be undone", default=False, err=True):
        from forecast.core.errors import ForecastError

        raise ForecastError(f"nothing purged: {what} is as it was")


def _remove(st: CliState, kind: str, ref: str, *, purge: bool, yes: bool, by: str | None, as_json: bool) -> None:
    from forecast.services.trash import remove

    if purge:
        _confirm_purge(f"{kind} {ref}", yes)
    done = st.database(write=True).write(
        lambda session: remove(session, kind, ref, actor=st.forecaster(by), purge_it=purge)
    )
    if as_json:
        print_json(done.as_dict())
        return
    if done.purged:
        note(f"purged {kind} {done.label} ({done.title}) for good")
    else:
        note(f"deleted {kind} {done.label} ({done.title}); `forecast restore {kind} {done.label}` brings it back")


@q_app.command("rm")
@guarded
def q_rm(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Question id, slug or slug prefix.")],
    purge: Annotated[bool, typer.Option("--purge", help=PURGE_HELP)] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=YES_HELP)] = False,
    by: Annotated[str | None, typer.Option("--by", help=BY_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was deleted as JSON.")] = False,
) -> None:
    """Delete a question with its forecasts, links and history: out of every list, score and export, kept
    in the trash (`forecast trash`) until restored or purged. Its slug stays reserved meanwhile."""
    _remove(state(ctx), "question", question, purge=purge, yes=yes, by=by, as_json=as_json)


@app.command("forecasts-rm", hidden=True)
@guarded
def forecasts_rm(
    ctx: typer.Context,
    forecast_id: Annotated[str, typer.Argument(metavar="ID", help="Forecast id (see `forecast forecasts Q`).")],
    purge: Annotated[bool, typer.Option("--purge", help=PURGE_HELP)] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=YES_HELP)] = False,
    by: Annotated[str | None, typer.Option("--by", help=BY_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was deleted as JSON.")] = False,
) -> None:
    """`forecast forecasts rm ID`: delete a forecast with every version of it (its corrections and what they
    corrected), so the correction history stays whole; restorable from the trash."""
    _remove(state(ctx), "forecast", forecast_id, purge=purge, yes=yes, by=by, as_json=as_json)


@evidence_app.command("rm")
@guarded
def evidence_rm(
    ctx: typer.Context,
    evidence: Annotated[str, typer.Argument(help="Evidence id or key.")],
    purge: Annotated[bool, typer.Option("--purge", help=PURGE_HELP)] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=YES_HELP)] = False,
    by: Annotated[str | None, typer.Option("--by", help=BY_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was deleted as JSON.")] = False,
) -> None:
    """Delete an article with its links to questions and forecasts; restorable from the trash."""
    _remove(state(ctx), "evidence", evidence, purge=purge, yes=yes, by=by, as_json=as_json)


def _restore(ctx: typer.Context, kind: str, ref: str, by: str | None, as_json: bool) -> None:
    from forecast.services.trash import restore

    st = state(ctx)
    done = st.database(write=True).write(lambda session: restore(session, kind, ref, actor=st.forecaster(by)))
    if as_json:
        print_json(done.as_dict())
        return
    print(done.item_id)
    renumbered = f" as #{done.item_id}" if done.label != ref and kind != "question" else ""
    left = "; ".join(f"{n} {table.replace('_', ' ')} row(s) left out: what they pointed at is gone"
                     for table, n in done.skipped.items())  # fmt: skip
    note(f"restored {kind} {done.label}{renumbered} ({done.title})" + (f"; {left}" if left else ""))


@restore_app.command("question")
@guarded
def restore_question(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The deleted question's slug or id.")],
    by: Annotated[str | None, typer.Option("--by", help="Who restores (default: you).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was restored as JSON.")] = False,
) -> None:
    """Restore a deleted question with everything deleted with it."""
    _restore(ctx, "question", question, by, as_json)


@restore_app.command("forecast")
@guarded
def restore_forecast(
    ctx: typer.Context,
    forecast_id: Annotated[str, typer.Argument(metavar="ID", help="The deleted forecast's id.")],
    by: Annotated[str | None, typer.Option("--by", help="Who restores (default: you).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was restored as JSON.")] = False,
) -> None:
    """Restore a deleted forecast (every version deleted with it)."""
    _restore(ctx, "forecast", forecast_id, by, as_json)


@restore_app.command("evidence")
@guarded
def restore_evidence(
    ctx: typer.Context,
    evidence: Annotated[str, typer.Argument(help="The deleted evidence's key or id.")],
    by: Annotated[str | None, typer.Option("--by", help="Who restores (default: you).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was restored as JSON.")] = False,
) -> None:
    """Restore deleted evidence with its links (those to questions and forecasts that still exist)."""
    _restore(ctx, "evidence", evidence, by, as_json)


@app.command("trash")
@guarded
def trash(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--kind", help="Only question, forecast or evidence.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Also what was restored or purged since: the whole record.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Deleted items: what, who deleted it and when. `forecast restore KIND REF` brings one back."""
    from forecast.core.timeparse import parse_iso, shown_time
    from forecast.services.trash import list_trash

    st = state(ctx)
    with st.database().session() as session:
        rows = list_trash(session, kind=kind, include_closed=all_)
    if as_json:
        print_json(rows)
        return
    if not rows:
        note("the trash is empty" if not all_ else "nothing was ever deleted")
        return
    table = []
    for r in rows:
        closed = f"{r['state']} by {r['closed_by']} {shown_time(parse_iso(r['closed_at']))}" if r["closed_at"] else ""
        table.append((r["kind"], r["label"], r["title"], r["deleted_by"], shown_time(parse_iso(r["deleted_at"])))
                     + ((closed,) if all_ else ()))  # fmt: skip
    print_table(("KIND", "REF", "WHAT", "DELETED BY", "AT") + (("SINCE",) if all_ else ()), table, flex=2)
