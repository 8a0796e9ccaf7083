"""Per-invocation state shared by commands: the chosen database and the user's settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import typer

from forecast.cli.output import usage


@dataclass
class CliState:
    db: str | None = None
    _settings: object = field(default=None, repr=False)
    _database: object = field(default=None, repr=False)

    @property
    def settings(self):
        if self._settings is None:
            from forecast.config import load_settings

            self._settings = load_settings()
            from forecast.core.timeparse import set_display_zone

            set_display_zone(self._settings.timezone)  # times in the services' messages are the user's
        return self._settings

    @property
    def target(self) -> str:
        from forecast.config import resolve_database

        return resolve_database(self.db, self.settings)

    def database(self, *, write: bool = False):
        """The database, opened once. Only a write command (`write=True`) may create it: read commands
        report "no database at PATH" instead of leaving an empty file behind a typo'd --db."""
        if self._database is None:
            from forecast.services.database import open_database

            target = self.target
            if write:
                from forecast.config import ensure_default_data_dir

                ensure_default_data_dir(target)
            self._database = open_database(target, create=write)
            from forecast.cli import crash

            _opened.append(self._database)
            crash.database_label = self._database.engine.url.render_as_string(hide_password=True)
        return self._database

    def forecaster(self, by: str | None = None, *, write: bool = True) -> str:
        """Whom a write is recorded for: --by or the configured name; in a team database the connected
        role, and --by only for admins (services/team.py; the database enforces the same)."""
        target = self.target
        if "://" not in target or target.startswith("sqlite"):  # SQLite: single-user, nothing to ask the database
            return by or self.settings.name
        db = self.database(write=write)
        if db.dialect != "postgresql":
            return by or self.settings.name
        from forecast.services.team import forecaster_for

        return forecaster_for(db, by, self.settings.name)

    @property
    def tz(self) -> str:
        return self.settings.timezone

    def when(self, text: str | None, *, now: datetime | None = None) -> datetime | None:
        if text is None:
            return None
        from forecast.core.timeparse import parse_when

        return usage(parse_when, text, now=now, tz=self.tz)


_opened: list = []
"""The database this process opened, for `report_clamped_times`."""


def report_clamped_times() -> None:
    """After a command: if it read stored times outside the supported range (clamped on reading, see
    core/time_range.py), name the rows on stderr and point at `forecast db check`."""
    import sys

    module = sys.modules.get("forecast.core.time_range")
    if module is None or not module.out_of_range_seen() or not _opened:
        return
    problems = []
    try:
        from forecast.services.db_check import time_problems

        with _opened[0].engine.connect() as conn:
            problems = time_problems(conn, limit=3)
    except Exception:  # the warning must never turn a finished command into a failure
        problems = []
    for p in problems:
        print(f"forecast: warning: {p.line()}; shown as the nearest supported time; run `forecast db check`",
              file=sys.stderr)
    if not problems:
        print("forecast: warning: some stored times are outside the supported range; run `forecast db check`",
              file=sys.stderr)


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj
