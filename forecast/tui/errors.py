"""Unexpected errors: written to a log file with the traceback, shown to the user as one line."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from forecast.config import data_dir

_logger: logging.Logger | None = None


def log_path() -> Path:
    return data_dir() / "tui.log"


def logger() -> logging.Logger:
    global _logger
    if _logger is None:
        _logger = logging.getLogger("forecast.tui")
        _logger.propagate = False
        try:
            path = log_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        except OSError:  # an unwritable data dir must not stop the app
            handler = logging.NullHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        _logger.addHandler(handler)
        _logger.setLevel(logging.INFO)
    return _logger


def log_unexpected(what: str, exc: BaseException) -> str:
    """Log the traceback; return the one line to show."""
    logger().error("%s failed:\n%s", what, "".join(traceback.format_exception(exc)))
    summary = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{what} failed unexpectedly: {summary} (details in {log_path()})"
