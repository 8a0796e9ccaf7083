"""Open the database and run the terminal UI. `forecast`, `forecast tui` and `forecast demo` end here."""

from __future__ import annotations

import os
import sys
import time

FIRST_FRAME_ENV = "FORECAST_TUI_EXIT_AFTER_FIRST_FRAME"
"""Benchmarks only: when set, exit right after the first frame that shows questions, printing the time."""


def launch(target: str, *, tz: str = "UTC", name: str = "me") -> None:
    from forecast.services.database import open_database
    from forecast.tui.app import ForecastApp
    from forecast.tui.context import TuiContext

    db = open_database(target)
    ctx = TuiContext(db=db, me=name, tz=tz, label=_label(db.url))
    on_first_rows = _exit_after_first_frame if os.environ.get(FIRST_FRAME_ENV) else None
    try:
        ForecastApp(ctx, on_first_rows=on_first_rows).run()
    finally:
        db.engine.dispose()


def _label(url: str) -> str:
    from forecast.store.engine import sqlite_path

    path = sqlite_path(url)
    if path is not None:
        home = os.path.expanduser("~")
        text = str(path)
        return "~" + text[len(home):] if text.startswith(home + os.sep) else text
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _exit_after_first_frame(app) -> None:
    # Wall-clock time, so that the benchmark can subtract the moment it started this process.
    print(f"first-frame-at {time.time():.6f}", file=sys.stderr, flush=True)
    app.exit()
