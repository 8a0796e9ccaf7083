"""`forecast report` (one self-contained HTML file) and `forecast plot calibration|brier-over-time`."""

from __future__ import annotations

from typing import Annotated

import typer

from forecast.cli import params
from forecast.cli.app import app
from forecast.cli.context import CliState, state
from forecast.cli.exports import By, ExcludeBackfilled, ResolvedSince, ResolvedUntil, Tag
from forecast.cli.output import UsageFailure, guarded, note

plot_app = typer.Typer(help="Plots as PNG or SVG files: calibration, Brier over time.", no_args_is_help=True)
app.add_typer(plot_app, name="plot")

Unit = Annotated[str, typer.Option("--unit", help="Calibration weights: time (each question weighs 1, split by "
                                   "standing time), forecast, or final.")]
BinWidth = Annotated[float, typer.Option("--bin-width", callback=params.BIN_WIDTH, help="Calibration bin width; must divide 1.")]


def _scored(st: CliState, by, tag, since, until, *, unit: str = "time", bin_width: float = 0.1, aggregates=False,
            exclude_backfilled: bool = False):  # fmt: skip
    from forecast.cli.exports import export_filter
    from forecast.services.score_tables import score_db

    flt = export_filter(st, by, tag, since, until, exclude_backfilled)
    with st.database().session() as session:
        return score_db(session, flt, unit=unit, bin_width=bin_width, aggregates=aggregates), flt


def _scope(flt, scored=None) -> list[str]:
    from forecast.core.timeparse import iso_z

    scope = [f"forecaster {n}" for n in flt.forecasters]
    if scored is not None and scored.backfilled_excluded:
        scope.append("backfilled forecasts excluded")
    elif scored is not None:
        n = scored.backfilled
        scope.append(f"including {n} backfilled forecast{'s' if n != 1 else ''} (recorded long after their time)")
    if flt.tag:
        scope.append(f"tag {flt.tag}")
    if flt.since:
        scope.append(f"resolved from {iso_z(flt.since)}")
    if flt.until:
        scope.append(f"resolved before {iso_z(flt.until)}")
    return scope


@app.command("report")
@guarded
def report(
    ctx: typer.Context,
    output: Annotated[str, typer.Option("-o", "--output", help="HTML file to write ('-': stdout).")] = "report.html",
    by: By = None,
    tag: Tag = None,
    since: ResolvedSince = None,
    until: ResolvedUntil = None,
    title: Annotated[str, typer.Option("--title", help="The report's title.")] = "Forecasting report",
    unit: Unit = "time",
    bin_width: BinWidth = 0.1,
    max_questions: Annotated[int, typer.Option("--max-questions", callback=params.COUNT, help="Rows in the per-question table "
                                               "(the most recently resolved).")] = 2000,
    exclude_backfilled: ExcludeBackfilled = False,
) -> None:
    """Write one self-contained HTML report: headline scores, calibration, Brier over time, per tag and
    per question. No scripts, fonts or network: it opens anywhere, offline."""
    from forecast.core.timeparse import iso_z, utcnow
    from forecast.export.report import render_html
    from forecast.services.report import build_report

    st = state(ctx)
    scored, flt = _scored(st, by, tag, since, until, unit=unit, bin_width=bin_width, aggregates=True,
                          exclude_backfilled=exclude_backfilled)  # fmt: skip
    data = build_report(scored, title=title, generated_at=iso_z(utcnow().replace(microsecond=0)),
                        scope=_scope(flt, scored), max_questions=max_questions)  # fmt: skip
    # choice, numeric and date questions: a section each (services/kind_scores.py), none when there are none
    from dataclasses import replace

    from forecast.services.kind_scores import kind_scores, score_filter

    with st.database().session() as session:
        data = replace(data, kinds=kind_scores(session, score_filter(flt), unit=unit, bin_width=bin_width))
    page = render_html(data).encode("utf-8")
    from forecast.files import atomic_output

    with atomic_output(output) as out:
        out.write(page)
    if output not in (None, "-"):
        note(f"report written to {output} ({len(page) / 1e6:.1f} MB)")


def _plot_format(output: str, fmt: str | None) -> str:
    from forecast.export.plots import PLOT_FORMATS

    fmt = (fmt or (output.rsplit(".", 1)[-1] if "." in output else "")).lower()
    if fmt not in PLOT_FORMATS:
        raise UsageFailure(f"cannot tell the plot format from {output!r}: name it .png or .svg, or pass --format")
    return fmt


def _save(fig, output: str, fmt: str) -> None:
    from forecast.export.plots import render

    data = render(fig, fmt)
    from forecast.files import atomic_output

    with atomic_output(output) as out:
        out.write(data)
    if output not in (None, "-"):
        note(f"plot written to {output}")


PlotOutput = Annotated[str, typer.Option("-o", "--output", help="FILE.png or FILE.svg ('-': stdout, with --format).")]
PlotFormat = Annotated[str | None, typer.Option("--format", "-f", help="png or svg (default: from -o).")]


@plot_app.command("calibration")
@guarded
def plot_calibration(
    ctx: typer.Context,
    output: PlotOutput,
    fmt: PlotFormat = None,
    by: By = None,
    tag: Tag = None,
    since: ResolvedSince = None,
    until: ResolvedUntil = None,
    unit: Unit = "time",
    bin_width: BinWidth = 0.1,
    kind: Annotated[str, typer.Option("--kind", help="Questions of this kind: binary, choice (a reliability diagram "
                                      "per option) or numeric or date (the PIT histogram).")] = "binary",
) -> None:
    """Calibration plot: bins with 95% Wilson intervals, a lowess curve and the diagonal.

    --kind choice: a reliability diagram over all options and one per option key (the most forecast eight);
    --kind numeric or date: the PIT histogram against the uniform one, with the Kolmogorov-Smirnov test.
    """
    from forecast.cli.exports import checked_kind

    kind = checked_kind(kind)
    fmt = _plot_format(output, fmt)
    if kind != "binary":
        _plot_kind(state(ctx), kind, output, fmt, by, tag, since, until, unit=unit, bin_width=bin_width)
        return
    from forecast.export.plots import calibration_figure
    from forecast.services.report import calibration_data

    scored, _flt = _scored(state(ctx), by, tag, since, until, unit=unit, bin_width=bin_width)
    bins, curve, _decomposition, title = calibration_data(scored)
    _save(calibration_figure(bins, curve, title), output, fmt)


def _plot_kind(st: CliState, kind: str, output: str, fmt: str, by, tag, since, until, *, unit: str,
               bin_width: float) -> None:  # fmt: skip
    """`plot calibration --kind choice|numeric|date`: the pooled bins of `export calibration --kind` drawn."""
    from forecast.cli.exports import empty_kind_note, export_filter
    from forecast.core.model import Kind
    from forecast.services.kind_calibration import ALL_OPTIONS, calibration_block, has_forecasts, option_panels

    flt = export_filter(st, by, tag, since, until)
    with st.database().session() as session:
        block = calibration_block(session, flt, Kind(kind), unit=unit, bin_width=bin_width)
    if not has_forecasts(block):
        note(empty_kind_note(kind, block))
    whose = f"of {flt.forecasters[0]}" if len(flt.forecasters) == 1 else "forecasters pooled"
    if kind == "choice":
        from forecast.export.plots import option_calibration_figure

        panels, left_out = option_panels(block)
        drawn = [("all options" if p.option == ALL_OPTIONS else p.option, p.bins) for p in panels]
        fig = option_calibration_figure(drawn, f"Choice calibration per option ({unit} unit), {whose}", left_out)
    else:
        from forecast.export.plots import pit_figure

        pit = block.overall_pit if block is not None and block.forecasters else None
        test = ""
        if pit is not None and pit.ks_statistic is not None:
            test = f"Kolmogorov-Smirnov on {pit.n:,} values: D = {pit.ks_statistic:.3f}, p = {pit.p_value:.3g}"
        fig = pit_figure(pit.bins if pit is not None else (), f"{kind.capitalize()} PIT histogram "
                         f"({unit} unit), {whose}", test)  # fmt: skip
    _save(fig, output, fmt)


@plot_app.command("brier-over-time")
@guarded
def plot_brier(
    ctx: typer.Context,
    output: PlotOutput,
    fmt: PlotFormat = None,
    by: By = None,
    tag: Tag = None,
    since: ResolvedSince = None,
    until: ResolvedUntil = None,
    period: Annotated[str | None, typer.Option("--period", help="month, quarter or year (default: from the "
                                               "span of resolutions).")] = None,
) -> None:
    """Mean Brier score of the questions resolved in each month, quarter or year."""
    from forecast.export.plots import brier_figure
    from forecast.services.report import over_time

    fmt = _plot_format(output, fmt)
    scored, _flt = _scored(state(ctx), by, tag, since, until)
    series, period = over_time(scored, period)
    _save(brier_figure(series, f"Brier score by {period} of resolution"), output, fmt)
