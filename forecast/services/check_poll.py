"""Feed polling for `forecast check`, through the evidence feature's feed service when it is installed.

The service (with httpx and feedparser behind it) is imported only when feeds are registered: most
checks have none, and the import alone would cost more than the rest of a quiet check.
"""

from __future__ import annotations

import importlib
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from forecast.core.errors import ForecastError


def _has_feeds(db) -> bool:
    try:
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM feed LIMIT 1")).first() is not None
    except SQLAlchemyError:  # no feed table: the evidence feature is not part of this schema
        return False


def _feed_service():
    try:
        feeds = importlib.import_module("forecast.services.feeds")
    except ModuleNotFoundError as exc:
        if exc.name == "forecast.services.feeds":
            return None
        raise
    return feeds if callable(getattr(feeds, "poll_all", None)) else None


def poll_feeds(db, now: datetime) -> dict | None:
    """{"feeds": polled, "new": [items], "proposals": n, "errors": [{"feed", "error"}]}; None without feeds.

    A failure of the polling as a whole is reported as an error entry, so the rest of the check stands.
    """
    if not _has_feeds(db):
        return None
    service = _feed_service()
    if service is None:
        return None
    try:
        return service.poll_all(db, now=now)
    except (ForecastError, SQLAlchemyError, OSError) as exc:
        lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        error = {"feed": "(all feeds)", "error": lines[0] if lines else repr(exc)}
        return {"feeds": 0, "new": [], "proposals": 0, "errors": [error]}
