"""`forecast team`: set a team up on PostgreSQL and manage its members (database roles)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from forecast.cli.app import app
from forecast.cli.context import state
from forecast.cli.output import JsonFlag, guarded, note, print_json, print_table

team_app = typer.Typer(help="A team on one PostgreSQL database: members are database roles (docs/teams.md).",
                       no_args_is_help=True)
app.add_typer(team_app, name="team")

ROLE_HELP = "admin, member or observer."


def _password(password_stdin: bool, no_password: bool) -> str | None:
    import getpass

    if password_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            raise typer.BadParameter("no password on standard input", param_hint="--password-stdin")
        return value
    if no_password or not sys.stdin.isatty():
        if not no_password:
            note("no password set (stdin is not a terminal): pg_hba.conf decides how this member authenticates")
        return None
    first = getpass.getpass("password for the new member: ")
    if first != getpass.getpass("again: "):
        raise typer.BadParameter("the two passwords differ")
    return first or None


def _member_dict(m) -> dict:
    return {"name": m.name, "role": m.role, "can_login": m.can_login, "forecaster_id": m.forecaster_id}


@team_app.command("init")
@guarded
def init(
    ctx: typer.Context,
    show_forecasts: Annotated[bool, typer.Option("--show-forecasts", help="Let members see others' forecasts "
                                                 "on open questions before forecasting themselves.")] = False,
) -> None:
    """Create the team's group roles, grants and row-level security (run once, as the database owner)."""
    from forecast.services import team

    team.init(state(ctx).database(write=True), hide_until_forecast=not show_forecasts)
    note("team set up: add members with `forecast team add NAME --role member`")


@team_app.command("add")
@guarded
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The member's database role and forecaster name.")],
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)] = "member",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    no_password: Annotated[bool, typer.Option("--no-password", help="Set no password (pg_hba.conf decides).")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Add a member: a LOGIN role in the team's group for ROLE, and their forecaster."""
    from forecast.services import team

    st = state(ctx)
    db = st.database(write=True)
    team.require_postgres(db)  # before asking for a password the database could never use
    member = team.add(db, name, role, password=_password(password_stdin, no_password))
    if as_json:
        print_json(_member_dict(member))
    else:
        note(f"added {member.name} as {member.role}")


@team_app.command("list")
@guarded
def list_members(
    ctx: typer.Context,
    as_json: JsonFlag = False,
) -> None:
    """The team's members and their roles (removed members keep their history)."""
    from forecast.services import team

    found = team.members(state(ctx).database())
    if as_json:
        print_json([_member_dict(m) for m in found])
        return
    print_table(["NAME", "ROLE", "LOGIN"], [[m.name, m.role, "yes" if m.can_login else "no"] for m in found])


@team_app.command("set-role")
@guarded
def set_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The member.")],
    role: Annotated[str, typer.Argument(help=ROLE_HELP)],
) -> None:
    """Change a member's role."""
    from forecast.services import team

    member = team.set_role(state(ctx).database(write=True), name, role)
    note(f"{member.name} is now {member.role}")


@team_app.command("remove")
@guarded
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The member.")],
) -> None:
    """Remove a member: their login and rights are revoked; what they recorded stays."""
    from forecast.services import team

    team.remove(state(ctx).database(write=True), name)
    note(f"removed {name}; their forecasts stay in the history")
