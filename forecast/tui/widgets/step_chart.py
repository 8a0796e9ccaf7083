"""Probability over time: step lines in braille, with a lane of markers for updates, evidence and the resolution."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from rich.console import Group
from rich.text import Text
from textual.widget import Widget

from forecast.core.timeparse import from_micros, local
from forecast.tui.guard import Guarded
from forecast.tui.palette import DEFAULT, Palette
from forecast.tui.widgets.canvas import Canvas, scale

AXIS = 6  # "100% ┤"


@dataclass(frozen=True)
class Series:
    name: str
    times: tuple[int, ...]
    """Microseconds since the epoch, ascending."""
    values: tuple[float, ...]
    role: str = "mine"
    """"mine", "team" or "other": decides the colour."""
    until: int | None = None
    """Where the line stops (the resolution, or now); the chart's end when None."""


@dataclass(frozen=True)
class ChartData:
    start: int
    end: int
    series: tuple[Series, ...] = ()
    updates: tuple[int, ...] = ()
    evidence: tuple[tuple[int, str], ...] = ()
    """(time, stance) of each linked article with a publication date."""
    resolution: tuple[int, str] | None = None
    now: int | None = None
    tz: str = "UTC"
    notes: tuple[str, ...] = field(default_factory=tuple)


def render_chart(data: ChartData, width: int, height: int, pal: Palette = DEFAULT) -> list[Text]:
    """Lines of the chart at `width` x `height` cells (plot, marker lane, time axis)."""
    if width < AXIS + 8 or height < 4:
        return [Text("(too small for a chart)", style=pal.muted)]
    plot_w, plot_h = width - AXIS, height - 2
    canvas = Canvas(plot_w, plot_h)
    start, end = data.start, max(data.end, data.start + 1)
    span = end - start

    def x_of(t: int) -> int:
        return scale(t, start, end, plot_w)

    # Guides lie beneath the lines; vertical rules (now, the resolution) win where they cross the guides.
    if data.now is not None and start < data.now < end:
        canvas.vline_under(x_of(data.now), "┊", pal.muted)
    if data.resolution is not None:
        t, outcome = data.resolution
        style = pal.yes if outcome == "yes" else pal.no if outcome == "no" else pal.muted
        canvas.vline_under(x_of(t), "│", style)
    for frac in (0.25, 0.5, 0.75) if plot_h >= 5 else (0.5,):
        canvas.hline_under(scale(1 - frac, 0, 1, plot_h), "┈" if frac == 0.5 else "·", pal.muted)

    styles = {"mine": f"bold {pal.primary}", "team": pal.accent, "other": pal.muted}
    order = {"other": 0, "team": 1, "mine": 2}
    for series in sorted(data.series, key=lambda s: order.get(s.role, 0)):
        _draw_step(canvas, series, start, span, styles.get(series.role, ""))

    lines: list[Text] = []
    labels = {0: "100%", plot_h // 2: " 50%", plot_h - 1: "  0%"}
    for cy, row in enumerate(canvas.lines()):
        label = labels.get(cy, "")
        tick = "┤" if label else "│"
        lines.append(Text.assemble((f"{label:>4} {tick}", pal.muted), row))

    lines += footer(data, plot_w, AXIS, pal)
    return lines


def footer(data, plot_w: int, axis: int, pal: Palette = DEFAULT) -> list[Text]:
    """The marker lane (updates, evidence, the resolution) and the time axis under a plot `plot_w` wide.

    `data` has start, end, updates, evidence, resolution, now and tz as ChartData does (the kinds' charts too)."""
    start, end = data.start, max(data.end, data.start + 1)

    def x_of(t: int) -> int:
        return scale(t, start, end, plot_w)

    lane = Canvas(plot_w, 1)
    for t in data.updates:
        if start <= t <= end:
            lane.glyph(x_of(t), 0, "●", pal.primary)
    marks = {"yes": ("▲", pal.yes), "no": ("▼", pal.no), "neutral": ("◆", pal.muted)}
    for t, stance in data.evidence:
        if start <= t <= end:
            ch, style = marks.get(stance, marks["neutral"])
            lane.glyph(x_of(t), 0, ch, style)
    if data.resolution is not None:
        t, outcome = data.resolution
        ch, style = {"yes": ("✔", pal.yes), "no": ("✘", pal.no), "annulled": ("∅", pal.muted)}.get(outcome, ("✔", pal.yes))
        lane.glyph(x_of(t), 0, ch, f"bold {style}")
    lines = [Text.assemble((" " * (axis - 1) + "└", pal.muted), lane.lines()[0])]

    left = local(from_micros(start), data.tz, "YYYY-MM-DD")
    right = local(from_micros(end), data.tz, "YYYY-MM-DD")
    ticks = [" "] * plot_w
    _put(ticks, 0, left)
    _put(ticks, plot_w - len(right), right)
    if data.now is not None and start < data.now < end:
        cx = x_of(data.now)
        if len(left) + 1 < cx - 1 and cx + 4 < plot_w - len(right) - 1:
            _put(ticks, cx - 1, "now")
    lines.append(Text(" " * axis + "".join(ticks), style=pal.muted))
    return lines


def _draw_step(canvas: Canvas, series: Series, start: int, span: int, style: str) -> None:
    if not series.times:
        return
    dw, dh = canvas.dot_width, canvas.dot_height
    stop = series.until
    prev_y: int | None = None
    for x in range(dw):
        t = start + (x + 0.5) * span / dw
        if stop is not None and t > stop:
            break
        i = bisect_right(series.times, t) - 1
        if i < 0:
            continue
        y = scale(1.0 - series.values[i], 0.0, 1.0, dh)
        if prev_y is None:
            canvas.dot(x, y, style)
        else:
            canvas.line(x - 1, prev_y, x - 1, y, style)
            canvas.dot(x, y, style)
        prev_y = y
    # The newest value always shows, even when it was made at the very end of the drawn span.
    last_t = series.times[-1]
    if stop is None or last_t <= stop:
        x = min(int((last_t - start) / span * dw), dw - 1)
        canvas.dot(x, scale(1.0 - series.values[-1], 0.0, 1.0, dh), style)


def _put(buf: list[str], at: int, text: str) -> None:
    for i, ch in enumerate(text):
        if 0 <= at + i < len(buf):
            buf[at + i] = ch


class StepChart(Guarded, Widget, can_focus=False):
    """Redrawn from its ChartData at whatever size the layout gives it."""

    def __init__(self, data=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data = data

    def set_data(self, data) -> None:
        """A ChartData (binary), or a StackData or FanData (kind_charts.py)."""
        self.data = data
        self.refresh()

    def render(self) -> Group | Text:
        pal = getattr(self.app, "palette", DEFAULT)
        if self.data is None:
            return Text("")
        if not self.data.series:
            return Text("No forecasts yet: press f to record the first.", style=pal.muted)
        size = self.content_size
        if not isinstance(self.data, ChartData):  # a choice or continuous question's chart (kind_charts.py)
            from forecast.tui.widgets.kind_charts import render_kind

            return Group(*render_kind(self.data, size.width, size.height, pal))
        return Group(*render_chart(self.data, size.width, size.height, pal))
