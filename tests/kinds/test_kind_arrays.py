"""The whole-array scores (core/scoring/kind_arrays.py) agree with the per-forecast definitions of core/scoring/kinds.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core import distribution
from forecast.core.kinds import ABOVE, BELOW, INBOUND_BUCKETS, ContinuousRange
from forecast.core.scoring import kind_arrays as ka
from forecast.core.scoring.kinds import (
    KindForecast,
    choice_calibration,
    continuous_baseline,
    continuous_log,
    crps,
    pit,
    score_choice,
    score_continuous,
)

rows_st = st.lists(st.tuples(st.sampled_from("abcd"), st.integers(0, 120), st.integers(0, 5)), min_size=1, max_size=14)
PMFS = [np.array(v) / sum(v) for v in ([5, 3, 2], [1, 1, 1], [0.2, 0.7, 0.1], [0.01, 0.01, 0.98], [4, 4, 2], [1, 8, 1])]


def _arrays(rows, pmfs):
    names = sorted({w for w, _, _ in rows})
    f = np.array([names.index(w) for w, _, _ in rows])
    t = np.array([t for _, t, _ in rows])
    m = np.stack([pmfs[k] for _, _, k in rows])
    return names, f, t, m


@settings(max_examples=150, deadline=None)
@given(rows_st, st.integers(0, 2), st.integers(30, 130))
def test_choice_matches_score_choice(rows, outcome, resolved_at):
    names, f, t, m = _arrays(rows, PMFS)
    per = ka.choice_rows(m, np.full(len(m), outcome))
    pairs = ka.time_weighted(np.zeros(len(m)), f, t, np.arange(len(m)), opens=np.array([0]), closes=np.array([100]),
                             resolved_at=np.array([resolved_at]), p_o=per["p_o"],
                             values={"brier2": per["brier2"], "log": per["log"]}, baseline=per["baseline"],
                             clamp=True, halve=False)  # fmt: skip
    want = {s.forecaster: s for s in score_choice([KindForecast(w, tt, PMFS[k]) for w, tt, k in rows], opens=0,
                                                  closes=100, resolved_at=resolved_at, outcome=outcome)}  # fmt: skip
    got = {names[int(i)]: k for k, i in enumerate(pairs.f)}
    assert set(got) == set(want)
    for name, k in got.items():
        w = want[name]
        assert pairs.values["brier2"][k] == pytest.approx(w.brier2, abs=1e-12)
        assert pairs.values["log"][k] == pytest.approx(w.log, abs=1e-12)
        assert pairs.baseline[k] == pytest.approx(w.baseline, abs=1e-9)
        assert pairs.peer[k] == pytest.approx(w.peer, abs=1e-9)
        assert pairs.coverage[k] == pytest.approx(w.coverage * 100 / min(100, resolved_at), abs=1e-12)
        assert pairs.n_forecasts[k] == w.n_forecasts


RANGES = [ContinuousRange(0.0, 100.0), ContinuousRange(0.0, 100.0, True, True), ContinuousRange(1.0, 1000.0, False, True, 0.0)]


def _cdfs(rng):
    return [distribution.from_quantiles({0.1: lo, 0.5: mid, 0.9: hi}, rng)
            for lo, mid, hi in ((12, 30, 75), (40, 50, 60), (5, 20, 90), (2, 3, 99), (30, 60, 95), (10, 50, 80))]  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(rows_st, st.sampled_from(range(len(RANGES))),
       st.one_of(st.floats(1.0, 100.0), st.sampled_from([BELOW, ABOVE, 1.0, 100.0, 50.0, 0.5 + 1e-9])),
       st.integers(30, 130))  # fmt: skip
def test_continuous_matches_score_continuous(rows, r, outcome, resolved_at):
    rng = RANGES[r]
    if (outcome == BELOW and not rng.open_lower) or (outcome == ABOVE and not rng.open_upper):
        outcome = 42.0
    if not isinstance(outcome, str) and outcome < rng.low:
        outcome = rng.low
    cdfs = _cdfs(rng)
    names, f, t, m = _arrays(rows, cdfs)
    b = rng.bucket(outcome)
    u_o = {0: -1.0, INBOUND_BUCKETS + 1: 2.0}.get(b)
    u_o = rng.unscaled(float(outcome)) if u_o is None else u_o
    per = ka.continuous_rows(m, np.full(len(m), b), np.full(len(m), u_o), np.full(len(m), rng.open_bounds))
    for k, (_, _, c) in enumerate(rows):
        pmf = distribution.to_pmf(cdfs[c])
        assert per["log"][k] == pytest.approx(continuous_log(pmf, b), abs=1e-12)
        assert per["baseline"][k] == pytest.approx(continuous_baseline(pmf, b, rng), abs=1e-9)
        assert per["crps"][k] == pytest.approx(crps(cdfs[c], u_o), abs=1e-12)
        assert per["pit"][k] == pytest.approx(pit(cdfs[c], rng, outcome), abs=1e-12)
    pairs = ka.time_weighted(np.zeros(len(m)), f, t, np.arange(len(m)), opens=np.array([0]), closes=np.array([100]),
                             resolved_at=np.array([resolved_at]), p_o=per["p_o"],
                             values={"log": per["log"], "crps": per["crps"]}, baseline=per["baseline"],
                             clamp=False, halve=True)  # fmt: skip
    want = {s.forecaster: s for s in score_continuous(
        [KindForecast(w, tt, distribution.to_pmf(cdfs[k])) for w, tt, k in rows], rng, opens=0, closes=100,
        resolved_at=resolved_at, outcome=outcome)}  # fmt: skip
    got = {names[int(i)]: k for k, i in enumerate(pairs.f)}
    assert set(got) == set(want)
    for name, k in got.items():
        w = want[name]
        assert pairs.values["log"][k] == pytest.approx(w.log, abs=1e-12)
        assert pairs.values["crps"][k] == pytest.approx(w.crps, abs=1e-12)
        assert pairs.baseline[k] == pytest.approx(w.baseline, abs=1e-9)
        assert pairs.peer[k] == pytest.approx(w.peer, abs=1e-9)


def test_many_questions_at_once_equal_each_alone():
    """Questions side by side (the service's case) score as each does on its own."""
    rng = np.random.default_rng(3)
    n = 400
    q = rng.integers(0, 7, n)
    f = rng.integers(0, 5, n)
    t = rng.integers(-10, 120, n)
    m = np.stack([PMFS[k] for k in rng.integers(0, len(PMFS), n)])
    outcome = np.array([0, 1, 2, 1, 0, 2, 2])
    opens, closes, res = np.zeros(7, np.int64), np.full(7, 100), np.array([100, 50, 130, 90, 100, 10, 100])
    per = ka.choice_rows(m, outcome[q])
    kw = dict(opens=opens, closes=closes, resolved_at=res, clamp=True, halve=False)
    both = ka.time_weighted(q, f, t, np.arange(n), p_o=per["p_o"], values={"log": per["log"]},
                            baseline=per["baseline"], **kw)  # fmt: skip
    for qi in range(7):
        alone = score_choice([KindForecast(str(f[i]), int(t[i]), m[i]) for i in np.flatnonzero(q == qi)],
                             opens=0, closes=100, resolved_at=int(res[qi]), outcome=int(outcome[qi]))  # fmt: skip
        for s in alone:
            k = np.flatnonzero((both.q == qi) & (both.f == int(s.forecaster)))[0]
            assert both.peer[k] == pytest.approx(s.peer, abs=1e-9)
            assert both.values["log"][k] == pytest.approx(s.log, abs=1e-12)


def test_bins_per_forecast_match_choice_calibration():
    pmfs = [PMFS[k] for k in (0, 1, 2, 3, 4, 5, 0)] + [np.array([0.3, 0.3, 0.4])]
    outcomes = [0, 2, 1, 2, 0, 1, 1, 0]
    m = np.stack(pmfs)
    hit = (np.arange(3)[None, :] == np.array(outcomes)[:, None]).ravel()
    count, weight, wp, wh = ka.weighted_bins(np.zeros(m.size, np.int64), m.ravel(), hit.astype(float),
                                             np.ones(m.size), 1, 10)  # fmt: skip
    want = choice_calibration(pmfs, outcomes)
    for r in want:
        b = r["bin"]
        assert count[0, b] == r["n"]
        assert wp[0, b] / weight[0, b] == pytest.approx(r["mean_p"], abs=1e-12)
        assert wh[0, b] / weight[0, b] == pytest.approx(r["observed"], abs=1e-12)
    assert count.sum() == m.size


def test_ks_per_group_matches_pit_uniformity():
    from forecast.core.scoring.kinds import pit_uniformity

    rng = np.random.default_rng(5)
    values = np.concatenate([rng.uniform(0, 1, 40), rng.beta(2, 5, 25), [0.5], rng.uniform(0, 1, 3)])
    group = np.repeat([0, 2, 3, 4], [40, 25, 1, 3])
    n, d, p = ka.ks_uniform(group, values, 5)
    assert n.tolist() == [40, 0, 25, 1, 3] and np.isnan(d[1])
    for g in (0, 2, 3, 4):
        want = pit_uniformity(values[group == g])
        assert d[g] == pytest.approx(want[0], abs=1e-12) and p[g] == pytest.approx(want[1], abs=1e-12)
