"""`forecast export calibration --kind choice|numeric|date` and `plot calibration --kind`: the calibration of the
other kinds as tables (columns in docs/exports.md), from the numbers `forecast score --json` prints.

Choice: the reliability bins of services/kind_scores.py (every option of every standing forecast is a forecast
that the option wins, weighted by --unit), over all options (`option` = ALL_OPTIONS, the very bins of `score
--json`) and per option key across the questions that have it. Numeric and date: the PIT histogram with its
count expected under uniformity and the Kolmogorov-Smirnov test, repeated on every bin row of its group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlmodel import Session

from forecast.core.model import Kind
from forecast.export.table import Table, floats, ints, text
from forecast.services.kind_scores import Bin, KindScores, Pit, kind_scores, score_filter

ALL_OPTIONS = "(all)"
"""The `option` of the bins over every option; no option key can be it (keys are [a-z0-9_-])."""
CHOICE_COLUMNS = ("group", "forecaster", "option", "bin_lo", "bin_hi", "count", "weight", "mean_forecast", "observed")
PIT_COLUMNS = ("group", "forecaster", "bin_lo", "bin_hi", "count", "expected_count", "weight", "share", "n",
               "ks_statistic", "p_value", "p_method")  # fmt: skip


def calibration_block(session: Session, flt, kind: Kind, *, unit: str = "time", bin_width: float = 0.1) -> KindScores | None:
    """The kind's scores with its per-option bins; None when no question of the kind passes the filter."""
    report = kind_scores(session, score_filter(flt), unit=unit, bin_width=bin_width, by_option=kind is Kind.CHOICE)
    return report.get(kind)


def has_forecasts(block: KindScores | None) -> bool:
    """Whether any standing forecast weighs in the calibration (else the export says that it is empty)."""
    if block is None:
        return False
    if block.kind is Kind.CHOICE:
        return any(b.count for b in block.overall_calibration)
    return block.overall_pit is not None and block.overall_pit.n > 0


def _nan(x: float | None) -> float:
    return np.nan if x is None else x


def choice_table(block: KindScores | None) -> Table:
    """One row per (group, option, bin): each shown forecaster's bins over all options then per key, then pooled."""
    rows: list[tuple[str, str, str, Bin]] = []
    if block is not None:
        per_key: dict[str | None, list] = {}
        for ob in block.by_option:
            per_key.setdefault(ob.forecaster, []).append(ob)
        for f in block.forecasters:
            rows += [("forecaster", f.name, ALL_OPTIONS, b) for b in f.calibration]
            rows += [("forecaster", f.name, ob.option, b) for ob in per_key.get(f.name, ()) for b in ob.bins]
        if block.forecasters:
            rows += [("pooled", "", ALL_OPTIONS, b) for b in block.overall_calibration]
            rows += [("pooled", "", ob.option, b) for ob in per_key.get(None, ()) for b in ob.bins]
    return Table((
        text("group", [r[0] for r in rows]),
        text("forecaster", [r[1] for r in rows]),
        text("option", [r[2] for r in rows]),
        floats("bin_lo", [r[3].lo for r in rows]),
        floats("bin_hi", [r[3].hi for r in rows]),
        ints("count", [r[3].count for r in rows]),
        floats("weight", [r[3].weight for r in rows]),
        floats("mean_forecast", [_nan(r[3].mean_forecast) for r in rows]),
        floats("observed", [_nan(r[3].observed) for r in rows]),
    ))  # fmt: skip


def pit_table(block: KindScores | None) -> Table:
    """One row per (group, PIT bin): each shown forecaster's histogram, then the pooled one, with the test."""
    groups: list[tuple[str, str, Pit]] = []
    if block is not None:
        groups = [("forecaster", f.name, f.pit) for f in block.forecasters if f.pit is not None]
        if block.forecasters and block.overall_pit is not None:
            groups.append(("pooled", "", block.overall_pit))
    rows = [(g, name, pit, b) for g, name, pit in groups for b in pit.bins]
    return Table((
        text("group", [r[0] for r in rows]),
        text("forecaster", [r[1] for r in rows]),
        floats("bin_lo", [r[3].lo for r in rows]),
        floats("bin_hi", [r[3].hi for r in rows]),
        ints("count", [r[3].count for r in rows]),
        floats("expected_count", [r[2].n / len(r[2].bins) for r in rows]),  # n times the bin width
        floats("weight", [r[3].weight for r in rows]),
        floats("share", [_nan(r[3].observed) for r in rows]),
        ints("n", [r[2].n for r in rows]),
        floats("ks_statistic", [_nan(r[2].ks_statistic) for r in rows]),
        floats("p_value", [_nan(r[2].p_value) for r in rows]),
        text("p_method", [r[2].p_method for r in rows]),
    ))  # fmt: skip


def kind_calibration_table(block: KindScores | None, kind: Kind) -> Table:
    return choice_table(block) if kind is Kind.CHOICE else pit_table(block)


@dataclass(frozen=True)
class OptionPanel:
    """One panel of the choice reliability diagram: an option key (or ALL_OPTIONS) and its pooled bins."""

    option: str
    bins: tuple[Bin, ...]

    @property
    def count(self) -> int:
        return sum(b.count for b in self.bins)


def option_panels(block: KindScores | None, limit: int = 8) -> tuple[tuple[OptionPanel, ...], int]:
    """The pooled bins over all options, then the `limit` most forecast option keys (ties by key); and how many
    keys were left out."""
    if block is None or not block.forecasters:
        return (), 0
    keys = [OptionPanel(ob.option, ob.bins) for ob in block.by_option if ob.forecaster is None]
    keys.sort(key=lambda p: (-p.count, p.option))
    return (OptionPanel(ALL_OPTIONS, block.overall_calibration), *keys[:limit]), max(len(keys) - limit, 0)


__all__ = [
    "ALL_OPTIONS",
    "CHOICE_COLUMNS",
    "PIT_COLUMNS",
    "OptionPanel",
    "calibration_block",
    "choice_table",
    "has_forecasts",
    "kind_calibration_table",
    "option_panels",
    "pit_table",
]
