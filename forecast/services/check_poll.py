"""Feed polling for `forecast check`, through the evidence feature's feed service when it is installed."""

from __future__ import annotations

from datetime import datetime


def _feed_service():
    import importlib

    try:
        feeds = importlib.import_module("forecast.services.feeds")
    except ModuleNotFoundError as exc:
        if exc.name == "forecast.services.feeds":
            return None
        raise
    return feeds if callable(getattr(feeds, "poll_all", None)) else None


def poll_feeds(db, now: datetime) -> dict | None:
    """{"feeds": polled, "new": [new evidence proposals], "errors": [{"feed", "error"}]}; None without feeds."""
    service = _feed_service()
    if service is None:
        return None
    return service.poll_all(db, now=now)
