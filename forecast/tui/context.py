"""What every screen needs from outside: the database, who the user is, their zone, and the clock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.core.backfill import DEFAULT_BACKFILL_AFTER
from forecast.core.timeparse import utcnow

if TYPE_CHECKING:  # importing SQLAlchemy is deferred until the first frame is on screen
    from forecast.services.database import Database


@dataclass
class TuiContext:
    target: str
    """The database as the CLI resolved it: a SQLite path or a SQLAlchemy URL."""
    me: str
    """The forecaster name the user records under (settings `name`)."""
    tz: str = "UTC"
    """IANA zone for showing times and reading typed dates; "local" follows the system."""
    clock: Callable[[], datetime] = field(default=utcnow)
    """Injected so that tests and snapshots run on a frozen clock."""
    refresh_seconds: float | None = 30.0
    """Periodic check for changes made by other processes; None turns it off (tests)."""
    backfill_after: timedelta = DEFAULT_BACKFILL_AFTER
    """A forecast recorded more than this after its claimed time is backfilled (settings `backfill_hours`)."""
    label: str = ""
    """How the database is named in the title bar."""
    database: Database | None = None
    first_frame: threading.Event = field(default_factory=threading.Event)
    """Set once the first frame with questions is drawn; heavy imports wait for it."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        from forecast.core.timeparse import set_display_zone

        set_display_zone(self.tz)  # the services' messages show times in the user's zone

    def now(self) -> datetime:
        return self.clock()

    @property
    def db(self) -> Database:
        """Opened (and its schema brought up to date) on first use, in whichever worker asks first."""
        with self._lock:
            if self.database is None:
                from forecast.services.database import open_database

                # The TUI never creates a database: a typo'd --db says "no database at PATH" (open `forecast demo`).
                self.database = open_database(self.target, create=False, announce_backup=lambda _path: None)
            return self.database

    def sqlite_file(self) -> Path | None:
        if "://" in self.target:
            return Path(self.target[len("sqlite:///"):]) if self.target.startswith("sqlite:///") else None
        return Path(self.target).expanduser()
