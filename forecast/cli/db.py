"""`forecast db ...`: schema upgrades and where the database is."""

from __future__ import annotations

from typing import Annotated

import typer

from forecast.cli.app import app
from forecast.cli.context import state
from forecast.cli.output import JsonFlag, guarded, note, print_json

db_app = typer.Typer(help="Database: upgrade the schema, show where it is.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
@guarded
def upgrade(ctx: typer.Context) -> None:
    """Apply pending migrations (a SQLite file is backed up first)."""
    from forecast.services.database import SCHEMA_HEAD

    state(ctx).database(write=True)
    print(SCHEMA_HEAD)


@db_app.command("info")
@guarded
def info(
    ctx: typer.Context,
    as_json: JsonFlag = False,
) -> None:
    """Show the database in use, its schema revision and row counts."""
    from forecast.services.database import database_info

    data = database_info(state(ctx).database())
    counts = data["counts"]
    if as_json:
        print_json(data)
    else:
        print(f"database: {data['database']}\nrevision: {data['revision']}")
        for table, n in counts.items():
            print(f"{table}s: {n}")


@db_app.command("check")
@guarded
def check(
    ctx: typer.Context,
    as_json: JsonFlag = False,
) -> None:
    """Scan for stored rows that break today's rules (times out of range, slugs, control characters,
    correction chains); changes nothing. Exit 10 when something is found."""
    from forecast.cli.exit_codes import ExitCode
    from forecast.services.db_check import check_database, summary

    db = state(ctx).database()
    with db.engine.connect() as conn:
        problems = check_database(conn)
    if as_json:
        print_json({"problems": [p.as_dict() for p in problems], "counts": summary(problems)})
    else:
        for p in problems:
            print(p.line())
        counts = ", ".join(f"{n} {rule}" for rule, n in summary(problems).items())
        note(f"{len(problems)} problems ({counts})" if problems else "no problems found")
    if problems:
        raise typer.Exit(int(ExitCode.ATTENTION))
