"""What people type as a forecast on a choice, numeric or date question.

    kim=50% moon=30% other=20%            a probability per option (choice)
    p10=12 p50=30 p90=75                  quantiles (numeric; for a date question the values are dates)
    normal(30, 10)                        a named distribution (lognormal, logistic too)

Probabilities use the same strict parser as binary forecasts (core/probability.py). A choice forecast
must give every option, at least 0.1 % each, summing to 1 within 0.5 %; within that it is normalised
exactly (the caller says so when `normalised` is true).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from forecast.core import distribution
from forecast.core.errors import InvalidInput
from forecast.core.kinds import Choices, ContinuousRange
from forecast.core.probability import parse_decimal, parse_probability

SUM_TOLERANCE = 0.005
MIN_OPTION = 0.001

_PAIR = re.compile(r"^([^\s=]+)=(\S+)$")
_QUANTILE_KEY = re.compile(r"^[pq](\d{1,2}(?:\.\d+)?)$", re.I)
_NAMED = re.compile(r"^\s*([A-Za-z]+)\s*\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*\)\s*$")


@dataclass(frozen=True, slots=True)
class ChoiceForecast:
    probabilities: tuple[float, ...]  # in the question's option order; sums to 1
    normalised: bool  # the typed values were rescaled to sum to exactly 1


@dataclass(frozen=True, slots=True)
class ContinuousForecast:
    cdf: np.ndarray  # GRID_POINTS values, standardized
    typed: str  # what the user typed, kept with the forecast


def _pairs(text: str, what: str) -> list[tuple[str, str]]:
    words = text.replace(",", " ").split()
    if not words:
        raise InvalidInput(f"give {what}")
    out = []
    for word in words:
        m = _PAIR.match(word)
        if m is None:
            raise InvalidInput(f"{word!r} is not KEY=VALUE (give {what})")
        out.append((m.group(1), m.group(2)))
    return out


def parse_choice(text: str, choices: Choices) -> ChoiceForecast:
    given: dict[str, float] = {}
    for key, value in _pairs(text, "a probability per option, e.g. " + " ".join(f"{k}=…" for k in choices.keys)):
        index = choices.index(key)
        if key in given:
            raise InvalidInput(f"option {key!r} is given twice")
        given[choices.keys[index]] = parse_probability(value)
    missing = [k for k in choices.keys if k not in given]
    if missing:
        raise InvalidInput(f"give a probability for every option; missing: {', '.join(missing)}")
    values = np.array([given[k] for k in choices.keys], dtype=np.float64)
    low = [k for k, v in zip(choices.keys, values, strict=True) if v < MIN_OPTION]
    if low:
        raise InvalidInput(f"every option needs at least 0.1 %; {', '.join(low)} has less")
    total = math.fsum(values)  # correctly rounded: 0.7 + 0.2 + 0.1 is 1.0, needing no normalising
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise InvalidInput(f"the probabilities sum to {total * 100:.4g} %, not 100 % (within 0.5 %)")
    normalised = total != 1.0
    return ChoiceForecast(normalise(values), normalised)


def normalise(values: np.ndarray) -> tuple[float, ...]:
    """values / sum, the float residue put on the largest so that the (correctly rounded) sum is 1.0."""
    scaled = np.asarray(values, dtype=np.float64) / math.fsum(values)
    biggest = int(np.argmax(scaled))
    rest = math.fsum(np.delete(scaled, biggest))
    scaled[biggest] = 1.0 - rest
    for _ in range(4):  # 1.0 - rest is rounded once: step the largest by an ulp until the exact sum rounds to 1
        total = math.fsum(scaled)
        if total == 1.0:
            break
        scaled[biggest] = np.nextafter(scaled[biggest], 2.0 if total < 1.0 else 0.0)
    return tuple(float(v) for v in scaled)


def parse_continuous(text: str, rng: ContinuousRange, value: Callable[[str], float] | None = None,
                     spread: Callable[[str], float] | None = None) -> ContinuousForecast:  # fmt: skip
    """Quantiles or a named distribution; `value` reads one value (a number, or a date for date questions) and
    `spread` a distribution's second parameter (in days for a date question)."""
    read = value or parse_decimal
    named = _NAMED.match(text)
    if named is not None:
        name, a, b = named.groups()
        width = (spread or parse_spread)(b)
        return ContinuousForecast(distribution.from_distribution(name, (read(a), width), rng), text.strip())
    quantiles: dict[float, float] = {}
    for key, raw in _pairs(text, "quantiles, e.g. p10=12 p50=30 p90=75, or normal(MEAN, SD)"):
        m = _QUANTILE_KEY.match(key)
        if m is None:
            raise InvalidInput(f"{key!r} is not a quantile (write p10, p50, p90 …)")
        q = float(m.group(1)) / 100.0
        if q in quantiles:
            raise InvalidInput(f"{key} is given twice")
        quantiles[q] = read(raw)
    return ContinuousForecast(distribution.from_quantiles(quantiles, rng), text.strip())


def parse_spread(text: str) -> float:
    return parse_decimal(text)


__all__ = ["ChoiceForecast", "ContinuousForecast", "normalise", "parse_choice", "parse_continuous"]
