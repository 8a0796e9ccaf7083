"""Calibration: bins, units, Wilson/Kish intervals, Murphy decomposition, GLM regression, lowess, extremizing."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.core.scoring import ScoringInput, lowess_curve, score
from forecast.core.scoring.calibration import Bins, WeightedRows, bin_index
from forecast.core.scoring.regression import fit_logistic, verdict


def test_bins_put_edges_in_the_upper_bin_and_one_in_the_last():
    p = np.array([0.0, 0.05, 0.1, 0.3, 0.7, 0.9, 0.9999, 1.0])
    assert bin_index(p, 10).tolist() == [0, 0, 1, 3, 7, 9, 9, 9]
    percents = np.arange(101) / 100
    assert bin_index(percents, 10).tolist() == [min(k // 10, 9) for k in range(101)]
    assert bin_index(percents, 20).tolist() == [min(k // 5, 19) for k in range(101)]


def calibration(questions, forecasts, unit, **kw):
    out = score(ScoringInput.from_rows(questions, forecasts), unit=unit, **kw).summary()
    return out.forecasters[0].calibration


def test_units_weigh_forecasts_differently():
    q = {"opens": 0, "closes": 100, "outcome": 1}
    fs = [(0, "a", 0, 0.32), (0, "a", 25, 0.34), (0, "a", 50, 0.81)]
    time = calibration([q], fs, "time")
    assert time[3].weight == pytest.approx(0.5) and time[8].weight == pytest.approx(0.5)
    assert time[3].mean_forecast == pytest.approx(0.33) and time[3].count == 2
    forecast = calibration([q], fs, "forecast")
    assert forecast[3].weight == 2 and forecast[8].weight == 1
    final = calibration([q], fs, "final")
    assert final[3].weight == 0 and final[8].weight == 1 and final[8].observed == 1.0
    assert final[3].mean_forecast is None and final[3].ci_low is None


def test_wilson_interval_on_equal_weights_matches_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    qs = [{"opens": 0, "closes": 10, "outcome": o} for o in [1, 1, 1, 0, 0, 1, 0]]
    fs = [(i, "a", 0, 0.62) for i in range(len(qs))]
    row = calibration(qs, fs, "forecast")[6]
    lo, hi = proportion_confint(4, 7, alpha=0.05, method="wilson")
    assert row.n_eff == pytest.approx(7) and row.observed == pytest.approx(4 / 7)
    assert (row.ci_low, row.ci_high) == (pytest.approx(lo), pytest.approx(hi))


def test_wilson_interval_uses_the_kish_effective_sample_size():
    w = np.array([0.5, 0.25, 0.25, 1.0])
    o = np.array([1.0, 0.0, 1.0, 1.0])
    bins = Bins.of(WeightedRows.of(np.zeros(4, np.int64), np.full(4, 0.55), o, w), 1, 10)
    n_eff = w.sum() ** 2 / (w**2).sum()
    assert bins.n_eff()[0, 5] == pytest.approx(n_eff)
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = bins.wilson()  # our own formula, checked here against statsmodels
    freq = (w * o).sum() / w.sum()
    want = proportion_confint(freq * n_eff, n_eff, alpha=0.05, method="wilson")
    assert (lo[0, 5], hi[0, 5]) == (pytest.approx(want[0]), pytest.approx(want[1]))


def test_decomposition_by_hand():
    # two bins: [0.2, 0.3) holds 0.2, 0.2 with outcomes 0, 1; [0.8, 0.9) holds 0.8 with 1
    rows = WeightedRows.of(np.zeros(3, np.int64), np.array([0.2, 0.2, 0.8]), np.array([0.0, 1.0, 1.0]), np.ones(3))
    bins = Bins.of(rows, 1, 10)
    d = {k: v[0] for k, v in bins.decomposition().items()}
    obar = 2 / 3
    assert d["uncertainty"] == pytest.approx(obar * (1 - obar))
    assert d["reliability"] == pytest.approx((2 * (0.2 - 0.5) ** 2 + (0.8 - 1.0) ** 2) / 3)
    assert d["resolution"] == pytest.approx((2 * (0.5 - obar) ** 2 + (1 - obar) ** 2) / 3)
    assert d["within"] == pytest.approx(0.0)
    assert d["brier"] == pytest.approx((0.04 + 0.64 + 0.04) / 3)
    assert d["reliability"] - d["resolution"] + d["uncertainty"] + d["within"] == pytest.approx(d["brier"], abs=1e-12)


def _glm(x, y, w, intercept=True):
    import statsmodels.api as sm

    exog = sm.add_constant(x) if intercept else x[:, None]
    res = sm.GLM(y, exog, family=sm.families.Binomial(), freq_weights=w).fit(tol=1e-12)
    return res.params, res.bse, res.conf_int()


def test_grouped_logistic_regression_matches_statsmodels_glm():
    rng = np.random.default_rng(7)
    n = 600
    g = rng.integers(0, 3, n)
    p = rng.uniform(0.02, 0.98, n)
    truth = 1 / (1 + np.exp(-(0.3 * g - 0.2 + (0.6 + 0.4 * g) * np.log(p / (1 - p)))))
    y = (rng.uniform(size=n) < truth).astype(float)
    w = rng.uniform(0.1, 2.0, n)
    x = np.log(p / (1 - p))
    fit = fit_logistic(x, y, w, g, 3)
    lo, hi = fit.ci()
    assert fit.ok.all()
    for k in range(3):
        m = g == k
        params, bse, ci = _glm(x[m], y[m], w[m])
        assert fit.params[k] == pytest.approx(params, abs=1e-7)
        assert fit.bse[k] == pytest.approx(bse, abs=1e-7)
        assert lo[k] == pytest.approx(ci[:, 0], abs=1e-7) and hi[k] == pytest.approx(ci[:, 1], abs=1e-7)


def test_regression_without_intercept_matches_statsmodels():
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1.5, 300)
    y = (rng.uniform(size=300) < 1 / (1 + np.exp(-1.7 * x))).astype(float)
    w = rng.uniform(0.5, 1.5, 300)
    fit = fit_logistic(x, y, w, np.zeros(300, np.int64), 1, intercept=False)
    params, bse, _ = _glm(x, y, w, intercept=False)
    assert fit.params[0, 0] == pytest.approx(params[0], abs=1e-7)
    assert fit.bse[0, 0] == pytest.approx(bse[0], abs=1e-7)


@pytest.mark.parametrize(
    ("x", "y"),
    [
        ([-1.0, -0.5, 0.5, 1.0], [0, 0, 1, 1]),  # complete separation
        ([-1.0, 0.0, 0.0, 1.0], [0, 0, 1, 1]),  # quasi-complete
        ([0.1, 0.2, 0.3], [1, 1, 1]),  # one outcome only
        ([0.4, 0.4, 0.4], [0, 1, 1]),  # no spread in the forecasts
    ],
)
def test_regression_is_not_estimable_without_a_finite_mle(x, y):
    x, y = np.array(x), np.array(y, dtype=float)
    fit = fit_logistic(x, y, np.ones(len(x)), np.zeros(len(x), np.int64), 1)
    assert not fit.ok[0] and np.isnan(fit.params[0]).all()


def test_regression_in_the_summary_reads_in_words():
    rng = np.random.default_rng(11)
    n = 400
    true_p = rng.uniform(0.05, 0.95, n)
    outcomes = (rng.uniform(size=n) < true_p).astype(int)
    logit = np.log(true_p / (1 - true_p))
    overconfident = 1 / (1 + np.exp(-2.5 * logit))
    qs = [{"opens": 0, "closes": 10, "outcome": int(o)} for o in outcomes]
    fs = [(i, "a", 0, float(p)) for i, p in enumerate(overconfident)]
    reg = score(ScoringInput.from_rows(qs, fs)).summary().forecasters[0].regression
    assert reg.slope < 1 and reg.slope_ci[1] < 1
    assert reg.verdict == "your forecasts are too extreme"
    assert reg.intercept_ci[0] < reg.intercept < reg.intercept_ci[1]
    assert reg.n == n


def test_verdict_words():
    assert verdict(0.7, 0.6, 0.8) == "your forecasts are too extreme"
    assert verdict(1.3, 1.1, 1.5) == "your forecasts are too timid"
    assert verdict(0.9, 0.7, 1.1).startswith("your forecasts are too extreme (not significant")


def test_lowess_curve_for_plots():
    rng = np.random.default_rng(5)
    p = rng.uniform(0, 1, 2000)
    o = (rng.uniform(size=2000) < p).astype(float)
    x, y = lowess_curve(p, o)
    assert len(x) == 101 and np.all((y >= 0) & (y <= 1))
    assert np.all(np.diff(y) > -0.02)  # about increasing
    assert y[50] == pytest.approx(x[50], abs=0.08)
    assert lowess_curve(np.array([0.5, 0.5]), np.array([0.0, 1.0]))[0].size == 0


def test_extremizing_exponent_is_fitted_with_twenty_questions():
    rng = np.random.default_rng(1)
    qs, fs = [], []
    for qi in range(40):
        truth = rng.uniform(0.1, 0.9)
        o = int(rng.uniform() < truth)
        qs.append({"opens": 0, "closes": 100, "outcome": o})
        for j, name in enumerate("abc"):
            fs.append((qi, name, 10 * j, float(np.clip(truth + rng.normal(0, 0.1), 0.01, 0.99))))
    scores = score(ScoringInput.from_rows(qs, fs))
    out = scores.summary()
    ext = out.extremizing
    assert ext.exponent is not None and ext.n_questions == 40
    assert ext.ci[0] < ext.exponent < ext.ci[1]
    # same maximum-likelihood fit as statsmodels on the time-weighted crowd mean logit
    tl = scores.tl
    x = tl.ev_slogit / tl.ev_n
    w = tl.ev_len / tl.window[tl.ev_q]
    params, _, _ = _glm(x, tl.inp.outcome[tl.ev_q], w, intercept=False)
    assert ext.exponent == pytest.approx(params[0], abs=1e-7)
    names = [a.name for a in out.aggregates]
    assert names == ["@median", "@mean", "@geo-odds", "@extremized"]
    extremized = out.aggregates[3]
    assert extremized.n_questions == 40 and extremized.brier is not None
