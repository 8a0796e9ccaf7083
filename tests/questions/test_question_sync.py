"""`q sync` never reverts edits made in the app: a three-way merge against what the file held at the last sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast.core.errors import Conflict
from forecast.core.model import Resolution
from forecast.services.questions.detail import show_question
from forecast.services.questions.files import sync_directory
from forecast.services.questions.authoring import edit_question
from forecast.services.resolution import resolve

FILE = """\
slug = "rain"
title = "Will it rain in Berlin on 2019-07-01?"
criteria = "DWD station Tempelhof reports >= 0.1 mm."
opens_at = 2019-06-01T00:00:00Z
closes_at = 2019-07-01T00:00:00Z
tags = ["weather"]

[[forecasts]]
by = "alice"
probability = 0.3
made_at = 2019-06-02T10:00:00Z
"""


@pytest.fixture
def qdir(tmp_path) -> Path:
    d = tmp_path / "questions"
    d.mkdir()
    (d / "rain.toml").write_text(FILE, encoding="utf-8")
    return d


def write(qdir: Path, text: str) -> None:
    (qdir / "rain.toml").write_text(text, encoding="utf-8")


def sync(session, qdir, **kw) -> dict:
    return sync_directory(session, qdir, forecaster="me", **kw)


def test_second_sync_of_an_unchanged_folder_keeps_the_apps_edit(session, qdir):
    sync(session, qdir)
    edit_question(session, "rain", title="Rain in Berlin on 1 July 2019?", add_tags=("berlin",))
    report = sync(session, qdir)
    q = show_question(session, "rain")
    assert q.title == "Rain in Berlin on 1 July 2019?" and q.tags == ("berlin", "weather")
    assert report["changes"] == [] and report["unchanged_files"] == 1
    assert {k["field"] for k in report["kept_app"]} == {"title", "tags"}


def test_file_and_app_changes_to_different_fields_both_stand(session, qdir):
    sync(session, qdir)
    edit_question(session, "rain", title="Edited in the app")
    write(qdir, FILE.replace("DWD station Tempelhof", "Any DWD station"))
    report = sync(session, qdir)
    q = show_question(session, "rain")
    assert (q.title, q.criteria) == ("Edited in the app", "Any DWD station reports >= 0.1 mm.")
    assert [(c["field"], c["to"]) for c in report["changes"]] == [("criteria", "Any DWD station reports >= 0.1 mm.")]


def test_the_same_field_changed_on_both_sides_is_a_conflict_and_nothing_is_written(database, qdir):
    with database.session() as s:
        sync(s, qdir)
        edit_question(s, "rain", title="Edited in the app")
    write(qdir, FILE.replace('title = "Will it rain', 'title = "Edited in the file: will it rain')
          + '\n[[forecasts]]\nby = "bob"\nprobability = 0.4\nmade_at = 2019-06-03T10:00:00Z\n')  # fmt: skip
    with pytest.raises(Conflict) as exc:
        with database.session() as s:
            sync(s, qdir)
    first = str(exc.value).splitlines()[0]
    assert first.startswith(f"{qdir / 'rain.toml'}:2: conflict: title changed in the file and in the app")
    assert "app: 'Edited in the app'" in first and "--prefer file|app" in first
    with database.session() as s:
        q = show_question(s, "rain")
        assert q.title == "Edited in the app" and len(q.forecasts) == 1  # bob's forecast was not written

    with database.session() as s:
        report = sync(s, qdir, prefer="app")
        assert show_question(s, "rain").title == "Edited in the app"
        assert report["settled"][0]["field"] == "title" and report["forecasts_added"] == 1
    with database.session() as s:  # the conflict is settled for good: the file now counts as synced
        assert sync(s, qdir)["changes"] == []
        assert show_question(s, "rain").title == "Edited in the app"


def test_prefer_file_takes_the_files_value(session, qdir):
    sync(session, qdir)
    edit_question(session, "rain", title="Edited in the app")
    write(qdir, FILE.replace('title = "Will it rain', 'title = "From the file: will it rain'))
    report = sync(session, qdir, prefer="file")
    assert show_question(session, "rain").title.startswith("From the file")
    assert report["changes"][0]["field"] == "title"


def test_a_slug_renamed_in_the_app_is_kept_and_the_file_still_finds_its_question(session, qdir):
    sync(session, qdir)
    edit_question(session, "rain", slug="berlin-rain")
    assert sync(session, qdir)["added"] == 0
    write(qdir, FILE.replace("DWD station Tempelhof", "Any DWD station"))
    report = sync(session, qdir)
    q = show_question(session, "berlin-rain")
    assert q.criteria.startswith("Any DWD station") and len(q.forecasts) == 1
    assert report["added"] == 0 and report["updated"] == 1


def test_without_a_record_of_an_earlier_sync_a_difference_is_a_conflict(database, qdir, tmp_path):
    with database.session() as s:
        sync(s, qdir)
        s.connection().exec_driver_sql("DELETE FROM question_sync")  # as after upgrading from revision 0004
        edit_question(s, "rain", criteria="Edited in the app")
    with pytest.raises(Conflict, match=r"rain.toml:3: conflict: criteria differs between the file and the database"):
        with database.session() as s:
            sync(s, qdir)
    with database.session() as s:  # an identical file is simply recorded
        s.connection().exec_driver_sql("DELETE FROM question_sync")
        edit_question(s, "rain", criteria="DWD station Tempelhof reports >= 0.1 mm.")
        assert sync(s, qdir)["changes"] == []
        assert s.connection().exec_driver_sql("SELECT count(*) FROM question_sync").scalar() == 1


def test_a_resolution_made_in_the_app_survives_file_edits(session, qdir):
    sync(session, qdir)
    resolve(session, "rain", Resolution.NO, actor="me")
    write(qdir, FILE.replace("DWD station Tempelhof", "Any DWD station"))
    sync(session, qdir)
    q = show_question(session, "rain")
    assert (q.resolution, q.status) == ("no", "resolved") and q.criteria.startswith("Any")


def test_a_resolution_added_to_the_file_is_applied_and_recorded(session, qdir):
    sync(session, qdir)
    write(qdir, FILE + '\n[resolution]\noutcome = "yes"\nresolved_at = 2019-07-01T00:00:00Z\n')
    sync(session, qdir)
    q = show_question(session, "rain")
    assert (q.resolution, q.status) == ("yes", "resolved")
    assert [(e.resolution, e.actor) for e in q.resolution_history] == [("yes", "forecast q sync")]


def test_a_file_resolution_contradicting_the_apps_is_a_conflict(session, qdir):
    sync(session, qdir)
    resolve(session, "rain", Resolution.NO, actor="me")
    write(qdir, FILE.replace("tags", '[resolution]\noutcome = "yes"\nresolved_at = 2019-07-01T00:00:00Z\n\ntags', 0)
          + '\n[resolution]\noutcome = "yes"\nresolved_at = 2019-07-01T00:00:00Z\n')  # fmt: skip
    with pytest.raises(Conflict, match=r"rain.toml:\d+: conflict: resolution changed in the file and in the app"):
        sync(session, qdir)


def test_a_file_with_a_byte_order_mark_is_read(session, qdir):
    (qdir / "rain.toml").write_bytes(b"\xef\xbb\xbf" + FILE.encode("utf-8"))
    assert sync(session, qdir)["added"] == 1
    assert show_question(session, "rain").title.startswith("Will it rain")
