"""Relative Brier: own Brier minus the crowd's median Brier, averaged over time. Negative is better.

At each moment of a forecaster's covered span, the crowd is every forecaster with a standing forecast
then (own included; alone, the difference is 0). The median of the Brier scores is taken from the two
middle forecasts, since (p - o)^2 is monotone in p for a fixed outcome. Undefined (None) on a question
with fewer than two forecasters.
"""

from __future__ import annotations

import numpy as np


def median_brier(ev_lo: np.ndarray, ev_hi: np.ndarray, ev_o: np.ndarray) -> np.ndarray:
    return 0.5 * ((ev_lo - ev_o) ** 2 + (ev_hi - ev_o) ** 2)


def relative_excess(b: np.ndarray, u: np.ndarray, median_sum: np.ndarray) -> np.ndarray:
    """Per forecast: integral of (own Brier - median Brier) over its standing span, in window units.

    Summed over a pair and divided by the pair's coverage, this is the pair's relative Brier.
    """
    return b * u - median_sum
