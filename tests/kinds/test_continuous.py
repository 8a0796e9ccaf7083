"""Numeric and date questions: the CDF grid, Metaculus's standardization and checks, and the scores."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from forecast.core import distribution
from forecast.core.errors import InvalidInput
from forecast.core.kind_input import parse_continuous
from forecast.core.kinds import ABOVE, BELOW, GRID_POINTS, INBOUND_BUCKETS, ContinuousRange
from forecast.core.scoring.kinds import (
    KindForecast,
    continuous_baseline,
    continuous_log,
    crps,
    pit,
    pit_uniformity,
    score_continuous,
)

LAUNCHES = ContinuousRange(0.0, 100.0)
OPEN = ContinuousRange(0.0, 100.0, open_lower=True, open_upper=True)
bounds = st.builds(ContinuousRange, st.just(0.0), st.just(100.0), st.booleans(), st.booleans())


def test_bucket_index_follows_metaculus():
    assert LAUNCHES.bucket(0.0) == 1  # the lower bound is in the first inbound bucket
    assert LAUNCHES.bucket(100.0) == INBOUND_BUCKETS
    assert LAUNCHES.bucket(0.25) == 1 and LAUNCHES.bucket(0.75) == 2
    assert OPEN.bucket(BELOW) == 0 and OPEN.bucket(-3) == 0 and OPEN.bucket(ABOVE) == INBOUND_BUCKETS + 1
    with pytest.raises(InvalidInput, match="closed"):
        LAUNCHES.bucket(ABOVE)


def test_log_scale_is_geometric():
    rng = ContinuousRange(1.0, 10_000.0, zero_point=0.0)
    assert rng.unscaled(1.0) == pytest.approx(0.0) and rng.unscaled(10_000.0) == pytest.approx(1.0)
    assert rng.scaled(0.5) == pytest.approx(100.0)
    assert rng.unscaled(rng.scaled(0.3)) == pytest.approx(0.3)
    with pytest.raises(InvalidInput, match="zero point"):
        ContinuousRange(-1.0, 10.0, zero_point=0.0)


def test_uniform_forecast_scores_zero_and_a_sharper_one_is_worked_by_hand():
    uniform = np.linspace(0.0, 1.0, GRID_POINTS)
    pmf = distribution.to_pmf(uniform)
    b = LAUNCHES.bucket(37.0)
    assert continuous_log(pmf, b) == pytest.approx(0.0)  # density 1 on the unit range
    assert continuous_baseline(pmf, b, LAUNCHES) == pytest.approx(0.0)
    sharp = pmf.copy()
    sharp[b] = 0.01  # a bucket holding 2x the uniform mass
    assert continuous_baseline(sharp, b, LAUNCHES) == pytest.approx(100 * math.log(0.01 * 200) / 2)
    assert continuous_log(sharp, b) == pytest.approx(math.log(2.0))
    # CRPS of the uniform CDF at u_o: integral of u^2 on [0, u_o] + (1 - u)^2 on [u_o, 1]
    u = 0.37
    assert crps(uniform, u) == pytest.approx(u**3 / 3 + (1 - u) ** 3 / 3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=GRID_POINTS, max_size=GRID_POINTS), st.floats(-0.5, 1.5))
def test_crps_equals_a_fine_numeric_integral(values, u_o):
    cdf = np.sort(np.array(values))
    fine = np.linspace(0.0, 1.0, 200_001)
    f = np.interp(fine, np.linspace(0.0, 1.0, GRID_POINTS), cdf)
    numeric = np.trapezoid((f - (fine >= u_o)) ** 2, fine)
    assert crps(cdf, u_o) == pytest.approx(numeric, abs=2e-5)


quantile_sets = st.lists(st.floats(1.0, 99.0), min_size=2, max_size=5, unique=True).flatmap(
    lambda qs: st.tuples(
        st.just(sorted(qs)), st.lists(st.floats(-20.0, 120.0), min_size=len(qs), max_size=len(qs), unique=True)
    )
)


@settings(max_examples=150, deadline=None)
@given(quantile_sets, bounds)
def test_every_quantile_forecast_is_a_cdf_metaculus_would_accept(qx, rng):
    qs, xs = qx
    xs = sorted(xs)
    assume(all(b - a > 0.01 for a, b in zip(xs, xs[1:], strict=False)))
    try:
        cdf = distribution.from_quantiles({q / 100: x for q, x in zip(qs, xs, strict=True)}, rng)
    except InvalidInput as exc:  # too sharp for the grid, or piled up at a closed bound: refused, saying so
        assert "widen it" in str(exc) or "which is closed" in str(exc)
        return
    distribution.validate(cdf, rng)  # raises if Metaculus's API would refuse it
    assert np.all(np.diff(cdf) > 0)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["normal", "logistic", "lognormal"]), st.floats(1.0, 99.0), st.floats(0.5, 50.0), bounds)
def test_named_distributions_give_valid_cdfs(name, loc, spread, rng):
    if name == "lognormal":
        loc = math.log(loc)
        spread = min(spread, 3.0)
    try:
        cdf = distribution.from_distribution(name, (loc, spread), rng)
    except InvalidInput as exc:
        assert "widen it" in str(exc) or "which is closed" in str(exc)
        return
    distribution.validate(cdf, rng)


def test_quantiles_land_where_typed():
    f = parse_continuous("p10=12 p50=30 p90=75", LAUNCHES)
    for p, x in [(0.1, 12), (0.5, 30), (0.9, 75)]:
        # standardization mixes in 1 % uniform mass: the quantile moves by less than a bucket
        assert distribution.quantile(f.cdf, LAUNCHES, p) == pytest.approx(x, abs=1.0)
    assert f.typed == "p10=12 p50=30 p90=75"
    n = parse_continuous("normal(30, 10)", LAUNCHES)
    assert distribution.cdf_at(n.cdf, LAUNCHES, 30.0) == pytest.approx(0.5, abs=0.01)
    for bad, words in [
        ("p50=30", "at least two"),
        ("p10=40 p90=30", "must increase"),
        ("p0=1 p50=3", "between 0 and 100"),
        ("x10=1 p50=3", "not a quantile"),
        ("normal(30, -1)", "positive spread"),
        ("gamma(1, 2)", "unknown distribution"),
        ("p10=abc p90=3", "not a number"),
    ]:
        with pytest.raises(InvalidInput, match=words):
            parse_continuous(bad, LAUNCHES)


def test_open_bounds_keep_mass_outside_and_closed_ones_do_not():
    typed = {0.1: 5.0, 0.9: 95.0}  # the outer slopes reach past both bounds: F(0) = 0.1 - 0.8 * 5 / 90
    closed = distribution.from_quantiles(typed, LAUNCHES)
    opened = distribution.from_quantiles(typed, OPEN)
    assert closed[0] == 0.0 and closed[-1] == 1.0
    assert opened[0] == pytest.approx(0.988 * (0.1 - 0.8 * 5 / 90) + 0.001)
    # and above: F(1) = 0.9 + 0.8 * 5 / 90 before standardising, so 1 - (0.988 F(1) + 0.01 + 0.001) beyond the top
    assert 1.0 - opened[-1] == pytest.approx(1.0 - (0.988 * (0.9 + 0.8 * 5 / 90) + 0.011))
    assert 1.0 - opened[-1] == pytest.approx(0.0559, abs=1e-4)
    with pytest.raises(InvalidInput, match="upper bound 100, which is closed"):
        distribution.from_quantiles({0.1: -10.0, 0.9: 150.0}, LAUNCHES)
    assert distribution.from_quantiles({0.1: -10.0, 0.9: 150.0}, OPEN)[-1] < 0.85


def test_a_forecast_sharper_than_the_grid_is_refused_not_smeared():
    with pytest.raises(InvalidInput, match="widen it"):
        parse_continuous("p1=29.99 p99=30.01", LAUNCHES)
    with pytest.raises(InvalidInput, match="widen it"):
        parse_continuous("normal(30, 0.1)", LAUNCHES)
    parse_continuous("normal(30, 2)", LAUNCHES)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 100.0), st.floats(5.0, 95.0), st.floats(2.0, 40.0), bounds)
def test_a_point_mass_on_the_outcome_gets_the_best_score(outcome, other_mean, other_sd, rng):
    """The most any valid forecast can give one bucket is the cap: that forecast on the outcome scores best."""
    other = distribution.to_pmf(distribution.from_distribution("normal", (other_mean, other_sd), rng))
    b = rng.bucket(outcome)
    best = other.copy()
    best[b] = distribution.MAX_BUCKET
    assert other[b] <= distribution.MAX_BUCKET + 1e-9
    assert continuous_log(best, b) >= continuous_log(other, b) - 1e-9
    assert continuous_baseline(best, b, rng) >= continuous_baseline(other, b, rng) - 1e-9
    # CRPS: the step CDF at the outcome scores 0, the least any CDF can score
    u = rng.unscaled(outcome)
    step = (distribution.GRID_U >= u).astype(float)
    assert crps(step, u) == pytest.approx(0.0, abs=1.0 / INBOUND_BUCKETS)
    assert crps(np.cumsum(other)[:-1], u) >= 0.0


def test_peer_is_metaculus_halved_against_the_geometric_mean():
    a = distribution.from_distribution("normal", (40, 5), LAUNCHES)
    b = distribution.from_distribution("normal", (60, 20), LAUNCHES)
    forecasts = [KindForecast("a", 0, distribution.to_pmf(a)), KindForecast("b", 0, distribution.to_pmf(b))]
    got = {s.forecaster: s for s in score_continuous(forecasts, LAUNCHES, opens=0, closes=10, resolved_at=10, outcome=42.0)}
    k = LAUNCHES.bucket(42.0)
    pa, pb = distribution.to_pmf(a)[k], distribution.to_pmf(b)[k]
    gm = math.sqrt(pa * pb)
    assert got["a"].peer == pytest.approx(100 * 2 / 1 * math.log(pa / gm) / 2)
    assert got["a"].peer == pytest.approx(-got["b"].peer)
    assert got["a"].coverage == 1.0 and got["a"].crps < got["b"].crps


def test_pit_of_calibrated_forecasts_looks_uniform():
    rng_np = np.random.default_rng(0)  # a fixed draw: the test is deterministic
    forecast = distribution.from_distribution("normal", (50, 10), LAUNCHES)
    draws = np.clip(rng_np.normal(50, 10, 400), 0.0, 100.0)
    stat, p = pit_uniformity([pit(forecast, LAUNCHES, x) for x in draws])
    assert p > 0.05
    biased = [pit(forecast, LAUNCHES, x) for x in np.clip(rng_np.normal(70, 10, 400), 0, 100)]
    assert pit_uniformity(biased)[1] < 1e-6
