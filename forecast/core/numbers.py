"""Numbers as people read them: one rule for every front end (CLI tables, TUI cells, reports).

- `fixed` never prints a negative zero: a peer score of -0.04 shown to one decimal is "0.0", not "-0.0"
  (a sign the figure does not have at the precision shown).
- `percent` never prints an exponent: a probability of 1e-7 is "0.00001%", not "1e-05%".
- `count` agrees the noun with the number: "1 question", "2 questions".
"""

from __future__ import annotations

import math


def fixed(value: float | None, digits: int = 3, *, sign: bool = False, blank: str = "") -> str:
    """`value` to `digits` decimals; `sign` puts + on positive figures. None / NaN give `blank`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return blank
    text = f"{value:{'+' if sign else ''}.{digits}f}"
    body = text.lstrip("+-")
    return body if body.strip("0.") == "" else text  # a figure that rounds to zero carries no sign


def percent(p: float | None, *, decimals: int = 6, blank: str = "") -> str:
    """A probability in percent to at most `decimals` places, trailing zeros dropped, never an exponent:
    0.35 -> "35%", 0.355 -> "35.5%", 1e-7 -> "0.00001%", 0.9999999 -> "99.99999%"."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return blank
    text = f"{p * 100:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text}%"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun in agreement, with thousands separators: count(1, "question") -> "1 question"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """The noun alone, agreeing with `n` (for sentences that put words between the number and the noun)."""
    return singular if n == 1 else plural or singular + "s"
