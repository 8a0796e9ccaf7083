"""`forecast import fatebook|iqisa|metaculus`: other trackers' exports, converted and imported in one transaction."""

from __future__ import annotations

from typing import Annotated

import typer

from forecast.cli.context import CliState, state
from forecast.cli.interchange import import_app, print_import_report, write_batch
from forecast.cli.output import JsonFlag, guarded, note, usage

DRY_HELP = "Convert and report, but write nothing."


def _import(st: CliState, conv, *, as_json: bool, dry_run: bool, show: bool = True, retime: bool = False) -> dict:
    """Write the converted batch (or roll it back with --dry-run) and print the report (unless not `show`).

    `retime`: first move forecasts a former import of the same file read in another time zone (in the same
    unit of work as the import)."""
    retimed = 0

    def before(session) -> None:
        nonlocal retimed
        from forecast.services.retime import retime_forecasts

        retimed = retime_forecasts(session, conv.batch)

    data = write_batch(st, conv.batch, dry_run=dry_run, before=before if retime else None).as_dict()
    data["forecasts_retimed"] = retimed
    if retimed:
        conv.messages.append(f"{retimed} forecasts re-timed: an earlier import had read them in another time zone")
    data["source"] = dict(conv.notes)
    data["notes"] = list(conv.messages)
    data["dry_run"] = dry_run
    if not show:
        return data
    print_import_report(data, as_json)
    if not as_json:
        for message in conv.messages:
            note(message)
        if dry_run:
            note("dry run: nothing was written")
    return data


@import_app.command("fatebook")
@guarded
def import_fatebook(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="Fatebook's CSV export.")],
    tz: Annotated[str, typer.Option("--tz", help="Time zone of the file's dates (Fatebook writes server "
                                    "local time).")] = "UTC",
    dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_HELP)] = False,
    as_json: JsonFlag = False,
) -> None:
    """Import a Fatebook CSV export (yours or a tournament's), multiple-choice questions as choice questions.

    Importing it again adds nothing; importing it again with another --tz re-times its forecasts."""
    from forecast.ingest.trackers import fatebook
    from forecast.ingest.trackers.common import zone

    conv = fatebook.convert(path, tz=usage(zone, tz))
    _import(state(ctx), conv, as_json=as_json, dry_run=dry_run, retime=True)


@import_app.command("iqisa")
@guarded
def import_iqisa(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="An iqisa long CSV (.csv or .csv.zip), e.g. predictionbook/public.csv.")],
    titles: Annotated[str | None, typer.Option("--titles", metavar="FILE", help="The iqisa questions file "
                                               "(.csv or .csv.zip) with the questions' titles.")] = None,
    source: Annotated[str | None, typer.Option("--source", metavar="NAME", help="Slug prefix: questions become "
                                               "NAME-<id> (default from the file name, e.g. pb).")] = None,
    timestamp_tz: Annotated[str, typer.Option("--timestamp-tz", metavar="ZONE", help="Zone of forecast "
                                              "timestamps that carry no offset (Metaculus iqisa files: "
                                              "Europe/Berlin).")] = "UTC",
    dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_HELP)] = False,
    as_json: JsonFlag = False,
) -> None:
    """Import an iqisa forecasting-data CSV (PredictionBook, Metaculus, ...). Importing it again adds nothing."""
    from forecast.ingest.trackers import iqisa
    from forecast.ingest.trackers.common import source_slug, zone

    tzinfo = usage(zone, timestamp_tz)
    names = iqisa.read_titles(titles) if titles else None
    conv = iqisa.convert(path, source=usage(source_slug, source) if source else None, titles=names,
                         timestamp_tz=tzinfo)  # fmt: skip
    _import(state(ctx), conv, as_json=as_json, dry_run=dry_run)


@import_app.command("metaculus")
@guarded
def import_metaculus(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="Metaculus data export: the zip or its unpacked folder.")],
    aggregates: Annotated[bool, typer.Option("--aggregates", help="Also import aggregate forecasts (the "
                                             "community prediction) as forecasters metaculus:<method>.")] = False,
    compare_scores: Annotated[bool, typer.Option("--compare-scores", help="After importing, compare our "
                                                 "baseline and peer scores with score_data.csv.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_HELP)] = False,
    as_json: JsonFlag = False,
) -> None:
    """Import a Metaculus data export: binary, multiple-choice, numeric and date questions. Importing it again adds nothing."""
    from forecast.core.errors import InvalidInput
    from forecast.ingest.trackers import metaculus

    conv = metaculus.convert(path, aggregates=aggregates)
    theirs = None
    if compare_scores:
        theirs = metaculus.read_scores(path)
        if theirs is None:
            raise InvalidInput(f"{path}: no score_data.csv to compare with (export with scores included)")
    st = state(ctx)
    data = _import(st, conv, as_json=as_json, dry_run=dry_run, show=not (compare_scores and as_json))
    if compare_scores:
        if dry_run:
            raise InvalidInput("--compare-scores needs the import written: drop --dry-run")
        _compare(st, conv, theirs, data if as_json else None)


def _compare(st: CliState, conv, theirs, report: dict | None) -> None:
    from forecast.cli.output import print_json, print_table
    from forecast.services.tracker_scores import compare_metaculus

    slugs = sorted({q.slug for q in conv.batch.questions})
    with st.database().session() as session:
        rows = compare_metaculus(session, slugs, theirs, conv.crowd_excludes(), conv.why)
    matched = [r for r in rows if r["ours"] is not None]
    unmatched = len(rows) - len(matched)
    if report is not None:
        report["comparison"] = matched
        report["comparison_unmatched"] = unmatched
        print_json(report)
        return
    if unmatched:
        note(f"{unmatched} of Metaculus's scores have no counterpart here (aggregates, or forecasts skipped on import)")
    if not matched:
        note("no baseline or peer scores in score_data.csv to compare with")
        return

    def cell(v):
        return "" if v is None else f"{v:.3f}"

    print_table(
        ("QUESTION", "FORECASTER", "TYPE", "METACULUS", "OURS", "DIFF", "COVERAGE", "OUR COVERAGE", "WHY"),
        [(r["question"], r["forecaster"], r["score_type"], cell(r["metaculus"]), cell(r["ours"]),
          cell(r["difference"]), cell(r["coverage"]), cell(r["our_coverage"]), r["why"] or "")
         for r in matched],  # fmt: skip
    )
    differ = sum(1 for r in matched if r["why"])
    if differ:
        note(f"{differ} of {len(matched)} scores differ: differences come from the data, not the formulas "
             "(see WHY)")  # fmt: skip
