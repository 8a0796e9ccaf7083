"""From a QuestionDetail to what the detail screen draws: the chart's series and markers."""

from __future__ import annotations

from datetime import datetime

from forecast.core.team_median import RunningMedian
from forecast.core.timeparse import to_micros
from forecast.services.views import QuestionDetail, UpdateRow
from forecast.tui.widgets.step_chart import ChartData, Series


def micros(at: datetime | None) -> int | None:
    return None if at is None else to_micros(at)


def chart_data(data: QuestionDetail, *, me: str, now: datetime, tz: str) -> ChartData:
    now_us = to_micros(now)
    opens, closes = to_micros(data.opens_at), to_micros(data.closes_at)
    resolved_at = micros(data.resolved_at)
    standing = [f for f in data.forecasts if not f.superseded]
    times = [to_micros(f.made_at) for f in standing]
    # The line runs until the question resolved, or until now while it is unresolved.
    until = resolved_at if resolved_at is not None else min(now_us, closes)
    end = max(closes, resolved_at or 0, max(times, default=0))
    if resolved_at is not None:
        end = max(min(end, resolved_at + (resolved_at - opens) // 20), resolved_at)

    series: list[Series] = []
    mine = [(t, f.probability) for t, f in zip(times, standing, strict=True) if f.forecaster == me]
    if mine:
        series.append(Series(me, tuple(t for t, _ in mine), tuple(p for _, p in mine), "mine", until))
    names = {f.forecaster for f in standing}
    if len(names) > 1 or (names and not mine):
        team_t, team_p = running_median(times, standing)
        label = "team median" if len(names) > 1 else next(iter(names))
        series.append(Series(label, tuple(team_t), tuple(team_p), "team" if len(names) > 1 else "other", until))

    evidence = tuple(
        (t, e.stance or "neutral")
        for e in data.evidence
        if (t := micros(e.published_at)) is not None
    )
    resolution = None
    if data.resolution and resolved_at is not None:
        resolution = (resolved_at, data.resolution)
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


def running_median(times: list[int], standing: list[UpdateRow]) -> tuple[list[int], list[float]]:
    """The median of every forecaster's standing forecast after each update."""
    team = RunningMedian()
    out_t: list[int] = []
    out_p: list[float] = []
    for t, f in zip(times, standing, strict=True):
        median = team.update(f.forecaster, f.probability)
        if out_t and out_t[-1] == t:
            out_p[-1] = median
        else:
            out_t.append(t)
            out_p.append(median)
    return out_t, out_p


def previous_probability(data: QuestionDetail, me: str) -> float | None:
    """The user's standing probability on this question (what a new forecast changes)."""
    for f in reversed(data.forecasts):
        if f.forecaster == me and not f.superseded:
            return f.probability
    return None


def kind_chart_data(data: QuestionDetail, *, me: str, now: datetime, tz: str):
    """A choice question's stacked bands (StackData) or a numeric/date question's fan of quantiles (FanData).

    The user's own forecasts when they have any; otherwise the one forecaster's, or the team's mean at each
    update (the mean of the probability vectors for choice, of the quantiles' locations for a range: both
    are a forecast of the same kind, which a per-option median is not)."""
    from forecast.core.kind_spec import KindSpec
    from forecast.tui.widgets.kind_charts import FanData, StackData

    spec = KindSpec.from_dict(data.kind, data.spec)
    now_us = to_micros(now)
    opens, closes = to_micros(data.opens_at), to_micros(data.closes_at)
    resolved_at = micros(data.resolved_at)
    standing = [f for f in data.forecasts if not f.superseded and f.values]
    times = [to_micros(f.made_at) for f in standing]
    until = resolved_at if resolved_at is not None else min(now_us, closes)
    end = max(closes, resolved_at or 0, max(times, default=0))
    if resolved_at is not None:
        end = max(min(end, resolved_at + (resolved_at - opens) // 20), resolved_at)

    if spec.choices is not None:
        keys = spec.choices.keys

        def point(f: UpdateRow) -> tuple[float, ...]:
            return tuple(float(f.values.get(k, 0.0)) for k in keys)
    else:
        rng = spec.range
        assert rng is not None

        def point(f: UpdateRow) -> tuple[float, ...]:
            return tuple(min(max(rng.unscaled(f.values[q]), 0.0), 1.0) for q in ("p10", "p50", "p90"))

    mine = [(t, point(f)) for t, f in zip(times, standing, strict=True) if f.forecaster == me]
    names = {f.forecaster for f in standing}
    if mine:
        who, line = me, mine
    elif len(names) == 1:
        who, line = next(iter(names)), [(t, point(f)) for t, f in zip(times, standing, strict=True)]
    else:
        who, line = "team mean", _running_mean(times, standing, point)
    evidence = tuple((t, e.stance or "neutral") for e in data.evidence if (t := micros(e.published_at)) is not None)
    resolution = (resolved_at, data.resolution) if data.resolution and resolved_at is not None else None
    common = dict(
        start=opens, end=end, times=tuple(t for t, _ in line), who=who, until=until,
        updates=tuple(t for t, _ in mine) if mine else tuple(times), evidence=evidence, resolution=resolution,
        now=now_us if now_us < end else None, tz=tz,
    )  # fmt: skip
    outcome = spec.outcome_value(data.outcome) if data.outcome is not None else None
    if spec.choices is not None:
        return StackData(keys=spec.choices.keys, probabilities=tuple(p for _, p in line),
                         outcome=outcome if isinstance(outcome, int) else None, **common)  # fmt: skip
    rng = spec.range
    if outcome == "below":
        u = -0.01
    elif outcome == "above":
        u = 1.01
    else:
        u = None if outcome is None else rng.unscaled(float(outcome))
    show = spec.show_value if spec.kind.value != "date" else _day
    labels = (show(rng.high), show(rng.scaled(0.5)), show(rng.low))
    return FanData(bands=tuple(b for _, b in line), labels=labels, outcome=u, **common)  # type: ignore[arg-type]


def _day(seconds: float) -> str:
    from forecast.core.kind_spec import shown_day

    return shown_day(seconds)


def _running_mean(times: list[int], standing: list[UpdateRow], point) -> list[tuple[int, tuple[float, ...]]]:
    """The mean of every forecaster's standing forecast after each update (one point per distinct time)."""
    latest: dict[str, tuple[float, ...]] = {}
    out: list[tuple[int, tuple[float, ...]]] = []
    for t, f in zip(times, standing, strict=True):
        latest[f.forecaster] = point(f)
        n = len(latest)
        mean = tuple(sum(v[i] for v in latest.values()) / n for i in range(len(latest[f.forecaster])))
        if out and out[-1][0] == t:
            out[-1] = (t, mean)
        else:
            out.append((t, mean))
    return out
