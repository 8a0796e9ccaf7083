"""Calibration and Brier-over-time plots with matplotlib (Agg), as PNG, SVG or inline SVG for the report.

Inputs are the scoring engine's records (calibration bins, core/scoring/results.py) and plain series, so the
plots hold the engine's numbers. Labels are untrusted text: `$` is escaped so matplotlib never reads them as
mathtext.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecast.core.errors import InvalidInput

if TYPE_CHECKING:
    from forecast.core.scoring.results import CalibrationBin

PLOT_FORMATS = ("png", "svg")
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


@dataclass(frozen=True)
class Series:
    """One line over periods: labels (e.g. '2024-Q1'), values (NaN for gaps) and counts."""

    name: str
    labels: Sequence[str]
    values: Sequence[float]
    counts: Sequence[int]


def label(text: str, limit: int = 40) -> str:
    clean = "".join(ch if ch.isprintable() else " " for ch in str(text))
    if len(clean) > limit:
        clean = clean[: limit - 1] + "…"
    return clean.replace("$", r"\$")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def calibration_figure(bins: Sequence[CalibrationBin], curve: tuple[np.ndarray, np.ndarray] | None, title: str):
    """Bins as points at (mean forecast, observed frequency) with 95% Wilson intervals, the lowess
    curve, and the diagonal of perfect calibration. `bins` are the engine's calibration rows."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 6.0), dpi=100)
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", linewidth=1, label="perfect calibration")
    filled = [b for b in bins if b.observed is not None and b.mean_forecast is not None]
    if curve is not None and len(curve[0]):
        ax.plot(curve[0], curve[1], color=COLORS[1], linewidth=1.8, label="lowess")
    if filled:
        x = np.array([b.mean_forecast for b in filled])
        y = np.array([b.observed for b in filled])
        lo = np.array([b.ci_low if b.ci_low is not None else b.observed for b in filled])
        hi = np.array([b.ci_high if b.ci_high is not None else b.observed for b in filled])
        ax.errorbar(
            x, y, yerr=[np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)], fmt="o", color=COLORS[0],
            ecolor=COLORS[0], elinewidth=1.2, capsize=3, markersize=6, label="bins (95% Wilson interval)",
        )  # fmt: skip
        for b, xi, yi in zip(filled, x, y, strict=True):
            ax.annotate(str(b.count), (xi, yi), textcoords="offset points", xytext=(6, -10), fontsize=7,
                        color="#555555")  # fmt: skip
    else:
        ax.text(0.5, 0.5, "no scored forecasts", ha="center", va="center", color="#555555")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("forecast probability")
    ax.set_ylabel("observed frequency")
    ax.set_title(label(title, 70))
    ax.grid(True, color="#eeeeee")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def option_calibration_figure(panels: Sequence[tuple[str, Sequence]], title: str, left_out: int = 0):
    """A reliability diagram per option: for each (name, bins) a panel with the bins at (mean forecast, observed
    frequency), their counts, and the diagonal. `bins` are services/kind_scores.Bin records."""
    plt = _pyplot()
    n = max(len(panels), 1)
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.3 * rows + 0.5), dpi=100, squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        if i >= n:
            ax.set_axis_off()
            continue
        ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", linewidth=1)
        name, bins = panels[i] if panels else ("", ())
        filled = [b for b in bins if b.observed is not None and b.mean_forecast is not None]
        if filled:
            x = np.array([b.mean_forecast for b in filled])
            y = np.array([b.observed for b in filled])
            colour = COLORS[0] if i == 0 else COLORS[(i - 1) % (len(COLORS) - 2) + 2]
            ax.plot(x, y, marker="o", markersize=5, linewidth=1.2, color=colour)
            for b, xi, yi in zip(filled, x, y, strict=True):
                ax.annotate(str(b.count), (xi, yi), textcoords="offset points", xytext=(5, -9), fontsize=6,
                            color="#555555")  # fmt: skip
        else:
            ax.text(0.5, 0.5, "no scored forecasts", ha="center", va="center", color="#555555", fontsize=8)
        total = sum(b.count for b in bins)
        ax.set_title(label(f"{name} ({total:,})" if panels else "", 30), fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.tick_params(labelsize=7)
        ax.grid(True, color="#eeeeee")
        if i % cols == 0:
            ax.set_ylabel("observed frequency", fontsize=8)
        if i >= n - cols:
            ax.set_xlabel("forecast probability", fontsize=8)
    more = f" ({left_out} more option{'s' if left_out != 1 else ''} not drawn)" if left_out else ""
    fig.suptitle(label(title, 70) + more, fontsize=10)
    fig.tight_layout()
    return fig


def pit_figure(bins: Sequence, title: str, test: str = ""):
    """The PIT histogram: each bin's share of the weight as a bar, the uniform share as a line; `test` (the
    Kolmogorov-Smirnov line) under the title. `bins` are services/kind_scores.Pit.bins (`observed` is the
    bin's share of the weight)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    shares = [b.observed for b in bins]
    if bins and any(x is not None for x in shares):
        lo = np.array([b.lo for b in bins])
        width = np.array([b.hi - b.lo for b in bins])
        height = np.array([0.0 if x is None else x for x in shares])
        ax.bar(lo, height, width=width, align="edge", color=COLORS[0], edgecolor="white", linewidth=0.8,
               label="share of forecasts")  # fmt: skip
        ax.axhline(1.0 / len(bins), color=COLORS[1], linestyle="--", linewidth=1.2, label="uniform (calibrated)")
        for b, x, h, w in zip(bins, lo, height, width, strict=True):
            if b.count:
                ax.annotate(str(b.count), (x + w / 2, h), textcoords="offset points", xytext=(0, 2), ha="center",
                            fontsize=7, color="#555555")  # fmt: skip
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        ax.set_ylim(0, max(float(height.max()), 1.0 / len(bins)) * 1.2)
    else:
        ax.text(0.5, 0.5, "no scored forecasts", ha="center", va="center", color="#555555", transform=ax.transAxes)
    ax.set_xlim(0, 1)
    ax.set_xlabel("PIT: the forecast's CDF at the outcome")
    ax.set_ylabel("share of forecasts")
    ax.set_title(label(title, 70) + (f"\n{test}" if test else ""), fontsize=10)
    ax.grid(True, axis="y", color="#eeeeee")
    fig.tight_layout()
    return fig


def brier_figure(series: Sequence[Series], title: str, ylabel: str = "mean Brier score (lower is better)"):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8.0, 4.2), dpi=100)
    labels: list[str] = sorted({lab for s in series for lab in s.labels})
    index = {lab: i for i, lab in enumerate(labels)}
    for k, s in enumerate(series):
        xs = [index[lab] for lab in s.labels]
        ys = np.array(s.values, dtype=float)
        ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.5, color=COLORS[k % len(COLORS)], label=label(s.name))
    if not labels:
        ax.text(0.5, 0.5, "no scored questions", ha="center", va="center", color="#555555", transform=ax.transAxes)
    step = max(1, len(labels) // 12)
    ax.set_xticks(range(0, len(labels), step))
    ax.set_xticklabels(labels[::step], rotation=45, ha="right", fontsize=8)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("resolved in")
    ax.set_title(label(title, 70))
    ax.grid(True, color="#eeeeee")
    if series:
        ax.legend(fontsize=8, frameon=False, loc="upper right")
    fig.tight_layout()
    return fig


def render(fig, fmt: str) -> bytes:
    if fmt not in PLOT_FORMATS:
        raise InvalidInput(f"plot format {fmt!r} is not one of: {', '.join(PLOT_FORMATS)}")
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    # No date (reproducible files) and no creator metadata; SVG text is drawn as paths, so no fonts are needed.
    meta = {"Date": None} if fmt == "svg" else {}
    fig.savefig(buf, format=fmt, metadata=meta)
    plt.close(fig)
    return buf.getvalue()


_PROLOG = re.compile(r"^.*?(?=<svg)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')


def inline_svg(fig, prefix: str) -> str:
    """The figure as an <svg> element for an HTML page: no prolog, metadata or comments, and every id
    prefixed so that several plots on one page never share an id."""
    text = render(fig, "svg").decode("utf-8")
    text = _COMMENT.sub("", _METADATA.sub("", _PROLOG.sub("", text, count=1)))
    ids = set(_ID.findall(text))
    if ids:
        text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
        text = _REF.sub(lambda m: m.group(1) + (f"{prefix}-" if m.group(2) in ids else "") + m.group(2), text)
    return text.replace("<svg ", '<svg role="img" ', 1)
