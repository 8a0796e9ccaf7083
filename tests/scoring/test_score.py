"""`forecast score` as a user runs it: JSON shape, text tables, one question, one-line failures."""

from __future__ import annotations

import pytest

from tests.cli_runner import invoke


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("score") / "cli.db")
    env = {"FORECAST_CONFIG": str(tmp_path_factory.mktemp("cfg") / "none.toml")}

    def ok(*args):
        r = invoke(*args, db=path, env=env)
        assert r.code == 0, r.err

    # Relative dates: the command line runs on the wall clock.
    ok("q", "add", "Will it rain in Paris this month?", "--opens", "30 days ago", "--closes", "in 60 days",
       "--slug", "rain", "--tag", "weather")  # fmt: skip
    ok("q", "add", "Will the bridge open?", "--opens", "30 days ago", "--closes", "in 60 days", "--slug", "bridge")
    ok("predict", "rain", "70%", "--at", "30 days ago", "--by", "ann")
    ok("predict", "rain", "0.2", "--at", "20 days ago", "--by", "bob")
    ok("predict", "bridge", "0.4", "--at", "25 days ago", "--by", "ann")
    ok("resolve", "rain", "yes", "--at", "10 days ago")
    ok("resolve", "bridge", "no", "--at", "5 days ago")
    return path


def test_summary_json(db):
    r = invoke("score", "--json", db=db)
    assert r.code == 0, r.err
    out = r.json()
    people = {f["name"]: f for f in out["forecasters"]}
    assert set(people) == {"ann", "bob"}
    assert people["ann"]["n_questions"] == 2 and people["bob"]["n_questions"] == 1
    assert people["bob"]["brier"] == pytest.approx(0.64)
    assert people["bob"]["brier2"] == pytest.approx(1.28)
    assert len(people["ann"]["calibration"]) == 10
    assert {a["name"] for a in out["aggregates"]} == {"@median", "@mean", "@geo-odds"}
    assert out["questions"]["scored"] == 2
    assert r.err == ""  # --json: nothing but the data


def test_summary_text_and_options(db):
    r = invoke("score", "--by", "ann", "--unit", "final", "--bin-width", "0.2", "--breakdown", "tag", db=db)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split()[:3] == ["FORECASTER", "QUESTIONS", "FORECASTS"]
    assert lines[1].split()[0] == "ann" and "Calibration (final unit) of ann" in r.out
    assert "0.60-0.80" in r.out and "Murphy:" in r.out and "weather" in r.out
    filtered = invoke("score", "--tag", "weather", "--json", db=db).json()
    assert filtered["questions"]["scored"] == 1


def test_one_question(db):
    r = invoke("score", "rain", "--json", db=db)
    assert r.code == 0, r.err
    d = r.json()
    assert d["question"]["slug"] == "rain" and d["question"]["outcome"] == 1.0
    bob = next(f for f in d["forecasters"] if f["name"] == "bob")
    assert bob["forecasts"][0]["status"] == "scored" and bob["forecasts"][0]["contribution"] == pytest.approx(0.64)
    text = invoke("score", "rain", db=db)
    assert text.code == 0 and text.out.startswith("FORECASTER") and "CONTRIB" in text.out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("score", "--unit", "days"), 2, "--unit 'days'"),
        (("score", "--bin-width", "0.3"), 2, "bin width"),
        (("score", "--breakdown", "week"), 2, "--breakdown 'week'"),
        (("score", "rain", "--tag", "weather"), 2, "--tag applies to the summary"),
        (("score", "--by", "zoe"), 1, "no forecaster named 'zoe'"),
        (("score", "--tag", "sports"), 1, "no tag named 'sports'"),
        (("score", "nowhere"), 1, "no question 'nowhere'"),
    ],
)
def test_failures_are_one_line(db, args, code, message):
    r = invoke(*args, db=db)
    assert r.code == code
    assert r.out == ""
    assert len(r.err.strip().splitlines()) == 1 and message in r.err


def test_names_and_odd_values_read_plainly(tmp_path):
    """BRIER is the headline and BRIER/FORECAST the mean per forecast; one question is "1 question"; a tiny
    probability has no exponent; an annulled question is "annulled", not "annulled:annulled"."""
    path = str(tmp_path / "odd.db")
    env = {"FORECAST_CONFIG": str(tmp_path / "none.toml")}

    def ok(*args):
        r = invoke(*args, db=path, env=env)
        assert r.code == 0, r.err
        return r

    ok("q", "add", "Will it snow?", "--opens", "30 days ago", "--closes", "in 60 days", "--slug", "snow")
    ok("q", "add", "Will the vote pass?", "--opens", "30 days ago", "--closes", "in 60 days", "--slug", "vote")
    ok("predict", "snow", "0.0000001", "--at", "20 days ago", "--by", "ann")
    ok("predict", "snow", "0.5", "--at", "10 days ago", "--by", "ann")
    ok("resolve", "snow", "no", "--at", "5 days ago")
    ok("resolve", "vote", "annulled", "--at", "5 days ago")
    r = ok("score", "--by", "ann")
    header = r.out.splitlines()[0].split()
    assert header[4:6] == ["BRIER", "BRIER/FORECAST"]
    row = dict(zip(header, r.out.splitlines()[1].split(), strict=False))
    out = invoke("score", "--by", "ann", "--json", db=path, env=env).json()["forecasters"][0]
    assert row["BRIER"] == f"{out['brier']:.4f}" and row["BRIER/FORECAST"] == f"{out['brier_forecasts']:.4f}"
    assert "1 question scored;" in r.err
    one = ok("score", "snow")
    assert "0.00001%" in one.out and "e-0" not in one.out
    listing = ok("q", "list", "--status", "all").out
    assert "annulled:annulled" not in listing and "annulled" in listing
