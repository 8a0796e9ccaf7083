"""The calibration bin width rule, apart from the scoring engine so that a command can check it before numpy
is imported (core/scoring/calibration.py uses it)."""

from __future__ import annotations

from forecast.core.errors import InvalidInput


def n_bins_for(width: float) -> int:
    n = round(1.0 / width) if width > 0 else 0
    if n < 1 or abs(n * width - 1.0) > 1e-9:
        raise InvalidInput(f"bin width {width} does not divide 1 into whole bins")
    return n
