"""What the forecast and resolve forms take for a choice, numeric or date question.

Every check goes through the question's KindSpec (core/kind_spec.py), the one rule `predict` and `resolve`
apply: the forms only show, as the user types, what that rule makes of the text.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from forecast.core.errors import ForecastError, InvalidInput
from forecast.core.kind_spec import KindSpec
from forecast.core.probability import parse_probability
from forecast.tui import format as fmt
from forecast.tui.guard import on
from forecast.tui.palette import Palette

SPARK_WIDTH = 48


class OptionTable(Vertical):
    """One input per option with its own reading, and the running sum; `value` is the forecast as `predict`
    takes it ("paris=40% rome=35% …", options left empty left out, so the rule names them missing)."""

    def __init__(self, spec: KindSpec, **kwargs) -> None:
        super().__init__(**kwargs)
        assert spec.choices is not None
        self.spec = spec

    def compose(self) -> ComposeResult:
        assert self.spec.choices is not None
        for o in self.spec.choices.options:
            with Horizontal(classes="option-row"):
                yield Label(o.label if o.label == o.key else f"{o.label} ({o.key})", classes="option-label")
                yield Input(placeholder="%", id=f"option-{o.key}", classes="option-input", compact=True)
                yield Static("", id=f"option-note-{o.key}", classes="option-note")
        yield Static("", id="option-sum", classes="option-sum")

    @property
    def value(self) -> str:
        parts = []
        for key in self.spec.choices.keys:
            text = self.query_one(f"#option-{key}", Input).value.strip()
            if text:
                parts.append(f"{key}={text}")
        return " ".join(parts)

    def on_mount(self) -> None:
        self._show_sum()

    @on(Input.Changed, ".option-input")
    def _changed(self) -> None:
        self._show_sum()

    def _show_sum(self) -> None:
        pal: Palette = self.app.palette
        total, given = 0.0, 0
        for key in self.spec.choices.keys:
            text = self.query_one(f"#option-{key}", Input).value.strip()
            note = self.query_one(f"#option-note-{key}", Static)
            if not text:
                note.update("")
                continue
            try:
                p = parse_probability(text)
            except ForecastError as exc:
                note.update(Text(f"✘ {exc}", style=f"bold {pal.no}", no_wrap=True, overflow="ellipsis"))
                continue
            note.update(Text(fmt.pct(p), style=pal.muted))
            total += p
            given += 1
        n = len(self.spec.choices.keys)
        off = abs(total - 1.0) > 0.005
        line = Text.assemble(("Sum ", "bold"), (fmt.pct(total), f"bold {pal.no if off and given == n else ''}".strip()))
        line.append(f"  of {given}/{n} options", style=pal.muted)
        if off:
            line.append(f"  ·  {fmt.pct(max(1.0 - total, 0.0))} left to place" if total < 1 else "  ·  over 100%",
                        style=pal.muted)  # fmt: skip
        self.query_one("#option-sum", Static).update(line)


def choice_check(spec: KindSpec, pal: Palette):
    """The forecast as `predict` reads it; the preview says whether it was scaled to exactly 100 %."""

    def run(text: str):
        if not text.strip():
            raise InvalidInput("give a probability for every option")
        _summary, vector, _entered = spec.parse_forecast(text)
        preview = Text.assemble(("✔ ", pal.yes), " · ".join(f"{k} {fmt.pct(float(p))}" for k, p in zip(spec.choices.keys, vector, strict=True)))
        if spec.normalised(text):
            preview.append("  (scaled to sum to exactly 100%)", style=pal.muted)
        return text.strip(), preview

    return run


def distribution_check(spec: KindSpec, pal: Palette, width: int = SPARK_WIDTH):
    """Quantiles or a named distribution, as `predict` reads them; the preview draws the CDF's density and the
    CDF itself as sparklines over the range, with the 10th, 50th and 90th percentiles."""

    def run(text: str):
        if not text.strip():
            raise InvalidInput("give quantiles (p10=… p50=… p90=…) or a distribution such as normal(…, …)")
        _summary, cdf, _entered = spec.parse_forecast(text)
        return text.strip(), distribution_preview(spec, cdf, pal, width)

    return run


def distribution_preview(spec: KindSpec, cdf: np.ndarray, pal: Palette, width: int = SPARK_WIDTH) -> Text:
    from forecast.core.distribution import GRID_U, quantile

    rng = spec.range
    assert rng is not None
    show = _day if spec.kind.value == "date" else spec.show_value
    out = Text.assemble(("✔ ", pal.yes), " · ".join(f"p{round(q * 100)} {show(quantile(cdf, rng, q))}" for q in (0.1, 0.5, 0.9)))
    edges = np.linspace(0.0, 1.0, width + 1)
    at = np.interp(edges, GRID_U, cdf)
    density = np.diff(at)
    out.append("\nPDF ", style="bold")
    out.append(_spark(density / max(float(density.max()), 1e-12)), style=pal.primary)
    out.append("\nCDF ", style="bold")
    out.append(_spark(at[1:]), style=pal.accent)
    low, high = show(rng.low), show(rng.high)
    out.append("\n    " + low + " " * max(width - len(low) - len(high), 1) + high, style=pal.muted)
    beyond = [f"{float(cdf[0]) * 100:.1f}% below" if rng.open_lower else "",
              f"{(1 - float(cdf[-1])) * 100:.1f}% above" if rng.open_upper else ""]  # fmt: skip
    if any(beyond):
        out.append("\n    outside the range: " + ", ".join(b for b in beyond if b), style=pal.muted)
    return out


def _spark(values: np.ndarray) -> str:
    """Values in [0, 1] as block heights (a blank for nothing at all)."""
    chars = fmt.SPARK
    return "".join(" " if v <= 0.0 else chars[min(int(v * len(chars)), len(chars) - 1)] for v in values)


def _day(seconds: float) -> str:
    from forecast.core.kind_spec import shown_day

    return shown_day(seconds)


def outcome_check(spec: KindSpec, pal: Palette):
    """A numeric or date outcome as `resolve` reads it (a value, or below/above, before/after an open bound)."""

    def run(text: str):
        if not text.strip():
            raise InvalidInput("give the outcome: " + outcome_hint(spec))
        stored = spec.parse_outcome(text)
        return stored, Text.assemble(("✔ ", pal.yes), spec.shown_outcome(stored))

    return run


def outcome_hint(spec: KindSpec) -> str:
    rng = spec.range
    assert rng is not None
    words = ("before", "after") if spec.kind.value == "date" else ("below", "above")
    sides = [w for w, is_open in zip(words, (rng.open_lower, rng.open_upper), strict=True) if is_open]
    value = "a date" if spec.kind.value == "date" else "a value"
    return f"{value} in {spec.show_value(rng.low)}..{spec.show_value(rng.high)}" + (
        f", or {' / '.join(sides)}" if sides else ""
    )


def forecast_hint(spec: KindSpec) -> str:
    if spec.kind.value == "date":
        return "p10=2026-05-01 p50=2026-08-01 p90=2027-01-01, or normal(2026-08-01, 60) (days)"
    return "p10=12 p50=30 p90=75, or normal(30, 10), lognormal(…), logistic(…)"


__all__ = ["OptionTable", "choice_check", "distribution_check", "distribution_preview", "forecast_hint",
           "outcome_check", "outcome_hint"]  # fmt: skip
