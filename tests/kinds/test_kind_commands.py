"""Choice, numeric and date questions through the command line, on SQLite and PostgreSQL: `q add --kind`,
`predict`, `forecasts`, `q show`, `resolve` / `unresolve`, and the refusals (one line, nothing written)."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.core.distribution import GRID_U, quantile
from forecast.core.kind_spec import KindSpec, decode_vector
from tests.cli_runner import invoke


def date_days(seconds: float, day: str) -> float:
    from forecast.core.kind_spec import date_seconds

    return (seconds - date_seconds(day)) / 86_400


def ok(*args, db):
    r = invoke(*args, db=db)
    assert r.code == 0, r.err
    return r


def add_leader(db: str) -> None:
    ok("q", "add", "Who will lead North Korea at the end of 2030?", "--closes", "in 400 days", "--slug", "leader",
       "--kind", "choice", "--option", "kim=Kim Jong Un", "--option", "yo-jong=Kim Yo Jong", "--other", db=db)  # fmt: skip


def add_satellite(db: str) -> None:
    ok("q", "add", "When will North Korea next launch a satellite?", "--closes", "in 400 days", "--slug", "sat",
       "--kind", "date", "--range", "2019-03-16..2031-12-31", "--open-upper", db=db)  # fmt: skip


def add_launches(db: str) -> None:
    ok("q", "add", "How many missile launches next year?", "--closes", "in 400 days", "--slug", "launches",
       "--kind", "numeric", "--range", "0..200", "--unit", "launches", db=db)  # fmt: skip


def test_choice_question_end_to_end(db_url_at_head):
    db = db_url_at_head
    add_leader(db)
    shown = ok("q", "show", "leader", "--json", db=db).json()
    assert shown["kind"] == "choice"
    assert shown["spec"] == {"options": [{"key": "kim", "label": "Kim Jong Un"},
                                         {"key": "yo-jong", "label": "Kim Yo Jong"},
                                         {"key": "other", "label": "Other"}]}  # fmt: skip
    r = ok("predict", "leader", "kim=80% yo-jong=15% other=5.2%", "--json", db=db)
    data = r.json()
    assert data["normalised"] is True and data["entered"] == "kim=80% yo-jong=15% other=5.2%"
    assert sum(data["values"].values()) == 1.0  # normalised exactly
    assert data["values"]["kim"] == pytest.approx(0.8 / 1.002)
    r = ok("predict", "leader", "kim=0.7 yo-jong=0.2 other=0.1", db=db)
    assert "scaled" not in r.err and "kim 70%" in r.err
    hist = ok("forecasts", "leader", "--json", db=db).json()
    assert [h["values"] for h in hist][-1] == {"kim": 0.7, "yo-jong": 0.2, "other": 0.1}
    assert all(h["change"] is None for h in hist)  # a change is a binary forecast's alone
    listed = ok("q", "list", "--json", db=db).json()
    assert listed[0]["latest"] == {}  # the stored summary is not a probability
    assert "choice" in ok("q", "list", db=db).out

    r = ok("resolve", "leader", "YO-JONG", "--json", db=db)
    assert (r.json()["resolution"], r.json()["outcome"], r.json()["status"]) == ("outcome", "yo-jong", "resolved")
    text = ok("q", "show", "leader", db=db).out
    assert "resolved yo-jong (Kim Yo Jong)" in text and "[resolved]" in text
    ok("unresolve", "leader", db=db)
    assert ok("q", "show", "leader", "--json", db=db).json()["outcome"] is None
    assert ok("resolve", "leader", "annulled", "--json", db=db).json()["status"] == "annulled"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("predict", "leader", "kim=80% yo-jong=20%"), "missing: other"),
        (("predict", "leader", "kim=80% yo-jong=15% other=2%"), "sum to 97 %"),
        (("predict", "leader", "kim=99.95% yo-jong=0.05% other=0%"), "at least 0.1 %"),
        (("predict", "leader", "kim=50% moon=50%"), "'moon' is not an option"),
        (("predict", "leader", "35%"), "give a probability per option"),
        (("resolve", "leader", "moon"), "'moon' is not an option"),
        (("resolve", "leader", "yes"), "'yes' is not an option"),
    ],
)
def test_choice_refusals_are_usage_errors_and_write_nothing(tmp_path, args, message):
    db = str(tmp_path / "k.db")
    add_leader(db)
    before = ok("q", "show", "leader", "--json", db=db).out
    r = invoke(*args, db=db)
    assert r.code == 2 and message in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert ok("q", "show", "leader", "--json", db=db).out == before


def test_date_question_end_to_end(db_url_at_head):
    db = db_url_at_head
    add_satellite(db)
    data = ok("predict", "sat", "p10=2020-01-01 p50=2021-06-01 p90=2030-01-01", "--json", db=db).json()
    assert list(data["values"]) == ["p10", "p50", "p90"]
    hist = ok("forecasts", "sat", "--json", db=db).json()
    assert hist[0]["entered"] == "p10=2020-01-01 p50=2021-06-01 p90=2030-01-01"
    # Shown are the stored CDF's quantiles: Metaculus's 1 % uniform floor over a 12-year range moves the median
    # of this forecast about a month later (its mass above p50 is thin), p10 hardly at all.
    assert "p10 2020-01-01" in ok("forecasts", "sat", db=db).out
    assert 0 < date_days(data["values"]["p50"], "2021-06-01") < 45
    ok("predict", "sat", "normal(2024-06-01, 400)", db=db)  # the spread in days
    assert "lognormal" in invoke("predict", "sat", "lognormal(2024-06-01, 2)", db=db).err
    r = invoke("resolve", "sat", "before", db=db)
    assert r.code == 2 and "lower bound is closed" in r.err
    r = ok("resolve", "sat", "after", "--json", db=db)
    assert r.json()["outcome"] == "above"
    assert "resolved after 2031-12-31" in ok("q", "show", "sat", db=db).out
    ok("unresolve", "sat", db=db)
    assert ok("resolve", "sat", "2023-05-31", "--json", db=db).json()["outcome"] == "2023-05-31T00:00:00Z"


def test_numeric_question_keeps_the_cdf_it_was_given(tmp_path):
    db = str(tmp_path / "k.db")
    add_launches(db)
    ok("predict", "launches", "p10=12 p50=30 p90=75", db=db)
    from forecast.services.database import open_database
    from forecast.store import bulk

    database = open_database(f"sqlite:///{db}")
    with database.session() as session:
        ((vector, entered, kind, spec),) = bulk.rows(
            session.connection(),
            "SELECT f.vector, f.entered, q.kind, q.kind_spec FROM forecast f JOIN question q ON q.id = f.question_id",
        )
    cdf = decode_vector(vector)
    rng = KindSpec.from_stored(kind, spec).range
    assert entered == "p10=12 p50=30 p90=75" and cdf.shape == GRID_U.shape
    assert np.all(np.diff(cdf) > 0) and cdf[0] == 0.0 and cdf[-1] == 1.0  # closed bounds: no mass outside
    # The 1 % uniform floor moves the quantiles a little, never far.
    assert quantile(cdf, rng, 0.5) == pytest.approx(30, abs=1.0)
    assert quantile(cdf, rng, 0.1) == pytest.approx(12, abs=1.5)
    for args, message in (
        (("resolve", "launches", "250"), "outside the range"),
        (("resolve", "launches", "above"), "upper bound is closed"),
        (("predict", "launches", "p10=30 p90=12"), "must increase"),
        (("predict", "launches", "p50=30"), "at least two quantiles"),
        (("predict", "launches", "normal(30, 0)"), ""),
    ):
        r = invoke(*args, db=db)
        assert r.code == 2 and message in r.err and len(r.err.strip().splitlines()) == 1, (args, r.err)
    r = ok("resolve", "launches", "23", "--json", db=db)
    assert r.json()["outcome"] == "23.0"
    assert "resolved 23 launches" in ok("q", "show", "launches", db=db).out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--kind", "numeric", "--option", "a"), "--option does not apply to a numeric question"),
        (("--kind", "date", "--range", "2020-01-01..2021-01-01", "--log"), "--log does not apply"),
        (("--kind", "binary", "--range", "0..1"), "--range does not apply"),
        (("--kind", "choice", "--option", "a"), "2 to 50 options"),
        (("--kind", "choice", "--option", "a", "--option", "A"), "given twice"),
        (("--kind", "choice", "--option", "a b", "--option", "c"), "option key 'a b'"),
        (("--kind", "numeric"), "needs --range"),
        (("--kind", "numeric", "--range", "5..1"), "LOW < HIGH"),
        (("--kind", "numeric", "--range", "0..10", "--log"), "zero point outside the range"),
        (("--kind", "date", "--range", "soon..later"), "is not a date"),
        (("--kind", "ternary",), "--kind 'ternary'"),
        (("--kind", "choice", "--option", "a", "--option", "b", "kim=50%"), ""),
    ],
)
def test_q_add_refuses_a_kind_it_cannot_build(tmp_path, args, message):
    db = str(tmp_path / "k.db")
    extra = [a for a in args if "=" in a and not a.startswith("-") and "%" in a]
    flags = [a for a in args if a not in extra]
    r = invoke("q", "add", "Which one?", *extra, "--closes", "in 10 days", *flags, db=db)
    assert r.code == 2 and message in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert invoke("q", "list", "--json", db=db).out.strip() in ("", "[]")


def test_binary_question_refuses_a_distribution(tmp_path):
    db = str(tmp_path / "k.db")
    ok("q", "add", "Will it rain before 2031-01-01?", "--slug", "rain", db=db)
    r = invoke("predict", "rain", "yes=50% no=50%", db=db)
    assert r.code == 2 and "rain is binary" in r.err
    r = invoke("resolve", "rain", "maybe", db=db)
    assert r.code == 2 and "yes, no or annulled" in r.err


def test_first_forecast_with_q_add_on_a_choice_question(tmp_path):
    db = str(tmp_path / "k.db")
    r = ok("q", "add", "Which one?", "a=60% b=40%", "--closes", "in 10 days", "--kind", "choice",
           "--option", "a", "--option", "b", "--json", db=db)  # fmt: skip
    assert r.json()["forecasts"][0]["values"] == {"a": 0.6, "b": 0.4}
    r = invoke("q", "add", "Which two?", "a=60%", "--closes", "in 10 days", "--kind", "choice",
               "--option", "a", "--option", "b", db=db)  # fmt: skip
    assert r.code == 2 and "missing: b" in r.err
    assert [q["slug"] for q in ok("q", "list", "--json", db=db).json()] == ["which-one"]
