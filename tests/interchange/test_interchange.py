"""Interchange v1: lossless round trip, idempotent import, all-or-nothing validation."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from forecast.core.errors import InvalidInput
from forecast.core.model import Resolution
from forecast.interchange.reader import read_lines
from forecast.services import resolution as res
from forecast.services.batch_export import export_jsonl
from forecast.services.batch_import import import_batch
from forecast.services.database import open_database
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services.questions.authoring import QuestionDraft, add_question

T0 = datetime(2019, 3, 16, tzinfo=UTC)

SAMPLE = [
    {"type": "header", "format": "forecast-jsonl", "version": 1},
    {"type": "question", "slug": "nk-launch-2019", "title": "Will North Korea launch?", "kind": "binary",
     "criteria": "Ballistic or space launch.", "opens_at": "2019-03-16T00:00:00Z", "closes_at": "2019-07-01T00:00:00Z",
     "resolves_at": None, "tags": ["north-korea"], "auto": "no_at_close", "resolution": "yes",
     "resolved_at": "2019-05-04T00:00:00Z"},
    {"type": "forecast", "question": "nk-launch-2019", "forecaster": "alice", "probability": 0.35,
     "made_at": "2019-03-16T10:00:00Z", "rationale": "base rate", "evidence": ["ev-npr"]},
    {"type": "forecast", "question": "nk-launch-2019", "forecaster": "bob", "probability": 0.25,
     "made_at": "2019-03-18T10:00:00Z", "rationale": ""},
    {"type": "evidence", "key": "ev-npr", "url": "https://example.org/npr", "title": "NPR: launch prep?",
     "outlet": "AFP", "published_at": None, "text": "Satellite images...",
     "links": [{"question": "nk-launch-2019", "stance": "yes", "note": "Sanumdong"}]},
]  # fmt: skip


def lines(records) -> list[bytes]:
    return [orjson.dumps(r) for r in records]


def export_bytes(session) -> bytes:
    buf = io.BytesIO()
    export_jsonl(session, buf)
    return buf.getvalue()


def test_import_sample_then_idempotent(session):
    report = import_batch(session, read_lines(lines(SAMPLE), "sample.jsonl"))
    assert (report.questions_added, report.forecasts_added, report.evidence_added, report.links_added) == (1, 2, 1, 1)
    again = import_batch(session, read_lines(lines(SAMPLE), "sample.jsonl"))
    assert (again.questions_added, again.questions_updated, again.forecasts_added, again.evidence_added) == (0, 0, 0, 0)
    assert again.forecasts_existing == 2 and again.questions_unchanged == 1


def _rich_database(session):
    """A database using every feature: tags, corrections, evidence on updates, resolution history."""
    import_batch(session, read_lines(lines(SAMPLE), "sample.jsonl"))
    now = datetime(2019, 4, 1, tzinfo=UTC)
    q = add_question(
        session,
        QuestionDraft(title="Will it rain \"tomorrow\"?\nReally", opens_at=T0, closes_at=T0 + timedelta(days=60),
                      tags=("weather",), criteria="=HYPERLINK(\"x\")"),  # fmt: skip
        now=now,
    )
    first = record_forecast(session, ForecastRequest(q.slug, 0.3, "carol", at=T0 + timedelta(days=1)), now=now)
    record_forecast(session, ForecastRequest(q.slug, 0.35, "carol", corrects=first.id, evidence=("ev-npr",)), now=now)
    later = now + timedelta(days=70)
    res.resolve(session, q.slug, Resolution.NO, actor="carol", note="dry", now=later)
    res.unresolve(session, q.slug, actor="carol", now=later)
    res.resolve(session, q.slug, Resolution.NO, actor="carol", now=later + timedelta(seconds=1))


def test_round_trip_is_lossless(database, tmp_path):
    with database.session() as s:
        _rich_database(s)
    with database.session() as s:
        first = export_bytes(s)
    other = open_database(str(tmp_path / "copy.db"))
    with other.session() as s:
        import_batch(s, read_lines(first.splitlines(), "export.jsonl"))
    with other.session() as s:
        second = export_bytes(s)
    assert first == second
    records = [orjson.loads(line) for line in first.splitlines()]
    corrected = [r for r in records if r["type"] == "forecast" and r["supersedes"]]
    assert len(corrected) == 1 and corrected[0]["evidence"] == ["ev-npr"]
    assert sum(r["type"] == "resolution_event" for r in records) == 3


@pytest.mark.parametrize(
    "bad, reason",
    [
        ({"type": "forecast", "question": "nk-launch-2019", "forecaster": "x", "probability": 1.5,
          "made_at": "2019-03-20T00:00:00Z"}, "probability"),
        ({"type": "forecast", "question": "nk-launch-2019", "forecaster": "x", "probability": 0.5,
          "made_at": "2019-03-20T00:00:00"}, "no time zone"),
        ({"type": "forecast", "question": "nope", "forecaster": "x", "probability": 0.5,
          "made_at": "2019-03-20T00:00:00Z"}, "unknown question"),
        ({"type": "question", "slug": "Bad Slug", "title": "t", "opens_at": "2019-01-01", "closes_at": "2019-02-01"},
         "slug"),
        ({"type": "mystery"}, "unknown record type"),
        ({"type": "header", "format": "forecast-jsonl", "version": 3}, "version"),
    ],
)  # fmt: skip
def test_any_invalid_line_imports_nothing(session, bad, reason):
    records = SAMPLE + [bad]
    with pytest.raises(InvalidInput) as exc:
        import_batch(session, read_lines(lines(records), "bad.jsonl"))
    assert f"bad.jsonl:{len(records)}:" in str(exc.value) and reason in str(exc.value)
    assert "nothing was imported" in str(exc.value)
    assert session.connection().exec_driver_sql("SELECT count(*) FROM question").scalar() == 0


def test_not_json_is_reported_with_its_line(session):
    with pytest.raises(InvalidInput, match=r"x.jsonl:2: not valid JSON"):
        read_lines([orjson.dumps(SAMPLE[0]), b"{oops"], "x.jsonl")


def test_historical_forecasts_on_resolved_questions_are_accepted(session):
    report = import_batch(session, read_lines(lines(SAMPLE), "s"))
    assert report.forecasts_added == 2
