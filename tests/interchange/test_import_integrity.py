"""Imports never silently change what is stored: resolutions stand, every change is reported,
corrections stay simple chains, booleans are booleans and one identity means one record."""

from __future__ import annotations

import copy

import orjson
import pytest

from forecast.core.errors import InvalidInput
from forecast.core.model import Resolution
from forecast.core.timeparse import iso_z
from forecast.interchange.reader import read_lines
from forecast.services import resolution as res
from forecast.services.batch_import import import_batch
from forecast.services.questions.detail import show_question

HEADER = {"type": "header", "format": "forecast-jsonl", "version": 1}
QUESTION = {"type": "question", "slug": "nk", "title": "Will North Korea launch?", "opens_at": "2019-03-16T00:00:00Z",
            "closes_at": "2019-07-01T00:00:00Z", "tags": ["north-korea"]}  # fmt: skip
F1 = {"type": "forecast", "question": "nk", "forecaster": "alice", "probability": 0.35, "made_at": "2019-03-17T10:00:00Z"}
F2 = {"type": "forecast", "question": "nk", "forecaster": "alice", "probability": 0.4, "made_at": "2019-03-17T10:00:00Z",
      "recorded_at": "2019-03-18T10:00:00Z",
      "supersedes": {"made_at": "2019-03-17T10:00:00Z", "recorded_at": "2019-03-17T10:00:00Z"}}  # fmt: skip


def batch(*records, source="f.jsonl"):
    return read_lines([orjson.dumps(r) for r in (HEADER, *records)], source)


def with_(record: dict, **changes) -> dict:
    out = copy.deepcopy(record)
    out.update(changes)
    return out


def history(session) -> list[tuple]:
    return [(e.action, e.resolution, e.actor) for e in show_question(session, "nk").resolution_history]


# --- resolutions -------------------------------------------------------------------------------------


def test_older_export_without_resolution_does_not_reopen(session):
    import_batch(session, batch(QUESTION))
    res.resolve(session, "nk", Resolution.YES, actor="me", note="KN-23")
    report = import_batch(session, batch(QUESTION))  # the export made before the resolution
    q = show_question(session, "nk")
    assert (q.status, q.resolution, q.resolution_note) == ("resolved", "yes", "KN-23")
    assert report.changes == []
    assert report.kept == [{"question": "nk", "field": "resolution", "stored": "yes", "file": None,
                            "reason": "the file has no resolution; the stored one stands"}]  # fmt: skip
    assert history(session) == [("resolve", "yes", "me")]


def test_a_different_explicit_resolution_is_applied_and_recorded_by_import(session):
    import_batch(session, batch(QUESTION))
    res.resolve(session, "nk", Resolution.NO, actor="me")
    resolved = with_(QUESTION, resolution="yes", resolved_at="2019-05-04T00:00:00Z", resolution_note="launched")
    report = import_batch(session, batch(resolved))
    q = show_question(session, "nk")
    assert (q.resolution, iso_z(q.resolved_at)) == ("yes", "2019-05-04T00:00:00Z")
    assert history(session) == [("resolve", "no", "me"), ("resolve", "yes", "import")]
    fields = {c["field"]: (c["from"], c["to"]) for c in report.changes}
    assert fields["resolution"] == ("no", "yes") and fields["resolved_at"][1] == "2019-05-04T00:00:00Z"
    assert report.questions_updated == 1 and report.resolution_events_added == 1
    again = import_batch(session, batch(resolved))
    assert again.changes == [] and again.resolution_events_added == 0 and again.questions_unchanged == 1


def test_resolution_brought_with_its_history_event_is_not_recorded_twice(session):
    import_batch(session, batch(QUESTION))
    resolved = with_(QUESTION, resolution="yes", resolved_at="2019-05-04T00:00:00Z")
    event = {"type": "resolution_event", "question": "nk", "action": "resolve", "resolution": "yes",
             "resolved_at": "2019-05-04T00:00:00Z", "actor": "carol", "at": "2019-05-05T00:00:00Z"}  # fmt: skip
    import_batch(session, batch(resolved, event))
    assert history(session) == [("resolve", "yes", "carol")]


def test_every_field_change_is_listed(session):
    import_batch(session, batch(QUESTION))
    edited = with_(QUESTION, title="Will the DPRK launch?", tags=["dprk"], closes_at="2019-08-01T00:00:00Z")
    report = import_batch(session, batch(edited))
    assert sorted((c["question"], c["field"], c["from"], c["to"]) for c in report.changes) == [
        ("nk", "closes_at", "2019-07-01T00:00:00Z", "2019-08-01T00:00:00Z"),
        ("nk", "resolves_at", "2019-07-01T00:00:00Z", "2019-08-01T00:00:00Z"),  # follows closes_at when not given
        ("nk", "tags", ["north-korea"], ["dprk"]),
        ("nk", "title", "Will North Korea launch?", "Will the DPRK launch?"),
    ]
    assert report.questions_updated == 1
    tags_only = import_batch(session, batch(with_(edited, tags=["dprk", "missiles"])))
    assert tags_only.questions_updated == 1 and [c["field"] for c in tags_only.changes] == ["tags"]


def test_an_older_updated_at_alone_is_no_change(session):
    import_batch(session, batch(with_(QUESTION, updated_at="2019-04-01T00:00:00Z")))
    report = import_batch(session, batch(with_(QUESTION, updated_at="2019-03-20T00:00:00Z")))
    assert report.changes == [] and report.questions_unchanged == 1
    assert iso_z(show_question(session, "nk").updated_at) == "2019-04-01T00:00:00Z"


# --- supersedes ----------------------------------------------------------------------------------------


def refused(session, *records) -> str:
    with pytest.raises(InvalidInput) as exc:
        import_batch(session, batch(*records))
    return str(exc.value)


def test_correction_in_file_links_and_reimport_is_idempotent(session):
    import_batch(session, batch(QUESTION, F1, F2))
    again = import_batch(session, batch(QUESTION, F1, F2))
    assert again.changes == [] and again.forecasts_added == 0
    rows = session.connection().exec_driver_sql("SELECT probability, superseded FROM forecast ORDER BY id").all()
    assert [(p, bool(s)) for p, s in rows] == [(0.35, True), (0.4, False)]


def test_supersedes_itself_is_refused():
    self_ref = with_(F1, supersedes={"made_at": F1["made_at"], "recorded_at": F1["made_at"]})
    with pytest.raises(InvalidInput, match=r"f.jsonl:3: supersedes names this forecast itself"):
        batch(QUESTION, self_ref)


def test_supersedes_cycle_is_refused(session):
    a = with_(F1, supersedes={"made_at": F2["made_at"], "recorded_at": F2["recorded_at"]})
    message = refused(session, QUESTION, a, F2)
    assert "f.jsonl:3: supersedes would form a cycle" in message or "f.jsonl:4: supersedes would form a cycle" in message


def test_supersedes_on_another_forecaster_or_question_is_refused(session):
    other_q = with_(QUESTION, slug="other")
    bob = with_(F2, forecaster="bob")
    assert "f.jsonl:4: supersedes a forecast that is neither stored nor in the file" in refused(session, QUESTION, F1, bob)
    elsewhere = with_(F2, question="other")
    assert "f.jsonl:5: supersedes a forecast" in refused(session, QUESTION, F1, other_q, elsewhere)


def test_a_forecast_corrected_twice_is_refused(database):
    with database.session() as session:
        import_batch(session, batch(QUESTION, F1, F2))
    third = with_(F2, probability=0.5, recorded_at="2019-03-19T10:00:00Z")
    with pytest.raises(InvalidInput, match="f.jsonl:3: supersedes a forecast that is already corrected by another one"):
        with database.session() as session:
            import_batch(session, batch(QUESTION, third))
    with database.session() as session:  # the failed import's new forecast went with its transaction
        assert session.connection().exec_driver_sql("SELECT count(*) FROM forecast").scalar() == 2


def test_stored_forecast_gains_a_correction_link_is_reported(session):
    import_batch(session, batch(QUESTION, F1, with_(F2, supersedes=None)))
    report = import_batch(session, batch(QUESTION, F1, F2))
    assert [(c["forecast"]["recorded_at"], c["field"], c["from"]) for c in report.changes] == [
        ("2019-03-18T10:00:00Z", "supersedes", None)
    ]


# --- booleans and one record per identity ------------------------------------------------------------

EVIDENCE = {"type": "evidence", "key": "ev-1", "title": "A report", "inbox": True}


@pytest.mark.parametrize("field", ["inbox", "dismissed"])
@pytest.mark.parametrize("value", ["false", "true", 0, 1, [], {}])
def test_evidence_booleans_must_be_json_booleans(field, value):
    with pytest.raises(InvalidInput, match=rf"f.jsonl:2: {field} must be true or false"):
        batch(with_(EVIDENCE, **{field: value}))


def test_json_booleans_are_read_as_such(session):
    import_batch(session, batch(with_(EVIDENCE, inbox=False, dismissed=True)))
    row = session.connection().exec_driver_sql("SELECT inbox, dismissed FROM evidence").one()
    assert (bool(row[0]), bool(row[1])) == (False, True)


@pytest.mark.parametrize(
    "first, second, reason",
    [
        (QUESTION, with_(QUESTION, title="Other"), "question 'nk' conflicts with line 2"),
        (F1, with_(F1, probability=0.9), "forecast by 'alice' on 'nk' with the same made_at and recorded_at as line 3"),
        (EVIDENCE, with_(EVIDENCE, title="Changed"), "evidence 'ev-1' conflicts with line 3"),
        ({"type": "forecaster", "name": "bob", "created_at": "2019-01-01T00:00:00Z"},
         {"type": "forecaster", "name": "bob", "created_at": "2019-02-01T00:00:00Z"}, "forecaster 'bob' conflicts with line 3"),
    ],
)  # fmt: skip
def test_conflicting_records_with_one_identity_are_refused_with_both_lines(first, second, reason):
    records = [first, second] if first is QUESTION else [QUESTION, first, second]
    with pytest.raises(InvalidInput) as exc:
        batch(*records)
    line = 3 if first is QUESTION else 4
    assert f"f.jsonl:{line}: {reason}" in str(exc.value)


def test_identical_repeats_are_fine(session):
    report = import_batch(session, batch(QUESTION, F1, EVIDENCE, F1, QUESTION, EVIDENCE))
    assert (report.questions_added, report.forecasts_added, report.forecasts_existing, report.evidence_added) == (1, 1, 0, 1)


def test_predict_corrects_only_a_forecast_of_the_same_question_and_forecaster(session):
    from datetime import UTC, datetime

    from forecast.core.errors import NotFound
    from forecast.services.forecasts import ForecastRequest, record_forecast

    import_batch(session, batch(QUESTION, with_(QUESTION, slug="other"), F1))
    (alices,) = session.connection().exec_driver_sql("SELECT id FROM forecast").one()
    now = datetime(2019, 4, 1, tzinfo=UTC)
    with pytest.raises(NotFound, match=f"no forecast {alices} on question other"):
        record_forecast(session, ForecastRequest("other", 0.5, "alice", corrects=alices), now=now)
    with pytest.raises(InvalidInput, match="belongs to another forecaster"):
        record_forecast(session, ForecastRequest("nk", 0.5, "bob", corrects=alices), now=now)
    fixed = record_forecast(session, ForecastRequest("nk", 0.5, "alice", corrects=alices), now=now)
    assert fixed.supersedes_id == alices != fixed.id  # a correction is always a new row: no self-reference, no cycle
