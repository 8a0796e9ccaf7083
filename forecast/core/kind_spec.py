"""A question's kind with what defines it, as stored and as every entry point reads and writes it.

One place turns a question's kind into what its forecasts and its resolution may be:

- the spec is stored as JSON in `question.kind_spec` (migration 0009): for a choice question its options
  (`{"options": [[key, label], ...]}`), for a numeric or date question its range (`low`, `high`,
  `open_lower`, `open_upper`, `zero_point`, and a `unit`; a date range's bounds are POSIX seconds, UTC);
- a non-binary forecast is stored as its probability vector (`forecast.vector`: per option for choice, the
  GRID_POINTS-value CDF for numeric and date) with what the user typed (`forecast.entered`), and a display
  summary in `forecast.probability` (the leading option's probability, or the CDF's median location in
  [0, 1]), which no score ever reads;
- a non-binary resolution is `resolution = 'outcome'` with `question.outcome` holding the canonical outcome:
  an option key, a number as `repr(float)`, `below` / `above` for an open bound, or a date as ISO 8601 UTC.

The vector is stored as base64 of little-endian float64, so it survives every text path (the trash's JSON,
the interchange file's strings, PostgreSQL TEXT) bit for bit.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from typing import TYPE_CHECKING

from forecast.core.errors import InvalidInput, UnreadableValue
from forecast.core.kinds import ABOVE, BELOW, GRID_POINTS, ChoiceOption, Choices, ContinuousRange
from forecast.core.model import Kind

if TYPE_CHECKING:  # numpy loads only when a non-binary value is read: binary commands start without it
    import numpy as np

OUTCOME = "outcome"  # question.resolution of a resolved non-binary question; the value is in question.outcome
BEFORE, AFTER = "before", "after"  # how a date question's open bounds are named when resolving
OTHER_KEY = "other"
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_RANGE = re.compile(r"^\s*(.+?)\s*\.\.\s*(.+?)\s*$")


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: Kind
    choices: Choices | None = None
    range: ContinuousRange | None = None
    unit: str = ""

    # ---- what defines it --------------------------------------------------------------------------

    def __post_init__(self) -> None:
        if self.kind is Kind.CHOICE and self.choices is None:
            raise InvalidInput("a choice question needs its options (--option KEY=LABEL, at least two)")
        if self.kind.continuous and self.range is None:
            raise InvalidInput(f"a {self.kind} question needs its range (--range LOW..HIGH)")

    @property
    def binary(self) -> bool:
        return self.kind is Kind.BINARY

    def to_dict(self) -> dict | None:
        """The public form (stored, printed by --json, written to interchange and question files); None: binary.

        Choice: {"options": [{"key", "label"}, ...]}. Numeric and date: {"low", "high", "open_lower",
        "open_upper", "zero_point", "unit"}, a date range's bounds as ISO 8601 UTC.
        """
        if self.kind is Kind.BINARY:
            return None
        if self.choices is not None:
            return {"options": [{"key": o.key, "label": o.label} for o in self.choices.options]}
        r = self.range
        assert r is not None
        bound = iso_date if self.kind is Kind.DATE else float
        return {"low": bound(r.low), "high": bound(r.high), "open_lower": r.open_lower, "open_upper": r.open_upper,
                "zero_point": r.zero_point, "unit": self.unit}  # fmt: skip

    def to_json(self) -> str:
        """The stored form (question.kind_spec); '' for a binary question."""
        d = self.to_dict()
        return "" if d is None else json.dumps(d, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, kind: str, data: dict | None) -> KindSpec:
        """`to_dict`'s form back (also from a file: every field is checked)."""
        try:
            k = Kind(kind)
        except ValueError:
            raise InvalidInput(f"kind {kind!r} must be one of {', '.join(k.value for k in Kind)}") from None
        if k is Kind.BINARY:
            return BINARY
        if not isinstance(data, dict):
            raise InvalidInput(f"a {k} question needs its {'options' if k is Kind.CHOICE else 'range'}")
        try:
            if k is Kind.CHOICE:
                opts = data["options"]
                if not isinstance(opts, list):
                    raise InvalidInput("options must be a list")
                return cls(k, choices=Choices(tuple(
                    _option(o["key"], o.get("label", o["key"])) if isinstance(o, dict) else _option(*o) for o in opts
                )))  # fmt: skip
            read = _date if k is Kind.DATE else _number
            zp = data.get("zero_point")
            rng = ContinuousRange(
                read(data["low"]), read(data["high"]), _flag(data.get("open_lower", False)),
                _flag(data.get("open_upper", False)), None if zp is None else _number(zp),
            )  # fmt: skip
            unit = data.get("unit") or ""
            if not isinstance(unit, str):
                raise InvalidInput("unit must be text")
            return cls(k, range=rng, unit=_label(unit, "unit", allow_empty=True))
        except (KeyError, TypeError) as exc:
            raise InvalidInput(f"the {k} question's definition lacks {exc}") from None

    @classmethod
    def from_stored(cls, kind: str, spec: str | None) -> KindSpec:
        if kind == Kind.BINARY.value:
            return BINARY
        return cls.from_dict(kind, json.loads(spec) if spec else None)

    # ---- forecasts --------------------------------------------------------------------------------

    def parse_forecast(self, text: str) -> tuple[float, np.ndarray, str]:
        """What the user typed -> (display summary, vector, the text kept with it)."""
        try:
            return self._parse_forecast(text)
        except UnreadableValue:
            raise
        except InvalidInput as exc:
            raise UnreadableValue(str(exc)) from None

    def _parse_forecast(self, text: str) -> tuple[float, np.ndarray, str]:
        import numpy as np

        from forecast.core import kind_input

        if self.choices is not None:
            choice = kind_input.parse_choice(text, self.choices)
            vector = np.array(choice.probabilities, dtype=np.float64)
            return summary(self.kind, vector), vector, text.strip()
        assert self.range is not None
        if self.kind is Kind.DATE and text.strip().lower().startswith("lognormal"):
            raise InvalidInput("a date question takes no lognormal: give normal(DATE, DAYS), logistic(DATE, DAYS) or quantiles")
        if self.kind is Kind.DATE:  # the spread of normal(2028-06-01, 200) is in days
            cont = kind_input.parse_continuous(text, self.range, self.read_value,
                                               lambda t: kind_input.parse_spread(t) * 86_400.0)  # fmt: skip
        else:
            cont = kind_input.parse_continuous(text, self.range)
        return summary(self.kind, cont.cdf), cont.cdf, cont.typed

    def normalised(self, entered: str) -> bool:
        """Whether a choice forecast as typed had to be rescaled to sum to 1 (said when it is recorded)."""
        from forecast.core import kind_input

        if self.choices is None:
            return False
        return kind_input.parse_choice(entered, self.choices).normalised

    def check_vector(self, vector: np.ndarray) -> np.ndarray:
        """A vector from a file (import, restore): refused unless it is a forecast this question can take."""
        import numpy as np

        v = np.asarray(vector, dtype=np.float64)
        if not np.all(np.isfinite(v)):
            raise InvalidInput("a forecast's values must be finite numbers")
        if self.choices is not None:
            n = len(self.choices.options)
            if v.shape != (n,):
                raise InvalidInput(f"a forecast on this question gives {n} probabilities, not {v.size}")
            if np.any(v < 0) or np.any(v > 1) or abs(math.fsum(v) - 1.0) > 1e-6:  # (> 1 first: fsum overflows)
                raise InvalidInput("a choice forecast's probabilities must be at least 0 and sum to 1")
            return v
        assert self.range is not None
        if v.shape != (GRID_POINTS,):
            raise InvalidInput(f"a continuous forecast is a CDF of {GRID_POINTS} values, not {v.size}")
        if np.any(np.diff(v) < 0) or v[0] < 0 or v[-1] > 1:
            raise InvalidInput("a CDF must not decrease and must lie within 0 and 1")
        return v

    def pmf(self, vector: np.ndarray) -> np.ndarray:
        """The probability per bucket that scoring reads (choice: the vector; continuous: its PMF)."""
        import numpy as np

        if self.choices is not None:
            return np.asarray(vector, dtype=np.float64)
        from forecast.core.distribution import to_pmf

        return to_pmf(vector)

    # ---- values and outcomes ----------------------------------------------------------------------

    def read_value(self, text: str) -> float:
        """A value in the question's terms: a number, or for a date question a date (-> POSIX seconds)."""
        if self.kind is Kind.DATE:
            return date_seconds(text)
        from forecast.core.probability import parse_decimal

        return parse_decimal(text)

    def show_value(self, x: float) -> str:
        if self.kind is Kind.DATE:
            return shown_date(x)
        return f"{x:g}" + (f" {self.unit}" if self.unit else "")

    def parse_outcome(self, text: str) -> str:
        """What `resolve` was given -> the canonical stored outcome (see the module docstring)."""
        try:
            return self._parse_outcome(text)
        except UnreadableValue:
            raise
        except InvalidInput as exc:
            raise UnreadableValue(str(exc)) from None

    def _parse_outcome(self, text: str) -> str:
        raw = text.strip()
        low = raw.lower()
        if self.choices is not None:
            return self.choices.keys[self.choices.index(low if low in self.choices.keys else raw)]
        rng = self.range
        assert rng is not None
        side = {BELOW: BELOW, ABOVE: ABOVE}
        if self.kind is Kind.DATE:
            side = {BEFORE: BELOW, AFTER: ABOVE, BELOW: BELOW, ABOVE: ABOVE}
        if low in side:
            rng.bucket(side[low])  # refuses a closed bound
            return side[low]
        x = self.read_value(raw)
        if not math.isfinite(x):
            raise InvalidInput(f"the outcome must be a finite value, not {raw!r}")
        if (x < rng.low and not rng.open_lower) or (x > rng.high and not rng.open_upper):
            raise InvalidInput(
                f"{self.show_value(x)} is outside the range {self.show_value(rng.low)}..{self.show_value(rng.high)}, "
                "whose bound there is closed"
            )
        if self.kind is Kind.DATE:
            return iso_date(x)
        return repr(float(x))

    def outcome_value(self, stored: str) -> int | float | str:
        """The stored outcome as scoring takes it: an option index, a value, or 'below'/'above'."""
        if self.choices is not None:
            return self.choices.index(stored)
        if stored in (BELOW, ABOVE):
            return stored
        if self.kind is Kind.DATE:
            return date_seconds(stored)
        return float(stored)

    def shown_outcome(self, stored: str) -> str:
        if self.choices is not None:
            key = stored
            label = next((o.label for o in self.choices.options if o.key == key), key)
            return label if label == key else f"{key} ({label})"
        if stored in (BELOW, ABOVE):
            assert self.range is not None
            if self.kind is Kind.DATE:
                return f"before {shown_date(self.range.low)}" if stored == BELOW else f"after {shown_date(self.range.high)}"
            return f"below {self.show_value(self.range.low)}" if stored == BELOW else f"above {self.show_value(self.range.high)}"
        return self.show_value(float(self.outcome_value(stored)))

    def describe(self) -> str:
        """One line: what the kind allows (for `q show`)."""
        if self.choices is not None:
            return "choice: " + ", ".join(o.key if o.key == o.label else f"{o.key}={o.label}" for o in self.choices.options)
        if self.range is None:
            return "binary"
        r = self.range
        lo = ("(" if r.open_lower else "[") + self.show_value(r.low)
        hi = self.show_value(r.high) + (")" if r.open_upper else "]")
        scale = ", log scale" if r.zero_point is not None else ""
        return f"{self.kind}: {lo} .. {hi}{scale}"


BINARY = KindSpec(Kind.BINARY)


def summary(kind: Kind, vector: np.ndarray) -> float:
    """forecast.probability of a non-binary forecast: display only (see the module docstring)."""
    import numpy as np

    v = np.asarray(vector, dtype=np.float64)
    if kind is Kind.CHOICE:
        return float(v.max())
    from forecast.core.distribution import GRID_U

    return float(np.clip(np.interp(0.5, v, GRID_U), 0.0, 1.0))


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidInput(f"{value!r} is not a number")
    from forecast.core.probability import parse_decimal

    x = float(value) if not isinstance(value, str) else parse_decimal(value)
    if not math.isfinite(x):
        raise InvalidInput(f"{value!r} is not a finite number")
    return x


def _date(value: object) -> float:
    if not isinstance(value, str):  # a file's range bound: JSON or TOML may give anything
        raise InvalidInput(f"{value!r} is not a date (write 2020-05-01 or an ISO 8601 time)")
    return date_seconds(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{value!r} must be true or false")
    return value


def _label(text: str, what: str, *, allow_empty: bool = False) -> str:
    from forecast.core.text import one_line

    out = one_line(text, what).strip()
    if not out and not allow_empty:
        raise InvalidInput(f"{what} must not be empty")
    if len(out) > 200:
        raise InvalidInput(f"{what} is longer than 200 characters")
    return out


def _option(key: object, label: object) -> ChoiceOption:
    if not isinstance(key, str) or not isinstance(label, str):
        raise InvalidInput("an option's key and label are text")
    if not _KEY.fullmatch(key):
        raise InvalidInput(f"option key {key!r} must be 1-40 lowercase letters, digits, '-' or '_'")
    return ChoiceOption(key, _label(label, f"option {key!r}'s label"))


def iso_date(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def encode_vector(vector: np.ndarray) -> str:
    import numpy as np

    return base64.b64encode(np.asarray(vector, dtype="<f8").tobytes()).decode("ascii")


def decode_vector(text: str) -> np.ndarray:
    import numpy as np

    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if len(raw) % 8:
        raise InvalidInput("a stored forecast vector is not a whole number of float64 values")
    return np.frombuffer(raw, dtype="<f8").astype(np.float64)


def date_seconds(text: str) -> float:
    """A date or time as POSIX seconds (UTC): ISO 8601, or a bare day (its midnight UTC)."""
    from forecast.core.timeparse import parse_iso

    raw = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raw += "T00:00:00Z"
    try:
        return parse_iso(raw).timestamp()
    except (ValueError, InvalidInput):
        raise InvalidInput(f"{text!r} is not a date (write 2020-05-01 or an ISO 8601 time)") from None


def shown_day(seconds: float) -> str:
    """The UTC day a time falls on (a date forecast's quantiles are shown to the day)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")


def shown_date(seconds: float) -> str:
    dt = datetime.fromtimestamp(seconds, UTC)
    return dt.strftime("%Y-%m-%d") if (dt.hour, dt.minute, dt.second) == (0, 0, 0) else dt.isoformat().replace("+00:00", "Z")


# ---- building a spec from what `q add` was given ------------------------------------------------------


def parse_option(text: str) -> ChoiceOption:
    """KEY=LABEL (or a bare KEY, its own label)."""
    key, sep, label = text.partition("=")
    key = key.strip().lower()
    return _option(key, label if sep else key)


def choice_spec(options: list[str] | tuple[str, ...], *, other: bool = False) -> KindSpec:
    opts = [parse_option(o) for o in options]
    if other and OTHER_KEY not in [o.key for o in opts]:
        opts.append(ChoiceOption(OTHER_KEY, "Other"))
    return KindSpec(Kind.CHOICE, choices=Choices(tuple(opts)))


def continuous_spec(kind: Kind, range_text: str, *, open_lower: bool = False, open_upper: bool = False,
                    log: bool = False, unit: str = "") -> KindSpec:  # fmt: skip
    m = _RANGE.match(range_text or "")
    if m is None:
        raise InvalidInput(f"--range {range_text!r} must be LOW..HIGH")
    probe = KindSpec(kind, range=ContinuousRange(0.0, 1.0))
    low, high = probe.read_value(m.group(1)), probe.read_value(m.group(2))
    if kind is Kind.DATE and log:
        raise InvalidInput("a date question has no log scale")
    rng = ContinuousRange(low, high, open_lower, open_upper, 0.0 if log else None)
    return KindSpec(kind, range=rng, unit=unit.strip())


__all__ = [
    "AFTER",
    "BEFORE",
    "BINARY",
    "OUTCOME",
    "KindSpec",
    "choice_spec",
    "continuous_spec",
    "date_seconds",
    "decode_vector",
    "encode_vector",
    "iso_date",
    "parse_option",
    "shown_date",
    "shown_day",
    "summary",
]
