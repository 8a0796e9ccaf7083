"""`forecast check`: the scheduled pass for cron and systemd timers (docs/check.md)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from forecast.cli import params
from forecast.cli.app import app
from forecast.cli.context import CliState, state
from forecast.cli.exit_codes import ExitCode
from forecast.cli.output import JsonFlag, TableFormat, output_format
from forecast.cli.output import UsageFailure, fail, guarded, note, print_json, print_table

NOTIFY_TIMEOUT_S = 120


@app.command("check")
@guarded
def check(
    ctx: typer.Context,
    now: Annotated[str | None, typer.Option("--now", help="Check as if it were WHEN (default: now).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; change nothing.")] = False,
    as_json: JsonFlag = False,
    stale_days: Annotated[int, typer.Option("--stale-days", callback=params.DAYS, metavar="N",
                                            help="Remind when a forecaster's latest update is older.")] = 14,
    soon_days: Annotated[int, typer.Option("--soon-days", callback=params.DAYS, metavar="N",
                                           help="Remind of open questions closing within N days.")] = 7,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing unless something changed, "
                                        "became due since the last check, or failed (for cron mail).")] = False,
    notify: Annotated[str | None, typer.Option("--notify", metavar="CMD", help="Shell command run with the "
                                               "report on stdin when something new needs attention.")] = None,
    forecaster: Annotated[list[str] | None, typer.Option("--forecaster", metavar="NAME", help="Stale-"
                                                          "forecast reminders only for NAME (repeatable).")] = None,
    no_feeds: Annotated[bool, typer.Option("--no-feeds", help="Do not poll feeds.")] = False,
    history: Annotated[bool, typer.Option("--history", help="List recent runs instead of checking.")] = False,
    limit: Annotated[int, typer.Option("--limit", callback=params.POSITIVE, help="With --history: how many runs.")] = 20,
    fmt: TableFormat = None,
) -> None:
    """Close due questions, apply auto-resolution, list overdue questions and reminders, poll feeds.

    Exit status: 0 nothing needs attention, 10 attention needed, 75 another check is running, 1 error.
    """
    st = state(ctx)
    out = output_format(as_json, fmt)
    if out not in ("json", "table") and not history:
        raise UsageFailure(f"--format {out} applies to the --history table; the report is text or --json")
    _require_existing(st)
    if history:
        _history(st, fmt=out, limit=limit)
        return
    from forecast.core.timeparse import utcnow
    from forecast.services.check.run import CheckOptions, run_check
    from forecast.services.check.lock import CheckLocked

    when = st.when(now) or utcnow()
    options = CheckOptions(stale_days=stale_days, soon_days=soon_days, dry_run=dry_run, poll_feeds=not no_feeds,
                           forecasters=tuple(forecaster or ()))
    db = st.database(write=True)
    try:
        report = run_check(db, when, options)
    except CheckLocked as exc:
        fail(str(exc), ExitCode.LOCKED)
    if report.happened or not quiet:
        if as_json:
            print_json(report_json(report))
        else:
            sys.stdout.write(_render(st, report))
            sys.stdout.flush()
    if notify and report.attention and report.new_attention:
        _notify(notify, report, _json_text(report) if as_json else _render(st, report))
    if report.errors:
        raise typer.Exit(int(ExitCode.ERROR))
    if report.attention:
        raise typer.Exit(int(ExitCode.ATTENTION))


def _require_existing(st: CliState) -> None:
    """A mistyped path in a crontab must not make a new, empty database that is then checked forever."""
    from forecast.services.database import sqlite_file

    path = sqlite_file(st.target)
    if path is not None and not path.exists():
        fail(f"no database at {path} (set --db, FORECAST_DB or `database` in the config file)")


def _render(st: CliState, report) -> str:
    from forecast.cli.check_text import render_report

    return render_report(report, st.tz)


def _json_text(report) -> str:
    import orjson

    return orjson.dumps(report_json(report), option=orjson.OPT_INDENT_2 | orjson.OPT_UTC_Z).decode() + "\n"


def report_json(report) -> dict:
    """`check --json`: the report's sections in full (typed items; times ISO 8601 UTC, as print_json writes)."""
    from forecast.core.timeparse import iso_z

    return {
        "as_of": iso_z(report.as_of),
        "dry_run": report.options.dry_run,
        "run_id": report.run_id,
        "previous_check": iso_z(report.previous_as_of),
        "attention": report.attention,
        "counts": report.counts(),
        "closed": report.closed,
        "auto_resolved": report.auto_resolved,
        "overdue": report.overdue.items(),
        "stale": report.stale.items(),
        "closing_soon": report.closing_soon.items(),
        "reminders": report.reminders.items(),
        "evidence": report.evidence,
        "errors": report.errors,
        "interrupted_runs": report.interrupted_runs,
        "seconds": round(report.seconds, 3),
    }


def _notify(cmd: str, report, body: str) -> None:
    """Run the user's hook through the shell, report on stdin; its failure is a warning, not ours.

    The hook runs in its own process group (session), and whatever is left of that group when the hook
    exits or times out is killed: a background child must not outlive us holding cron's pipe."""
    import os
    import subprocess

    from forecast.cli.check_text import summary_line

    env = dict(os.environ)
    env["FORECAST_CHECK_SUMMARY"] = summary_line(report)
    env["FORECAST_CHECK_NEW"] = str(report.new_attention)
    timeout = _notify_timeout()
    try:
        proc = subprocess.Popen(cmd, shell=True, stdin=subprocess.PIPE, env=env, start_new_session=True,
                                stdout=sys.stderr.fileno() if _has_fd(sys.stderr) else None)  # fmt: skip
    except OSError as exc:
        note(f"forecast: warning: cannot run --notify command: {exc.strerror}")
        return
    try:
        proc.communicate(body.encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        note(f"forecast: warning: --notify command did not finish within {timeout:g} s")
        return
    finally:
        _kill_group(proc)
    if proc.returncode != 0:
        note(f"forecast: warning: --notify command exited with status {proc.returncode}")


def _notify_timeout() -> float:
    """NOTIFY_TIMEOUT_S, or FORECAST_NOTIFY_TIMEOUT (seconds) when it is a positive number."""
    import os

    try:
        value = float(os.environ.get("FORECAST_NOTIFY_TIMEOUT", ""))
    except ValueError:
        return NOTIFY_TIMEOUT_S
    return value if 0 < value <= 86_400 else NOTIFY_TIMEOUT_S


def _kill_group(proc) -> None:
    """SIGKILL the hook's whole process group (its pid is the group id), then reap the hook."""
    import os
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group is already gone
    proc.wait()


def _has_fd(stream) -> bool:
    try:
        stream.fileno()
        return True
    except (OSError, ValueError, AttributeError):
        return False


def _history(st: CliState, *, fmt: str, limit: int) -> None:
    from forecast.services.check.runs import history

    rows = history(st.database().engine, limit=limit)
    if fmt == "json":
        print_json(rows)
        return
    if not rows:
        note("no check has run on this database yet")
        return
    from forecast.core.timeparse import local, parse_iso

    table = []
    for r in rows:
        s = r["summary"]
        did = ", ".join(
            f"{s[k]} {label}"
            for k, label in (("closed", "closed"), ("auto_resolved", "resolved"), ("overdue", "overdue"),
                             ("stale", "stale"), ("closing_soon", "soon"), ("new_evidence", "evidence"))
            if s.get(k)
        )
        error = (r["error"] or "").splitlines()[0] if r["error"] else ""
        table.append((r["id"], local(parse_iso(r["started_at"]), st.tz, "YYYY-MM-DD HH:mm:ss"),
                      "" if r["seconds"] is None else f"{r['seconds']:.2f}",
                      r["status"] + (" (dry run)" if r["dry_run"] else ""), did, error))  # fmt: skip
    print_table(("ID", "STARTED", "SECONDS", "STATUS", "RESULT", "ERROR"), table, flex=5, fmt=fmt)
