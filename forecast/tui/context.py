"""What every screen needs from outside: the database, who the user is, their zone, and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from forecast.core.timeparse import utcnow
from forecast.services.database import Database


@dataclass
class TuiContext:
    db: Database
    me: str
    """The forecaster name the user records under (settings `name`)."""
    tz: str = "UTC"
    """IANA zone for showing times and reading typed dates; "local" follows the system."""
    clock: Callable[[], datetime] = field(default=utcnow)
    """Injected so that tests and snapshots run on a frozen clock."""
    refresh_seconds: float | None = 30.0
    """Periodic check for changes made by other processes; None turns it off (tests)."""
    label: str = ""
    """How the database is named in the title bar."""

    def now(self) -> datetime:
        return self.clock()
