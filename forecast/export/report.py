"""The HTML report: one self-contained file (inline CSS and SVG; no scripts, fonts or network).

Pure rendering of a ReportData the services assemble from the scoring engine. Every piece of text that
came from users (titles, slugs, names, tags) is HTML-escaped; a Content-Security-Policy forbids scripts
and any fetch, so even a mistake here could not make the page load something.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from forecast.core.numbers import fixed
from forecast.export.plots import Series, brier_figure, calibration_figure, inline_svg

if TYPE_CHECKING:
    from forecast.core.scoring.results import (
        BreakdownRow,
        CalibrationBin,
        Decomposition,
        ForecasterScores,
        Metrics,
        QuestionCounts,
    )

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1a1a1a;background:#fff;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
.meta{color:#555;font-size:.9rem}table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
th,td{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f6f6f6;position:sticky;top:0}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem .9rem;
min-width:8rem}.card .v{font-size:1.4rem;font-weight:600}.card .k{color:#555;font-size:.8rem}
figure{margin:1rem 0}figcaption{color:#555;font-size:.85rem}figure svg{max-width:100%;height:auto}
.note{color:#555;font-size:.85rem}
td.t{max-width:28rem;overflow-wrap:anywhere}
"""

UNIT_TEXT = {
    "time": "each (question, forecaster) pair weighs 1, split by how long each forecast stood",
    "forecast": "each forecast weighs 1",
    "final": "each pair's final forecast weighs 1",
}
METRICS = (
    ("n_questions", "questions", "int"),
    ("n_forecasts", "forecasts", "int"),
    ("brier", "Brier", "f4"),
    ("brier2", "Brier (0-2)", "f4"),
    ("log_score", "log score", "f4"),
    ("baseline", "baseline", "f2"),
    ("peer", "peer", "f2"),
    ("relative_brier", "relative Brier", "f4"),
    ("coverage", "coverage", "pct"),
    ("n_late", "late", "int"),
)


@dataclass
class ReportData:
    """What the report shows: the scoring engine's records (core/scoring/results.py), in the services' order."""

    title: str
    generated_at: str
    scope: list[str]
    questions: QuestionCounts
    people: Sequence[ForecasterScores]
    aggregates: Sequence[ForecasterScores] = ()
    hidden_people: int = 0
    calibration_title: str = "Calibration"
    calibration_bins: Sequence[CalibrationBin] = ()
    curve: tuple[np.ndarray, np.ndarray] | None = None
    decomposition: Decomposition | None = None
    unit: str = "time"
    over_time: list[Series] = field(default_factory=list)
    period: str = "quarter"
    tag_rows: Sequence[BreakdownRow] = ()  # by tag, per forecaster or pooled over forecasters
    question_rows: list[dict] = field(default_factory=list)
    question_total: int = 0
    kinds: object = None  # services.kind_scores.KindReport: a section per non-binary kind present


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def fmt(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "pct":
        return f"{100 * float(value):.0f}%"
    return fixed(float(value), 2 if kind == "f2" else 4)  # never "-0.00"


def _table(headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[tuple[str, str]]]) -> str:
    """headers: (label, numeric); rows: (already escaped cell html, css class)."""
    head = "".join(f'<th class="n">{esc(h)}</th>' if num else f"<th>{esc(h)}</th>" for h, num in headers)
    body = "".join("<tr>" + "".join(f'<td class="{c}">{v}</td>' for v, c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _metric_cells(entry: Metrics) -> list[tuple[str, str]]:
    return [(esc(fmt(getattr(entry, key), kind)), "n") for key, _label, kind in METRICS]


def _headline(data: ReportData) -> str:
    q = data.questions
    cards = [
        ("scored questions", fmt(q.scored, "int")),
        ("not scored (open or annulled)", fmt(q.not_scored, "int")),
        ("resolved, empty window", fmt(q.empty_window, "int")),
    ]
    if len(data.people) == 1:
        p = data.people[0]
        cards += [("Brier", fmt(p.brier, "f4")), ("baseline", fmt(p.baseline, "f2")), ("peer", fmt(p.peer, "f2"))]
    html_cards = "".join(f'<div class="card"><div class="v">{esc(v)}</div><div class="k">{esc(k)}</div></div>'
                         for k, v in cards)  # fmt: skip
    headers = [("forecaster", False)] + [(label, kind != "text") for _k, label, kind in METRICS]
    rows = [[(esc(p.name), "t")] + _metric_cells(p) for p in data.people]
    rows += [[(esc(a.name) + " <em>(aggregate)</em>", "t")] + _metric_cells(a) for a in data.aggregates]
    more = (
        f'<p class="note">{data.hidden_people:,} more forecasters with fewer scored questions are not listed '
        "(choose some with --by, or see <code>forecast export scores</code>).</p>"
        if data.hidden_people
        else ""
    )
    return f'<div class="cards">{html_cards}</div>{_table(headers, rows)}{more}'


def _calibration(data: ReportData) -> str:
    fig = calibration_figure(data.calibration_bins, data.curve, data.calibration_title)
    svg = inline_svg(fig, "cal")
    headers = [("bin", False), ("forecasts", True), ("weight", True), ("mean forecast", True),
               ("observed", True), ("95% interval", True)]  # fmt: skip
    rows = []
    for b in data.calibration_bins:
        if not b.count:
            continue
        ci = "–" if b.ci_low is None else f"{b.ci_low:.3f} – {b.ci_high:.3f}"
        rows.append([
            (esc(f"[{b.lo:.2f}, {b.hi:.2f}{']' if b.hi >= 1 else ')'}"), "t"),
            (esc(fmt(b.count, "int")), "n"), (esc(f"{b.weight:.2f}"), "n"),
            (esc(fmt(b.mean_forecast, "f4")), "n"), (esc(fmt(b.observed, "f4")), "n"), (esc(ci), "n"),
        ])  # fmt: skip
    d = data.decomposition
    decomp = ""
    if d is not None:
        parts = ", ".join(f"{esc(k)} {esc(fmt(getattr(d, k), 'f4'))}" for k in ("brier", "reliability", "resolution",
                                                                                 "uncertainty", "within"))  # fmt: skip
        decomp = f'<p class="note">Murphy decomposition: {parts}.</p>'
    unit = UNIT_TEXT.get(data.unit, "")
    return (
        f"<figure>{svg}<figcaption>{esc(data.calibration_title)}</figcaption></figure>"
        f'<p class="note">Bins weighted so that {esc(unit)}; intervals are 95% Wilson intervals on the '
        "effective sample size; the curve is a lowess fit of outcomes on forecasts.</p>"
        f"{_table(headers, rows)}{decomp}"
    )


def _over_time(data: ReportData) -> str:
    caption = f"Brier score by {data.period} of resolution"
    fig = brier_figure(data.over_time, caption)
    return f"<figure>{inline_svg(fig, 'time')}<figcaption>{esc(caption)}</figcaption></figure>"


def _tags(data: ReportData) -> str:
    if not data.tag_rows:
        return '<p class="note">No tagged questions were scored.</p>'
    headers = [("tag", False), ("forecaster", False)] + [(label, True) for _k, label, _kind in METRICS]
    rows = [[(esc(r.key), "t"), (esc(r.name), "t")] + _metric_cells(r) for r in data.tag_rows]
    return _table(headers, rows)


def _questions(data: ReportData) -> str:
    if not data.question_rows:
        return '<p class="note">No questions were scored.</p>'
    headers = [("question", False), ("title", False), ("forecaster", False), ("outcome", False),
               ("resolved", False), ("forecasts", True), ("Brier", True), ("baseline", True), ("peer", True),
               ("relative Brier", True)]  # fmt: skip
    rows = [
        [(esc(r["slug"]), "t"), (esc(r["title"]), "t"), (esc(r["name"]), "t"), (esc(r.get("outcome") or ""), "t"),
         (esc(r.get("resolved_at") or ""), "t"), (esc(fmt(r.get("n_forecasts"), "int")), "n"),
         (esc(fmt(r.get("brier"), "f4")), "n"), (esc(fmt(r.get("baseline"), "f2")), "n"),
         (esc(fmt(r.get("peer"), "f2")), "n"), (esc(fmt(r.get("relative_brier"), "f4")), "n")]
        for r in data.question_rows
    ]  # fmt: skip
    shown = len(data.question_rows)
    note = ""
    if data.question_total > shown:
        note = (f'<p class="note">The {shown:,} most recently resolved of {data.question_total:,} rows; '
                "<code>forecast export scores</code> has them all.</p>")  # fmt: skip
    return note + _table(headers, rows)


KIND_METRICS = {
    "choice": (("brier", "Brier", "f4"), ("brier2", "Brier (0-2)", "f4"), ("log_score", "log score", "f4"),
               ("baseline", "baseline", "f2"), ("peer", "peer", "f2")),
    "continuous": (("log_score", "log score", "f4"), ("crps", "CRPS", "f4"), ("baseline", "baseline", "f2"),
                   ("peer", "peer", "f2")),
}  # fmt: skip


def _kind(block, max_people: int = 25) -> str:
    """One non-binary kind: its forecasters with the kind's own columns, then per-option calibration (choice) or
    the PIT histogram with its uniformity test (numeric, date), pooled over the forecasters listed."""
    kind = block.kind.value
    metrics = KIND_METRICS["choice" if kind == "choice" else "continuous"]
    people = sorted(block.forecasters, key=lambda f: (-f.n_questions, f.name))
    shown = people[:max_people]
    headers = [("forecaster", False), ("questions", True), ("forecasts", True)]
    headers += [(label, True) for _k, label, _f in metrics] + [("coverage", True)]
    rows = [[(esc(f.name), "t"), (esc(fmt(f.n_questions, "int")), "n"), (esc(fmt(f.n_forecasts, "int")), "n")]
            + [(esc(fmt(getattr(f, k), how)), "n") for k, _l, how in metrics] + [(esc(fmt(f.coverage, "pct")), "n")]
            for f in shown]  # fmt: skip
    intro = (f'<p class="note">{block.scored:,} scored; {block.not_scored:,} not (unresolved or annulled). '
             "Log score, baseline, peer: higher is better; Brier and CRPS: lower is better.</p>")  # fmt: skip
    more = f'<p class="note">{len(people) - len(shown):,} more forecasters not listed.</p>' if len(people) > len(shown) else ""
    if kind == "choice":
        bins = [b for b in block.overall_calibration if b.count]
        cal_rows = [[(esc(f"[{b.lo:.2f}, {b.hi:.2f}{']' if b.hi >= 1 else ')'}"), "t"), (esc(fmt(b.count, "int")), "n"),
                     (esc(f"{b.weight:.2f}"), "n"), (esc(fmt(b.mean_forecast, "f4")), "n"),
                     (esc(fmt(b.observed, "f4")), "n")] for b in bins]  # fmt: skip
        detail = ('<p class="note">Per-option calibration, forecasters pooled: every option of every forecast is a '
                  "forecast that the option wins.</p>" + _table([("bin", False), ("options", True), ("weight", True),
                                                                  ("mean forecast", True), ("observed", True)], cal_rows))  # fmt: skip
    else:
        pit = block.overall_pit
        pit_rows = [[(esc(f"[{b.lo:.2f}, {b.hi:.2f}{']' if b.hi >= 1 else ')'}"), "t"), (esc(fmt(b.count, "int")), "n"),
                     (esc(f"{b.weight:.2f}"), "n"), (esc(fmt(b.observed, "pct")), "n")] for b in pit.bins] if pit else []  # fmt: skip
        test = ""
        if pit is not None and pit.ks_statistic is not None:
            test = (f'<p class="note">Uniformity (Kolmogorov-Smirnov, {pit.n:,} values): D = {pit.ks_statistic:.3f}, '
                    f"p = {pit.p_value:.3g}.</p>")  # fmt: skip
        detail = ('<p class="note">PIT histogram, forecasters pooled: F(outcome) of each forecast; flat when the '
                  "forecasts are calibrated.</p>" + _table([("PIT", False), ("forecasts", True), ("weight", True),
                                                            ("share", True)], pit_rows) + test)  # fmt: skip
    return intro + _table(headers, rows) + more + detail


def render_html(data: ReportData) -> str:
    scope = "; ".join(esc(s) for s in data.scope) or "all forecasts"
    sections = [
        ("Headline scores", _headline(data)),
        ("Calibration", _calibration(data)),
        ("Brier over time", _over_time(data)),
        ("By tag", _tags(data)),
        ("By question", _questions(data)),
    ]
    for block in getattr(data.kinds, "kinds", ()):
        sections.append((f"{block.kind.value.capitalize()} questions", _kind(block)))
    body = "".join(
        f'<section><h2 id="s{i}">{esc(t)}</h2>{content}</section>' for i, (t, content) in enumerate(sections)
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>{esc(data.title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{esc(data.title)}</h1>"
        f'<p class="meta">Generated {esc(data.generated_at)} · {scope} · Brier: lower is better; baseline, '
        "peer: higher is better; relative Brier: below 0 beats the crowd median.</p>"
        f"{body}</body></html>\n"
    )
