"""`forecast demo` and `forecast tui`: open the main job."""

from __future__ import annotations

from typing import Annotated

import typer

from forecast.cli.app import app
from forecast.cli.context import state
from forecast.cli.output import guarded, note


@app.command("demo")
@guarded
def demo(
    ctx: typer.Context,
    questions: Annotated[str | None, typer.Option("--questions", help="Directory of question files.")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Start the demo database afresh.")] = False,
) -> None:
    """Create (or reuse) the demo database from questions/ and open the main job on it."""
    from forecast.cli.main_job import main_job
    from forecast.config import demo_database, ensure_default_data_dir
    from forecast.services.demo import build_demo

    st = state(ctx)
    st.db = st.db or demo_database()
    ensure_default_data_dir(st.db)
    report = build_demo(st.db, questions, forecaster=st.settings.name, reset=reset)
    note(f"demo database {st.db}: {report['files']} question files, {report['added']} new questions")
    main_job(st)


@app.command("tui")
@guarded
def tui(ctx: typer.Context) -> None:
    """Open the terminal UI on the configured database."""
    from forecast.cli.main_job import main_job

    main_job(state(ctx))
