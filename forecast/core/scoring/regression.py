"""Weighted logistic regressions, many groups at once: the calibration regression and extremizing.

This is the binomial GLM with logit link that statsmodels fits (`sm.GLM(y, X, family=Binomial(),
freq_weights=w)`): the same maximum-likelihood estimate by Newton/IRLS and the same Wald intervals
(params +- z_0.975 * sqrt(diag(inv(X'WX)))). It runs for all forecasters in one pass of vectorised
Newton steps, because one statsmodels fit per forecaster costs milliseconds each; tests check that the
two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.core.scoring.brier import expit

Z_975 = 1.959963984540054  # scipy.stats.norm.ppf(0.975), as statsmodels uses for 95% intervals
_MAX_ITER = 100
_TOL = 1e-9
_MAX_ABS = 1e4  # beyond this a coefficient signals (quasi-)separation, not an estimate


@dataclass(eq=False)
class GroupFit:
    params: np.ndarray  # (G, k): [intercept, slope] or [slope]
    bse: np.ndarray  # (G, k) standard errors
    ok: np.ndarray  # (G,) estimable and converged
    n: np.ndarray  # (G,) rows with positive weight

    def ci(self) -> tuple[np.ndarray, np.ndarray]:
        return self.params - Z_975 * self.bse, self.params + Z_975 * self.bse


def fit_logistic(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, g: np.ndarray, n_groups: int, *, intercept: bool = True
) -> GroupFit:
    """Maximise sum w * [y * eta - log(1 + e^eta)] per group, eta = a + b x (or b x without intercept).

    Newton steps (IRLS, as statsmodels does, without a line search) from a = 0, b = 1, the perfectly
    calibrated forecaster; groups without a finite maximum (one outcome only, no spread in x,
    separation) or that do not converge are reported as not estimable.
    """
    k = 2 if intercept else 1
    keep = w > 0
    if not keep.all():
        x, y, w, g = x[keep], y[keep], w[keep], g[keep]

    def count(v):
        if n_groups == 1:
            return np.array([v.sum()])
        return np.bincount(g, weights=v, minlength=n_groups)

    n = np.bincount(g, minlength=n_groups)
    w_yes, w_all = count(w * y), count(w)
    mean_x = count(w * x) / np.where(w_all > 0, w_all, 1)
    spread = count(w * (x - mean_x[g]) ** 2) > 1e-12 * np.maximum(w_all, 1)
    ok = (w_yes > 0) & (w_yes < w_all * (1 - 1e-12)) & spread if intercept else (w_all > 0) & (count(w * x * x) > 0)
    ok &= ~_separated(x, y, g, n_groups, intercept)

    beta = np.zeros((n_groups, k))
    beta[:, -1] = 1.0
    beta[~ok] = 0.0

    def info(b):
        eta = b[g, 0] + b[g, 1] * x if intercept else b[g, 0] * x
        mu = expit(eta)
        v = w * mu * (1.0 - mu)
        r = w * (y - mu)
        vx = v * x
        if intercept:
            return [count(r), count(r * x)], [[count(v), count(vx)], [None, count(vx * x)]]
        return [count(r * x)], [[count(vx * x)]]

    active = ok.copy()
    converged = np.zeros(n_groups, dtype=bool)
    for _ in range(_MAX_ITER):
        grad, hess = info(beta)
        step = _solve(grad, hess, intercept)
        step[~active] = 0.0
        beta = beta + step
        size = np.abs(step).max(axis=1)
        done = active & (size <= _TOL * (1.0 + np.abs(beta).max(axis=1)))
        converged |= done
        active &= ~done & np.all(np.isfinite(beta), axis=1) & (np.abs(beta).max(axis=1) < _MAX_ABS)
        if not active.any():
            break
    ok &= converged
    _, hess = info(np.where(ok[:, None], beta, 0.0))
    bse = _inverse_diag_sqrt(hess, intercept)
    ok &= np.all(np.isfinite(bse), axis=1)
    beta[~ok] = np.nan
    bse[~ok] = np.nan
    return GroupFit(beta, bse, ok, n)


def _separated(x: np.ndarray, y: np.ndarray, g: np.ndarray, n_groups: int, intercept: bool) -> np.ndarray:
    """Groups whose outcomes a threshold on x splits (completely or quasi-completely): no finite MLE.

    With an intercept the threshold is anywhere; without one, it is 0.
    """
    yes = y == 1

    def extreme(ufunc, mask, fill):
        out = np.full(n_groups, fill)
        ufunc.at(out, g[mask], x[mask])
        return out

    yes_lo, yes_hi = extreme(np.minimum, yes, np.inf), extreme(np.maximum, yes, -np.inf)
    no_lo, no_hi = extreme(np.minimum, ~yes, np.inf), extreme(np.maximum, ~yes, -np.inf)
    if intercept:
        return (no_hi <= yes_lo) | (yes_hi <= no_lo)
    return ((yes_lo >= 0) & (no_hi <= 0)) | ((yes_hi <= 0) & (no_lo >= 0))


def _solve(grad, hess, intercept: bool) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if not intercept:
            return (grad[0] / hess[0][0])[:, None]
        h00, h01, h11 = hess[0][0], hess[0][1], hess[1][1]
        det = h00 * h11 - h01 * h01
        s0 = (h11 * grad[0] - h01 * grad[1]) / det
        s1 = (h00 * grad[1] - h01 * grad[0]) / det
    step = np.stack([s0, s1], axis=1)
    step[~np.isfinite(step)] = 0.0
    return step


def _inverse_diag_sqrt(hess, intercept: bool) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if not intercept:
            return np.sqrt(1.0 / hess[0][0])[:, None]
        h00, h01, h11 = hess[0][0], hess[0][1], hess[1][1]
        det = h00 * h11 - h01 * h01
        return np.sqrt(np.stack([h11 / det, h00 / det], axis=1))


def verdict(slope: float, lo: float, hi: float) -> str:
    """The calibration slope in words; hedged when the 95% interval includes 1."""
    if slope < 1:
        words = "your forecasts are too extreme"
    elif slope > 1:
        words = "your forecasts are too timid"
    else:
        return "your forecasts are neither too extreme nor too timid"
    if lo <= 1 <= hi:
        words += " (not significant: the 95% interval of the slope includes 1)"
    return words
