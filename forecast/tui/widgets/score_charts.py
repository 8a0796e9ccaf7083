"""Calibration (bins with Wilson intervals against the diagonal) and Brier over time, drawn in braille."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.text import Text
from textual.widget import Widget

from forecast.tui.guard import Guarded
from forecast.tui.palette import DEFAULT, Palette
from forecast.tui.widgets.canvas import Canvas, scale

AXIS = 6


@dataclass(frozen=True)
class Bin:
    lo: float
    hi: float
    mean_forecast: float | None
    observed: float | None
    ci_low: float | None
    ci_high: float | None
    count: int


def render_calibration(bins: list[Bin], width: int, height: int, pal: Palette = DEFAULT,
                       drawn: set[str] | None = None) -> list[Text]:  # fmt: skip
    """x: forecast probability, y: how often it happened; the diagonal is perfect calibration.

    `drawn` collects which of LEGEND's marks the picture shows, so that the legend lists only those."""
    drawn = set() if drawn is None else drawn
    if width < AXIS + 10 or height < 5:
        return [Text("(too small for a chart)", style=pal.muted)]
    drawn.add("diagonal")
    plot_w, plot_h = width - AXIS, height - 1
    canvas = Canvas(plot_w, plot_h)
    dw, dh = canvas.dot_width, canvas.dot_height
    # The diagonal, dotted: every other dot.
    for x in range(0, dw, 2):
        canvas.dot(x, scale(1 - x / (dw - 1), 0, 1, dh), pal.muted)
    for b in bins:
        if b.observed is None or b.mean_forecast is None or not b.count:
            continue
        cx = scale(b.mean_forecast, 0, 1, plot_w)
        cy = scale(1 - b.observed, 0, 1, plot_h)
        if b.ci_low is not None and b.ci_high is not None:
            top, bottom = scale(1 - b.ci_high, 0, 1, plot_h), scale(1 - b.ci_low, 0, 1, plot_h)
            for y in range(top, bottom + 1):
                canvas.glyph(cx, y, "│", pal.accent)
            if bottom > top:  # more than the dot's own cell: the interval shows
                drawn.add("interval")
        off = abs(b.observed - b.mean_forecast) > max(0.1, (b.ci_high or 1) - (b.ci_low or 0)) / 2
        canvas.glyph(cx, cy, "●", f"bold {pal.no if off else pal.primary}")
        drawn.add("off" if off else "observed")
    lines = []
    labels = {0: "100%", plot_h // 2: " 50%", plot_h - 1: "  0%"}
    for cy, row in enumerate(canvas.lines()):
        label = labels.get(cy, "")
        lines.append(Text.assemble((f"{label:>4} {'┤' if label else '│'}", pal.muted), row))
    axis = [" "] * plot_w
    for text, at in (("0%", 0), ("50%", plot_w // 2 - 1), ("100%", plot_w - 4)):
        for i, ch in enumerate(text):
            if 0 <= at + i < plot_w:
                axis[at + i] = ch
    lines.append(Text(" " * AXIS + "".join(axis), style=pal.muted))
    return lines


# Short enough that all four fit under the chart at 80 columns.
LEGEND = (("diagonal", "⠄⠂", "muted", "ideal"), ("observed", "●", "primary", "observed"),
          ("off", "●", "no", "off"), ("interval", "│", "accent", "95% CI"))  # fmt: skip


def calibration_legend(drawn: set[str], pal: Palette = DEFAULT) -> Text:
    """The marks in `drawn`, each with its meaning, in LEGEND's order: nothing that is not on the chart."""
    out = Text()
    for key, mark, colour, meaning in LEGEND:
        if key in drawn:
            out.append(" " if out else "")
            out.append(f"{mark} ", style=f"bold {getattr(pal, colour)}")
            out.append(meaning, style=pal.muted)
    return out


def render_series(points: list[tuple[str, float]], width: int, height: int, pal: Palette = DEFAULT,
                  top: float | None = None) -> list[Text]:  # fmt: skip
    """A line through (label, value) points, evenly spaced; labels of the first and last under the axis."""
    if width < AXIS + 10 or height < 4:
        return [Text("(too small for a chart)", style=pal.muted)]
    if not points:
        return [Text("nothing scored yet", style=pal.muted)]
    plot_w, plot_h = width - AXIS, height - 1
    canvas = Canvas(plot_w, plot_h)
    dw, dh = canvas.dot_width, canvas.dot_height
    hi = top if top is not None else max(max(v for _, v in points) * 1.1, 0.05)
    prev = None
    n = len(points)
    for i, (_, v) in enumerate(points):
        x = 0 if n == 1 else round(i * (dw - 1) / (n - 1))
        y = scale(1 - min(v, hi) / hi, 0, 1, dh)
        if prev is None:
            canvas.dot(x, y, pal.primary)
        else:
            canvas.line(prev[0], prev[1], x, y, pal.primary)
        prev = (x, y)
    if n * 3 <= plot_w:  # few points: mark each one
        for i, (_, v) in enumerate(points):
            x = 0 if n == 1 else round(i * (dw - 1) / (n - 1))
            canvas.glyph(x // 2, scale(1 - min(v, hi) / hi, 0, 1, dh) // 4, "●", f"bold {pal.primary}")
    lines = []
    labels = {0: f"{hi:.2f}", plot_h - 1: "0.00"}
    for cy, row in enumerate(canvas.lines()):
        label = labels.get(cy, "")
        lines.append(Text.assemble((f"{label:>4} {'┤' if label else '│'}", pal.muted), row))
    first, last = points[0][0], points[-1][0]
    gap = max(plot_w - len(first) - len(last), 1)
    lines.append(Text(" " * AXIS + first + " " * gap + (last if n > 1 else ""), style=pal.muted))
    return lines


class CalibrationChart(Guarded, Widget):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.bins: list[Bin] = []
        self.legend = ""
        """The legend's text, as last set: only the marks the chart draws."""

    def set_bins(self, bins: list[Bin]) -> None:
        self.bins = bins
        self.refresh()

    def render(self) -> Group | Text:
        pal = getattr(self.app, "palette", DEFAULT)
        drawn: set[str] = set()
        if not any(b.count for b in self.bins):
            self._legend(Text())
            return Text("No resolved questions with forecasts in this selection.", style=pal.muted)
        size = self.content_size
        lines = render_calibration(self.bins, size.width, size.height, pal, drawn)
        self._legend(calibration_legend(drawn, pal))
        return Group(*lines)

    def _legend(self, legend: Text) -> None:
        # Set after this frame: changing the border while rendering would render again.
        if legend.plain != self.legend:
            self.legend = legend.plain
            self.call_after_refresh(setattr, self, "border_subtitle", legend)


class LineChart(Guarded, Widget):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.points: list[tuple[str, float]] = []

    def set_points(self, points: list[tuple[str, float]]) -> None:
        self.points = points
        self.refresh()

    def render(self) -> Group | Text:
        pal = getattr(self.app, "palette", DEFAULT)
        size = self.content_size
        return Group(*render_series(self.points, size.width, size.height, pal))
