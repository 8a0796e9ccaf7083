"""score(): the whole pipeline from a ScoringInput to per-pair scores and calibration rows."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from forecast.core.errors import InvalidInput
from forecast.core.scoring import aggregate
from forecast.core.scoring.aggregate import Extremizing
from forecast.core.scoring.arrays import ScoringInput
from forecast.core.scoring.calibration import WeightedRows, n_bins_for
from forecast.core.scoring.parallel import pmap
from forecast.core.scoring.pairs import Crowd, PairTable, RowScores, RowSet, reduce_pairs, score_rows
from forecast.core.scoring.results import BreakdownRow, Summary
from forecast.core.scoring.timeline import Timeline, build

Unit = Literal["time", "forecast", "final"]
UNITS: tuple[str, ...] = ("time", "forecast", "final")


@dataclass(eq=False)
class Scores:
    tl: Timeline  # from score_stream (core/scoring/stream.py): only the question columns (a stream.Questions)
    names: tuple[str, ...]  # the forecasters, then the aggregates
    n_forecasters: int
    pairs: PairTable
    calibration_parts: list[WeightedRows]  # the forecasters' rows, then each aggregate's
    late_f: np.ndarray
    late_q: np.ndarray
    unit: str
    bin_width: float
    n_bins: int
    extremizing: Extremizing

    @cached_property
    def calibration(self) -> WeightedRows:
        """The forecasts weighted by the calibration unit (equal ones merged), g = index into names."""
        return WeightedRows.concat(self.calibration_parts)

    def summary(self, names=None) -> Summary:
        from forecast.core.scoring.summary import summarize

        return summarize(self, names)

    def breakdown(self, by: str, names=None) -> tuple[BreakdownRow, ...]:
        from forecast.core.scoring.breakdown import breakdown

        return breakdown(self, by, names)


def score(inp: ScoringInput, *, unit: str = "time", bin_width: float = 0.1, aggregates: bool = True) -> Scores:
    if unit not in UNITS:
        raise InvalidInput(f"unknown calibration unit {unit!r} (use time, forecast or final)")
    n_bins = n_bins_for(bin_width)
    tl = build(inp)  # the running medians are being computed on a worker thread; this goes on meanwhile
    crowd = Crowd.of_timeline(tl)
    n_f = len(inp.forecasters)
    sets = [RowSet.of_timeline(tl)]
    names = list(inp.forecasters)
    extremizing = Extremizing(None, 0, reason="aggregates not requested")
    if aggregates:
        extremizing = aggregate.fit_extremizing(tl, crowd)
        for name, p in aggregate.series(tl, extremizing).items():
            sets.append(aggregate.rowset(tl, p, len(names)))
            names.append(name)

    def one(rs: RowSet) -> tuple[PairTable, WeightedRows]:
        sc = score_rows(tl, crowd, rs)
        table = reduce_pairs(tl, crowd, rs, sc)
        return table, _unit_rows(tl, rs, sc, table, unit)

    tables, cal = zip(*pmap(one, sets), strict=True)
    late_q = inp.q_idx[tl.late_src]
    return Scores(
        tl=tl,
        names=tuple(names),
        n_forecasters=n_f,
        pairs=PairTable.concat(list(tables)),
        calibration_parts=list(cal),
        late_f=inp.f_idx[tl.late_src],
        late_q=late_q,
        unit=unit,
        bin_width=bin_width,
        n_bins=n_bins,
        extremizing=extremizing,
    )


def _unit_rows(tl: Timeline, rs: RowSet, sc: RowScores, table: PairTable, unit: str) -> WeightedRows:
    return WeightedRows.of(*unit_columns(tl, rs, sc, table, unit))


def unit_columns(tl: Timeline, rs: RowSet, sc: RowScores, table: PairTable,
                 unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """The calibration rows of one row set before equal ones are merged: group, p, outcome, weight."""
    o = tl.inp.outcome[rs.q]
    if unit == "time":  # each pair weighs 1, split by standing time within its span
        return rs.f, rs.p, o, sc.u / table.coverage[rs.pair_of_row()]
    if unit == "forecast":
        return rs.f, rs.p, o, np.ones(len(rs.p))
    last = rs.pair_last
    return rs.f[last], rs.p[last], o[last], np.ones(len(last))
