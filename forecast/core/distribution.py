"""A continuous forecast as one CDF on a fixed grid: from quantiles or a named distribution.

Every forecast on a numeric or date question becomes GRID_POINTS values of the CDF at the evenly
spaced unscaled locations u = i / INBOUND_BUCKETS (see core/kinds.py), whatever the user typed:

- quantiles ("p10=12 p50=30 p90=75"): the CDF is piecewise linear in u through the given points, as
  Metaculus's quantile input builds it (front_end/src/utils/forecasts/dataset.ts,
  generateQuantileContinuousCdf); beyond the outermost quantiles the outer segments' slopes go on until
  the CDF reaches 0 or 1. The mass that falls beyond a *closed* bound is put in the edge bucket (the
  outcome cannot lie beyond it); beyond an open bound it stays outside the range.
- a named distribution (normal, lognormal, logistic): its CDF evaluated at each grid point's value,
  truncated at a closed bound (renormalised inside it).
A forecast sharper than the grid allows, or one piling more than the cap at a closed bound, is refused
with a reason rather than reshaped (see `sharp_enough`).

Then `standardize` applies Metaculus's own standardizeCdf (same file): a uniform floor of 1 % of the
mass spread over the range (so no outcome scores -inf: the density is at least 0.01), at least 0.1 %
beyond each open bound, and no inbound bucket above 0.2 of the mass (1,000x a uniform bucket at the
default grid).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from forecast.core.errors import InvalidInput
from forecast.core.kinds import GRID_POINTS, INBOUND_BUCKETS, ContinuousRange

GRID_U = np.linspace(0.0, 1.0, GRID_POINTS)
MAX_BUCKET = 0.2 * 200 / INBOUND_BUCKETS


def from_quantiles(quantiles: Mapping[float, float], rng: ContinuousRange) -> np.ndarray:
    """The standardized CDF through {probability: value} points (at least two, both increasing)."""
    if len(quantiles) < 2:
        raise InvalidInput("give at least two quantiles, e.g. p10=12 p90=75")
    qs = sorted(quantiles)
    xs = [quantiles[q] for q in qs]
    for q in qs:
        if not 0.0 < q < 1.0:
            raise InvalidInput(f"a quantile is between 0 and 100 (exclusive), not {q * 100:g}")
    for (q0, x0), (q1, x1) in zip(zip(qs, xs), zip(qs[1:], xs[1:]), strict=False):
        if not x1 > x0:
            raise InvalidInput(
                f"quantile values must increase: p{q0 * 100:g}={x0:g} is not below p{q1 * 100:g}={x1:g}"
            )
    us = np.array([rng.unscaled(x) for x in xs], dtype=np.float64)
    if not np.all(np.isfinite(us)):
        raise InvalidInput("a quantile lies where the log scale does not reach")
    ps = np.array(qs, dtype=np.float64)
    cdf = _bounded(_extended_linear(us, ps, GRID_U), rng)
    sharp_enough(cdf, rng)
    return standardize(cdf, rng)


def _extended_linear(us: np.ndarray, ps: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Piecewise-linear F through (us, ps), the outer slopes continued, clipped to [0, 1]."""
    out = np.interp(at, us, ps)
    lo_slope = (ps[1] - ps[0]) / (us[1] - us[0])
    hi_slope = (ps[-1] - ps[-2]) / (us[-1] - us[-2])
    below, above = at < us[0], at > us[-1]
    out[below] = ps[0] - lo_slope * (us[0] - at[below])
    out[above] = ps[-1] + hi_slope * (at[above] - us[-1])
    return np.clip(out, 0.0, 1.0)


def _bounded(cdf: np.ndarray, rng: ContinuousRange) -> np.ndarray:
    """Mass beyond a closed bound moves into the edge bucket: F(lower) = 0 and F(upper) = 1 there."""
    cdf = cdf.copy()
    if not rng.open_lower:
        cdf[0] = 0.0
    if not rng.open_upper:
        cdf[-1] = 1.0
    return np.maximum.accumulate(cdf)


def from_distribution(name: str, params: tuple[float, ...], rng: ContinuousRange) -> np.ndarray:
    """The standardized CDF of normal(mean, sd), lognormal(mu, sigma) or logistic(loc, scale)."""
    name = name.lower()
    if name not in _CDFS:
        raise InvalidInput(f"unknown distribution {name!r} (known: {', '.join(sorted(_CDFS))})")
    if len(params) != 2:
        raise InvalidInput(f"{name} takes two parameters, e.g. {name}(30, 10)")
    location, spread = params
    if not (math.isfinite(location) and math.isfinite(spread)) or spread <= 0:
        raise InvalidInput(f"{name}'s second parameter is a positive spread, not {spread:g}")
    xs = np.array([rng.scaled(u) for u in GRID_U])
    cdf = _truncated(_CDFS[name](xs, location, spread), rng, f"{name}({location:g}, {spread:g})")
    sharp_enough(cdf, rng)
    return standardize(cdf, rng)


def _truncated(cdf: np.ndarray, rng: ContinuousRange, shown: str) -> np.ndarray:
    """A named distribution on a closed bound is truncated there: the outcome cannot lie beyond it."""
    low = 0.0 if rng.open_lower else float(cdf[0])
    high = 1.0 if rng.open_upper else float(cdf[-1])
    if high - low < 1e-6:
        raise InvalidInput(f"{shown} puts almost nothing inside the range {rng.low:g}..{rng.high:g}")
    return np.clip((cdf - low) / (high - low), 0.0, 1.0)


def _normal(x: np.ndarray, mean: float, sd: float) -> np.ndarray:
    z = (x - mean) / (sd * math.sqrt(2.0))
    return 0.5 * (1.0 + np.array([math.erf(v) for v in z]))


def _lognormal(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    out = np.zeros_like(x)
    positive = x > 0
    out[positive] = _normal(np.log(x[positive]), mu, sigma)
    return out


def _logistic(x: np.ndarray, loc: float, scale: float) -> np.ndarray:
    z = np.clip((x - loc) / scale, -700.0, 700.0)
    return 1.0 / (1.0 + np.exp(-z))


_CDFS = {"normal": _normal, "lognormal": _lognormal, "logistic": _logistic}


def standardize(cdf: np.ndarray, rng: ContinuousRange) -> np.ndarray:
    """Metaculus's standardizeCdf: a 1 % uniform floor, open-bound minimums, a cap on any bucket."""
    cdf = np.asarray(cdf, dtype=np.float64)
    x = np.linspace(0.0, 1.0, len(cdf))
    if rng.open_lower and rng.open_upper:
        cdf = 0.988 * cdf + 0.01 * x + 0.001
    elif rng.open_lower:
        cdf = 0.989 * cdf + 0.01 * x + 0.001
    elif rng.open_upper:
        cdf = 0.989 * cdf + 0.01 * x
    else:
        cdf = 0.99 * cdf + 0.01 * x
    pmf = to_pmf(cdf)
    inner = _capped(pmf[1:-1], float(cdf[-1] - cdf[0]))  # a no-op for anything `sharp_enough` passed
    out = np.concatenate(([pmf[0]], pmf[0] + np.cumsum(inner)))
    return np.round(out, 10)


def sharp_enough(cdf: np.ndarray, rng: ContinuousRange) -> None:
    """Refuse a forecast that puts more than the cap in one bucket even after the 1 % uniform mix.

    Metaculus caps such a bucket and spreads the excess over every other bucket in proportion to its
    mass, which turns a very sharp forecast into one with most of its mass spread thinly over the whole
    range — nothing like what was typed. Saying so is better than storing that.
    """
    mixed = 0.99 * np.asarray(cdf, dtype=np.float64) + 0.01 * np.linspace(0.0, 1.0, len(cdf))
    steps = np.diff(mixed)
    if steps.max(initial=0.0) > MAX_BUCKET:
        i = int(np.argmax(steps))
        if i == 0 and not rng.open_lower:
            raise InvalidInput(
                f"the forecast puts {steps[0] * 100:.0f} % at or below the lower bound {rng.low:g}, which is closed "
                f"(at most {MAX_BUCKET * 100:.0f} % may sit at a bound): move the low quantiles into the range"
            )
        if i == len(steps) - 1 and not rng.open_upper:
            raise InvalidInput(
                f"the forecast puts {steps[-1] * 100:.0f} % at or above the upper bound {rng.high:g}, which is closed "
                f"(at most {MAX_BUCKET * 100:.0f} % may sit at a bound): move the high quantiles into the range"
            )
        width = (rng.high - rng.low) / INBOUND_BUCKETS
        raise InvalidInput(
            f"the forecast puts {steps[i] * 100:.0f} % near {rng.scaled((i + 0.5) / INBOUND_BUCKETS):g}; at most "
            f"{MAX_BUCKET * 100:.0f} % may fall in any one step of the grid (1/{INBOUND_BUCKETS} of the range"
            + ("" if rng.zero_point is not None else f", {width:g}")
            + "): widen it"
        )


def _capped(inner: np.ndarray, total: float) -> np.ndarray:
    """The s with sum(min(MAX_BUCKET, s * inner)) == total, applied: no bucket above the cap.

    Metaculus finds s by bisection and rescales afterwards, which can leave a bucket a hair above the
    cap; solving for it exactly (the largest buckets capped, the rest scaled) gives the same CDF
    without that.
    """
    if inner.max(initial=0.0) <= MAX_BUCKET:
        return inner
    order = np.argsort(-inner)
    x = inner[order]
    rest = np.cumsum(x[::-1])[::-1]  # rest[k] = sum of x[k:]
    for k in range(len(x)):
        scale = (total - k * MAX_BUCKET) / rest[k]
        if scale * x[k] <= MAX_BUCKET:
            out = np.empty_like(inner)
            out[order] = np.concatenate((np.full(k, MAX_BUCKET), scale * x[k:]))
            return out
    raise InvalidInput("the range is too narrow for its grid")  # unreachable: 200 * 0.2 > 1


def to_pmf(cdf: np.ndarray) -> np.ndarray:
    """Metaculus's get_pmf: [F0, F1 - F0, ..., 1 - F_last] (GRID_POINTS + 1 buckets)."""
    cdf = np.asarray(cdf, dtype=np.float64)
    return np.concatenate(([cdf[0]], np.diff(cdf), [1.0 - cdf[-1]]))


def validate(cdf: np.ndarray, rng: ContinuousRange) -> None:
    """The checks Metaculus's API makes of a submitted CDF (questions/serializers/common.py)."""
    cdf = np.round(np.asarray(cdf, dtype=np.float64), 10)
    if cdf.shape != (GRID_POINTS,):
        raise InvalidInput(f"a CDF has {GRID_POINTS} values, not {cdf.size}")
    steps = np.round(np.diff(cdf), 9)
    if np.any(steps < round(0.01 / INBOUND_BUCKETS, 9)):
        raise InvalidInput(f"a CDF must rise by at least {0.01 / INBOUND_BUCKETS:g} at every step")
    if np.any(steps > MAX_BUCKET):
        raise InvalidInput(f"a CDF must rise by at most {MAX_BUCKET:g} at every step")
    if rng.open_lower and not cdf[0] >= 0.001:
        raise InvalidInput("with an open lower bound, at least 0.1 % must be below the range")
    if not rng.open_lower and cdf[0] != 0.0:
        raise InvalidInput("with a closed lower bound, nothing may be below the range")
    if rng.open_upper and not cdf[-1] <= 0.999:
        raise InvalidInput("with an open upper bound, at least 0.1 % must be above the range")
    if not rng.open_upper and cdf[-1] != 1.0:
        raise InvalidInput("with a closed upper bound, nothing may be above the range")


def quantile(cdf: np.ndarray, rng: ContinuousRange, p: float) -> float:
    """The value below which the forecast puts probability p (for fan charts and `q show`)."""
    cdf = np.asarray(cdf, dtype=np.float64)
    if p <= cdf[0]:
        return rng.low
    if p >= cdf[-1]:
        return rng.high
    return rng.scaled(float(np.interp(p, cdf, GRID_U)))


def cdf_at(cdf: np.ndarray, rng: ContinuousRange, x: float) -> float:
    """P(outcome <= x) under the forecast (linear between grid points)."""
    u = rng.unscaled(x)
    if u < 0:
        return float(cdf[0]) if u > -math.inf else 0.0
    if u > 1:
        return 1.0
    return float(np.interp(u, GRID_U, cdf))


__all__ = ["GRID_U", "cdf_at", "from_distribution", "from_quantiles", "quantile", "standardize", "to_pmf", "validate"]
