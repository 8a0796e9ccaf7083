"""Scores of resolved choice, numeric and date questions, for `forecast score`, `export scores --kind` and `report`.

The binary path (services/scoring.py, core/scoring/engine.py) reads only questions resolved YES or NO; this
module scores the other kinds with the definitions of core/scoring/kinds.py, run on whole arrays by
core/scoring/kind_arrays.py. It takes the binary path's ScoreFilter and question filter (--tag,
--since/--until on the resolution time, --exclude-backfilled), reads through the same session (so in a team
database the same row-level security decides what is seen), and, as for binary scores, --by chooses whose
rows are shown after scoring: peer scores always compare with the whole crowd of each question.

Vectors are read in chunks straight from the driver's cursor and decoded a chunk at a time (base64 of every
row, joined, one np.frombuffer), then gathered into one matrix per kind (and per option count for choice):
no Python runs per forecast beyond the decode.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np

from forecast.core.backfill import lag_micros
from forecast.core.errors import InvalidInput
from forecast.core.kind_spec import KindSpec
from forecast.core.kinds import GRID_POINTS, INBOUND_BUCKETS
from forecast.core.model import Kind
from forecast.core.scoring import kind_arrays as ka
from forecast.core.scoring.calibration import n_bins_for
from forecast.services.scoring import ScoreFilter, _connection, _question_where
from forecast.store import bulk

if TYPE_CHECKING:  # `forecast score` reads on a plain connection (services/sqlite_read.py): no SQLModel import
    from sqlmodel import Session

KINDS = (Kind.CHOICE, Kind.NUMERIC, Kind.DATE)
CHOICE_METRICS = ("brier", "brier2", "log_score", "baseline", "peer")  # the columns of each kind, in order
CONTINUOUS_METRICS = ("log_score", "crps", "baseline", "peer")
_CHUNK = 20_000  # forecast rows decoded at a time: bounds the memory of the base64 text held at once

QUESTIONS_SQL = (
    "SELECT id, kind, kind_spec, resolution, outcome, opens_at, closes_at, resolved_at FROM question "
    "WHERE kind <> 'binary' AND {where} ORDER BY id"
)
# As the binary FORECASTS_SQL: the unary plus keeps SQLite scanning the table rather than probing an index.
FORECASTS_SQL = (
    "SELECT question_id, forecaster_id, made_at, recorded_at, vector FROM forecast "
    "WHERE NOT superseded AND vector IS NOT NULL {backfill} AND +question_id IN "
    "(SELECT id FROM question WHERE kind <> 'binary' AND resolution = 'outcome' AND {where}) ORDER BY id"
)


# ---- read models --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    """One calibration bin (choice: every (forecast, option) is a forecast that the option wins) or PIT bin."""

    lo: float
    hi: float
    count: int
    weight: float
    mean_forecast: float | None  # choice; None for a PIT bin or an empty bin
    observed: float | None  # choice: the weighted share of wins; PIT: the bin's share of the weight


@dataclass(frozen=True)
class Pit:
    """The PIT histogram of numeric or date forecasts and a Kolmogorov-Smirnov test of its uniformity."""

    bins: tuple[Bin, ...]
    n: int  # PIT values in the test (the unit's forecasts with weight)
    ks_statistic: float | None
    p_value: float | None
    p_method: str = "exact"  # scipy's kstest; "asymptotic" per forecaster when more than EXACT_KS_GROUPS are shown


@dataclass(frozen=True)
class OptionBins:
    """Choice calibration of one option key: every (standing forecast, option with this key) is a forecast
    that the option wins, over every question with such an option (`export calibration --kind choice`)."""

    forecaster: str | None  # None: the shown forecasters pooled
    option: str
    bins: tuple[Bin, ...]


@dataclass(frozen=True)
class KindForecaster:
    """A forecaster's scores on one kind: means over the questions they scored on (sums as *_total)."""

    name: str
    n_questions: int
    n_forecasts: int
    log_score: float | None
    baseline: float | None
    baseline_total: float
    peer: float | None
    peer_total: float
    coverage: float | None
    brier: float | None = None  # choice: half the multi-category Brier score (0-1)
    brier2: float | None = None  # choice: the multi-category Brier score (0-2)
    crps: float | None = None  # numeric and date
    calibration: tuple[Bin, ...] = ()  # choice
    pit: Pit | None = None  # numeric and date


@dataclass(frozen=True, eq=False)
class KindPairs:
    """Per scored (question, forecaster) pair, for exports: question ids, forecaster names, numbers."""

    question_id: np.ndarray
    outcome: tuple[str, ...]  # as stored
    forecaster: tuple[str, ...]
    n_forecasts: np.ndarray
    first_forecast_at: np.ndarray  # micros: the first and the last forecast that stood
    last_forecast_at: np.ndarray
    coverage: np.ndarray
    metrics: dict[str, np.ndarray]  # CHOICE_METRICS or CONTINUOUS_METRICS
    # standing time over the scheduled horizon, what Metaculus's score_data.csv calls a baseline score's coverage
    horizon_coverage: np.ndarray | None = None


@dataclass(frozen=True)
class KindScores:
    kind: Kind
    scored: int  # questions resolved with an outcome
    not_scored: int  # open, closed unresolved, or annulled
    empty_window: int  # resolved, but no time between opening and the end
    forecasters: tuple[KindForecaster, ...]
    overall_calibration: tuple[Bin, ...] = ()  # choice, the shown forecasters pooled
    overall_pit: Pit | None = None  # numeric and date, the shown forecasters pooled
    backfilled: int = 0  # backfilled forecasts among those scored
    pairs: KindPairs | None = field(default=None, compare=False)
    # choice, with kind_scores(by_option=True): per (shown forecaster, option key) with a forecast, then pooled
    by_option: tuple[OptionBins, ...] = field(default=(), compare=False)

    @property
    def metrics(self) -> tuple[str, ...]:
        return CHOICE_METRICS if self.kind is Kind.CHOICE else CONTINUOUS_METRICS


@dataclass(frozen=True)
class KindReport:
    """Every non-binary kind with a question that passes the filter, in KINDS order."""

    kinds: tuple[KindScores, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def get(self, kind: Kind) -> KindScores | None:
        return next((k for k in self.kinds if k.kind is kind), None)

    @property
    def n_questions(self) -> int:
        return sum(k.scored + k.not_scored for k in self.kinds)

    @property
    def backfilled(self) -> int:
        return sum(k.backfilled for k in self.kinds)


# ---- loading ------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Questions:
    ids: np.ndarray
    kinds: list[Kind]
    specs: list[KindSpec | None]  # None: not scored
    outcomes: list  # KindSpec.outcome_value, or None
    outcome_text: list  # as stored: an option key, a number, below/above, an ISO date
    opens: np.ndarray
    closes: np.ndarray
    resolved_at: np.ndarray


def _questions(session: Session, where: str, params: dict) -> _Questions:
    rows = bulk.rows(_connection(session), QUESTIONS_SQL.format(where=where), params)
    specs, outcomes = [], []
    known: dict[tuple[str, str], KindSpec] = {}  # a spec is read once however many questions share it
    for _id, kind, spec, resolution, outcome, _o, _c, _r in rows:
        if resolution == "outcome" and outcome is not None:
            s = known.get((kind, spec))
            if s is None:
                s = known[(kind, spec)] = KindSpec.from_stored(kind, spec)
            specs.append(s)
            outcomes.append(s.outcome_value(outcome))
        else:
            specs.append(None)
            outcomes.append(None)
    return _Questions(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        kinds=[Kind(r[1]) for r in rows],
        specs=specs,
        outcomes=outcomes,
        outcome_text=[r[4] for r in rows],
        opens=np.array([r[5] for r in rows], dtype=np.int64),
        closes=np.array([r[6] for r in rows], dtype=np.int64),
        resolved_at=np.array([r[7] if r[7] is not None else 0 for r in rows], dtype=np.int64),
    )


@dataclass(eq=False)
class _Forecasts:
    q: np.ndarray  # question id
    f: np.ndarray  # forecaster id
    t: np.ndarray
    rec: np.ndarray
    start: np.ndarray  # offset of each row's vector in `flat`
    width: np.ndarray  # values in each row's vector
    flat: np.ndarray  # every vector, concatenated


def _forecasts(session: Session, where: str, params: dict, flt: ScoreFilter,
               group_of: np.ndarray) -> dict[int, _Forecasts]:  # fmt: skip
    """The forecasts of each group of questions (`group_of`: question id -> group), each group's vectors
    contiguous in its own `flat`, so that a kind's CDFs are one reshape, not a gather."""
    backfill = ""
    if flt.exclude_backfilled:
        backfill = "AND recorded_at - made_at <= :lag"
        params = {**params, "lag": lag_micros(flt.backfill_after)}
    rows = bulk.iterate(_connection(session), FORECASTS_SQL.format(where=where, backfill=backfill), params)
    parts: dict[int, tuple[list, list, list]] = {}
    while chunk := list(islice(rows, _CHUNK)):
        q, f, t, rec, vec = zip(*chunk, strict=True)
        del chunk
        meta = np.array((q, f, t, rec), dtype=np.int64)
        raw = list(map(binascii.a2b_base64, vec))  # the stored form: core/kind_spec.encode_vector
        del vec
        g = group_of[meta[0]]
        for k in np.unique(g).tolist():
            idx = np.flatnonzero(g == k)
            mine = raw if len(idx) == len(raw) else [raw[i] for i in idx.tolist()]
            m, w, b = parts.setdefault(k, ([], [], []))
            m.append(meta[:, idx])
            w.append(np.fromiter(map(len, mine), dtype=np.int64, count=len(mine)) // 8)
            b.append(np.frombuffer(b"".join(mine), dtype="<f8"))
    out = {}
    for k, (m, w, b) in parts.items():
        meta, width = np.concatenate(m, axis=1), np.concatenate(w)
        flat = (np.concatenate(b) if len(b) > 1 else b[0]).astype(np.float64, copy=False)
        out[k] = _Forecasts(q=meta[0], f=meta[1], t=meta[2], rec=meta[3], start=np.cumsum(width) - width,
                            width=width, flat=flat)  # fmt: skip
    return out


_NO_FORECASTS = _Forecasts(*(np.zeros(0, dtype=np.int64) for _ in range(6)), flat=np.zeros(0))


def _matrix(fc: _Forecasts, rows: np.ndarray, width: int) -> np.ndarray:
    if len(rows) == len(fc.q) and len(fc.flat) == len(rows) * width:  # every row, all this wide: a view
        return fc.flat.reshape(len(rows), width)
    return fc.flat[fc.start[rows][:, None] + np.arange(width)[None, :]]


# ---- scoring ------------------------------------------------------------------------------------


def kind_scores(session: Session, flt: ScoreFilter = ScoreFilter(), *, unit: str = "time",
                bin_width: float = 0.1, pairs: bool = False, by_option: bool = False) -> KindReport:  # fmt: skip
    """The scores of every non-binary kind with a question passing the filter (none: an empty report).

    `pairs`: also keep the per-(question, forecaster) numbers (for exports). `by_option`: also the choice
    calibration of each option key (for `export calibration --kind choice`).
    """
    from forecast.core.scoring.engine import UNITS

    if unit not in UNITS:  # as the binary engine says it
        raise InvalidInput(f"unknown calibration unit {unit!r} (use time, forecast or final)")
    n_bins = n_bins_for(bin_width)
    where, params = _question_where(_connection(session), flt)
    qs = _questions(session, where, params)
    if len(qs.ids) == 0:
        return KindReport()
    names = dict(bulk.rows(_connection(session), "SELECT id, name FROM forecaster"))
    missing = [n for n in flt.forecasters if n not in names.values()]
    if missing:
        from forecast.core.errors import NotFound

        raise NotFound(f"no forecaster named {missing[0]!r}")
    group_of = np.full(int(qs.ids.max()) + 1, -1, dtype=np.int64)
    group_of[qs.ids] = [KINDS.index(k) for k in qs.kinds]
    by_kind = _forecasts(session, where, params, flt, group_of)
    order = sorted(names, key=lambda i: names[i])  # forecaster codes in name order
    code = np.full(max(names, default=0) + 1, -1, dtype=np.int64)
    code[order] = np.arange(len(order))
    all_names = tuple(names[i] for i in order)
    pos = np.full(int(qs.ids.max()) + 1, -1, dtype=np.int64)
    pos[qs.ids] = np.arange(len(qs.ids))
    lag = lag_micros(flt.backfill_after)
    out = []
    for g, kind in enumerate(KINDS):
        in_kind = np.array([k is kind for k in qs.kinds], dtype=bool)
        if not in_kind.any():
            continue
        fc = by_kind.pop(g, _NO_FORECASTS)  # dropped once scored: its vectors' memory goes with it
        out.append(_score_kind(kind, qs, in_kind, fc, pos[fc.q], code[fc.f], all_names, flt, unit, n_bins, lag, pairs,
                               by_option))  # fmt: skip
    return KindReport(tuple(out))


def _score_kind(kind: Kind, qs: _Questions, in_kind: np.ndarray, fc: _Forecasts, q_of: np.ndarray,
                f_of: np.ndarray, all_names: tuple[str, ...], flt: ScoreFilter, unit: str, n_bins: int, lag: int,
                keep_pairs: bool, by_option: bool = False) -> KindScores:  # fmt: skip
    scored_q = in_kind & np.array([s is not None for s in qs.specs], dtype=bool)
    ends = np.minimum(qs.closes, qs.resolved_at)
    empty = int(np.count_nonzero(scored_q & (ends <= qs.opens)))
    n_scored = int(scored_q.sum())
    rows = np.flatnonzero(scored_q[q_of]) if len(q_of) else np.zeros(0, np.int64)
    per: dict[str, np.ndarray] = {}
    groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # choice: (rows, matrix, outcome index per row)
    if kind is Kind.CHOICE:
        n_opt = np.array([len(s.choices.options) if s is not None and s.choices else 0 for s in qs.specs])
        outcome = np.array([o if isinstance(o, int) else -1 for o in qs.outcomes], dtype=np.int64)
        for k in ("p_o", "brier2", "log", "baseline"):
            per[k] = np.zeros(len(rows))
        want = n_opt[q_of[rows]]
        _check_widths(fc, rows, want, qs, q_of, kind)
        for w in np.unique(want).tolist():
            sel = np.flatnonzero(want == w)
            m = _matrix(fc, rows[sel], w)
            o = outcome[q_of[rows[sel]]]
            for k, v in ka.choice_rows(m, o).items():
                per[k][sel] = v
            groups.append((sel, m, o))
    else:
        bucket, u_o, open_b = _continuous_outcomes(qs)
        _check_widths(fc, rows, np.full(len(rows), GRID_POINTS), qs, q_of, kind)
        m = _matrix(fc, rows, GRID_POINTS)
        qr = q_of[rows]
        per = ka.continuous_rows(m, bucket[qr], u_o[qr], open_b[qr])
        del m
    values = {"brier2": per["brier2"], "log": per["log"]} if kind is Kind.CHOICE else \
        {"log": per["log"], "crps": per["crps"]}  # fmt: skip
    tie = np.lexsort((np.arange(len(rows)), fc.rec[rows]))  # of two forecasts at one instant the later-recorded stands
    rank = np.empty(len(rows), dtype=np.int64)
    rank[tie] = np.arange(len(rows))
    pt = ka.time_weighted(q_of[rows], f_of[rows], fc.t[rows], rank, opens=qs.opens, closes=qs.closes,
                          resolved_at=qs.resolved_at, p_o=per["p_o"], values=values, baseline=per["baseline"],
                          clamp=kind is Kind.CHOICE, halve=kind is not Kind.CHOICE)  # fmt: skip
    shown = _shown(pt, all_names, flt)
    n_codes = max(len(all_names), 1)
    weights = ka.unit_weights(pt, unit)
    span_f = pt.f[pt.span_pair]
    person_cal: dict[int, tuple[Bin, ...]] = {}
    person_pit: dict[int, Pit] = {}
    pooled, pooled_pit = (), None
    options: tuple[OptionBins, ...] = ()
    if kind is Kind.CHOICE:
        cal = _choice_bins(groups, len(rows), pt, span_f, weights, n_codes, n_bins)
        person_cal = {c: _bins(cal, c, n_bins) for c in shown}
        pooled = _bins(tuple(x[shown].sum(axis=0, keepdims=True) for x in cal), 0, n_bins)
        if by_option:
            options = _option_bins(groups, rows, q_of, qs, pt, span_f, weights, shown, all_names, n_bins)
    else:
        pit = per["pit"][pt.span_row]
        on = weights > 0
        hist = ka.weighted_bins(span_f, pit, np.zeros(len(pit)), weights, n_codes, n_bins)
        exact = len(shown) <= ka.EXACT_KS_GROUPS
        n, d, p = ka.ks_uniform(span_f[on], pit[on], n_codes, exact=exact)
        person_pit = {c: _pit(hist, c, int(n[c]), d[c], p[c], n_bins, exact) for c in shown}
        mine = on & np.isin(span_f, shown)
        pn, pd, pp = ka.ks_uniform(np.zeros(int(mine.sum()), np.int64), pit[mine], 1)
        pooled_pit = _pit(tuple(x[shown].sum(axis=0, keepdims=True) for x in hist), 0, int(pn[0]), pd[0], pp[0], n_bins)
    people = _forecasters(kind, all_names, pt, shown, n_codes, person_cal, person_pit)
    backfilled = int(np.count_nonzero(fc.rec[rows] - fc.t[rows] > lag))
    return KindScores(
        kind=kind, scored=n_scored, not_scored=int(in_kind.sum()) - n_scored, empty_window=empty, forecasters=people,
        overall_calibration=pooled, overall_pit=pooled_pit, backfilled=backfilled,
        pairs=_pairs(kind, pt, qs, rows, fc, all_names) if keep_pairs else None, by_option=options,
    )  # fmt: skip


def _check_widths(fc: _Forecasts, rows: np.ndarray, want: np.ndarray, qs: _Questions, q_of: np.ndarray, kind: Kind) -> None:
    bad = np.flatnonzero(fc.width[rows] != want)
    if len(bad):
        i = rows[bad[0]]
        raise InvalidInput(f"a stored forecast on {kind} question {int(qs.ids[q_of[i]])} has {int(fc.width[i])} "
                           f"values, not {int(want[bad[0]])}: run `forecast db check`")  # fmt: skip


def _continuous_outcomes(qs: _Questions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per question: the PMF bucket of the outcome, its location u (-1 below, 2 above) and the open bounds."""
    n = len(qs.ids)
    bucket = np.zeros(n, dtype=np.int64)
    u_o = np.zeros(n)
    open_b = np.zeros(n)
    for i, (spec, outcome) in enumerate(zip(qs.specs, qs.outcomes, strict=True)):
        if spec is None or spec.range is None:
            continue
        b = spec.range.bucket(outcome)
        bucket[i] = b
        u_o[i] = {0: -1.0, INBOUND_BUCKETS + 1: 2.0}.get(b, None) or 0.0
        if b not in (0, INBOUND_BUCKETS + 1):
            u_o[i] = spec.range.unscaled(float(outcome))
        open_b[i] = spec.range.open_bounds
    return bucket, u_o, open_b


def _shown(pt: ka.PairScores, all_names: tuple[str, ...], flt: ScoreFilter) -> list[int]:
    """Forecaster codes shown: the --by names, else everyone with a scored pair, in name order."""
    if flt.forecasters:
        return sorted(all_names.index(n) for n in dict.fromkeys(flt.forecasters))
    return np.unique(pt.f).tolist()


def _choice_bins(groups, n_rows: int, pt: ka.PairScores, span_f: np.ndarray, weights: np.ndarray, n_codes: int,
                 n_bins: int):  # fmt: skip
    """Per (forecaster, bin) sums over every (standing forecast, option): its probability, whether it won."""
    total = None
    span_pos = np.full(n_rows, -1, dtype=np.int64)  # a forecast's span, or -1 when it never stood
    span_pos[pt.span_row] = np.arange(len(pt.span_row))
    for sel, m, o in groups:
        s = span_pos[sel]
        on = s >= 0
        if not on.any():
            continue
        mm, oo, ss = m[on], o[on], s[on]
        w = m.shape[1]
        hit = (np.arange(w)[None, :] == oo[:, None]).astype(np.float64)
        part = ka.weighted_bins(np.repeat(span_f[ss], w), mm.ravel(), hit.ravel(), np.repeat(weights[ss], w),
                                n_codes, n_bins)  # fmt: skip
        total = part if total is None else tuple(a + b for a, b in zip(total, part, strict=True))
    if total is None:
        return tuple(np.zeros((max(n_codes, 1), n_bins)) for _ in range(4))
    return total


def _option_bins(groups, rows: np.ndarray, q_of: np.ndarray, qs: _Questions, pt: ka.PairScores, span_f: np.ndarray,
                 weights: np.ndarray, shown: list[int], all_names: tuple[str, ...], n_bins: int
                 ) -> tuple[OptionBins, ...]:  # fmt: skip
    """_choice_bins split by option key: per (shown forecaster, key) with a weighed forecast, then per key pooled
    over the shown forecasters. Summed over the keys, each forecaster's bins are their all-options bins."""
    keys = sorted({k for s in qs.specs if s is not None and s.choices for k in s.choices.keys})
    if not keys or not groups:
        return ()
    key_code = {k: i for i, k in enumerate(keys)}
    widest = max(m.shape[1] for _s, m, _o in groups)
    qkey = np.full((len(qs.ids), widest), -1, dtype=np.int64)  # per question: the code of each option's key
    for i, s in enumerate(qs.specs):
        if s is not None and s.choices:
            codes = [key_code[k] for k in s.choices.keys][:widest]
            qkey[i, : len(codes)] = codes
    span_pos = np.full(len(rows), -1, dtype=np.int64)
    span_pos[pt.span_row] = np.arange(len(pt.span_row))
    parts: list[tuple[np.ndarray, ...]] = []  # per width: forecaster, key, p, hit, weight of every (forecast, option)
    for sel, m, o in groups:
        s = span_pos[sel]
        on = s >= 0
        if not on.any():
            continue
        w = m.shape[1]
        ss = s[on]
        hit = (np.arange(w)[None, :] == o[on][:, None]).astype(np.float64)
        k = qkey[q_of[rows[sel[on]]], :w]
        parts.append((np.repeat(span_f[ss], w), k.ravel(), m[on].ravel(), hit.ravel(), np.repeat(weights[ss], w)))
    if not parts:
        return ()
    f, k, p, hit, w = (np.concatenate(x) for x in zip(*parts, strict=True))
    mine = np.isin(f, shown)
    f, k, p, hit, w = f[mine], k[mine], p[mine], hit[mine], w[mine]
    n_keys = len(keys)
    present, dense = np.unique(f * n_keys + k, return_inverse=True)  # only the (forecaster, key) pairs with data
    cal = ka.weighted_bins(dense.ravel(), p, hit, w, len(present), n_bins)
    pooled = ka.weighted_bins(k, p, hit, w, n_keys, n_bins)
    out = []
    rows_of = tuple(x.tolist() for x in cal)  # one conversion for every group (thousands with many forecasters)
    for g, (pair, n) in enumerate(zip(present.tolist(), cal[0].sum(axis=1).tolist(), strict=True)):
        if n == 0:  # only zero weights (unit final: no last forecast with this key)
            continue
        out.append(OptionBins(all_names[pair // n_keys], keys[pair % n_keys], _bins_of(*(x[g] for x in rows_of), n_bins)))
    for c in range(n_keys):
        if pooled[0][c].sum() > 0:
            out.append(OptionBins(None, keys[c], _bins(pooled, c, n_bins)))
    return tuple(out)


def _bins(cal, row: int, n_bins: int) -> tuple[Bin, ...]:
    return _bins_of(*(x[row].tolist() for x in cal), n_bins)  # Python floats: the same values, no numpy per bin


def _bins_of(count: list, weight: list, wp: list, wh: list, n_bins: int) -> tuple[Bin, ...]:
    out = []
    for b in range(n_bins):
        filled = weight[b] > 0
        out.append(Bin(lo=b / n_bins, hi=(b + 1) / n_bins, count=int(count[b]), weight=weight[b],
                       mean_forecast=wp[b] / weight[b] if filled else None,
                       observed=wh[b] / weight[b] if filled else None))  # fmt: skip
    return tuple(out)


def _pit(hist, row: int, n: int, d: float, p: float, n_bins: int, exact: bool = True) -> Pit:
    total = float(hist[1][row].sum())
    count, weight = hist[0][row].tolist(), hist[1][row].tolist()  # as in _bins
    bins = tuple(Bin(lo=b / n_bins, hi=(b + 1) / n_bins, count=int(count[b]), weight=weight[b],
                     mean_forecast=None, observed=weight[b] / total if total > 0 else None)
                 for b in range(n_bins))  # fmt: skip
    return Pit(bins=bins, n=n, ks_statistic=_num(d), p_value=_num(p), p_method="exact" if exact else "asymptotic")


def _num(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _forecasters(kind: Kind, all_names: tuple[str, ...], pt: ka.PairScores, shown: list[int], n_codes: int,
                 cal: dict[int, tuple[Bin, ...]], pit: dict[int, Pit]) -> tuple[KindForecaster, ...]:  # fmt: skip
    """Means over each forecaster's questions (and sums), for every forecaster at once."""
    nq = np.bincount(pt.f, minlength=n_codes)

    def total(v: np.ndarray) -> np.ndarray:
        return np.bincount(pt.f, weights=v, minlength=n_codes)

    with np.errstate(divide="ignore", invalid="ignore"):
        mean = {k: total(v) / nq for k, v in pt.values.items()}
        base, peer, cover = total(pt.baseline), total(pt.peer), total(pt.coverage)
    n_fc = total(pt.n_forecasts.astype(np.float64))
    out = []
    for c in shown:
        brier2 = _num(mean["brier2"][c]) if kind is Kind.CHOICE else None
        q = int(nq[c])
        out.append(KindForecaster(
            name=all_names[c], n_questions=q, n_forecasts=int(n_fc[c]), log_score=_num(mean["log"][c]),
            baseline=_num(base[c] / q) if q else None, baseline_total=float(base[c]),
            peer=_num(peer[c] / q) if q else None, peer_total=float(peer[c]), coverage=_num(cover[c] / q) if q else None,
            brier=None if brier2 is None else brier2 / 2.0, brier2=brier2,
            crps=_num(mean["crps"][c]) if kind is not Kind.CHOICE else None, calibration=cal.get(c, ()), pit=pit.get(c),
        ))  # fmt: skip
    return tuple(out)


def _pairs(kind: Kind, pt: ka.PairScores, qs: _Questions, rows: np.ndarray, fc: _Forecasts,
           all_names: tuple[str, ...]) -> KindPairs:  # fmt: skip
    made = fc.t[rows][pt.span_row]
    n = len(pt.q)
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(first, pt.span_pair, made)
    np.maximum.at(last, pt.span_pair, made)
    if kind is Kind.CHOICE:
        metrics = {"brier": pt.values["brier2"] / 2.0, "brier2": pt.values["brier2"], "log_score": pt.values["log"],
                   "baseline": pt.baseline, "peer": pt.peer}  # fmt: skip
    else:
        metrics = {"log_score": pt.values["log"], "crps": pt.values["crps"], "baseline": pt.baseline, "peer": pt.peer}
    return KindPairs(question_id=qs.ids[pt.q], outcome=tuple(qs.outcome_text[int(i)] for i in pt.q.tolist()),
                     forecaster=tuple(all_names[int(c)] for c in pt.f.tolist()),
                     n_forecasts=pt.n_forecasts, first_forecast_at=first, last_forecast_at=last,
                     coverage=pt.coverage, metrics=metrics,
                     horizon_coverage=np.bincount(pt.span_pair, weights=pt.span_horizon, minlength=n))  # fmt: skip


# ---- one question ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindForecastScores:
    """A forecast's own scores (None: not scored, or undefined). Choice: brier, brier2, log_score; numeric and
    date: log_score, crps, pit. `baseline` is its contribution to the forecaster's (its baseline times its
    standing time over the horizon)."""

    log_score: float | None = None
    baseline: float | None = None
    brier: float | None = None  # choice
    brier2: float | None = None  # choice
    crps: float | None = None  # numeric and date
    pit: float | None = None  # numeric and date


@dataclass(frozen=True)
class KindForecastRow:
    """One forecast on a non-binary question: what it said and what it scored on its own."""

    id: int
    forecaster: str
    made_at: datetime  # UTC
    values: str  # services/kinds.shown_values: 'kim 50% · moon 30%' or 'p10 12 · p50 30 · p90 75'
    status: str  # scored | late | replaced | not scored
    weight: float | None  # its share of the forecaster's standing time
    scores: KindForecastScores


@dataclass(frozen=True)
class KindQuestion:
    """`forecast score QUESTION` for a choice, numeric or date question."""

    id: int
    slug: str
    title: str
    kind: Kind
    outcome: str | None  # shown (KindSpec.shown_outcome)
    opens: datetime  # UTC
    closes: datetime
    resolved_at: datetime | None
    scored: bool
    reason: str | None
    forecasters: tuple[KindForecaster, ...]
    forecasts: tuple[KindForecastRow, ...]


def question_scores(session: Session, ref: str | int, forecasters: tuple[str, ...] = ()) -> KindQuestion | None:
    """One non-binary question forecaster by forecaster and forecast by forecast; None for a binary question."""
    from forecast.core.errors import NotFound
    from forecast.core.timeparse import from_micros, to_micros
    from forecast.services.kinds import forecast_values, shown_values, spec_of
    from forecast.services.lookup import get_question

    q = get_question(session, ref)
    if q.kind == Kind.BINARY.value:
        return None
    spec = spec_of(q)
    kind = Kind(q.kind)
    names = dict(bulk.rows(_connection(session), "SELECT id, name FROM forecaster"))
    missing = [n for n in forecasters if n not in names.values()]
    if missing:
        raise NotFound(f"no forecaster named {missing[0]!r}")
    rows = bulk.rows(_connection(session), "SELECT id, forecaster_id, made_at, recorded_at, vector FROM forecast "
                     "WHERE question_id = :id AND NOT superseded AND vector IS NOT NULL ORDER BY id", (q.id,))  # fmt: skip
    opens, closes = to_micros(q.opens_at), to_micros(q.closes_at)
    res_at = to_micros(q.resolved_at) if q.resolved_at is not None else None
    scored = q.resolution == "outcome" and q.outcome is not None and res_at is not None
    reason = None if scored else ("annulled" if q.resolution == "annulled" else "not resolved")
    from forecast.core.kind_spec import decode_vector

    vectors = [decode_vector(r[4]) for r in rows]
    f_names = [names[r[1]] for r in rows]
    people_names = sorted(set(f_names))
    code = {n: i for i, n in enumerate(people_names)}
    n = len(rows)
    per_row: dict[str, np.ndarray] = {}
    pt = None
    if scored and n:
        outcome = spec.outcome_value(q.outcome)
        m = np.stack(vectors)
        if kind is Kind.CHOICE:
            per_row = ka.choice_rows(m, np.full(n, outcome))
            values = {"brier2": per_row["brier2"], "log": per_row["log"]}
        else:
            b = spec.range.bucket(outcome)
            u = {0: -1.0, INBOUND_BUCKETS + 1: 2.0}.get(b)
            u = spec.range.unscaled(float(outcome)) if u is None else u
            per_row = ka.continuous_rows(m, np.full(n, b), np.full(n, u), np.full(n, spec.range.open_bounds))
            values = {"log": per_row["log"], "crps": per_row["crps"]}
        rec = np.array([r[3] for r in rows], dtype=np.int64)
        rank = np.empty(n, dtype=np.int64)
        rank[np.lexsort((np.arange(n), rec))] = np.arange(n)
        pt = ka.time_weighted(np.zeros(n, np.int64), np.array([code[x] for x in f_names]),
                              np.array([r[2] for r in rows], dtype=np.int64), rank, opens=np.array([opens]),
                              closes=np.array([closes]), resolved_at=np.array([res_at]), p_o=per_row["p_o"],
                              values=values, baseline=per_row["baseline"], clamp=kind is Kind.CHOICE,
                              halve=kind is not Kind.CHOICE)  # fmt: skip
    shown = sorted(code[x] for x in dict.fromkeys(forecasters) if x in code) if forecasters else list(range(len(code)))
    people: tuple[KindForecaster, ...] = ()
    if pt is not None:
        people = _forecasters(kind, tuple(people_names), pt, shown, max(len(code), 1), {}, {})
    weight = dict(zip(pt.span_row.tolist(), pt.span_weight.tolist(), strict=True)) if pt is not None else {}
    share = dict(zip(pt.span_row.tolist(), pt.span_horizon.tolist(), strict=True)) if pt is not None else {}
    end = min(closes, res_at) if res_at is not None else closes
    keys = ("brier", "brier2", "log_score", "baseline") if kind is Kind.CHOICE else ("log_score", "crps", "baseline", "pit")
    source = {"brier2": "brier2", "log_score": "log", "baseline": "baseline", "crps": "crps", "pit": "pit"}
    want = set(forecasters)
    out_rows = []
    for i, r in enumerate(rows):
        if want and f_names[i] not in want:
            continue
        status = "not scored" if pt is None else "scored" if i in weight else "late" if r[2] >= end else "replaced"
        sc = KindForecastScores()
        if per_row:
            own = {k: _num(per_row["brier2"][i] / 2.0) if k == "brier" else _num(per_row[source[k]][i]) for k in keys}
            # as for binary, a forecast's baseline is its contribution: the forecaster's baseline is their sum
            own["baseline"] = _num(per_row["baseline"][i] * share[i]) if i in share else None
            sc = KindForecastScores(**own)
        out_rows.append(KindForecastRow(id=int(r[0]), forecaster=f_names[i], made_at=from_micros(r[2]),
                                        values=shown_values(spec, forecast_values(spec, r[4])), status=status,
                                        weight=weight.get(i), scores=sc))  # fmt: skip
    return KindQuestion(
        id=int(q.id), slug=q.slug, title=q.title, kind=kind,
        outcome=spec.shown_outcome(q.outcome) if q.outcome is not None else None, opens=from_micros(opens),
        closes=from_micros(closes), resolved_at=None if res_at is None else from_micros(res_at), scored=scored,
        reason=reason, forecasters=people, forecasts=tuple(out_rows),
    )  # fmt: skip


# ---- exports ------------------------------------------------------------------------------------

EXPORT_KINDS = tuple(k.value for k in KINDS)
COMMON_COLUMNS = ("slug", "title", "tags", "forecaster", "outcome", "resolved_at", "n_forecasts",
                  "first_forecast_at", "last_forecast_at")  # fmt: skip


def score_filter(flt) -> ScoreFilter:
    """The scoring filter of an exports' ExportFilter (its --since/--until select by resolution time here)."""
    return ScoreFilter(forecasters=flt.forecasters, tag=flt.tag, since=flt.since, until=flt.until,
                       exclude_backfilled=flt.exclude_backfilled, backfill_after=flt.backfill_after)  # fmt: skip


def columns_of(kind: Kind) -> tuple[str, ...]:
    """The columns of `export scores --kind KIND` (docs/exports.md)."""
    return COMMON_COLUMNS + (CHOICE_METRICS if kind is Kind.CHOICE else CONTINUOUS_METRICS) + ("coverage",)


def kind_scores_table(session: Session, flt, kind: Kind):
    """`export scores --kind`: one row per scored (question, forecaster) of that kind, by slug then name.

    `flt` is the exports' ExportFilter (forecasters, tag, resolved since/until, backfill), as for binary rows.
    """
    from forecast.export.table import Table, coded, floats, ints, text, times
    from forecast.services.exports import load_questions

    block = kind_scores(session, score_filter(flt), pairs=True).get(kind)
    qs = load_questions(session)
    pairs = block.pairs if block is not None else None
    if pairs is None:
        pairs = KindPairs(np.zeros(0, np.int64), (), (), np.zeros(0, np.int64), np.zeros(0, np.int64),
                          np.zeros(0, np.int64), np.zeros(0), {m: np.zeros(0) for m in columns_of(kind)[9:-1]})  # fmt: skip
    wanted = set(flt.forecasters)
    qpos = qs.pos[pairs.question_id]
    names = np.array(pairs.forecaster, dtype=object)
    keep = np.flatnonzero([not wanted or n in wanted for n in pairs.forecaster]) if len(names) else np.zeros(0, np.int64)
    keep = keep[np.lexsort((names[keep].astype(str), qpos[keep]))] if len(keep) else keep  # slugs are sorted
    qp = qpos[keep]
    cols = [
        coded("slug", qp, qs.slugs),
        coded("title", qp, qs.titles),
        coded("tags", qp, qs.tags, kind="tags"),
        text("forecaster", [pairs.forecaster[i] for i in keep.tolist()]),
        text("outcome", [pairs.outcome[i] for i in keep.tolist()]),
        times("resolved_at", qs.resolved_at[qp]),
        ints("n_forecasts", pairs.n_forecasts[keep]),
        times("first_forecast_at", pairs.first_forecast_at[keep]),
        times("last_forecast_at", pairs.last_forecast_at[keep]),
    ]
    cols += [floats(m, pairs.metrics[m][keep]) for m in columns_of(kind)[len(COMMON_COLUMNS):-1]]
    cols.append(floats("coverage", pairs.coverage[keep]))
    return Table(tuple(cols))


__all__ = [
    "CHOICE_METRICS",
    "CONTINUOUS_METRICS",
    "KINDS",
    "Bin",
    "KindForecastRow",
    "KindForecastScores",
    "KindForecaster",
    "KindQuestion",
    "KindPairs",
    "KindReport",
    "KindScores",
    "OptionBins",
    "Pit",
    "columns_of",
    "kind_scores",
    "kind_scores_table",
    "question_scores",
    "score_filter",
]
