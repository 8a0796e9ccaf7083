"""Parse probabilities as people type them: 0.35, .35, 35%, 35 %."""

from __future__ import annotations

import math
import re

from forecast.core.echo import shown
from forecast.core.errors import InvalidInput

# ASCII decimal notation only: Python's float() also reads '٣٥', '３５' and '3_5', which nobody means to type
# as a probability and which would come back from an export as something else.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_decimal(text: str) -> float:
    """A plain decimal number (`0.35`, `.35`, `1e-3`); InvalidInput for anything else, or for a nonzero
    literal so small that it reads as 0 (`1e-400`)."""
    if not _DECIMAL.fullmatch(text):
        raise InvalidInput(f"{shown(text)} is not a number")
    value = float(text)
    if value == 0.0 and _nonzero(text):
        raise InvalidInput(f"{shown(text)} is too small to represent (it would be stored as 0)")
    return value + 0.0  # -0.0 -> 0.0


def _nonzero(literal: str) -> bool:
    mantissa = literal.split("e")[0].split("E")[0]
    return any(ch in "123456789" for ch in mantissa)


def parse_probability(text: str | float) -> float:
    """Return a probability in [0, 1] or raise InvalidInput with a one-line reason."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        raw = shown(text)
        try:
            value = float(text)
        except OverflowError:  # an int beyond float range
            raise InvalidInput(f"probability {raw} is outside [0, 1]") from None
    else:
        raw = str(text).strip()
        percent = raw.endswith("%")
        body = raw[:-1].strip() if percent else raw
        if body.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise InvalidInput(f"probability {shown(raw)} is not a finite number")
        if not _DECIMAL.fullmatch(body):
            raise InvalidInput(f"probability {shown(raw)} is not a number (use 0.35 or 35%)")
        try:
            value = parse_decimal(body)
        except InvalidInput:
            raise InvalidInput(f"probability {shown(raw)} is too small to represent (it would be stored as 0)") from None
        if percent:
            value /= 100.0
            if value == 0.0 and _nonzero(body):
                raise InvalidInput(f"probability {shown(raw)} is too small to represent (it would be stored as 0)")
        raw = shown(raw)
    if not math.isfinite(value):
        raise InvalidInput(f"probability {raw} is not a finite number")
    if not 0.0 <= value <= 1.0:
        raise InvalidInput(f"probability {raw} is outside [0, 1]" + _percent_hint(text, value))
    return value + 0.0


def _percent_hint(text: str | float, value: float) -> str:
    """`35` was almost certainly meant as 35%: say so (but never guess it silently)."""
    if isinstance(text, str) and not text.strip().endswith("%") and 1.0 < value <= 100.0:
        return f" (did you mean {value:g}%?)"
    return ""
