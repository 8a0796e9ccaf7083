"""A check for typed read models: frozen dataclasses all the way down, of plain Python values."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from enum import Enum

PLAIN = (tuple, str, int, float, datetime, timedelta, Enum, type(None))


def records(value, path: str = "model"):
    """(where, value) for the value and everything inside it: dataclass fields and tuple items, recursively."""
    yield path, value
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from records(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from records(item, f"{path}[{i}]")


def assert_plain_records(model, path: str = "model") -> int:
    """No dict, list or numpy value anywhere; every record frozen; undefined figures None, never NaN.
    Returns how many values were checked."""
    n = 0
    for where, value in records(model, path):
        n += 1
        assert not isinstance(value, (dict, list)), where
        assert dataclasses.is_dataclass(value) or isinstance(value, PLAIN), (where, type(value))
        assert type(value).__module__ != "numpy", where
        if isinstance(value, datetime):
            assert value.utcoffset() == timedelta(0), where  # UTC-aware
        if isinstance(value, float):
            assert value == value and abs(value) != float("inf"), where
        if dataclasses.is_dataclass(value):
            assert type(value).__dataclass_params__.frozen, where
    return n
