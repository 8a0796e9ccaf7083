"""`forecast export calibration --kind choice|numeric|date` and `plot calibration --kind`, as a user runs them, on
SQLite and PostgreSQL: the bins are the very numbers of `forecast score --json`'s per-kind calibration."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import pytest

from tests.cli_runner import invoke


@pytest.fixture
def db(db_url_at_head) -> str:
    """Two choice questions sharing the `other` option (one tagged korea), a numeric and a date question, two
    forecasters; ann changes her mind half-way on `leader`, so time-weighted bins have fractional weights."""

    def ok(*args):
        r = invoke(*args, db=db_url_at_head)
        assert r.code == 0, r.err

    window = ("--opens", "2024-01-01", "--closes", "2024-04-10")
    ok("q", "add", "Who will lead?", "--kind", "choice", "--option", "kim=Kim Jong Un", "--option", "moon", "--other",
       *window, "--slug", "leader", "--tag", "korea")  # fmt: skip
    ok("q", "add", "Which party wins?", "--kind", "choice", "--option", "red", "--option", "blue", "--other", *window,
       "--slug", "party")  # fmt: skip
    ok("q", "add", "How many launches?", "--kind", "numeric", "--range", "0..100", *window, "--slug", "launches")
    ok("q", "add", "When is the next test?", "--kind", "date", "--range", "2024-01-01..2025-12-31", "--open-upper",
       *window, "--slug", "next-test")  # fmt: skip
    ok("predict", "leader", "kim=50% moon=30% other=20%", "--at", "2024-01-01", "--by", "ann")
    ok("predict", "leader", "kim=65% moon=25% other=10%", "--at", "2024-03-01", "--by", "ann")
    ok("predict", "leader", "kim=20% moon=40% other=40%", "--at", "2024-02-20", "--by", "bob")
    ok("predict", "party", "red=70% blue=20% other=10%", "--at", "2024-01-01", "--by", "ann")
    ok("predict", "party", "red=35% blue=55% other=10%", "--at", "2024-01-15", "--by", "bob")
    ok("predict", "launches", "p10=12 p50=30 p90=75", "--at", "2024-01-01", "--by", "ann")
    ok("predict", "launches", "p10=40 p50=60 p90=90", "--at", "2024-01-10", "--by", "bob")
    ok("predict", "next-test", "p10=2024-06-01 p50=2025-01-01 p90=2025-10-01", "--at", "2024-01-01", "--by", "ann")
    ok("resolve", "leader", "kim", "--at", "2024-04-10")
    ok("resolve", "party", "blue", "--at", "2024-04-10")
    ok("resolve", "launches", "42", "--at", "2024-04-10")
    ok("resolve", "next-test", "after", "--at", "2024-04-10")
    return db_url_at_head


def _json(db, *args):
    r = invoke(*args, db=db)
    assert r.code == 0, r.err
    return r.json()


def _bins_of(rows, **match):
    keys = ("lo", "hi", "count", "weight", "mean_forecast", "observed")
    picked = [r for r in rows if all(r[k] == v for k, v in match.items())]
    return [dict(zip(keys, (r["bin_lo"], r["bin_hi"], r["count"], r["weight"], r["mean_forecast"], r["observed"]),
                     strict=True)) for r in picked]  # fmt: skip


@pytest.mark.parametrize("options", [(), ("--unit", "forecast", "--bin-width", "0.2"), ("--unit", "final")])
def test_choice_bins_over_all_options_are_scores(db, options):
    """Every forecaster's and the pooled "(all)" bins are `score --json`'s choice calibration, number for number."""
    kinds = _json(db, "score", "--json", *options)["kinds"]["choice"]
    rows = _json(db, "export", "calibration", "--kind", "choice", "-f", "json", *options)
    assert list(rows[0]) == ["group", "forecaster", "option", "bin_lo", "bin_hi", "count", "weight", "mean_forecast",
                             "observed"]  # fmt: skip
    for f in kinds["forecasters"]:
        assert _bins_of(rows, group="forecaster", forecaster=f["name"], option="(all)") == f["calibration"]
    assert _bins_of(rows, group="pooled", forecaster="", option="(all)") == kinds["overall"]["calibration"]


def test_choice_bins_per_option_add_up_to_all_options(db):
    rows = _json(db, "export", "calibration", "--kind", "choice", "-f", "json")
    options = {(r["forecaster"], r["option"]) for r in rows}
    # each key is calibrated across the questions that have it: `other` is on both, kim only on leader
    assert {o for f, o in options if f == "ann"} == {"(all)", "blue", "kim", "moon", "other", "red"}
    total: dict = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for r in rows:
        if r["option"] != "(all)" and r["count"]:
            acc = total[(r["group"], r["forecaster"], r["bin_lo"])]
            acc[0] += r["count"]
            acc[1] += r["weight"]
            acc[2] += r["weight"] * r["mean_forecast"]
            acc[3] += r["weight"] * r["observed"]
    for r in rows:
        if r["option"] == "(all)":
            n, w, wp, wo = total[(r["group"], r["forecaster"], r["bin_lo"])]
            assert n == r["count"] and w == pytest.approx(r["weight"])
            if r["count"]:
                assert wp / w == pytest.approx(r["mean_forecast"]) and wo / w == pytest.approx(r["observed"])
    # ann's `other` on leader: 20% for 60 of the 100 days, then 10%; on party 10% throughout; `other` never won
    other = [r for r in rows if (r["forecaster"], r["option"]) == ("ann", "other") and r["count"]]
    assert [(r["bin_lo"], r["count"], r["observed"]) for r in other] == [(0.1, 2, 0.0), (0.2, 1, 0.0)]
    assert [r["weight"] for r in other] == pytest.approx([1 + 40 / 100, 60 / 100])


@pytest.mark.parametrize("kind", ["numeric", "date"])
def test_pit_bins_and_test_are_scores(db, kind):
    block = _json(db, "score", "--json")["kinds"][kind]
    rows = _json(db, "export", "calibration", "--kind", kind, "-f", "json")
    groups = [(f["name"], f["pit"], "forecaster") for f in block["forecasters"]] + [("", block["overall"]["pit"], "pooled")]
    for name, pit, group in groups:
        mine = [r for r in rows if (r["group"], r["forecaster"]) == (group, name)]
        assert [{k: r[k] for k in ("count", "weight")} | {"lo": r["bin_lo"], "hi": r["bin_hi"], "share": r["share"]}
                for r in mine] == pit["bins"]  # fmt: skip
        for r in mine:
            assert (r["n"], r["ks_statistic"], r["p_value"], r["p_method"]) == \
                (pit["n"], pit["ks_statistic"], pit["p_value"], pit["p_method"])  # fmt: skip
            assert r["expected_count"] == pytest.approx(pit["n"] / 10)
    assert len(rows) == 10 * len(groups)


def test_csv_columns_by_and_parquet(db, tmp_path):
    r = invoke("export", "calibration", "--kind", "numeric", "--by", "bob", db=db)
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert list(rows[0]) == ["group", "forecaster", "bin_lo", "bin_hi", "count", "expected_count", "weight", "share",
                             "n", "ks_statistic", "p_value", "p_method"]  # fmt: skip
    assert {(x["group"], x["forecaster"]) for x in rows} == {("forecaster", "bob"), ("pooled", "")}
    assert "numeric PIT bins" in r.err
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    out = tmp_path / "choice.parquet"
    assert invoke("export", "calibration", "--kind", "choice", "--tag", "korea", "-o", str(out), db=db).code == 0
    table = pq.read_table(out).to_pylist()
    assert {x["option"] for x in table} == {"(all)", "kim", "moon", "other"}
    assert sum(x["count"] for x in table if x["group"] == "pooled" and x["option"] == "(all)") == 9  # 3 forecasts x 3


def test_a_kind_that_is_not_a_kind_is_refused(db):
    for command in (("export", "calibration"), ("plot", "calibration", "-o", "x.svg")):
        r = invoke(*command, "--kind", "ranking", db=db)
        assert r.code == 2 and r.err.strip().splitlines() == [
            "forecast: --kind 'ranking' is not one of: binary, choice, numeric, date"]


def test_nothing_to_calibrate_says_so(db, tmp_path):
    r = invoke("export", "calibration", "--kind", "numeric", "--tag", "korea", db=db)
    assert r.code == 0, r.err
    assert r.out.strip() == ("group,forecaster,bin_lo,bin_hi,count,expected_count,weight,share,n,ks_statistic,"
                             "p_value,p_method")  # fmt: skip
    assert "no numeric question matches: nothing to calibrate" in r.err
    r = invoke("export", "calibration", "--kind", "choice", "--until", "2024-01-01", "-f", "json", db=db)
    assert r.code == 0 and r.json() == [] and "nothing to calibrate" in r.err
    r = invoke("plot", "calibration", "--kind", "date", "--tag", "korea", "-o", str(tmp_path / "e.svg"), db=db)
    assert r.code == 0 and "nothing to calibrate" in r.err and (tmp_path / "e.svg").read_bytes().startswith(b"<?xml")
    assert invoke("export", "calibration", "--kind", "date", "--unit", "daily", db=db).code == 1


def test_plots_per_kind(db, tmp_path):
    for kind, name in (("choice", "c.svg"), ("numeric", "n.png"), ("date", "d.svg")):
        out = tmp_path / name
        r = invoke("plot", "calibration", "--kind", kind, "-o", str(out), db=db)
        assert r.code == 0, r.err
        data = out.read_bytes()
        assert data.startswith(b"\x89PNG") if name.endswith(".png") else b"<svg" in data
