"""`forecast check`: the scheduled pass that keeps questions from rotting.

Closes questions past their deadline, applies auto-resolution rules, lists overdue questions and
reminders, polls feeds when the evidence feature is installed, and records the run. Safe to run
from cron: one run at a time per database (check/lock.py), one transaction per question (check/apply.py).

An item is new when it became due after the previous successful run's "now" (or its question was
added since): --quiet and --notify react only to new items, so an hourly timer does not repeat itself.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import OperationalError

from forecast.core.errors import ForecastError, InvalidInput
from forecast.core.timeparse import from_micros, to_micros
from forecast.services.check import queries
from forecast.services.check import runs as check_runs
from forecast.services.check.lock import check_lock
from forecast.services.check.poll import poll_feeds
from forecast.services.check.report import (
    AutoResolvedItem, CheckReport, ClosedItem, ClosingSoonItem, OverdueItem, ReminderItem, Section, StaleItem,
)  # fmt: skip
from forecast.store.transaction import DatabaseBusy

_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class CheckOptions:
    stale_days: float = 14
    """A forecaster's latest update on an open question older than this is a reminder."""
    soon_days: float = 7
    """Open questions closing within this many days are a reminder."""
    dry_run: bool = False
    """Report what would change; change nothing, poll no feeds (the run is still recorded)."""
    poll_feeds: bool = True
    """Poll the registered feeds when the evidence feature is installed."""
    forecasters: tuple[str, ...] = ()
    """Stale-forecast reminders only for these forecasters (default: everyone)."""


def run_check(db, now: datetime, options: CheckOptions = CheckOptions()) -> CheckReport:
    """One check of `db` (a services.database.Database) as of `now`.

    Raises check_lock.CheckLocked when another run holds the lock; a dry run takes no lock.
    """
    if options.stale_days < 0 or options.soon_days < 0:
        raise InvalidInput("--stale-days and --soon-days must not be negative")
    started = time.perf_counter()
    if options.dry_run:
        report = _run(db, now, options, run_id=None)
    else:
        with check_lock(db.engine):
            try:
                run_id, interrupted = check_runs.start_run(db.engine, as_of=now, dry_run=False)
            except (DatabaseBusy, OperationalError) as exc:  # another program held the write lock throughout
                reason = _reason(exc)
                raise ForecastError(f"database is busy, nothing was checked ({reason}); try again later") from None
            report = _run(db, now, options, run_id=run_id, interrupted=interrupted)
    report.seconds = time.perf_counter() - started
    return report


def _reason(exc: Exception) -> str:
    if isinstance(exc, DatabaseBusy):
        return exc.reason
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _run(db, now: datetime, options: CheckOptions, *, run_id: int | None, interrupted: int = 0) -> CheckReport:
    previous = check_runs.previous_as_of(db.engine, now)
    report = CheckReport(
        as_of=now,
        options=options,
        run_id=run_id,
        previous_as_of=from_micros(previous) if previous is not None else None,
        interrupted_runs=interrupted,
    )
    failure = None
    try:
        _apply(db, report)
        _reminders(db, report, previous)
        if options.poll_feeds and not options.dry_run:
            # A feed that cannot be fetched is listed under evidence, not as a failure of the check.
            report.evidence = poll_feeds(db, now)
    except ForecastError as exc:
        failure = str(exc)
    except Exception as exc:  # recorded on the run, then re-raised for the front end to report
        try:
            _finish(db, report, "".join(traceback.format_exception_only(exc)).strip())
        except Exception:  # the database may be what failed; the original error matters more
            pass
        raise
    try:
        _finish(db, report, failure)
    except (DatabaseBusy, OperationalError) as exc:
        report.errors.append(f"could not record this run in the history ({_reason(exc)})")
    if failure:
        raise ForecastError(failure)
    return report


def _finish(db, report: CheckReport, failure: str | None) -> None:
    status = check_runs.ERROR if failure or report.errors else check_runs.DONE
    error = "\n".join(filter(None, [failure, *report.errors])) or None
    if report.run_id is None:
        report.run_id, _ = check_runs.start_run(db.engine, as_of=report.as_of, dry_run=True)
    check_runs.finish_run(db.engine, report.run_id, status=status, summary=report.summary(), error=error)


def _apply(db, report: CheckReport) -> None:
    now = report.as_of
    with db.engine.connect() as conn:
        due = queries.due_questions(conn, to_micros(now))
    if not due:
        return
    from forecast.core.model import AutoRule
    from forecast.services.check.apply import Applier, gate_for_tests  # the ORM loads only when there is work

    rules = {r.value: r.resolution.value for r in AutoRule}
    dry = report.options.dry_run
    with Applier(db.engine, now, gate=None if dry else gate_for_tests()) as applier:
        for d in due:
            closes_at = from_micros(d.closes_at)
            if dry:
                closed, resolved = d.needs_close, rules.get(d.auto_rule)
            else:
                try:
                    applied = applier.apply(d)
                except (DatabaseBusy, OperationalError) as exc:  # locked past the retries: later runs finish
                    left = len(due) - due.index(d)
                    report.errors.append(f"database busy at question {d.slug} ({_reason(exc)}); {left} due "
                                         "questions left for the next run")  # fmt: skip
                    break
                except ForecastError as exc:
                    report.errors.append(f"question {d.slug}: {exc}")
                    continue
                if applied is None:
                    continue
                closed, resolved = applied.closed, applied.resolution
            if resolved is not None:
                report.auto_resolved.append(
                    AutoResolvedItem(d.id, d.slug, d.title, closes_at, resolved, closes_at, d.auto_rule)
                )
            elif closed:
                report.closed.append(ClosedItem(d.id, d.slug, d.title, closes_at))


def _reminders(db, report: CheckReport, previous: int | None) -> None:
    opts = report.options
    now_us = to_micros(report.as_of)
    stale_us = int(opts.stale_days * _DAY_US)
    soon_us = int(opts.soon_days * _DAY_US)
    resolved_now = {q.id for q in report.auto_resolved}  # a dry run has not resolved them
    with db.snapshot() as conn:  # the stale forecasts and their forecasters' names from one snapshot
        overdue = [r for r in queries.overdue(conn, now_us) if r[0] not in resolved_now]
        soon = queries.closing_soon(conn, now_us, now_us + soon_us)
        stale = queries.stale_forecasts(conn, now_us, now_us - stale_us, opts.forecasters)
        reminders = queries.due_reminders(conn, now_us)
        names = queries.forecaster_names(conn) if stale else {}
        # the stale rows' questions from the same snapshot: a question deleted meanwhile is no KeyError
        titles: dict[int, tuple[str, str]] = queries.question_names(conn, {r[0] for r in stale}, now_us) if stale else {}

    def name_questions(rows: list[tuple]) -> None:
        wanted = {r[0] for r in rows} - titles.keys()
        if wanted:
            with db.engine.connect() as conn:
                titles.update(queries.question_names(conn, wanted, now_us))

    def crossed(at: int) -> bool:
        return previous is None or at > previous

    report.overdue = Section(
        overdue,
        lambda r, new: OverdueItem(r[0], r[1], r[2], from_micros(r[3]), round((now_us - r[3]) / _DAY_US, 2), new),
        lambda r: crossed(r[3]) or crossed(r[4]),
    )  # fmt: skip
    report.closing_soon = Section(
        soon,
        lambda r, new: ClosingSoonItem(r[0], r[1], r[2], from_micros(r[3]), round((r[3] - now_us) / _DAY_US, 2),
                                       new),
        lambda r: crossed(r[3] - soon_us) or crossed(r[4]),
    )  # fmt: skip
    report.reminders = Section(
        reminders,
        lambda r, new: ReminderItem(r[0], r[1], r[2], from_micros(r[3]), r[4], new),
        lambda r: crossed(r[3]),
    )  # fmt: skip
    report.stale = Section(
        stale,
        lambda r, new: StaleItem(r[0], titles[r[0]][0], titles[r[0]][1], names[r[1]], from_micros(r[2]),
                                 round((now_us - r[2]) / _DAY_US, 2), new),
        lambda r: crossed(r[2] + stale_us),
        name_questions,
    )  # fmt: skip
