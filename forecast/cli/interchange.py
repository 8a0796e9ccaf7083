"""`forecast export jsonl` and `forecast import jsonl`; the `export` and `import` groups live here."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from forecast.cli.app import app
from forecast.cli.context import state
from forecast.cli.output import guarded, note, print_json

export_app = typer.Typer(help="Export data: the interchange format, scores, forecasts, calibration.", no_args_is_help=True)
import_app = typer.Typer(help="Import data: the interchange format and other trackers' exports.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")


def open_output(path: str | None):
    """Binary stream for `-o`: stdout when absent or '-'."""
    if path in (None, "-"):
        return sys.stdout.buffer, False
    try:
        return open(path, "wb"), True
    except OSError as exc:
        from forecast.core.errors import ForecastError

        raise ForecastError(f"{path}: cannot write: {exc.strerror}") from None


@export_app.command("jsonl")
@guarded
def export_jsonl_cmd(
    ctx: typer.Context,
    output: Annotated[str | None, typer.Option("-o", "--output", help="File to write ('-' or absent: stdout).")] = None,
) -> None:
    """Export the whole database as interchange v1 JSON Lines (lossless)."""
    from forecast.cli.progress import Progress
    from forecast.services.batch_export import export_jsonl

    st = state(ctx)
    out, close = open_output(output)
    progress = Progress("exporting forecasts")
    try:
        with st.database().session() as session:
            counts = export_jsonl(session, out, progress=progress)
    finally:
        progress.done()
        if close:
            out.close()
        else:
            out.flush()
    note(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))


def print_import_report(report: dict, as_json: bool) -> None:
    if as_json:
        print_json(report)
        return
    print(
        f"questions: {report['questions_added']} added, {report['questions_updated']} updated, "
        f"{report['questions_unchanged']} unchanged; forecasts: {report['forecasts_added']} added, "
        f"{report['forecasts_existing']} already present; evidence: {report['evidence_added']} added; "
        f"forecasters: {report['forecasters_added']} added"
    )
    skipped = report.get("skipped") or []
    if skipped:
        note(f"{len(skipped)} rows skipped:")
        for item in skipped[:20]:
            note(f"  line {item['line']}: {item['reason']}")
        if len(skipped) > 20:
            note(f"  ... and {len(skipped) - 20} more (see --json)")


@import_app.command("jsonl")
@guarded
def import_jsonl_cmd(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="Interchange file ('-' for stdin).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import an interchange v1 file in one transaction; importing it again adds nothing."""
    from forecast.cli.progress import Progress
    from forecast.interchange.reader import read_file
    from forecast.services.batch_import import import_batch

    st = state(ctx)
    reading = Progress("reading")
    try:
        batch = read_file(path, progress=reading)
    finally:
        reading.done()
    writing = Progress("writing forecasts", total=len(batch.forecasts))
    try:
        report = st.database().write(lambda session: import_batch(session, batch, progress=writing))
        st.database().checkpoint()
    finally:
        writing.done()
    print_import_report(report.as_dict(), as_json)
