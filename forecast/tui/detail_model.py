"""From `show_question`'s data to what the detail screen draws: the chart's series and markers."""

from __future__ import annotations

from datetime import datetime

from forecast.core.team_median import RunningMedian
from forecast.core.timeparse import iso_micros, to_micros
from forecast.tui.widgets.step_chart import ChartData, Series


def micros(iso: str | None) -> int | None:
    return None if iso is None else iso_micros(iso)


def chart_data(data: dict, *, me: str, now: datetime, tz: str) -> ChartData:
    now_us = to_micros(now)
    opens, closes = micros(data["opens_at"]), micros(data["closes_at"])
    resolved_at = micros(data.get("resolved_at"))
    standing = [f for f in data["forecasts"] if not f["superseded"]]
    times = [micros(f["made_at"]) for f in standing]
    # The line runs until the question resolved, or until now while it is unresolved.
    until = resolved_at if resolved_at is not None else min(now_us, closes)
    end = max(closes, resolved_at or 0, max(times, default=0))
    if resolved_at is not None:
        end = max(min(end, resolved_at + (resolved_at - opens) // 20), resolved_at)

    series: list[Series] = []
    mine = [(t, f["probability"]) for t, f in zip(times, standing, strict=True) if f["forecaster"] == me]
    if mine:
        series.append(Series(me, tuple(t for t, _ in mine), tuple(p for _, p in mine), "mine", until))
    names = {f["forecaster"] for f in standing}
    if len(names) > 1 or (names and not mine):
        team_t, team_p = running_median(times, standing)
        label = "team median" if len(names) > 1 else next(iter(names))
        series.append(Series(label, tuple(team_t), tuple(team_p), "team" if len(names) > 1 else "other", until))

    evidence = tuple(
        (t, e.get("stance") or "neutral")
        for e in data.get("evidence", [])
        if (t := micros(e.get("published_at"))) is not None
    )
    resolution = None
    if data.get("resolution") and resolved_at is not None:
        resolution = (resolved_at, data["resolution"])
    updates = tuple(t for t, _ in mine) if mine else tuple(times)
    return ChartData(
        start=opens,
        end=end,
        series=tuple(series),
        updates=updates,
        evidence=evidence,
        resolution=resolution,
        now=now_us if now_us < end else None,
        tz=tz,
    )


def running_median(times: list[int], standing: list[dict]) -> tuple[list[int], list[float]]:
    """The median of every forecaster's standing forecast after each update."""
    team = RunningMedian()
    out_t: list[int] = []
    out_p: list[float] = []
    for t, f in zip(times, standing, strict=True):
        median = team.update(f["forecaster"], f["probability"])
        if out_t and out_t[-1] == t:
            out_p[-1] = median
        else:
            out_t.append(t)
            out_p.append(median)
    return out_t, out_p


def previous_probability(data: dict, me: str) -> float | None:
    """The user's standing probability on this question (what a new forecast changes)."""
    for f in reversed(data["forecasts"]):
        if f["forecaster"] == me and not f["superseded"]:
            return f["probability"]
    return None
