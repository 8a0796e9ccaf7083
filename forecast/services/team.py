"""Teams on one PostgreSQL database: members are database roles; the database enforces who may do what.

`init` installs the group roles, grants, triggers and row-level security of store/team_sql.py; `add`,
`set_role` and `remove` manage LOGIN roles; `identity` tells a front end who is connected, so that in a
team database the forecaster is the connected role (`current_user`), never a name typed with --by
(only admins may record for someone else). SQLite databases are single-user and never team databases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from forecast.core.errors import InvalidInput, NotFound
from forecast.services.database import Database
from forecast.store import bulk
from forecast.services.views import HIDDEN_UNTIL_CLOSE, HIDDEN_UNTIL_FORECAST
from forecast.store.team_sql import FUNCTIONS, GROUP_OF_ROLE, GROUPS, POLICIES, ROLE_OF_GROUP, TRIGGERS, grants, quoted

ROLES = ("admin", "member", "observer")
# a role name doubles as the forecaster's name: keep it to what needs no quoting anywhere
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
HIDE_SETTING = "hide_until_forecast"


@dataclass(frozen=True, slots=True)
class TeamIdentity:
    user: str  # the connected role: the forecaster's name
    role: str | None  # admin | member | observer | None (the owner, or a role outside the team)
    hide_until_forecast: bool

    @property
    def may_act_for_others(self) -> bool:
        return self.role in (None, "admin")  # None: the database owner, who set the team up


@dataclass(frozen=True, slots=True)
class TeamMember:
    name: str
    role: str
    can_login: bool
    forecaster_id: int | None


def require_postgres(db: Database) -> None:
    if db.dialect != "postgresql":
        raise InvalidInput("teams need a PostgreSQL database (SQLite is single-user); pass --db postgresql://…")


def _check_name(name: str) -> str:
    if not _ROLE_NAME.fullmatch(name):
        raise InvalidInput(
            f"{name!r} cannot be a member name: use 1-63 lower-case letters, digits or _, not starting with a digit"
        )
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role must be admin, member or observer, not {role!r}")
    return role


def is_team_database(conn: Connection) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    return bool(bulk.scalar(conn, "SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass('public.forecast')"))


def identity(db: Database) -> TeamIdentity | None:
    """Who is connected to a team database; None when this is not one."""
    if db.dialect != "postgresql":
        return None
    with db.engine.connect() as conn:
        if not is_team_database(conn):
            return None
        user = bulk.scalar(conn, "SELECT session_user")
        found = bulk.rows(
            conn,
            "SELECT g.rolname FROM pg_roles g WHERE g.rolname IN ('forecast_admin', 'forecast_member', "
            "'forecast_observer') AND pg_has_role(session_user, g.oid, 'USAGE') ORDER BY g.rolname",
        )
        hide = bulk.scalar(conn, "SELECT value FROM team_setting WHERE key = :k", (HIDE_SETTING,))
    groups = [r[0] for r in found]
    role = next((ROLE_OF_GROUP[g] for g in GROUPS if g in groups), None)
    return TeamIdentity(user=user, role=role, hide_until_forecast=hide != "false")


def others_hidden(conn: Connection, question_id: int) -> str | None:
    """Why row-level security hides other members' forecasts on this question from the connected role, or None.

    The database's own rule decides (forecast_hidden_from_me, store/team_sql.py), so what the app says is
    what the policy does; readers cannot tell a hidden forecast from none without it. Admins see everything,
    and so does the owner (RLS does not apply to a table's owner).
    """
    if not is_team_database(conn):
        return None
    hidden, admin, member, observer = bulk.rows(
        conn,
        "SELECT forecast_hidden_from_me(:q), pg_has_role(session_user, 'forecast_admin', 'USAGE'), "
        "pg_has_role(session_user, 'forecast_member', 'USAGE'), pg_has_role(session_user, 'forecast_observer', 'USAGE')",
        (question_id,),
    )[0]
    if not hidden or admin:
        return None
    if member:
        return HIDDEN_UNTIL_FORECAST
    return HIDDEN_UNTIL_CLOSE if observer else None


def forecaster_for(db: Database, by: str | None, default: str) -> str:
    """The name a write is recorded under: in a team database the connected role, or --by for admins."""
    me = identity(db)
    if me is None:
        return by or default
    if by is None or by == me.user:
        return me.user
    if not me.may_act_for_others:
        raise InvalidInput(
            f"in a team database you record as yourself ({me.user}); only admins may use --by for someone else"
        )
    return by


_RULE_OF_TABLE = {
    "forecast": "members record, correct and delete only their own forecasts",
    "standing_forecast": "members record, correct and delete only their own forecasts",
    "forecaster": "members act only as themselves",
    "question": "only admins or the member who created a question may edit, resolve or delete it",
    "resolution_event": "only admins or the member who created a question may resolve it",
    "team_setting": "only admins change team settings",
    "comment": "members edit and delete only their own comments",
}
_TABLE = re.compile(r'(?:table|relation) "?([a-z_]+)"?')


def refusal(message: str) -> str:
    """The one line for a write the team database refused (SQLSTATE 42501), naming the rule."""
    found = _TABLE.search(message)
    table = found.group(1) if found else ""
    if "row-level security" in message and table in _RULE_OF_TABLE:
        return f"the team database refused this: {_RULE_OF_TABLE[table]}"
    if "permission denied" in message:
        return f"the team database refused this: your role may not change {table or 'this'} (observers only read)"
    return f"the team database refused this: {message}"


def _run(conn: Connection, script: str) -> None:
    with bulk.cursor(conn) as cur:
        cur.execute(script)


def init(db: Database, *, hide_until_forecast: bool = True) -> None:
    """Install the roles, grants, triggers and policies (again, harmlessly, on an initialised database)."""
    require_postgres(db)

    def work(conn: Connection) -> None:
        owner = bulk.scalar(
            conn,
            "SELECT pg_has_role(session_user, (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename = 'forecast'), 'USAGE')",
        )
        if not owner:
            raise InvalidInput("only the database's owner can set a team up (connect as the role that owns it)")
        for group in GROUPS:
            _run(conn, f"DO $$ BEGIN CREATE ROLE {group} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        _run(conn, FUNCTIONS)
        _run(conn, TRIGGERS)
        _run(conn, POLICIES)
        _run(conn, grants(bulk.scalar(conn, "SELECT current_database()")))
        value = "true" if hide_until_forecast else "false"
        bulk.execute(
            conn,
            "INSERT INTO team_setting (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v",
            (HIDE_SETTING, value),
        )

    _ddl(db, work)


def _ddl(db: Database, work) -> None:
    try:
        db.write_connection(work)
    except Exception as exc:  # psycopg's own errors (raw cursor) or SQLAlchemy's wrapping of them
        orig = getattr(exc, "orig", exc)
        if getattr(orig, "sqlstate", None) == "42501":
            diag = getattr(orig, "diag", None)
            reason = (diag.message_primary if diag is not None else None) or str(orig).strip()
            raise InvalidInput(f"the database refused: {reason} (managing a team needs the owner or CREATEROLE)") from None
        raise


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def add(db: Database, name: str, role: str, *, password: str | None = None) -> TeamMember:
    require_postgres(db)
    _check_name(name)
    _check_role(role)

    def work(conn: Connection) -> None:
        if not is_team_database(conn):
            raise InvalidInput("this database is not set up for a team yet; run `forecast team init` first")
        if bulk.scalar(conn, "SELECT 1 FROM pg_roles WHERE rolname = :n", (name,)):
            raise InvalidInput(f"a database role named {name} exists already; use `forecast team set-role`")
        who = _quote(conn, name)
        if password is None:
            _run(conn, f"CREATE ROLE {who} LOGIN IN ROLE {GROUP_OF_ROLE[role]}")
        else:
            with bulk.cursor(conn) as cur:  # the password as a bound literal, never pasted into the SQL
                from psycopg import sql

                cur.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                        sql.Identifier(name), sql.Literal(password), sql.Identifier(GROUP_OF_ROLE[role])
                    )
                )
        _run(conn, f"GRANT CONNECT ON DATABASE {quoted(bulk.scalar(conn, 'SELECT current_database()'))} TO {who}")
        bulk.execute(
            conn,
            "INSERT INTO forecaster (name, created_at) VALUES (:n, (extract(epoch FROM now()) * 1000000)::bigint) "
            "ON CONFLICT (name) DO NOTHING",
            (name,),
        )

    _ddl(db, work)
    return next(m for m in members(db) if m.name == name)


def members(db: Database) -> list[TeamMember]:
    require_postgres(db)
    with db.engine.connect() as conn:
        found = bulk.rows(
            conn,
            "SELECT r.rolname, g.rolname, r.rolcanlogin, f.id FROM pg_roles r "
            "JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN forecaster f ON f.name = r.rolname "  # the group roles are cluster-wide: this team's are here
            "WHERE g.rolname IN ('forecast_admin', 'forecast_member', 'forecast_observer') "
            "AND has_database_privilege(r.oid, current_database(), 'CONNECT') ORDER BY r.rolname",
        )
        former = bulk.rows(
            conn,
            "SELECT r.rolname, f.id FROM pg_roles r JOIN forecaster f ON f.name = r.rolname "
            "WHERE NOT r.rolcanlogin AND r.rolname NOT LIKE 'forecast\\_%' AND NOT EXISTS ("
            "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid "
            "AND g.rolname IN ('forecast_admin', 'forecast_member', 'forecast_observer'))",
        )
    out = [TeamMember(name, ROLE_OF_GROUP[group], bool(login), fid) for name, group, login, fid in found]
    out += [TeamMember(name, "removed", False, fid) for name, fid in former]
    return sorted(out, key=lambda m: m.name)


def _member(db: Database, name: str) -> TeamMember:
    found = next((m for m in members(db) if m.name == name), None)
    if found is None:
        raise NotFound(f"{name} is not a member of this team (see `forecast team list`)")
    return found


def _revoke_groups(conn: Connection, who: str, *, keep: str | None = None) -> None:
    for group in GROUPS:
        if group != keep:
            _run(conn, f"REVOKE {group} FROM {who}")


def set_role(db: Database, name: str, role: str) -> TeamMember:
    require_postgres(db)
    _check_name(name)
    _check_role(role)
    _member(db, name)

    def work(conn: Connection) -> None:
        who = _quote(conn, name)
        _revoke_groups(conn, who, keep=GROUP_OF_ROLE[role])
        _run(conn, f"GRANT {GROUP_OF_ROLE[role]} TO {who}")
        _run(conn, f"ALTER ROLE {who} LOGIN")

    _ddl(db, work)
    return _member(db, name)


def remove(db: Database, name: str) -> TeamMember:
    """Revoke membership and login; the role and everything it recorded stay (history is kept)."""
    require_postgres(db)
    _check_name(name)
    _member(db, name)

    def work(conn: Connection) -> None:
        who = _quote(conn, name)
        _revoke_groups(conn, who)
        _run(conn, f"REVOKE CONNECT ON DATABASE {quoted(bulk.scalar(conn, 'SELECT current_database()'))} FROM {who}")
        _run(conn, f"ALTER ROLE {who} NOLOGIN")

    _ddl(db, work)
    return _member(db, name)


__all__ = [
    "ROLES",
    "TeamIdentity",
    "TeamMember",
    "add",
    "require_postgres",
    "forecaster_for",
    "identity",
    "init",
    "is_team_database",
    "members",
    "remove",
    "set_role",
]
