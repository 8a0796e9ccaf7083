"""Question kinds beyond binary: what a choice and a continuous (numeric or date) question are.

A continuous question's range follows Metaculus's scaling (utils/the_math/formulas.py in the
Metaculus repository): an outcome x maps to an "unscaled" location u in [0, 1] (below 0: under the
lower bound, above 1: over the upper), linearly, or geometrically for a log scale (Metaculus's
`zero_point`; a plain log scale is zero_point = 0). A forecast is a CDF on GRID_POINTS evenly spaced
u's; its PMF has one bucket below the range, GRID_POINTS - 1 inbound buckets and one above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from forecast.core.errors import InvalidInput
from forecast.core.model import Kind

GRID_POINTS = 201  # Metaculus's default: inbound_outcome_count 200, a CDF of 201 values
INBOUND_BUCKETS = GRID_POINTS - 1
MAX_OPTIONS = 50
BELOW, ABOVE = "below", "above"  # resolutions of an open-bounded question outside its range


@dataclass(frozen=True, slots=True)
class ChoiceOption:
    key: str  # stable: forecasts and the resolution name it
    label: str


@dataclass(frozen=True, slots=True)
class Choices:
    options: tuple[ChoiceOption, ...]

    def __post_init__(self) -> None:
        keys = [o.key for o in self.options]
        if not 2 <= len(keys) <= MAX_OPTIONS:
            raise InvalidInput(f"a choice question has 2 to {MAX_OPTIONS} options, not {len(keys)}")
        if len(set(keys)) != len(keys):
            dup = next(k for k in keys if keys.count(k) > 1)
            raise InvalidInput(f"option key {dup!r} is given twice")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    def index(self, key: str) -> int:
        try:
            return self.keys.index(key)
        except ValueError:
            raise InvalidInput(f"{key!r} is not an option (options: {', '.join(self.keys)})") from None


@dataclass(frozen=True, slots=True)
class ContinuousRange:
    """The range of a numeric question (in its unit) or a date question (POSIX seconds, UTC)."""

    low: float
    high: float
    open_lower: bool = False
    open_upper: bool = False
    zero_point: float | None = None  # None: linear scale; 0.0 with low > 0: a plain log scale

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or not self.low < self.high:
            raise InvalidInput("a range needs LOW < HIGH, both finite")
        if self.zero_point is not None and self.low <= self.zero_point <= self.high:
            raise InvalidInput("a log scale needs its zero point outside the range (LOW > 0 for --log)")

    @property
    def open_bounds(self) -> int:
        return int(self.open_lower) + int(self.open_upper)

    def unscaled(self, x: float) -> float:
        """x (nominal) -> u: 0 at the lower bound, 1 at the upper."""
        lo, hi, z = self.low, self.high, self.zero_point
        if z is None:
            return (x - lo) / (hi - lo)
        ratio = (hi - z) / (lo - z)
        inner = (x - lo) * (ratio - 1) + (hi - lo)
        if inner <= 0:  # far below a log range: as far below as the scale reaches
            return -math.inf
        return (math.log(inner) - math.log(hi - lo)) / math.log(ratio)

    def scaled(self, u: float) -> float:
        """u -> x, the inverse of `unscaled`."""
        lo, hi, z = self.low, self.high, self.zero_point
        if z is None:
            return lo + (hi - lo) * u
        ratio = (hi - z) / (lo - z)
        return lo + (hi - lo) * (ratio**u - 1) / (ratio - 1)

    def bucket(self, outcome: float | str) -> int:
        """The PMF bucket of a resolution: 0 below the range, 1..INBOUND_BUCKETS in it, then above.

        As Metaculus's `unscaled_location_to_bucket_index`: the lower bound itself is in bucket 1, the
        upper bound in the last inbound bucket.
        """
        if outcome == BELOW:
            if not self.open_lower:
                raise InvalidInput("the lower bound is closed: the outcome cannot be below the range")
            return 0
        if outcome == ABOVE:
            if not self.open_upper:
                raise InvalidInput("the upper bound is closed: the outcome cannot be above the range")
            return INBOUND_BUCKETS + 1
        if isinstance(outcome, str):
            raise InvalidInput(f"an outcome is a value, {BELOW!r} or {ABOVE!r}, not {outcome!r}")
        u = self.unscaled(float(outcome))
        if u < 0:
            return self.bucket(BELOW)
        if u > 1:
            return self.bucket(ABOVE)
        if u == 1:
            return INBOUND_BUCKETS
        return max(int(u * INBOUND_BUCKETS + 1 - 1e-10), 1)


__all__ = [
    "ABOVE",
    "BELOW",
    "GRID_POINTS",
    "INBOUND_BUCKETS",
    "MAX_OPTIONS",
    "ChoiceOption",
    "Choices",
    "ContinuousRange",
    "Kind",
]
