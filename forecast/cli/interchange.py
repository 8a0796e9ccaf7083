"""`forecast export jsonl` and `forecast import jsonl`; the `export` and `import` groups live here."""

from __future__ import annotations

from typing import Annotated

import typer

from forecast.cli.app import app
from forecast.cli.context import CliState, state
from forecast.cli.output import JsonFlag, guarded, note, print_json

export_app = typer.Typer(help="Export data: the interchange format, scores, forecasts, calibration.", no_args_is_help=True)
import_app = typer.Typer(help="Import data: the interchange format and other trackers' exports.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")


@export_app.command("jsonl")
@guarded
def export_jsonl_cmd(
    ctx: typer.Context,
    output: Annotated[str | None, typer.Option("-o", "--output", help="File to write ('-' or absent: stdout).")] = None,
) -> None:
    """Export the whole database as interchange v1 JSON Lines (lossless)."""
    from forecast.cli.progress import Progress
    from forecast.services.batch_export import export_jsonl

    from forecast.files import atomic_output

    st = state(ctx)
    db = st.database()
    progress = Progress("exporting forecasts")
    try:
        # All or nothing: a failed export leaves an older backup at -o untouched, never a truncated one.
        with atomic_output(output) as out, db.session() as session:
            counts = export_jsonl(session, out, progress=progress)
    finally:
        progress.done()
    note(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))


class DryRunRollback(Exception):
    """Raised inside the unit of work so that it rolls the write back, carrying its report out."""

    def __init__(self, report=None) -> None:
        super().__init__("dry run")
        self.report = report


def write_batch(st, batch, *, dry_run: bool, actor: str = "import", before=None):
    """Import a validated batch in one transaction, or with `dry_run` compute the same report and roll back.
    `before(session)`, if given, runs first in the same unit of work (which may run more than once)."""
    from forecast.cli.progress import Progress
    from forecast.services.batch_import import import_batch

    writing = Progress("writing forecasts", total=len(batch.forecasts))

    def work(session):
        if before is not None:
            before(session)
        report = import_batch(session, batch, progress=writing, actor=actor)
        if dry_run:
            raise DryRunRollback(report)
        return report

    try:
        # import_batch writes only ids it read in its own transaction and deletes no referenced row
        # (services/batch_import.py): SQLite may skip its foreign-key lookups. Not with `before`'s work.
        report = st.database(write=True).write(work, ids_read_here=before is None)
        st.database().checkpoint()
    except DryRunRollback as dry:
        report = dry.report
    finally:
        writing.done()
    return report


def _value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, dict):
        return " ".join(f"{k}={v}" for k, v in value.items())
    text = "-" if value is None else str(value)
    text = text.replace("\n", " ")
    return repr(text[:60] + "...") if len(text) > 60 else repr(text) if " " in text else text


def change_lines(report: dict) -> list[str]:
    """One line per changed field of a stored record, and per stored value the file could not change."""
    out = []
    for c in report.get("changes") or []:
        what = c["question"] if "question" in c else "forecast " + _value(c["forecast"])
        out.append(f"changed {what} {c['field']}: {_value(c['from'])} -> {_value(c['to'])}")
    for k in report.get("kept") or []:
        out.append(f"kept {k['question']} {k['field']} {_value(k['stored'])} ({k['reason']})")
    return out


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
    for line in change_lines(report):
        print(line)
    skipped = report.get("skipped") or []
    if skipped:
        note(f"{len(skipped)} rows skipped:")
        for item in skipped[:20]:
            note(f"  line {item['line']}: {item['reason']}")
        if len(skipped) > 20:
            note(f"  ... and {len(skipped) - 20} more (see --json)")


_kept: list = []
"""The last batch imported, left for the end of the process: forecast/__main__.py ends it with os._exit, which
frees nothing, where freeing a million records one by one at the command's return took a few tenths of a
second. A caller running commands in one process keeps one batch at most."""


def _load_write_modules(st: CliState) -> None:
    """While a child process reads half of a large file: import what the write needs (services/database.py)."""
    from forecast.core.errors import ForecastError
    from forecast.services.database import load_write_modules

    try:
        target = st.target
    except ForecastError:  # said where it always is, after the reading
        return
    load_write_modules(target)


@import_app.command("jsonl")
@guarded
def import_jsonl_cmd(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="Interchange file ('-' for stdin).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report what would change; write nothing.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Import an interchange v1 file in one transaction; importing it again adds nothing.

    Stored resolutions stand unless the file has a different one; every change to a stored record is listed."""
    from forecast.cli.progress import Progress
    from forecast.interchange.reader import read_file

    st = state(ctx)
    reading = Progress("reading")
    try:
        batch = read_file(path, progress=reading, meanwhile=lambda: _load_write_modules(st))
    finally:
        reading.done()
    data = write_batch(st, batch, dry_run=dry_run).as_dict()
    _kept[:] = [batch]
    data["dry_run"] = dry_run
    print_import_report(data, as_json)
    if dry_run and not as_json:
        note("dry run: nothing was written")
