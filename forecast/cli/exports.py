"""`forecast export forecasts|scores|calibration|comments`: tables as CSV, JSON or Parquet (docs/exports.md)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from forecast.cli import params
from forecast.cli.context import CliState, state
from forecast.cli.interchange import export_app
from forecast.cli.output import UsageFailure, guarded, note

Output = Annotated[str | None, typer.Option("-o", "--output", help="File to write ('-' or absent: stdout).")]
Format = Annotated[str | None, typer.Option("--format", "-f", help="csv, json or parquet (default: from the "
                                            "-o file's extension, else csv).")]
By = Annotated[list[str] | None, typer.Option("--by", metavar="NAME", help="Only this forecaster (repeatable).")]
Tag = Annotated[str | None, typer.Option("--tag", "-t", help="Only questions with this tag.")]
Since = Annotated[str | None, typer.Option("--since", metavar="WHEN", help="Forecasts made from then on.")]
Until = Annotated[str | None, typer.Option("--until", metavar="WHEN", help="Forecasts made before then.")]
ResolvedSince = Annotated[str | None, typer.Option("--since", metavar="WHEN", help="Questions resolved from then on.")]
ResolvedUntil = Annotated[str | None, typer.Option("--until", metavar="WHEN", help="Questions resolved before then.")]
Bom = Annotated[bool, typer.Option("--bom", help="CSV: start with a UTF-8 byte-order mark (helps Excel).")]


def pick_format(fmt: str | None, output: str | None) -> str:
    from forecast.export.writers import FORMATS

    if fmt is None:
        suffix = (output or "").rsplit(".", 1)[-1].lower() if output and "." in output else ""
        fmt = {"csv": "csv", "json": "json", "parquet": "parquet", "pq": "parquet"}.get(suffix, "csv")
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageFailure(f"--format {fmt!r} is not one of: {', '.join(FORMATS)}")
    if fmt == "parquet" and output in (None, "-") and sys.stdout.isatty():
        raise UsageFailure("Parquet is binary: write it to a file with -o FILE.parquet")
    return fmt


def write_table(table, fmt: str, output: str | None, *, bom: bool = False, what: str = "rows") -> None:
    """Write to -o (or stdout), with a progress bar on stderr for long exports when it is a terminal."""
    from forecast.cli.progress import Progress
    from forecast.export.writers import require_pyarrow, write
    from forecast.files import atomic_output

    if fmt == "parquet":
        require_pyarrow()  # fail before creating the file
    progress = Progress(f"writing {what}", total=len(table))
    try:
        with atomic_output(output) as out:
            n = write(table, fmt, out, bom=bom, progress=progress)
    finally:
        progress.done()
    note(f"{n} {what}" + (f" written to {output}" if output not in (None, "-") else ""))


def checked_kind(kind: str) -> str:
    """A --kind value (a question kind: core/model.Kind), or the one-line usage error (exit 2)."""
    from forecast.core.model import Kind

    kinds = tuple(k.value for k in Kind)
    if kind not in kinds:
        raise UsageFailure(f"--kind {kind!r} is not one of: {', '.join(kinds)}")
    return kind


def empty_kind_note(kind: str, block) -> str:
    """Why a --kind export or plot has no bins to show."""
    if block is None:
        return f"no {kind} question matches: nothing to calibrate"
    if block.scored == 0:
        return f"no {kind} question matching is resolved: nothing to calibrate"
    return f"no forecast stood on the resolved {kind} questions matching: nothing to calibrate"


ExcludeBackfilled = Annotated[bool, typer.Option("--exclude-backfilled", help="Leave out forecasts recorded long "
                                                 "after the time they claim (written with hindsight).")]


def export_filter(st: CliState, by, tag, since, until, exclude_backfilled: bool = False):
    from forecast.services.exports import ExportFilter

    return ExportFilter(forecasters=tuple(by or ()), tag=tag, since=st.when(since), until=st.when(until),
                        exclude_backfilled=exclude_backfilled, backfill_after=st.settings.backfill_after)  # fmt: skip


@export_app.command("forecasts")
@guarded
def export_forecasts(
    ctx: typer.Context,
    output: Output = None,
    fmt: Format = None,
    by: By = None,
    tag: Tag = None,
    since: Since = None,
    until: Until = None,
    bom: Bom = False,
) -> None:
    """One row per forecast (corrections excluded) with its Brier score when the question resolved.

    --since/--until select forecasts by the time they were made.
    """
    from forecast.services.exports import forecasts_table

    st = state(ctx)
    fmt = pick_format(fmt, output)
    flt = export_filter(st, by, tag, since, until)
    with st.database().session() as session:
        table = forecasts_table(session, flt)
    write_table(table, fmt, output, bom=bom, what="forecasts")


@export_app.command("scores")
@guarded
def export_scores(
    ctx: typer.Context,
    output: Output = None,
    fmt: Format = None,
    by: By = None,
    tag: Tag = None,
    since: ResolvedSince = None,
    until: ResolvedUntil = None,
    bom: Bom = False,
    exclude_backfilled: ExcludeBackfilled = False,
    kind: Annotated[str, typer.Option("--kind", help="Questions of this kind: binary, choice, numeric or date "
                                      "(each has its own columns).")] = "binary",
) -> None:
    """One row per scored (question, forecaster): the scoring engine's numbers at full precision.

    Columns: slug, title, tags, forecaster, outcome, resolved_at, n_forecasts, first/last forecast time and
    probability, brier_last, brier_mean, time_weighted_brier, brier2, log_score, baseline, peer,
    relative_brier, coverage (docs/exports.md). --kind choice: brier, brier2, log_score, baseline, peer;
    --kind numeric or date: log_score, crps, baseline, peer. --by picks rows after scoring, so peer scores
    still compare with everyone who forecast the question.
    """
    kind = checked_kind(kind)
    st = state(ctx)
    fmt = pick_format(fmt, output)
    flt = export_filter(st, by, tag, since, until, exclude_backfilled)
    if kind != "binary":
        from forecast.core.model import Kind
        from forecast.services.kind_scores import kind_scores_table

        with st.database().session() as session:
            table = kind_scores_table(session, flt, Kind(kind))
        write_table(table, fmt, output, bom=bom, what=f"{kind} scores")
        return
    from forecast.services.score_tables import score_db, scores_table

    with st.database().session() as session:
        scored = score_db(session, flt)
    write_table(scores_table(scored), fmt, output, bom=bom, what="scores")


@export_app.command("calibration")
@guarded
def export_calibration(
    ctx: typer.Context,
    output: Output = None,
    fmt: Format = None,
    by: By = None,
    tag: Tag = None,
    since: ResolvedSince = None,
    until: ResolvedUntil = None,
    unit: Annotated[str, typer.Option("--unit", help="What weighs 1: time (each question, split by standing "
                                      "time), forecast, or final (each question's last forecast).")] = "time",
    bin_width: Annotated[float, typer.Option("--bin-width", callback=params.BIN_WIDTH, help="Bin width; must divide 1.")] = 0.1,
    bom: Bom = False,
    kind: Annotated[str, typer.Option("--kind", help="Questions of this kind: binary, choice (bins per option) or "
                                      "numeric or date (the PIT histogram and its uniformity test).")] = "binary",
) -> None:
    """Calibration bins with 95% Wilson intervals: per forecaster, per aggregate, and pooled.

    --kind choice: the reliability bins over all options and per option key; --kind numeric or date: the PIT
    histogram with the counts expected under uniformity and the Kolmogorov-Smirnov test (docs/exports.md).
    """
    kind = checked_kind(kind)
    st = state(ctx)
    fmt = pick_format(fmt, output)
    flt = export_filter(st, by, tag, since, until)
    if kind != "binary":
        from forecast.core.model import Kind
        from forecast.services.kind_calibration import calibration_block, has_forecasts, kind_calibration_table

        with st.database().session() as session:
            block = calibration_block(session, flt, Kind(kind), unit=unit, bin_width=bin_width)
        if not has_forecasts(block):
            note(empty_kind_note(kind, block))
        what = "calibration bins" if kind == "choice" else "PIT bins"
        write_table(kind_calibration_table(block, Kind(kind)), fmt, output, bom=bom, what=f"{kind} {what}")
        return
    from forecast.services.score_tables import calibration_table, score_db

    with st.database().session() as session:
        scored = score_db(session, flt, unit=unit, bin_width=bin_width, aggregates=True)
    write_table(calibration_table(scored), fmt, output, bom=bom, what="calibration bins")


@export_app.command("comments")
@guarded
def export_comments(
    ctx: typer.Context,
    output: Output = None,
    fmt: Format = None,
    by: Annotated[list[str] | None, typer.Option("--by", metavar="NAME", help="Only this author's comments (repeatable).")] = None,
    tag: Tag = None,
    since: Annotated[str | None, typer.Option("--since", metavar="WHEN", help="Comments written from then on.")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="WHEN", help="Comments written before then.")] = None,
    bom: Bom = False,
) -> None:
    """One row per comment on a live question: its id, question, author, text and times.

    Columns: id, slug, title, tags, author, body, created_at, updated_at, edited (docs/exports.md).
    --since/--until select comments by the time they were written.
    """
    from forecast.services.exports import comments_table

    st = state(ctx)
    fmt = pick_format(fmt, output)
    flt = export_filter(st, by, tag, since, until)
    with st.database().session() as session:
        table = comments_table(session, flt)
    write_table(table, fmt, output, bom=bom, what="comments")
