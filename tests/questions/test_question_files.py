"""Question files: sync upserts by slug, twice changes nothing, bad files stop everything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from forecast.core.errors import InvalidInput
from forecast.core.timeparse import iso_z
from forecast.services.questions.detail import show_question
from forecast.services.questions.files import sync_directory
from forecast.services.questions.listing import list_questions

REPO_QUESTIONS = Path(__file__).parents[2] / "questions"

GOOD = """
slug = "rain"
title = "Will it rain in Berlin on 2019-07-01?"
criteria = "DWD station Tempelhof reports >= 0.1 mm."
opens_at = 2019-06-01T00:00:00Z
closes_at = 2019-07-01T00:00:00Z
tags = ["weather"]

[[evidence]]
id = "forecast-dwd"
url = "https://example.org/dwd"
title = "DWD outlook"
published = 2019-06-20
stance = "no"

[[forecasts]]
by = "alice"
probability = 0.3
made_at = 2019-06-02T10:00:00Z
why = "climatology"
evidence = ["forecast-dwd"]
"""


@pytest.fixture
def qdir(tmp_path) -> Path:
    d = tmp_path / "questions"
    d.mkdir()
    (d / "rain.toml").write_text(GOOD, encoding="utf-8")
    return d


def test_sync_twice_changes_nothing(session, qdir):
    first = sync_directory(session, qdir, forecaster="me")
    assert (first["added"], first["forecasts_added"], first["evidence_added"]) == (1, 1, 1)
    before = show_question(session, "rain")
    second = sync_directory(session, qdir, forecaster="me")
    assert (second["added"], second["updated"], second["unchanged"], second["forecasts_added"]) == (0, 0, 1, 0)
    assert show_question(session, "rain") == before


def test_edited_file_updates_and_nothing_is_deleted(session, qdir):
    sync_directory(session, qdir, forecaster="me")
    (qdir / "rain.toml").write_text(GOOD.replace("DWD station Tempelhof", "Any DWD station"), encoding="utf-8")
    report = sync_directory(session, qdir, forecaster="me")
    assert report["updated"] == 1
    assert show_question(session, "rain").criteria.startswith("Any DWD station")
    (qdir / "rain.toml").unlink()
    sync_directory(session, qdir, forecaster="me")
    assert [q.slug for q in list_questions(session, status="all")] == ["rain"]


@pytest.mark.parametrize(
    "broken, line, reason",
    [
        (GOOD.replace('tags = ["weather"]', "tags = [weather]"), 7, "Invalid"),
        (GOOD.replace("closes_at = 2019-07-01T00:00:00Z", 'closes_at = "2019-05-01"'), 6, "closes_at must be after"),
        (GOOD.replace("probability = 0.3", "probability = 3"), 18, "probability"),
        (GOOD.replace('criteria = "', 'colour = "red"\ncriteria = "'), 4, "unknown key"),
    ],
)
def test_malformed_file_is_reported_and_nothing_written(session, qdir, broken, line, reason):
    (qdir / "a-good-one.toml").write_text(GOOD.replace('slug = "rain"', 'slug = "other"'), encoding="utf-8")
    (qdir / "rain.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        sync_directory(session, qdir, forecaster="me")
    assert str(exc.value).startswith(f"{qdir / 'rain.toml'}:{line}:")
    assert reason in str(exc.value)
    assert list_questions(session, status="all") == []


def test_resolution_made_in_the_app_is_not_undone_by_sync(session, qdir):
    from forecast.core.model import Resolution
    from forecast.services.resolution import resolve

    sync_directory(session, qdir, forecaster="me")
    resolve(session, "rain", Resolution.NO, actor="me")
    sync_directory(session, qdir, forecaster="me")
    assert show_question(session, "rain").resolution == "no"


def test_shipped_questions_sync(session, tmp_path):
    shutil.copytree(REPO_QUESTIONS, tmp_path / "q")
    report = sync_directory(session, tmp_path / "q", forecaster="me")
    assert report["added"] >= 6 and report["forecasts_added"] >= 12
    nk = show_question(session, "nk-launch-2019")
    assert (nk.resolution, iso_z(nk.resolved_at)) == ("yes", "2019-05-04T00:00:00Z")
    assert any(e.stance == "yes" and e.published_source == "user" for e in nk.evidence)
    assert any(f.evidence for f in nk.forecasts)
