"""A column-oriented table for exports: typed numpy columns that each writer renders its own way.

Kinds: `text`, `int`, `float` (NaN is missing), `time` (int64 microseconds since the epoch, UTC), `bool`
and `tags` (a list of strings per row). Repeated text (a question's title on each of its forecasts) can
be stored once: `values` are then int codes into `categories` (-1 is missing), which keeps a million-row
export cheap in every format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

KINDS = ("text", "int", "float", "time", "bool", "tags")


@dataclass(frozen=True, eq=False)
class Column:
    name: str
    kind: str
    values: np.ndarray | Sequence
    valid: np.ndarray | None = None  # False where the value is missing (int, time, bool)
    categories: Sequence | None = None  # text/tags stored as codes into these

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    def __len__(self) -> int:
        return len(self.values)

    def expanded(self) -> list:
        """Python values, None where missing (text, tags and bool columns)."""
        if self.categories is not None:
            cats = list(self.categories) + [None]
            return [cats[c] for c in np.asarray(self.values).tolist()]
        values = self.values.tolist() if isinstance(self.values, np.ndarray) else list(self.values)
        if self.valid is not None:
            return [v if ok else None for v, ok in zip(values, self.valid.tolist(), strict=True)]
        return values


@dataclass(frozen=True, eq=False)
class Table:
    columns: tuple[Column, ...]

    def __post_init__(self) -> None:
        lengths = {len(c) for c in self.columns}
        if len(lengths) > 1:
            raise ValueError(f"columns differ in length: {sorted(lengths)}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def text(name: str, values: Sequence[str | None]) -> Column:
    return Column(name, "text", list(values))


def coded(name: str, codes: np.ndarray, categories: Sequence[str], kind: str = "text") -> Column:
    return Column(name, kind, np.asarray(codes, dtype=np.int64), categories=list(categories))


def floats(name: str, values) -> Column:
    return Column(name, "float", np.asarray(values, dtype=np.float64))


def ints(name: str, values, valid=None) -> Column:
    return Column(name, "int", np.asarray(values, dtype=np.int64), None if valid is None else np.asarray(valid, bool))


def times(name: str, values, valid=None) -> Column:
    return Column(name, "time", np.asarray(values, dtype=np.int64), None if valid is None else np.asarray(valid, bool))


def bools(name: str, values, valid=None) -> Column:
    return Column(name, "bool", np.asarray(values, dtype=bool), None if valid is None else np.asarray(valid, bool))
