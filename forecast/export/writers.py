"""Write a Table as CSV, JSON or Parquet (docs/exports.md).

CSV: UTF-8, RFC 4180 (comma, double-quote quoting, CRLF), times as ISO 8601 UTC with a Z, floats at full
precision (the shortest text that reads back as the same double), missing values empty.
Spreadsheet safety: a text cell that begins with a character a spreadsheet would treat as a formula gets
a leading `'`. Numeric columns are written as plain numbers and never guarded: a negative peer score must
stay the number -12.5, not become the text '-12.5; numbers come from our own floats, never from user text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

import numpy as np

from forecast.core.errors import ForecastError
from forecast.export.table import Column, Table

FORMATS = ("csv", "json", "parquet")
# OWASP's list (= + - @ tab CR), plus NUL (ASVS 1.2.10), LF and the full-width forms of = + - @,
# which some spreadsheets also accept as a formula start.
FORMULA_START = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")
TAG_SEPARATOR = ";"
CHUNK = 100_000
JSON_CHUNK = 20_000  # rows become dicts first: smaller chunks keep the peak memory down
PARQUET_MISSING = "Parquet needs pyarrow: pip install 'forecast[parquet]'"


def guard(cell: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula."""
    return "'" + cell if cell and cell[0] in FORMULA_START else cell


def iso_times(us: np.ndarray, valid: np.ndarray | None = None, *, micro: bool | None = None) -> list[str]:
    """ISO 8601 UTC with a Z; with microseconds when `micro` (default: when any value has them)."""
    us = np.asarray(us, dtype=np.int64)
    if valid is not None:
        us = np.where(valid, us, 0)
    if micro is None:
        micro = bool((us % 1_000_000).any())
    stamps = us.astype("datetime64[us]")
    if not micro:
        stamps = stamps.astype("datetime64[s]")
    out = np.datetime_as_string(stamps, unit="us" if micro else "s", timezone="UTC").tolist()
    if valid is not None:
        for i in np.flatnonzero(~np.asarray(valid)).tolist():
            out[i] = ""
    return out


_NEEDS_QUOTES = frozenset(',"\r\n')


def quote(cell: str) -> str:
    """RFC 4180: a cell holding a comma, a double quote or a line break is quoted, its quotes doubled."""
    if _NEEDS_QUOTES.isdisjoint(cell):
        return cell
    return '"' + cell.replace('"', '""') + '"'


def _text_cell(value) -> str:
    return "" if value is None else quote(guard(str(value)))


def _csv_cells(col: Column, start: int, stop: int, micro: bool) -> list[str]:
    """Cells ready to join: guarded and quoted text, numbers as numbers, missing values empty."""
    kind = col.kind
    if col.categories is not None:
        if kind == "tags":
            cats = [_text_cell(TAG_SEPARATOR.join(c)) for c in col.categories] + [""]
        else:
            cats = [_text_cell(c) for c in col.categories] + [""]
        return [cats[c] for c in np.asarray(col.values[start:stop]).tolist()]
    values = col.values[start:stop]
    valid = None if col.valid is None else col.valid[start:stop]
    if kind == "float":
        arr = np.asarray(values, dtype=np.float64) + 0.0  # + 0.0 turns -0.0 into 0.0
        cells = list(map(repr, arr.tolist()))
        bad = ~np.isfinite(arr)
        if bad.any():
            for i in np.flatnonzero(bad).tolist():
                cells[i] = ""
        return cells
    if kind == "time":
        return iso_times(values, valid, micro=micro)
    if kind == "int":
        cells = list(map(str, np.asarray(values).tolist()))
    elif kind == "bool":
        cells = ["true" if v else "false" for v in np.asarray(values).tolist()]
    elif kind == "tags":
        cells = [_text_cell(TAG_SEPARATOR.join(v or ())) for v in values]
    else:
        cells = [_text_cell(v) for v in values]
    if valid is not None:
        for i in np.flatnonzero(~np.asarray(valid)).tolist():
            cells[i] = ""
    return cells


def _has_micros(col: Column) -> bool:
    if col.kind != "time":
        return False
    us = np.asarray(col.values, dtype=np.int64)
    if col.valid is not None:
        us = us[np.asarray(col.valid)]
    return bool((us % 1_000_000).any())


def write_csv(table: Table, out: BinaryIO, *, bom: bool = False, progress: Callable[[int], None] | None = None) -> int:
    """RFC 4180 with CRLF line ends. A time column has microseconds on every row when any row has them."""
    if bom:
        out.write("\ufeff".encode())
    out.write((",".join(quote(n) for n in table.names) + "\r\n").encode("utf-8"))
    micro = [_has_micros(c) for c in table.columns]
    n = len(table)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        cols = [_csv_cells(c, start, stop, m) for c, m in zip(table.columns, micro, strict=True)]
        lines = [",".join(row) for row in zip(*cols, strict=True)]
        lines.append("")
        out.write("\r\n".join(lines).encode("utf-8"))
        if progress is not None:
            progress(stop)
    return n


def _json_values(col: Column, start: int, stop: int, micro: bool) -> list:
    kind = col.kind
    if col.categories is not None:
        cats = list(col.categories) + [None]
        return [cats[c] for c in np.asarray(col.values[start:stop]).tolist()]
    values = col.values[start:stop]
    valid = None if col.valid is None else np.asarray(col.valid[start:stop])
    if kind == "time":
        cells = iso_times(values, valid, micro=micro)
        return [c or None for c in cells]
    if kind == "float":
        arr = np.asarray(values, dtype=np.float64) + 0.0
        out = arr.tolist()
        bad = ~np.isfinite(arr)
        if bad.any():
            for i in np.flatnonzero(bad).tolist():
                out[i] = None
        return out
    out = values.tolist() if isinstance(values, np.ndarray) else list(values)
    if kind == "tags":
        out = [list(v or ()) for v in out]
    if valid is not None:
        for i in np.flatnonzero(~valid).tolist():
            out[i] = None
    return out


def write_json(table: Table, out: BinaryIO, *, progress: Callable[[int], None] | None = None) -> int:
    """A JSON array of objects, one per line; missing values are null."""
    import orjson

    names = table.names
    n = len(table)
    micro = [_has_micros(c) for c in table.columns]
    out.write(b"[")
    first = True
    for start in range(0, n, JSON_CHUNK):
        stop = min(start + JSON_CHUNK, n)
        cols = [_json_values(c, start, stop, m) for c, m in zip(table.columns, micro, strict=True)]
        dumps = orjson.dumps
        body = b",\n".join([dumps(dict(zip(names, row, strict=True))) for row in zip(*cols, strict=True)])
        out.write(b"\n" if first else b",\n")
        out.write(body)
        first = False
        if progress is not None:
            progress(stop)
    out.write(b"\n]\n" if n else b"]\n")
    return n


def _arrow_column(col: Column):
    import pyarrow as pa

    kind = col.kind
    if col.categories is not None:
        codes = np.asarray(col.values, dtype=np.int64)
        mask = codes < 0
        if kind == "tags":
            dictionary = pa.array([list(c) for c in col.categories], type=pa.list_(pa.string()))
            return dictionary.take(pa.array(np.where(mask, 0, codes), mask=mask))
        indices = pa.array(np.where(mask, 0, codes), mask=mask if mask.any() else None)
        return pa.array(list(col.categories), type=pa.string()).take(indices)  # plain strings, as readers expect
    mask = None if col.valid is None else ~np.asarray(col.valid)
    if kind == "float":
        arr = np.asarray(col.values, dtype=np.float64)
        return pa.array(arr, mask=np.isnan(arr))
    if kind == "int":
        return pa.array(np.asarray(col.values, dtype=np.int64), mask=mask)
    if kind == "time":
        return pa.array(np.asarray(col.values, dtype=np.int64), type=pa.timestamp("us", tz="UTC"), mask=mask)
    if kind == "bool":
        return pa.array(np.asarray(col.values, dtype=bool), mask=mask)
    if kind == "tags":
        return pa.array([list(v or ()) for v in col.values], type=pa.list_(pa.string()))
    return pa.array(list(col.values), type=pa.string())


def require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise ForecastError(PARQUET_MISSING) from None


def to_arrow(table: Table):
    require_pyarrow()
    import pyarrow as pa

    return pa.table({c.name: _arrow_column(c) for c in table.columns})


def write_parquet(table: Table, out: BinaryIO, *, progress: Callable[[int], None] | None = None) -> int:
    arrow = to_arrow(table)
    import pyarrow.parquet as pq

    pq.write_table(arrow, out, compression="zstd")
    if progress is not None:
        progress(len(table))
    return len(table)


def write(table: Table, fmt: str, out: BinaryIO, *, bom: bool = False, progress=None) -> int:
    if fmt == "csv":
        return write_csv(table, out, bom=bom, progress=progress)
    if fmt == "json":
        return write_json(table, out, progress=progress)
    if fmt == "parquet":
        return write_parquet(table, out, progress=progress)
    raise ForecastError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
