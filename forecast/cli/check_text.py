"""The text of a `forecast check` report: short enough for cron mail, one line per item."""

from __future__ import annotations

from datetime import datetime

from forecast.cli.output import clean_cell
from forecast.core.timeparse import local

MAX_LINES = 20  # per section; --json lists everything


def _when(at: datetime | None, tz: str) -> str:
    return local(at, tz) if at else ""


def _span(days: float) -> str:
    days = abs(days)
    if days >= 1:
        return f"{days:.0f} day{'s' if round(days) != 1 else ''}"
    hours = days * 24
    return f"{hours:.0f} hour{'s' if round(hours) != 1 else ''}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(report) -> str:
    """One line for a notification title or a log."""
    c = report.counts()
    parts = [
        f"{c['closed']} closed" if c["closed"] else "",
        f"{c['auto_resolved']} auto-resolved" if c["auto_resolved"] else "",
        f"{c['overdue']} overdue" if c["overdue"] else "",
        _plural(c["stale"], "stale forecast") if c["stale"] else "",
        f"{c['closing_soon']} closing soon" if c["closing_soon"] else "",
        _plural(c["reminders"], "reminder") if c.get("reminders") else "",
        _plural(c["new_evidence"], "new evidence item") if c["new_evidence"] else "",
        _plural(c["errors"], "error") if c["errors"] else "",
    ]
    text = ", ".join(p for p in parts if p) or "nothing to do"
    if report.new_attention:
        text += f" ({report.new_attention} new since the last check)"
    return text


def _section(lines: list[str], title: str, items, render) -> None:
    """A heading and at most MAX_LINES items; `items` is a list of report items or a check report Section."""
    if not items:
        return
    lines.append(title)
    shown = items.items(limit=MAX_LINES) if hasattr(items, "items") else items[:MAX_LINES]
    width = min(max(len(i.slug) for i in shown), 40)
    for item in shown:
        mark = "  new" if getattr(item, "new", False) else ""
        lines.append(f"  {item.id:>5}  {clean_cell(item.slug):<{width}}  {render(item)}{mark}")
    if len(items) > MAX_LINES:
        lines.append(f"  … and {len(items) - MAX_LINES} more (forecast check --json lists all)")


def render_report(report, tz: str) -> str:
    opts = report.options
    head = f"forecast check as of {local(report.as_of, tz)}"
    if opts.dry_run:
        head += " (dry run: nothing was changed)"
    lines = [head + ": " + summary_line(report)]
    _section(lines, f"Closed ({len(report.closed)}):", report.closed,
             lambda i: f"{clean_cell(i.title)}  (closed at {_when(i.closes_at, tz)})")
    _section(lines, f"Auto-resolved ({len(report.auto_resolved)}):", report.auto_resolved,
             lambda i: f"{i.resolution.upper()} at {_when(i.resolved_at, tz)} by rule {i.rule}  "
                       f"{clean_cell(i.title)}")
    _section(lines, f"Overdue, resolution date passed ({len(report.overdue)}):", report.overdue,
             lambda i: f"{_span(i.overdue_days)} overdue  {clean_cell(i.title)}")
    _section(lines, f"Stale forecasts, no update for {opts.stale_days:g}+ days ({len(report.stale)}):", report.stale,
             lambda i: f"{clean_cell(i.forecaster)}: last update {_when(i.last_update, tz)} "
                       f"({_span(i.days_since)} ago)  {clean_cell(i.title)}")
    _section(lines, f"Closing within {opts.soon_days:g} days ({len(report.closing_soon)}):", report.closing_soon,
             lambda i: f"closes {_when(i.closes_at, tz)} (in {_span(i.closes_in_days)})  "
                       f"{clean_cell(i.title)}")
    _section(lines, f"Reminders due ({len(report.reminders)}):", report.reminders,
             lambda i: f"since {_when(i.remind_at, tz)}  {clean_cell(i.title)}"
                       + (f"  ({clean_cell(i.note)})" if i.note else ""))
    _evidence(lines, report.evidence)
    if report.errors:
        lines.append(f"Errors ({len(report.errors)}):")
        lines += [f"  {clean_cell(e)}" for e in report.errors]
    if report.interrupted_runs:
        runs = _plural(report.interrupted_runs, "earlier check")
        lines.append(f"Note: {runs} stopped midway; this run finished the work.")
    return "\n".join(lines) + "\n"


def _evidence(lines: list[str], evidence: dict | None) -> None:
    if not evidence:
        return
    new = evidence.get("new", [])
    if new:
        lines.append(f"New evidence from feeds ({len(new)}):")
        for item in new[:MAX_LINES]:
            lines.append(f"  {clean_cell(item.get('title') or item.get('url') or item.get('key', ''))}"
                         + (f"  -> {clean_cell(item['question'])}" if item.get("question") else ""))
        if len(new) > MAX_LINES:
            lines.append(f"  … and {len(new) - MAX_LINES} more (forecast check --json lists all)")
    errors = evidence.get("errors", [])
    if errors:
        lines.append(f"Feeds that could not be polled ({len(errors)}):")
        lines += [f"  {clean_cell(e.get('feed'))}: {clean_cell(e.get('error'))}" for e in errors]
    warnings = evidence.get("warnings", [])
    if warnings:
        lines.append(f"Feed warnings ({len(warnings)}):")
        lines += [f"  {clean_cell(w.get('feed'))}: {clean_cell(w.get('warning'))}" for w in warnings[:MAX_LINES]]
