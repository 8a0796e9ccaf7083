"""The detail chart of a choice question (stacked probability bands) and of a numeric or date question (a fan
of quantiles), over time, with the same marker lane and time axis as the binary step chart.

Pure drawing from frozen data, like step_chart.py: the detail screen's StepChart renders whichever it is given.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from rich.text import Text

from forecast.tui.palette import DEFAULT, Palette
from forecast.tui.widgets.canvas import Canvas, scale
from forecast.tui.widgets.step_chart import AXIS, footer


def option_colours(pal: Palette, n: int) -> list[str]:
    """One colour per option, in option order (cycling past six: 50 options cannot all be told apart)."""
    base = [pal.primary, pal.accent, pal.yes, pal.no, pal.warn, pal.muted]
    return [base[i % len(base)] for i in range(n)]


@dataclass(frozen=True)
class StackData:
    """A choice forecast over time: at each time the probability of every option (summing to 1)."""

    start: int
    end: int
    keys: tuple[str, ...]
    times: tuple[int, ...]
    """Microseconds since the epoch, ascending."""
    probabilities: tuple[tuple[float, ...], ...]
    """Per time, one probability per key."""
    who: str = ""
    """Whose forecast it is: the user's name, one forecaster's, or "team mean"."""
    until: int | None = None
    updates: tuple[int, ...] = ()
    evidence: tuple[tuple[int, str], ...] = ()
    resolution: tuple[int, str] | None = None
    """(time, "outcome" or "annulled")."""
    outcome: int | None = None
    """The index of the option it resolved as."""
    now: int | None = None
    tz: str = "UTC"

    @property
    def series(self) -> tuple:
        return self.times  # the widget's "anything to draw?" test


@dataclass(frozen=True)
class FanData:
    """A continuous forecast over time: its 10th, 50th and 90th percentiles as locations u in [0, 1] of the range."""

    start: int
    end: int
    times: tuple[int, ...]
    bands: tuple[tuple[float, float, float], ...]
    """Per time, (p10, p50, p90) as unscaled locations (0: the range's low end, 1: its high end)."""
    labels: tuple[str, str, str]
    """The values at the top, middle and bottom of the plot (high, midpoint, low)."""
    who: str = ""
    until: int | None = None
    updates: tuple[int, ...] = ()
    evidence: tuple[tuple[int, str], ...] = ()
    resolution: tuple[int, str] | None = None
    outcome: float | None = None
    """The outcome's location (below 0 or above 1: beyond an open bound)."""
    now: int | None = None
    tz: str = "UTC"

    @property
    def series(self) -> tuple:
        return self.times


def _guides(canvas: Canvas, data, x_of, pal: Palette) -> None:
    if data.now is not None and data.start < data.now < data.end:
        canvas.vline_under(x_of(data.now), "┊", pal.muted)
    if data.resolution is not None:
        canvas.vline_under(x_of(data.resolution[0]), "│", pal.yes if data.resolution[1] != "annulled" else pal.muted)


def _at(times: tuple[int, ...], t: float, until: int | None) -> int | None:
    """Index of the forecast standing at time t (None before the first, or after the line stops)."""
    if until is not None and t > until:
        return None
    i = bisect_right(times, t) - 1
    return i if i >= 0 else None


def render_stack(data: StackData, width: int, height: int, pal: Palette = DEFAULT) -> list[Text]:
    """Bands stacked bottom-up in option order; each cell is two half-cells (▀: top in front, bottom behind)."""
    if width < AXIS + 8 or height < 4:
        return [Text("(too small for a chart)", style=pal.muted)]
    plot_w, plot_h = width - AXIS, height - 2
    start, end = data.start, max(data.end, data.start + 1)
    span = end - start
    colours = option_colours(pal, len(data.keys))

    def x_of(t: int) -> int:
        return scale(t, start, end, plot_w)

    guides = Canvas(plot_w, plot_h)
    _guides(guides, data, x_of, pal)
    for frac in (0.25, 0.5, 0.75) if plot_h >= 5 else (0.5,):
        guides.hline_under(scale(1 - frac, 0, 1, plot_h), "┈" if frac == 0.5 else "·", pal.muted)
    empty = guides.lines()

    def band(cum: list[float], level: float) -> int:
        for k, c in enumerate(cum):
            if level < c:
                return k
        return len(cum) - 1

    columns: list[list[float] | None] = []
    for cx in range(plot_w):
        i = _at(data.times, start + (cx + 0.5) * span / plot_w, data.until)
        if i is None:
            columns.append(None)
            continue
        cum, total = [], 0.0
        for p in data.probabilities[i]:
            total += p
            cum.append(total)
        columns.append(cum)
    labels = {0: "100%", plot_h // 2: " 50%", plot_h - 1: "  0%"}
    lines = []
    for cy in range(plot_h):
        label = labels.get(cy, "")
        row = Text.assemble((f"{label:>4} {'┤' if label else '│'}", pal.muted))
        for cx, cum in enumerate(columns):
            if cum is None:
                row.append_text(empty[cy][cx : cx + 1])
                continue
            top = band(cum, 1.0 - (2 * cy + 0.5) / (2 * plot_h))
            bottom = band(cum, 1.0 - (2 * cy + 1.5) / (2 * plot_h))
            row.append("▀", style=f"{colours[top]} on {colours[bottom]}")
        lines.append(row)
    return lines + footer(data, plot_w, AXIS, pal)


def render_fan(data: FanData, width: int, height: int, pal: Palette = DEFAULT) -> list[Text]:
    """The p10–p90 band shaded, the median a braille line over it, the outcome marked where it resolved."""
    axis = max(len(label) for label in data.labels) + 2
    if width < axis + 8 or height < 4:
        return [Text("(too small for a chart)", style=pal.muted)]
    plot_w, plot_h = width - axis, height - 2
    start, end = data.start, max(data.end, data.start + 1)
    span = end - start
    canvas = Canvas(plot_w, plot_h)
    dw, dh = canvas.dot_width, canvas.dot_height

    def x_of(t: int) -> int:
        return scale(t, start, end, plot_w)

    _guides(canvas, data, x_of, pal)
    canvas.hline_under(scale(0.5, 0, 1, plot_h), "┈", pal.muted)
    for cx in range(plot_w):
        i = _at(data.times, start + (cx + 0.5) * span / plot_w, data.until)
        if i is None:
            continue
        lo, _mid, hi = data.bands[i]
        for cy in range(scale(1 - hi, 0, 1, plot_h), scale(1 - lo, 0, 1, plot_h) + 1):
            canvas.under[cy][cx] = ("░", pal.accent)
    prev: int | None = None
    for x in range(dw):
        i = _at(data.times, start + (x + 0.5) * span / dw, data.until)
        if i is None:
            prev = None
            continue
        y = scale(1 - data.bands[i][1], 0, 1, dh)
        if prev is None:
            canvas.dot(x, y, f"bold {pal.primary}")
        else:
            canvas.line(x - 1, prev, x, y, f"bold {pal.primary}")
        prev = y
    if data.outcome is not None and data.resolution is not None:
        u = min(max(data.outcome, 0.0), 1.0)
        canvas.glyph(x_of(data.resolution[0]), scale(1 - u, 0, 1, plot_h), "✔", f"bold {pal.yes}")
    top, mid, bottom = data.labels
    labels = {0: top, plot_h // 2: mid, plot_h - 1: bottom}
    lines = []
    for cy, row in enumerate(canvas.lines()):
        label = labels.get(cy, "")
        lines.append(Text.assemble((f"{label:>{axis - 2}} {'┤' if label else '│'}", pal.muted), row))
    return lines + footer(data, plot_w, axis, pal)


def render_kind(data: StackData | FanData, width: int, height: int, pal: Palette = DEFAULT) -> list[Text]:
    return render_stack(data, width, height, pal) if isinstance(data, StackData) else render_fan(data, width, height, pal)


__all__ = ["FanData", "StackData", "option_colours", "render_fan", "render_kind", "render_stack"]
