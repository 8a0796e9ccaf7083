"""Open the database and run the terminal UI. `forecast`, `forecast tui` and `forecast demo` end here."""

from __future__ import annotations

import os
import time

FIRST_FRAME_ENV = "FORECAST_TUI_EXIT_AFTER_FIRST_FRAME"
"""Benchmarks only: a file path; the app writes the wall-clock time of its first frame with questions there, and exits."""


def launch(target: str, *, tz: str = "UTC", name: str = "me", backfill_after=None) -> None:
    """Run the app; the database is opened by the app's first worker, so the first frame comes sooner."""
    from forecast.core.errors import ForecastError
    from forecast.tui.app import ForecastApp
    from forecast.tui.context import TuiContext

    ctx = TuiContext(target=target, me=name, tz=tz, label=_label(target))
    if backfill_after is not None:
        ctx.backfill_after = backfill_after
    on_first_rows = _exit_after_first_frame if os.environ.get(FIRST_FRAME_ENV) else None
    app = ForecastApp(ctx, on_first_rows=on_first_rows)
    try:
        app.run()
    finally:
        if ctx.database is not None:
            ctx.database.engine.dispose()
    if app.fatal_error:
        raise ForecastError(app.fatal_error)


def _label(target: str) -> str:
    """A path relative to home, or the URL without its password."""
    if "://" not in target:
        text = str(os.path.abspath(os.path.expanduser(target)))
        home = os.path.expanduser("~")
        return "~" + text[len(home) :] if text.startswith(home + os.sep) else text
    scheme, _, rest = target.partition("://")
    if "@" in rest.split("/", 1)[0]:
        creds, _, host = rest.partition("@")
        rest = f"{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else rest
    return f"{scheme}://{rest}"


def _exit_after_first_frame(app) -> None:
    # Wall-clock time, so that the benchmark can subtract the moment it started this process.
    with open(os.environ[FIRST_FRAME_ENV], "w", encoding="ascii") as fh:
        fh.write(f"{time.time():.6f}\n")
    app.exit()
