"""Scores of single standing forecasts, reduced to one line per (question, forecaster) pair.

A RowSet is any list of standing forecasts laid on a Timeline's events: the real forecasters' rows,
or a team aggregate's one row per event. All are scored against the same crowd (real forecasters).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from threading import Lock

import numpy as np

from forecast.core.scoring import metaculus, relative
from forecast.core.scoring.brier import brier, outcome_log_prob
from forecast.core.scoring.segments import LocalPrefix, last_of
from forecast.core.scoring.timeline import Timeline


@dataclass(eq=False)
class RowSet:
    """Standing forecasts sorted by pair; each stands over events [e_start, e_stop).

    `per_event`: row i stands over event i exactly (a team aggregate), which needs no range sums.
    """

    q: np.ndarray
    f: np.ndarray
    p: np.ndarray
    dur: np.ndarray
    e_start: np.ndarray
    e_stop: np.ndarray
    pair_first: np.ndarray
    per_event: bool = False

    @classmethod
    def of_timeline(cls, tl: Timeline) -> RowSet:
        return cls(tl.q, tl.f, tl.p, tl.dur, tl.e_start, tl.e_stop, tl.pair_first)

    @property
    def pair_last(self) -> np.ndarray:
        return last_of(self.pair_first, len(self.q))

    def pair_of_row(self) -> np.ndarray:
        starts = np.zeros(len(self.q), dtype=np.int64)
        starts[self.pair_first[1:]] = 1
        return np.cumsum(starts)


@dataclass(eq=False)
class Crowd:
    """Per-event terms of one Timeline: the crowd's (see metaculus.peer_terms and relative.relative_excess),
    and each event's outcome and length as shares of the window and of the horizon, which every team
    aggregate's rows share."""

    tl: Timeline
    peer_a: LocalPrefix
    peer_b: LocalPrefix
    ev_o: np.ndarray
    ev_u: np.ndarray
    ev_h: np.ndarray
    agg_coverage: np.ndarray  # per question with events: the aggregates' coverage of the window
    agg_horizon_coverage: np.ndarray
    _median: LocalPrefix | None = None
    _lock: Lock = field(default_factory=Lock)

    @classmethod
    def of_timeline(cls, tl: Timeline) -> Crowd:
        """Everything but the median term, which waits for the running medians (see `median`)."""
        first = tl.ev_qfirst
        ev_u = tl.ev_len / tl.window[tl.ev_q]
        ev_h = tl.ev_len / tl.horizon[tl.ev_q]
        a, b = metaculus.peer_terms(tl.ev_n, tl.ev_slog, ev_h)
        starts = np.flatnonzero(first)
        cover = np.add.reduceat(ev_u, starts) if len(starts) else ev_u[:0]
        h_cover = np.add.reduceat(ev_h, starts) if len(starts) else ev_h[:0]
        c = tl.carries
        return cls(tl, LocalPrefix(a, first, c and c.peer_a), LocalPrefix(b, first, c and c.peer_b),
                   tl.inp.outcome[tl.ev_q], ev_u, ev_h, cover, h_cover)  # fmt: skip

    @property
    def median(self) -> LocalPrefix:
        """The crowd's median Brier times each event's share of the window, computed once on first use."""
        with self._lock:
            if self._median is None:
                tl = self.tl
                term = relative.median_brier(tl.ev_lo, tl.ev_hi, self.ev_o) * self.ev_u
                self._median = LocalPrefix(term, tl.ev_qfirst, tl.carries and tl.carries.median)
            return self._median

    def sums(self, rs: RowSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if rs.per_event:
            return self.peer_a.values, self.peer_b.values, self.median.values
        a, b = rs.e_start, rs.e_stop
        return self.peer_a.between(a, b), self.peer_b.between(a, b), self.median.between(a, b)


@dataclass(eq=False)
class RowScores:
    brier: np.ndarray
    u: np.ndarray  # standing time as a share of the question's window [opens, end)
    h: np.ndarray  # standing time as a share of the horizon [opens, closes)
    lnpo: np.ndarray
    baseline: np.ndarray  # weighted by the share of the horizon [opens, closes)
    peer: np.ndarray
    rel_excess: np.ndarray


@dataclass(eq=False)
class PairTable:
    f: np.ndarray
    q: np.ndarray
    n_forecasts: np.ndarray
    brier_sum: np.ndarray  # plain sum of the forecasts' Brier scores
    brier: np.ndarray  # time-weighted over the pair's span
    log: np.ndarray
    baseline: np.ndarray
    peer: np.ndarray
    relative: np.ndarray  # NaN when the question has fewer than two forecasters
    coverage: np.ndarray  # span / window
    horizon_coverage: np.ndarray  # span / (closes - opens), Metaculus's coverage

    @classmethod
    def concat(cls, tables: list[PairTable]) -> PairTable:
        return cls(**{fl.name: np.concatenate([getattr(t, fl.name) for t in tables]) for fl in fields(cls)})

    def __len__(self) -> int:
        return len(self.f)


def score_rows(tl: Timeline, crowd: Crowd, rs: RowSet) -> RowScores:
    if rs.per_event:
        o, u, h = crowd.ev_o, crowd.ev_u, crowd.ev_h
    else:
        o, u, h = tl.inp.outcome[rs.q], rs.dur / tl.window[rs.q], rs.dur / tl.horizon[rs.q]
    b = brier(rs.p, o)
    lnpo = outcome_log_prob(rs.p, o)
    peer_a, peer_b, median = crowd.sums(rs)
    return RowScores(
        brier=b,
        u=u,
        h=h,
        lnpo=lnpo,
        baseline=metaculus.baseline(lnpo, h),
        peer=metaculus.peer(lnpo, peer_a, peer_b),
        rel_excess=relative.relative_excess(b, u, median),
    )


def reduce_pairs(tl: Timeline, crowd: Crowd, rs: RowSet, sc: RowScores) -> PairTable:
    first = rs.pair_first
    if len(first) == 0:
        empty_i, empty_f = np.zeros(0, np.int64), np.zeros(0)
        return PairTable(empty_i, empty_i, empty_i, *([empty_f] * 8))
    add = np.add.reduceat
    if rs.per_event:
        coverage, horizon_coverage = crowd.agg_coverage, crowd.agg_horizon_coverage
    else:
        coverage, horizon_coverage = add(sc.u, first), add(sc.h, first)
    q = rs.q[first]
    rel = add(sc.rel_excess, first) / coverage
    return PairTable(
        f=rs.f[first],
        q=q,
        n_forecasts=np.diff(np.append(first, len(rs.q))),
        brier_sum=add(sc.brier, first),
        brier=add(sc.brier * sc.u, first) / coverage,
        log=add(sc.lnpo * sc.u, first) / coverage,
        baseline=add(sc.baseline, first),
        peer=add(sc.peer, first),
        relative=np.where(tl.width[q] >= 2, rel, np.nan),
        coverage=coverage,
        horizon_coverage=horizon_coverage,
    )
