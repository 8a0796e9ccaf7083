"""Parse probabilities as people type them: 0.35, .35, 35%, 35 %."""

from __future__ import annotations

import math

from forecast.core.errors import InvalidInput


def parse_probability(text: str | float) -> float:
    """Return a probability in [0, 1] or raise InvalidInput with a one-line reason."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
        raw = repr(text)
    else:
        raw = str(text).strip()
        percent = raw.endswith("%")
        body = raw[:-1].strip() if percent else raw
        try:
            value = float(body)
        except ValueError:
            raise InvalidInput(f"probability {raw!r} is not a number (use 0.35 or 35%)") from None
        if percent:
            value /= 100.0
    if not math.isfinite(value):
        raise InvalidInput(f"probability {raw!r} is not a finite number")
    if not 0.0 <= value <= 1.0:
        raise InvalidInput(f"probability {raw!r} is outside [0, 1]")
    return value
