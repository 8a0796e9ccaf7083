"""Calibration: weighted bins with Wilson intervals, the Murphy decomposition, and a smoothed curve.

Everything is computed for many groups (forecasters) at once from weighted rows (p, o, w, group).
Bins are [0, h), [h, 2h), ..., [1 - h, 1] for a width h that divides 1; 1.0 falls in the last bin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.core.bins import n_bins_for
from forecast.core.scoring.segments import distinct, unique_inverse

__all__ = ["Bins", "WeightedRows", "bin_index", "lowess_curve", "n_bins_for", "wilson_interval"]


def bin_index(p: np.ndarray, n_bins: int) -> np.ndarray:
    """floor(p * n_bins + 1e-9): the tolerance puts decimal edges such as 0.3 (0.3 * 10 = 2.9999999999999996)
    in the bin they start, [0.3, 0.4)."""
    return np.minimum(np.floor(p * n_bins + 1e-9), n_bins - 1).astype(np.int64)


@dataclass(eq=False)
class WeightedRows:
    """Weighted forecasts with equal (group, p, outcome) merged: all that bins and regressions need."""

    g: np.ndarray
    p: np.ndarray
    o: np.ndarray
    w: np.ndarray  # sum of weights
    w2: np.ndarray  # sum of squared weights (for the Kish effective sample size)
    count: np.ndarray  # rows merged

    @classmethod
    def of(cls, g: np.ndarray, p: np.ndarray, o: np.ndarray, w: np.ndarray) -> WeightedRows:
        keep = w > 0
        if not keep.all():
            g, p, o, w = g[keep], p[keep], o[keep], w[keep]
        if len(p) == 0:
            return cls(g, p, o, w, w * w, np.zeros(0, np.int64))
        if len(p) > 40_000 and not np.any(g != g[0]):
            sample = p[:: len(p) // 20_000]
            if len(distinct(sample)) > len(sample) // 2:  # mostly distinct: merging would not pay
                return cls(g, p, o, w, w * w, np.ones(len(p), dtype=np.int64))
        values, p_code = _codes(p)
        g0 = int(g.min())
        n_codes = 2 * len(values)
        key = (g - g0) * n_codes + p_code * 2 + (o == 1)
        space = (int(g.max()) - g0 + 1) * n_codes
        if space <= 4 * len(key) + 4096:
            count = np.bincount(key, minlength=space)
            used = np.flatnonzero(count)
            inv, count = key, count[used]
        else:
            used, inv = unique_inverse(key)
            count = np.bincount(inv)
            space = len(used)

        def total(v):
            t = np.bincount(inv, weights=v, minlength=space)
            return t[used] if len(t) != len(used) else t

        return cls(
            g=used // n_codes + g0,
            p=values[(used % n_codes) // 2],
            o=(used % 2).astype(np.float64),
            w=total(w),
            w2=total(w * w),
            count=count,
        )

    @classmethod
    def concat(cls, parts: list[WeightedRows]) -> WeightedRows:
        return cls(*(np.concatenate([getattr(r, k) for r in parts]) for k in ("g", "p", "o", "w", "w2", "count")))

    def select(self, mask: np.ndarray) -> WeightedRows:
        return WeightedRows(self.g[mask], self.p[mask], self.o[mask], self.w[mask], self.w2[mask], self.count[mask])


def _codes(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and each element's code; percentages (the usual case) without sorting."""
    for steps in (100, 200):
        code = np.rint(p * steps)
        values = np.arange(steps + 1) / steps
        code_i = code.astype(np.int64)
        if np.array_equal(values[code_i], p):
            return values, code_i
    return unique_inverse(p)


@dataclass(eq=False)
class Bins:
    """Weighted sums per (group, bin); arrays of shape (G, B)."""

    n_bins: int
    weight: np.ndarray
    count: np.ndarray
    sum_p: np.ndarray
    sum_o: np.ndarray
    sum_w2: np.ndarray
    sum_pp: np.ndarray
    sum_po: np.ndarray
    sum_brier: np.ndarray

    @classmethod
    def of(cls, rows: WeightedRows, n_groups: int, n_bins: int) -> Bins:
        """`rows.g` must lie in [0, n_groups)."""
        p, o, w = rows.p, rows.o, rows.w
        cell = rows.g * n_bins + bin_index(p, n_bins)
        size = n_groups * n_bins

        def total(v):
            return np.bincount(cell, weights=v, minlength=size).reshape(n_groups, n_bins)

        wp = w * p
        return cls(
            n_bins=n_bins,
            weight=total(w),
            count=total(rows.count.astype(np.float64)).astype(np.int64),
            sum_p=total(wp),
            sum_o=total(w * o),
            sum_w2=total(rows.w2),
            sum_pp=total(wp * p),
            sum_po=total(wp * o),
            sum_brier=total(w * (p - o) ** 2),
        )

    _SUMS = ("weight", "count", "sum_p", "sum_o", "sum_w2", "sum_pp", "sum_po", "sum_brier")

    @classmethod
    def empty(cls, n_groups: int, n_bins: int) -> Bins:
        zeros = {k: np.zeros((n_groups, n_bins), dtype=np.int64 if k == "count" else np.float64) for k in cls._SUMS}
        return cls(n_bins=n_bins, **zeros)

    def put(self, groups: np.ndarray, other: Bins) -> None:
        """Set these groups' sums to another Bins' (one row each, in order)."""
        for k in self._SUMS:
            getattr(self, k)[groups] = getattr(other, k)

    def take(self, groups: np.ndarray, pooled: np.ndarray | None = None) -> Bins:
        """These groups, plus (with `pooled`) one more that adds up the groups marked in it: sums add."""
        out = {}
        for k in self._SUMS:
            a = getattr(self, k)[groups]
            out[k] = a if pooled is None else np.vstack([a, a[pooled].sum(axis=0, keepdims=True)])
        return Bins(n_bins=self.n_bins, **out)

    def _safe(self, num: np.ndarray, den: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)

    def mean_forecast(self) -> np.ndarray:
        return self._safe(self.sum_p, self.weight)

    def observed(self) -> np.ndarray:
        return self._safe(self.sum_o, self.weight)

    def n_eff(self) -> np.ndarray:
        """Kish effective sample size (sum w)^2 / sum w^2."""
        return self._safe(self.weight**2, self.sum_w2)

    def wilson(self) -> tuple[np.ndarray, np.ndarray]:
        """95% Wilson interval of the observed frequency, on the Kish effective sample size."""
        return wilson_interval(self.observed(), self.n_eff())

    def decomposition(self) -> dict[str, np.ndarray]:
        """Murphy's decomposition per group: brier = reliability - resolution + uncertainty + within.

        `within` = (1/W) sum w [(p - pbar_k)^2 - 2 (p - pbar_k)(o - obar_k)] over the rows of each bin k:
        the within-bin variance of the forecasts minus twice their within-bin covariance with the outcome
        (Stephenson et al. 2008), which makes the identity exact for binned forecasts.
        """
        w_k = self.weight
        w = w_k.sum(axis=1)
        obar_k = self.observed()
        pbar_k = self.mean_forecast()
        filled = w_k > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            obar = self.sum_o.sum(axis=1) / w
            rel = np.where(filled, w_k * (pbar_k - obar_k) ** 2, 0.0).sum(axis=1) / w
            res = np.where(filled, w_k * (obar_k - obar[:, None]) ** 2, 0.0).sum(axis=1) / w
            var_k = np.where(filled, self.sum_pp - self.sum_p * pbar_k, 0.0)
            cov_k = np.where(filled, self.sum_po - self.sum_p * obar_k, 0.0)
            within_var = var_k.sum(axis=1) / w
            within_cov = cov_k.sum(axis=1) / w
            brier = self.sum_brier.sum(axis=1) / w
        return {
            "brier": brier,
            "reliability": rel,
            "resolution": res,
            "uncertainty": obar * (1.0 - obar),
            "within": within_var - 2.0 * within_cov,
            "within_variance": within_var,
            "within_covariance": within_cov,
        }


Z_975 = 1.959963984540054  # scipy.stats.norm.isf(0.025)


def wilson_interval(freq: np.ndarray, nobs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval, as statsmodels' proportion_confint(freq * nobs, nobs, 0.05, "wilson").

    Written out (the same formula, tested against statsmodels) because importing statsmodels costs a
    second, more than scoring a million forecasts. NaN where nobs is not positive.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where(nobs > 0, nobs, np.nan)
        crit2 = Z_975**2
        denom = 1 + crit2 / n
        center = (freq + crit2 / (2 * n)) / denom
        dist = Z_975 * np.sqrt(freq * (1.0 - freq) / n + crit2 / (4.0 * n**2)) / denom
    return np.clip(center - dist, 0.0, 1.0), np.clip(center + dist, 0.0, 1.0)


def lowess_curve(p: np.ndarray, o: np.ndarray, frac: float = 2 / 3, points: int = 101) -> tuple[np.ndarray, np.ndarray]:
    """A smoothed calibration curve for plots: statsmodels lowess of the outcome on p.

    Evaluated on `points` evenly spaced forecasts over the observed range; empty arrays with fewer than
    three forecasts. Unweighted: each forecast is one point.
    """
    from statsmodels.nonparametric.smoothers_lowess import lowess  # slow import, only when used

    if len(p) < 3 or np.ptp(p) == 0:
        return np.zeros(0), np.zeros(0)
    grid = np.linspace(p.min(), p.max(), points)
    # it=0: outcomes are 0/1, so robustness reweighting would only discard the surprises
    y = lowess(o, p, frac=frac, it=0, xvals=grid)
    return grid, np.clip(y, 0.0, 1.0)
