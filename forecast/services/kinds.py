"""A question's kind as the services read it: its spec, and a non-binary forecast's values for display."""

from __future__ import annotations

from forecast.core.kind_spec import BINARY, KindSpec, decode_vector
from forecast.core.model import Kind

SHOWN_QUANTILES = (0.1, 0.5, 0.9)


def spec_of(q) -> KindSpec:
    """The KindSpec of a question row (anything with `kind` and `kind_spec`)."""
    if q.kind == Kind.BINARY.value:
        return BINARY
    return KindSpec.from_stored(q.kind, q.kind_spec)


def forecast_values(spec: KindSpec, vector: str | None) -> dict[str, float] | None:
    """What a non-binary forecast says, for `forecasts`, `q show` and their --json: the probability per option
    key, or the 10th, 50th and 90th percentiles (values in the question's unit; POSIX seconds for dates)."""
    if spec.binary or not vector:
        return None
    v = decode_vector(vector)
    if spec.choices is not None:
        return {k: float(p) for k, p in zip(spec.choices.keys, v, strict=True)}
    from forecast.core.distribution import quantile

    assert spec.range is not None
    return {f"p{round(q * 100)}": quantile(v, spec.range, q) for q in SHOWN_QUANTILES}


def shown_values(spec: KindSpec, values: dict[str, float] | None) -> str:
    """`forecast_values` as one line for a table: 'kim 50% · moon 30%' or 'p10 12 · p50 30 · p90 75'."""
    if not values:
        return ""
    if spec.choices is not None:
        return " · ".join(f"{k} {p * 100:.3g}%" for k, p in values.items())
    if spec.kind.value == "date":
        from forecast.core.kind_spec import shown_day

        return " · ".join(f"{k} {shown_day(x)}" for k, x in values.items())
    unit = f" {spec.unit}" if spec.unit else ""
    return " · ".join(f"{k} {x:.4g}" for k, x in values.items()) + unit


__all__ = ["forecast_values", "shown_values", "spec_of"]
