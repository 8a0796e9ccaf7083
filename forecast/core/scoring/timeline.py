"""From raw forecasts to the scored timeline: which forecasts stand when, per question.

Rows are the forecasts that stand for a positive time inside a scored question's window
[opens_at, end), end = min(closes_at, resolved_at). A forecast made before opens_at counts from
opens_at (as Metaculus does); of several forecasts by one forecaster at the same (clipped) instant only
the last in tie order stands, the others are dropped. Forecasts made at or after end are late.

Events are the distinct (question, instant) pairs at which some standing forecast starts; between
two events the set of standing forecasts is constant, so crowd statistics are kept per event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from forecast.core.scoring.arrays import ScoringInput
from forecast.core.scoring.brier import outcome_log_prob, p_logit
from forecast.core.scoring.medians import running_medians
from forecast.core.scoring.parallel import Pending, background
from forecast.core.scoring.segments import Carry, int_segment_cumsum, last_of, segment_cumsum, sort_order, starts_of


@dataclass(eq=False)
class Carries:
    """The running sums over events that one chunk of questions hands to the next, when the questions are
    scored a chunk at a time (core/scoring/stream.py): the crowd's sums here, the crowd's terms in pairs.Crowd."""

    slog: Carry = field(default_factory=Carry)
    sp: Carry = field(default_factory=Carry)
    slogit: Carry = field(default_factory=Carry)
    peer_a: Carry = field(default_factory=Carry)
    peer_b: Carry = field(default_factory=Carry)
    median: Carry = field(default_factory=Carry)


@dataclass(eq=False)
class Timeline:
    inp: ScoringInput
    # questions (Q)
    end: np.ndarray  # int64, min(closes, resolved_at)
    scored: np.ndarray  # bool: resolved YES/NO with a non-empty window
    empty_window: np.ndarray  # bool: resolved, but closes <= opens or end <= opens
    window: np.ndarray  # float64 µs, end - opens (scored questions)
    horizon: np.ndarray  # float64 µs, closes - opens: Metaculus's denominator
    width: np.ndarray  # int64: forecasters with a standing forecast on the question
    # rows (R), sorted by (question, forecaster, te)
    src: np.ndarray  # index into the input forecast arrays
    q: np.ndarray
    f: np.ndarray
    t: np.ndarray  # made_at as given
    te: np.ndarray  # effective start, max(t, opens)
    stop: np.ndarray  # next forecast by the same forecaster, or end
    p: np.ndarray
    o: np.ndarray
    dur: np.ndarray  # float64 µs, stop - te > 0
    pair: np.ndarray  # index into the pairs
    first: np.ndarray  # bool: first row of its pair
    e_start: np.ndarray  # event at which the row starts standing
    e_stop: np.ndarray  # one past the last event at which it stands
    # pairs (P) of (question, forecaster), sorted the same way
    pair_q: np.ndarray
    pair_f: np.ndarray
    pair_first: np.ndarray  # first row index
    pair_last: np.ndarray  # last row index (the forecast standing at end)
    # events (E), sorted by (question, time)
    ev_q: np.ndarray
    ev_t: np.ndarray
    ev_len: np.ndarray  # float64 µs until the next event or end
    ev_qfirst: np.ndarray  # bool: first event of its question
    ev_n: np.ndarray  # standing forecasters
    ev_slog: np.ndarray  # sum of ln p_o (clamped) over standing forecasts
    ev_sp: np.ndarray  # sum of p
    ev_slogit: np.ndarray  # sum of logit p (clamped)
    medians: Pending  # (ev_lo, ev_hi), being computed on other threads: see the properties
    # forecasts left out
    late_src: np.ndarray  # made at or after end on a scored question
    dropped_src: np.ndarray  # replaced at the same instant by the same forecaster
    carries: Carries | None = None  # when these questions continue earlier ones (see Carries)

    @property
    def ev_lo(self) -> np.ndarray:
        """Lower middle order statistic of the standing p at each event (waits for the medians)."""
        return self.medians.result()[0]

    @property
    def ev_hi(self) -> np.ndarray:
        return self.medians.result()[1]

    @property
    def n_forecasters(self) -> int:
        return len(self.inp.forecasters)


def build(inp: ScoringInput, carries: Carries | None = None) -> Timeline:
    """The timeline of `inp`; with `carries`, of questions that continue those of the earlier calls with them."""
    opens, closes = inp.opens, inp.closes
    end = np.minimum(closes, inp.resolved_at)
    resolved = ~np.isnan(inp.outcome)
    empty = resolved & ((closes <= opens) | (end <= opens))
    scored = resolved & ~empty
    window = np.where(scored, (end - opens).astype(np.float64), 0.0)
    horizon = np.where(scored, (closes - opens).astype(np.float64), 0.0)

    on_scored = scored[inp.q_idx]
    late = on_scored & (inp.t >= end[inp.q_idx])
    src, dropped_src, q, f, t, te = _standing(inp, np.flatnonzero(on_scored & ~late))
    p = inp.p[src]
    o = inp.outcome[q]

    first = starts_of(q, f)
    pair = np.cumsum(first) - 1
    pair_first = np.flatnonzero(first)
    pair_last = last_of(pair_first, len(src))
    has_next = np.ones(len(src), dtype=bool)
    has_next[pair_last] = False
    stop = end[q].copy()
    stop[:-1] = np.where(has_next[:-1], te[1:], stop[:-1])

    ev = _events(q, te - opens[q], te, end, has_next)
    eorder, ev_first, ev_q, ev_qfirst = ev["eorder"], ev["ev_first"], ev["ev_q"], ev["ev_qfirst"]
    joins = np.add.reduceat(first[eorder].astype(np.int64), ev_first) if len(ev_first) else np.zeros(0, np.int64)
    ev_n = int_segment_cumsum(joins, ev_qfirst)
    width = np.bincount(q[pair_first], minlength=len(opens)).astype(np.int64)
    prev_p = np.full(len(src), np.nan)
    prev_p[1:] = np.where(first[1:], np.nan, p[:-1])
    column = _columns(q, te, pair_first)[pair]
    ev_lo, ev_hi, jobs = running_medians(
        ev_q=ev_q, ev_n=ev_n, width=width, q=q, column=column, p=p, prev_p=prev_p,
        e_start=ev["e_start"], eorder=eorder, parts=1,
    )  # fmt: skip
    medians = Pending([background(job) for job in jobs], (ev_lo, ev_hi))

    def crowd_sum(x: np.ndarray, carry: Carry | None) -> np.ndarray:
        """Per event, the sum of x over the standing forecasts: each forecast adds itself, less its predecessor."""
        delta = x.copy()
        delta[1:] -= np.where(first[1:], 0.0, x[:-1])
        per_event = np.add.reduceat(delta[eorder], ev_first) if len(ev_first) else delta[:0]
        return segment_cumsum(per_event, ev_qfirst, carry)

    c = carries
    ev_slog = crowd_sum(outcome_log_prob(p, o), c and c.slog)
    ev_sp = crowd_sum(p, c and c.sp)
    ev_slogit = crowd_sum(p_logit(p), c and c.slogit)

    return Timeline(
        inp=inp, end=end, scored=scored, empty_window=empty, window=window, horizon=horizon, width=width,
        src=src, q=q, f=f, t=t, te=te, stop=stop, p=p, o=o, dur=(stop - te).astype(np.float64), pair=pair,
        first=first, e_start=ev["e_start"], e_stop=ev["e_stop"],
        pair_q=q[pair_first], pair_f=f[pair_first], pair_first=pair_first, pair_last=pair_last,
        ev_q=ev_q, ev_t=ev["ev_t"], ev_len=ev["ev_len"], ev_qfirst=ev_qfirst, ev_n=ev_n,
        ev_slog=ev_slog, ev_sp=ev_sp, ev_slogit=ev_slogit, medians=medians,
        late_src=np.flatnonzero(late), dropped_src=dropped_src, carries=carries,
    )  # fmt: skip


def _standing(inp: ScoringInput, src: np.ndarray) -> tuple[np.ndarray, ...]:
    """The given forecasts sorted by (question, forecaster, time, tie order), less the replaced ones: their
    indices, the replaced ones' indices, and their q, f, t and te = max(t, opens).

    A forecast is replaced when the same forecaster's next one starts at the same (clipped) instant.
    """
    q, f, t = inp.q_idx[src], inp.f_idx[src], inp.t[src]
    qf = q * max(len(inp.forecasters), 1) + f
    # by time since the question opened: the same order (one question per qf), and a combined sort key small
    # enough for one argsort (times since 1970 are not, beside thousands of pairs: sort_order would rank them first)
    order = sort_order(qf, t - inp.opens[q], None if inp.seq is None else inp.seq[src])
    src, qf, q, f, t = src[order], qf[order], q[order], f[order], t[order]
    te = np.maximum(t, inp.opens[q])
    replaced = np.zeros(len(src), dtype=bool)
    if len(src) > 1:
        replaced[:-1] = (qf[1:] == qf[:-1]) & (te[1:] == te[:-1])
    if replaced.any():
        keep = ~replaced
        return src[keep], src[replaced], q[keep], f[keep], t[keep], te[keep]
    return src, src[:0], q, f, t, te


def _events(q: np.ndarray, offset: np.ndarray, te: np.ndarray, end: np.ndarray, has_next: np.ndarray) -> dict:
    """Events (distinct (question, start) pairs) and, per row, the events over which it stands."""
    eorder = sort_order(q, offset)  # offsets from opening keep the combined sort key small
    qe, tee = q[eorder], te[eorder]
    new_ev = starts_of(qe, tee)
    ev_first = np.flatnonzero(new_ev)
    e_start = np.empty(len(q), dtype=np.int64)
    e_start[eorder] = np.cumsum(new_ev) - 1
    ev_q, ev_t = qe[ev_first], tee[ev_first]
    q_events_end = np.cumsum(np.bincount(ev_q, minlength=int(q.max()) + 1 if len(q) else 0))
    e_stop = q_events_end[q]  # one past the question's last event, unless the forecaster updates
    e_stop[:-1] = np.where(has_next[:-1], e_start[1:], e_stop[:-1])
    ev_next = end[ev_q].copy()
    same_q_next = np.zeros(len(ev_q), dtype=bool)
    same_q_next[:-1] = ev_q[1:] == ev_q[:-1]
    ev_next[:-1] = np.where(same_q_next[:-1], ev_t[1:], ev_next[:-1])
    return {
        "eorder": eorder, "ev_first": ev_first, "e_start": e_start, "e_stop": e_stop, "ev_q": ev_q, "ev_t": ev_t,
        "ev_len": (ev_next - ev_t).astype(np.float64), "ev_qfirst": starts_of(ev_q),
    }  # fmt: skip


def _columns(q: np.ndarray, te: np.ndarray, pair_first: np.ndarray) -> np.ndarray:
    """Per pair, the forecaster's rank on its question by time of first forecast (then forecaster index).

    With this order the forecasters standing at any event are exactly columns 0 .. n-1.
    """
    pq, pt = q[pair_first], te[pair_first]
    order = sort_order(pq, pt)  # ties keep pair order, that is forecaster order
    rank = np.empty(len(pq), dtype=np.int64)
    rank[order] = np.arange(len(pq)) - np.searchsorted(pq, pq[order], side="left")
    return rank
