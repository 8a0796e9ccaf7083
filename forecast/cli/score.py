"""`forecast score`: Brier, Metaculus baseline/peer, relative Brier, calibration (docs/scoring.md)."""

from __future__ import annotations

import os
import sys
from functools import partial
from typing import Annotated

import typer

from forecast.cli import params
from forecast.cli.app import app
from forecast.cli.context import state
from forecast.cli.output import JsonFlag, UsageFailure, guarded, note, print_json, print_table
from forecast.core.numbers import count, percent

UNITS = ("time", "forecast", "final")
BREAKDOWNS = ("tag", "question", "month", "quarter", "year")


@app.command("score")
@guarded
def score_command(
    ctx: typer.Context,
    question: Annotated[str | None, typer.Argument(help="A question id or slug: its scores forecast by forecast.")] = None,
    by: Annotated[list[str] | None, typer.Option("--by", metavar="NAME", help="Show only this forecaster (repeatable); "
                                                 "the crowd for peer scores stays everyone.")] = None,  # fmt: skip
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only questions with this tag.")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="WHEN", help="Questions resolved from then on.")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="WHEN", help="Questions resolved before then.")] = None,
    unit: Annotated[str, typer.Option("--unit", help="Calibration unit: time, forecast or final.")] = "time",
    bin_width: Annotated[float, typer.Option("--bin-width", callback=params.BIN_WIDTH, help="Calibration bin width (divides 1).")] = 0.1,
    breakdown: Annotated[str | None, typer.Option("--breakdown", help="Also per tag, question, month, quarter "
                                                  "or year (of resolution).")] = None,  # fmt: skip
    exclude_backfilled: Annotated[bool, typer.Option("--exclude-backfilled", help="Leave out forecasts recorded "
                                                     "long after the time they claim (written with hindsight).")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Score resolved questions: per forecaster and team aggregate, with calibration.

    With a question: each forecaster's scores on it, forecast by forecast.
    """
    # numpy asks for transparent huge pages for big arrays; on a busy machine the kernel's compaction for them
    # costs more than the page faults it saves (0.15 s of 2.5 in the benchmark). Only if numpy is not loaded yet.
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    _keep_freed_memory()
    st = state(ctx)
    if unit not in UNITS:
        raise UsageFailure(f"--unit {unit!r} is not one of: {', '.join(UNITS)}")
    if breakdown is not None and breakdown not in BREAKDOWNS:
        raise UsageFailure(f"--breakdown {breakdown!r} is not one of: {', '.join(BREAKDOWNS)}")
    names = tuple(dict.fromkeys(by or ()))
    if question is not None:
        extra = [flag for flag, value in (("--tag", tag), ("--since", since), ("--until", until),
                                          ("--breakdown", breakdown)) if value is not None]  # fmt: skip
        if extra:
            raise UsageFailure(f"{extra[0]} applies to the summary, not to one question")
        _one_question(st, question, names, as_json)
        return
    from forecast.core.bins import n_bins_for
    from forecast.services.score_filter import ScoreFilter
    from forecast.services.sqlite_read import read_sqlite

    from forecast.cli.output import usage

    usage(n_bins_for, bin_width)
    flt = ScoreFilter(forecasters=names, tag=tag, since=st.when(since), until=st.when(until),
                      exclude_backfilled=exclude_backfilled, backfill_after=st.settings.backfill_after)  # fmt: skip

    def summary(conn):
        from forecast.services.score_read import start_reads

        # on a SQLite file the reads start now, while numpy and the engine are imported
        reads = start_reads(conn, flt, labels=breakdown == "question", tags=breakdown == "tag")
        try:
            from forecast.services.scoring import score_database
        except BaseException:
            if reads is not None:
                reads.close()
            raise
        return score_database(conn, flt, unit=unit, bin_width=bin_width, breakdown=breakdown, reads=reads)

    # A SQLite file at this version's schema is read through the standard library (no SQLAlchemy import);
    # anything else, and any driver error there, goes the usual way (on a connection, not a session: no ORM).
    out = read_sqlite(st.target, summary)
    if out is None:
        with st.database().snapshot() as conn:
            out = summary(conn)
    if as_json:
        from forecast.cli.score_json import summary_json

        data = summary_json(out)
        del out  # the records go before the text is made: a breakdown by question is 300,000 rows
        print_json(data)
        return
    _print_summary(out)
    _print_kinds(out.kinds)
    _backfill_note(out.backfilled)


def _keep_freed_memory() -> None:
    """Ask glibc's malloc to keep what the scoring frees for the next arrays instead of handing it back to the
    kernel: scoring a chunk at a time allocates and frees arrays of a few hundred kilobytes to a few megabytes
    over and over, and each one handed back (unmapped, or trimmed off the heap) comes back as fresh pages, a
    page fault each (a third of a million-forecast run's system time). A no-op where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    mallopt(m_mmap_threshold, 64 << 20)  # arrays up to 64 MB from the heap (and back to it when freed)
    mallopt(m_trim_threshold, 1 << 30)  # the heap shrinks only past 1 GB of free space at its top
    mallopt(m_top_pad, 64 << 20)  # and grows 64 MB at a time


def _backfill_note(info) -> None:
    if info.excluded:
        note(f"backfilled forecasts (recorded over {info.after.total_seconds() / 3600:g} h after their time) left out")
    elif info.included:
        n = info.included
        note(f"these figures include {n} backfilled forecast{'s' if n != 1 else ''} "
             "(recorded long after their time); --exclude-backfilled leaves them out")  # fmt: skip


def _num(value, spec: str = ".3f") -> str:
    """A figure to the places in `spec` (".4f", "+.4f"), never "-0.0": the shared rule in core/numbers."""
    from forecast.core.numbers import fixed

    return fixed(value, int(spec.rstrip("f").lstrip("+.")), sign=spec.startswith("+"))


def _pct(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


# Names from the glossary in docs/scoring.md: BRIER is the time-weighted headline (`brier` in --json, "Brier" in
# the TUI and the report); BRIER/FORECAST the plain mean per forecast (`brier_forecasts`, "Brier/forecast").
SUMMARY_HEADERS = ("FORECASTER", "QUESTIONS", "FORECASTS", "LATE", "BRIER", "BRIER/FORECAST", "BRIER2", "LOG",
                   "BASELINE", "PEER", "REL", "COVER")  # fmt: skip


def _summary_row(f) -> tuple:
    """A ForecasterScores or a BreakdownRow (core/scoring/results.py)."""
    return (f.name, f.n_questions, f.n_forecasts, f.n_late, _num(f.brier, ".4f"), _num(f.brier_forecasts, ".4f"),
            _num(f.brier2, ".4f"), _num(f.log_score), _num(f.baseline, ".1f"), _num(f.peer, ".1f"),
            _num(f.relative_brier, "+.4f"), _pct(f.coverage))  # fmt: skip


def _print_summary(out) -> None:
    """A services.scoring.ScoreSummary, as tables."""
    people = out.forecasters
    rows = [_summary_row(f) for f in people] + [_summary_row(a) for a in out.aggregates]
    print_table(SUMMARY_HEADERS, rows, flex=0)
    single = people[0] if len(people) == 1 else None
    block = single if single is not None else out.overall
    print()
    print(f"Calibration ({out.unit} unit){' of ' + single.name if single else ', all forecasters pooled'}")
    cal = [(f"{b.lo:.2f}-{b.hi:.2f}", b.count, _num(b.weight, ".1f"), _pct(b.mean_forecast), _pct(b.observed),
            f"{_pct(b.ci_low)}-{_pct(b.ci_high)}" if b.ci_low is not None else "")
           for b in block.calibration]  # fmt: skip
    print_table(("BIN", "COUNT", "WEIGHT", "MEAN P", "OBSERVED", "95% CI"), cal)
    d = block.decomposition
    if d.brier is not None:
        print(f"Murphy: reliability {d.reliability:.4f} - resolution {d.resolution:.4f} + uncertainty "
              f"{d.uncertainty:.4f} + within {d.within:+.4f} = Brier {d.brier:.4f}")  # fmt: skip
    r = block.regression
    if r.slope is not None:
        print(f"Regression: intercept {r.intercept:+.3f} [{r.intercept_ci[0]:+.3f}, {r.intercept_ci[1]:+.3f}], "
              f"slope {r.slope:.3f} [{r.slope_ci[0]:.3f}, {r.slope_ci[1]:.3f}]: {r.verdict}")  # fmt: skip
    else:
        print(f"Regression: {r.reason}")
    if out.breakdown is not None:
        print()
        rows = [(b.key,) + _summary_row(b) for b in out.breakdown]
        print_table(("GROUP",) + SUMMARY_HEADERS, rows, flex=0)
    q = out.questions
    ext = out.extremizing
    note(f"{count(q.scored, 'question')} scored; {q.not_scored:,} not (unresolved or annulled); "
         f"{q.empty_window:,} with an empty scoring window")  # fmt: skip
    if ext.exponent is not None:
        note(f"@extremized: geometric mean of odds raised to {ext.exponent:.3f} (fitted on {ext.n_questions} questions)")
    else:
        note(f"@extremized: not fitted ({ext.reason})")


# Choice, numeric and date questions (services/kind_scores.py): each kind with its own columns.
KIND_HEADERS = {
    "choice": ("FORECASTER", "QUESTIONS", "FORECASTS", "BRIER", "BRIER2", "LOG", "BASELINE", "PEER", "COVER"),
    "numeric": ("FORECASTER", "QUESTIONS", "FORECASTS", "LOG", "CRPS", "BASELINE", "PEER", "COVER"),
}


def _kind_row(kind: str, f) -> tuple:
    """A KindForecaster (services/kind_scores.py) with its kind's columns."""
    head = (f.name, f.n_questions, f.n_forecasts)
    tail = (_num(f.baseline, ".1f"), _num(f.peer, ".1f"), _pct(f.coverage))
    if kind == "choice":
        return head + (_num(f.brier, ".4f"), _num(f.brier2, ".4f"), _num(f.log_score)) + tail
    return head + (_num(f.log_score), _num(f.crps, ".4f")) + tail


def _print_kinds(kinds) -> None:
    """A services.kind_scores.KindReport (None: no other kind), a table per kind."""
    for block in kinds.kinds if kinds is not None else ():
        kind = block.kind.value
        people = block.forecasters
        print()
        print(f"{kind.capitalize()} questions: {block.scored:,} scored, {block.not_scored:,} not "
              "(unresolved or annulled)")  # fmt: skip
        print_table(KIND_HEADERS.get(kind, KIND_HEADERS["numeric"]), [_kind_row(kind, f) for f in people], flex=0)
        single = people[0] if len(people) == 1 else None
        whose = f" of {single.name}" if single else ", all forecasters pooled"
        if kind == "choice":
            bins = single.calibration if single else block.overall_calibration
            print(f"Calibration per option{whose} (each option of each forecast: does it win?)")
            print_table(("BIN", "COUNT", "WEIGHT", "MEAN P", "OBSERVED"),
                        [(f"{b.lo:.2f}-{b.hi:.2f}", b.count, _num(b.weight, ".1f"), _pct(b.mean_forecast),
                          _pct(b.observed)) for b in bins])  # fmt: skip
            continue
        pit = single.pit if single else block.overall_pit
        if pit is None:
            continue
        print(f"PIT histogram{whose} (F(outcome) per forecast; uniform when calibrated)")
        print_table(("BIN", "COUNT", "WEIGHT", "SHARE"), [(f"{b.lo:.2f}-{b.hi:.2f}", b.count, _num(b.weight, ".1f"),
                                                            _pct(b.observed)) for b in pit.bins])  # fmt: skip
        if pit.ks_statistic is not None:
            print(f"Uniformity: Kolmogorov-Smirnov D {pit.ks_statistic:.3f}, p {pit.p_value:.3g} "
                  f"({count(pit.n, 'value')})")  # fmt: skip


def _one_kind_question(st, kq, as_json: bool) -> None:
    """`score QUESTION` for a choice, numeric or date question (services/kind_scores.question_scores)."""
    from forecast.cli.score_json import KIND_OWN_SCORES
    from forecast.core.timeparse import iso_z, local

    if as_json:
        from forecast.cli.score_json import kind_question_json

        print_json(kind_question_json(kq))
        return
    kind = "choice" if kq.kind.value == "choice" else "numeric"
    if not kq.scored:
        note(f"{kq.slug}: not scored ({kq.reason})")
    people = [row[:1] + row[2:] for row in map(partial(_kind_row, kind), kq.forecasters)]  # one question: no count
    heads = KIND_HEADERS[kind]
    print_table(heads[:1] + heads[2:], people, flex=0)
    keys = KIND_OWN_SCORES[kind]
    spec = {"brier": ".4f", "brier2": ".4f", "log_score": ".3f", "baseline": ".1f", "crps": ".4f", "pit": ".3f"}
    rows = [(r.id, r.forecaster, local(r.made_at, st.tz), r.values, r.status, _pct(r.weight))
            + tuple(_num(getattr(r.scores, k), spec[k]) for k in keys) for r in kq.forecasts]  # fmt: skip
    print()
    print_table(("ID", "FORECASTER", "MADE", "FORECAST", "STATUS", "WEIGHT") + tuple(k.upper().replace("_SCORE", "")
                                                                                   for k in keys), rows)  # fmt: skip
    note(f"{kq.slug} ({kq.kind.value}): outcome {kq.outcome or 'none'}; window {iso_z(kq.opens)} .. "
         f"{iso_z(min(kq.closes, kq.resolved_at) if kq.resolved_at else kq.closes)}")  # fmt: skip


def _one_question(st, question: str, names: tuple[str, ...], as_json: bool) -> None:
    from forecast.core.timeparse import iso_z, local
    from forecast.services.kind_scores import question_scores
    from forecast.services.scoring import score_one_question

    with st.database().session() as session:
        kq = question_scores(session, question, names)  # None: a binary question, scored below as always
        out = score_one_question(session, question, names) if kq is None else None
    if kq is not None:
        _one_kind_question(st, kq, as_json)
        return
    if as_json:
        from forecast.cli.score_json import one_question_json

        print_json(one_question_json(out))
        return
    q = out.question
    if not q.scored:
        note(f"{out.slug}: not scored ({q.reason})")
    people = [(f.name, getattr(f, "n_forecasts", ""), getattr(f, "n_late", ""), _num(f.brier, ".4f"),
               _num(f.brier2, ".4f"), _num(f.log_score), _num(f.baseline, ".1f"), _num(f.peer, ".1f"),
               _num(f.relative_brier, "+.4f"), _pct(f.coverage))
              for f in out.forecasters + out.aggregates if getattr(f, "forecasts", True)]  # fmt: skip
    print_table(("FORECASTER", "FORECASTS", "LATE", "BRIER", "BRIER2", "LOG", "BASELINE", "PEER", "REL", "COVER"),
                people, flex=0)  # fmt: skip
    rows = []
    for f in out.forecasters:
        for x in f.forecasts:
            rows.append((x.id, f.name, local(x.made_at, st.tz), percent(x.p), x.status, _num(x.brier, ".4f"),
                         _pct(x.weight), _num(x.contribution, ".4f"), _num(x.baseline, ".1f"),
                         _num(x.peer, ".1f")))  # fmt: skip
    print()
    print_table(("ID", "FORECASTER", "MADE", "P", "STATUS", "BRIER", "WEIGHT", "CONTRIB", "BASELINE", "PEER"), rows)
    note(f"{out.slug}: outcome {'YES' if q.outcome == 1 else 'NO' if q.outcome == 0 else 'none'}; "
         f"window {iso_z(q.opens)} .. {iso_z(q.end)}")  # fmt: skip
