"""`forecast check`: the scheduled pass that keeps questions from rotting.

Closes questions past their deadline, applies auto-resolution rules, lists overdue questions and
reminders, polls feeds when the evidence feature is installed, and records the run. Safe to run
from cron: one run at a time per database (check_lock), one transaction per question (check_apply).

"New" items are those that became due since the previous finished run's "now" (or that were created
since): that is what --quiet and --notify react to, so an hourly timer does not repeat itself.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime

from forecast.core.errors import ForecastError, InvalidInput
from forecast.core.timeparse import from_micros, iso_z, to_micros
from forecast.services import check_queries as queries
from forecast.services import check_runs
from forecast.services.check_apply import apply_due, test_pause
from forecast.services.check_lock import check_lock
from forecast.services.check_poll import poll_feeds

_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class CheckOptions:
    stale_days: float = 14
    """A forecaster's latest update on an open question older than this is a reminder."""
    soon_days: float = 7
    """Open questions closing within this many days are a reminder."""
    dry_run: bool = False
    """Report what would change, change nothing (and poll no feeds)."""
    poll_feeds: bool = True
    """Poll the registered feeds when the evidence feature is installed."""


@dataclass
class CheckReport:
    as_of: datetime
    options: CheckOptions
    run_id: int | None = None
    previous_as_of: datetime | None = None
    interrupted_runs: int = 0
    closed: list[dict] = field(default_factory=list)
    auto_resolved: list[dict] = field(default_factory=list)
    overdue: list[dict] = field(default_factory=list)
    stale: list[dict] = field(default_factory=list)
    closing_soon: list[dict] = field(default_factory=list)
    evidence: dict | None = None
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def new_evidence(self) -> int:
        return len(self.evidence.get("new", [])) if self.evidence else 0

    @property
    def attention(self) -> bool:
        """Something needs a person: overdue questions, reminders or new evidence."""
        return bool(self.overdue or self.stale or self.closing_soon or self.new_evidence)

    @property
    def new_attention(self) -> int:
        items = (*self.overdue, *self.stale, *self.closing_soon)
        return sum(1 for i in items if i["new"]) + self.new_evidence

    @property
    def changed(self) -> bool:
        return bool(self.closed or self.auto_resolved)

    @property
    def happened(self) -> bool:
        """Anything worth a message: a change, something newly due, an error."""
        return self.changed or self.new_attention > 0 or bool(self.errors) or self.interrupted_runs > 0

    def counts(self) -> dict:
        return {
            "closed": len(self.closed),
            "auto_resolved": len(self.auto_resolved),
            "overdue": len(self.overdue),
            "stale": len(self.stale),
            "closing_soon": len(self.closing_soon),
            "new_evidence": self.new_evidence,
            "new_attention": self.new_attention,
            "errors": len(self.errors),
        }

    def summary(self) -> dict:
        """What the check_run row keeps: counts, and the ids of the questions it changed."""
        return {
            **self.counts(),
            "closed_ids": [q["id"] for q in self.closed],
            "auto_resolved_ids": [q["id"] for q in self.auto_resolved],
            "stale_days": self.options.stale_days,
            "soon_days": self.options.soon_days,
            "interrupted_runs": self.interrupted_runs,
            "feeds": None if self.evidence is None else {k: v for k, v in self.evidence.items() if k != "new"},
        }

    def to_json(self) -> dict:
        return {
            "as_of": iso_z(self.as_of),
            "dry_run": self.options.dry_run,
            "run_id": self.run_id,
            "previous_check": iso_z(self.previous_as_of),
            "attention": self.attention,
            "counts": self.counts(),
            "closed": self.closed,
            "auto_resolved": self.auto_resolved,
            "overdue": self.overdue,
            "stale": self.stale,
            "closing_soon": self.closing_soon,
            "evidence": self.evidence,
            "errors": self.errors,
            "interrupted_runs": self.interrupted_runs,
            "seconds": round(self.seconds, 3),
        }


def run_check(db, now: datetime, options: CheckOptions = CheckOptions()) -> CheckReport:
    """One check of the database `db` (services.database.Database) as of `now`.

    Raises check_lock.CheckLocked when another real run holds the lock; a dry run takes no lock.
    """
    if options.stale_days < 0 or options.soon_days < 0:
        raise InvalidInput("--stale-days and --soon-days must not be negative")
    started = time.perf_counter()
    if options.dry_run:
        report = _run(db, now, options, run_id=None)
    else:
        with check_lock(db.engine):
            run_id, interrupted = check_runs.start_run(db.engine, as_of=now, dry_run=False)
            report = _run(db, now, options, run_id=run_id, interrupted=interrupted)
    report.seconds = time.perf_counter() - started
    return report


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
        failure = "".join(traceback.format_exception_only(exc)).strip()
        try:
            _finish(db, report, failure)
        except Exception:  # the database may be what failed; the original error matters more
            pass
        raise
    _finish(db, report, failure)
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
    pause = 0.0 if report.options.dry_run else test_pause()
    for d in due:
        item = {"id": d.id, "slug": d.slug, "title": d.title, "closes_at": iso_z(from_micros(d.closes_at))}
        if report.options.dry_run:
            closed, resolved = d.needs_close, _rule_resolution(d.auto_rule)
        else:
            try:
                applied = apply_due(db.engine, d, now, pause=pause)
            except ForecastError as exc:
                report.errors.append(f"question {d.slug}: {exc}")
                continue
            if applied is None:
                continue
            closed, resolved = applied.closed, applied.resolution
        if resolved is not None:
            report.auto_resolved.append(
                {**item, "resolution": resolved, "resolved_at": item["closes_at"], "rule": d.auto_rule}
            )
        elif closed:
            report.closed.append(item)


def _rule_resolution(rule: str | None) -> str | None:
    from forecast.core.model import AutoRule

    try:
        return AutoRule(rule).resolution.value if rule else None
    except ValueError:
        return None


def _reminders(db, report: CheckReport, previous: int | None) -> None:
    now_us = to_micros(report.as_of)
    stale_us = int(report.options.stale_days * _DAY_US)
    soon_us = int(report.options.soon_days * _DAY_US)

    def is_new(crossed_at: int, created_at: int | None = None) -> bool:
        # Due since the previous run's "now", or added since then.
        return previous is None or crossed_at > previous or (created_at is not None and created_at > previous)

    resolved_now = {q["id"] for q in report.auto_resolved}  # a dry run has not resolved them yet
    with db.engine.connect() as conn:
        overdue = queries.overdue(conn, now_us)
        soon = queries.closing_soon(conn, now_us, now_us + soon_us)
        stale = queries.stale_forecasts(conn, now_us, now_us - stale_us)
    report.overdue = [
        {
            "id": qid,
            "slug": slug,
            "title": title,
            "resolves_at": iso_z(from_micros(resolves)),
            "overdue_days": round((now_us - resolves) / _DAY_US, 2),
            "new": is_new(resolves, created),
        }
        for qid, slug, title, resolves, created in overdue
        if qid not in resolved_now
    ]
    report.closing_soon = [
        {
            "id": qid,
            "slug": slug,
            "title": title,
            "closes_at": iso_z(from_micros(closes)),
            "closes_in_days": round((closes - now_us) / _DAY_US, 2),
            "new": is_new(closes - soon_us, created),
        }
        for qid, slug, title, closes, created in soon
    ]
    report.stale = [
        {
            "id": qid,
            "slug": slug,
            "title": title,
            "forecaster": name,
            "last_update": iso_z(from_micros(last)),
            "days_since": round((now_us - last) / _DAY_US, 2),
            "new": is_new(last + stale_us),
        }
        for qid, slug, title, name, last in stale
    ]
