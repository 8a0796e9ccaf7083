"""`forecast predict`, `forecasts`, `resolve`, `unresolve`: the daily verbs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from forecast.cli import params
from forecast.cli.app import app
from forecast.cli.context import state
from forecast.cli.output import JsonFlag, TableFormat, output_format
from forecast.cli.output import UsageFailure, guarded, note, percent, print_json, print_table, usage

if TYPE_CHECKING:
    from forecast.services.views import QuestionFields


@app.command("predict", cls=params.NumbersAsArguments)
@guarded
def predict(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Question id or slug.")],
    probability: Annotated[str, typer.Argument(
        help="0.35 or 35%; on a choice question 'kim=50% moon=30% other=20%'; on a numeric or date question "
             "quantiles 'p10=12 p50=30 p90=75' or normal(MEAN, SD), lognormal(...), logistic(...).")],
    at: Annotated[str | None, typer.Option("--at", help="When the forecast was made (default: now).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Forecaster name (default: from config or login).")] = None,
    why: Annotated[str, typer.Option("--why", help="Rationale.")] = "",
    evidence: Annotated[list[str] | None, typer.Option("--evidence", "-e", help="Evidence id or key (repeatable).")] = None,
    corrects: Annotated[int | None, typer.Option("--corrects", callback=params.ROW_ID, help="Id of a forecast this one corrects.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Record a probability update."""
    from forecast.core.probability import parse_probability
    from forecast.services.forecasts import ForecastRequest, record_forecast_summary

    st = state(ctx)
    # A forecast on a choice, numeric or date question is text its question's kind reads (services/forecasts.py);
    # anything else must be a probability, refused here before the database is opened.
    p = probability if _kind_forecast(probability) else usage(parse_probability, probability)
    req = ForecastRequest(
        question=question,
        probability=p,
        forecaster=st.forecaster(by),
        at=st.when(at),
        rationale=why,
        evidence=tuple(evidence or ()),
        corrects=corrects,
    )

    out = st.database(write=True).write_connection(lambda conn: record_forecast_summary(conn, req))
    if as_json:
        print_json(out)
    else:
        print(out["id"])
        from forecast.core.timeparse import shown_time

        what = out.get("shown") or f"{p:.4g}"
        note(f"recorded {what} on {question} by {req.forecaster} at {shown_time(out['made_at'])}")
        if out.get("normalised"):
            note("the probabilities did not sum to exactly 100 %; they were scaled to sum to 100 %")


def _kind_forecast(text: str) -> bool:
    return "=" in text or "(" in text


@app.command("forecasts")
@guarded
def forecasts(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Question id or slug.")],
    as_json: JsonFlag = False,
    fmt: TableFormat = None,
) -> None:
    """A question's update history with rationale and evidence."""
    from forecast.core.timeparse import local
    from forecast.services.forecasts import history
    from forecast.services.kinds import shown_values, spec_of
    from forecast.services.lookup import find_question

    from forecast.core.backfill import GLYPH, MEANING

    st = state(ctx)
    out = output_format(as_json, fmt)
    with st.database().snapshot() as conn:
        rows = history(conn, question, backfill_after=st.settings.backfill_after)
        spec = spec_of(find_question(conn, question))
    if out == "json":
        print_json(rows)
        return
    table = []
    for r in rows:
        change = "" if r.change is None else f"{r.change * 100:+.0f}"
        ev = ", ".join(f"[{e.id}] {e.title}" for e in r.evidence)
        status = "corrected" if r.superseded else (f"fixes {r.supersedes}" if r.supersedes else "")
        if r.backfilled:
            status = f"{status} {GLYPH}".strip()
        shown = percent(r.probability) if r.values is None else shown_values(spec, r.values)
        table.append((r.id, local(r.made_at, st.tz), r.forecaster,
                      shown, change, status, r.rationale, ev))  # fmt: skip
    if not table:
        note("no forecasts yet")
        return
    print_table(("ID", "MADE", "BY", "P", "Δ", "", "WHY", "EVIDENCE"), table, flex=6, fmt=out)
    if any(r.backfilled for r in rows):
        note(f"{GLYPH} " + MEANING.format(hours=st.settings.backfill_after.total_seconds() / 3600))


def _resolution(value: str):
    """yes/no/annulled as the enum; anything else is passed on as an outcome its question's kind reads
    (an option key, a value, below/above; services/resolution.py), refused there for a binary question."""
    from forecast.core.model import Resolution

    if not value.strip():
        raise UsageFailure("give a resolution: yes, no or annulled, or a choice, numeric or date question's outcome")
    try:
        return Resolution(value.strip().lower())
    except ValueError:
        return value


@app.command("resolve")
@guarded
def resolve(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Question id or slug.")],
    resolution: Annotated[str, typer.Argument(
        help="yes, no or annulled; for a choice question an option key, for a numeric one a value (or below/above "
             "an open bound), for a date one a date (or before/after).")],
    at: Annotated[str | None, typer.Option("--at", help="When the outcome happened or became known (default: now).")] = None,
    note_text: Annotated[str, typer.Option("--note", help="Why / source.")] = "",
    by: Annotated[str | None, typer.Option("--by", help="Who resolves (default: you).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Resolve a question."""
    from forecast.core.timeparse import iso_z
    from forecast.services import resolution as service
    from forecast.services.questions.detail import question_record
    from forecast.services.tags import tags_of

    st = state(ctx)
    res = _resolution(resolution)
    when = st.when(at)

    def work(conn) -> QuestionFields:
        q = service.resolve_question(conn, question, res, actor=st.forecaster(by), at=when, note=note_text)
        return question_record(q, tags_of(conn, q.id))

    data = st.database(write=True).write_connection(work)
    if as_json:
        print_json(data)
    else:
        from forecast.core.timeparse import shown_time

        note(f"resolved {data.slug} {_outcome_shown(data)} at {shown_time(data.resolved_at)}")


def _outcome_shown(q) -> str:
    if q.outcome is None:
        return q.resolution
    from forecast.core.kind_spec import KindSpec

    return KindSpec.from_dict(q.kind, q.spec).shown_outcome(q.outcome)


@app.command("unresolve")
@guarded
def unresolve(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Question id or slug.")],
    note_text: Annotated[str, typer.Option("--note", help="Why.")] = "",
    by: Annotated[str | None, typer.Option("--by", help="Who (default: you).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Undo a resolution (kept in the resolution history)."""
    from forecast.services import resolution as service
    from forecast.services.questions.detail import question_record
    from forecast.services.tags import tags_of

    st = state(ctx)

    def work(session) -> QuestionFields:
        q = service.unresolve(session, question, actor=st.forecaster(by), note=note_text)
        return question_record(q, tags_of(session, q.id))

    data = st.database(write=True).write(work)
    if as_json:
        print_json(data)
    else:
        note(f"unresolved {data.slug}; status {data.status}")
