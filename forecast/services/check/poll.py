"""Feed polling for `forecast check`, through the feed service (services/feeds.py).

The service (with httpx and feedparser behind it) is imported only when feeds are registered: most
checks have none, and the import alone would cost more than the rest of a quiet check.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from forecast.core.errors import ForecastError


def _has_feeds(db) -> bool:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM feed LIMIT 1")).first() is not None


def poll_feeds(db, now: datetime) -> dict | None:
    """{"feeds": polled, "new": [items], "proposals": n, "errors": [{"feed", "error"}]}; None without feeds.

    A failure of the polling as a whole is reported as an error entry, so the rest of the check stands.
    """
    if not _has_feeds(db):
        return None
    from forecast.services.feeds import poll_all

    try:
        return poll_all(db, now=now)
    except (ForecastError, SQLAlchemyError, OSError) as exc:
        lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        error = {"feed": "(all feeds)", "error": lines[0] if lines else repr(exc)}
        return {"feeds": 0, "new": [], "proposals": 0, "errors": [error]}
