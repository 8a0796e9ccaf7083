"""Comments travel through the interchange format: exported, imported once, read back the same."""

from __future__ import annotations

import io

import orjson
import pytest

from forecast.core.errors import InvalidInput
from forecast.interchange.reader import read_lines
from forecast.services.batch_export import export_jsonl
from forecast.services.batch_import import import_batch
from forecast.services.comments import add_comment, comments_of
from forecast.services.questions.authoring import QuestionDraft, add_question
from tests.questions.test_question_shape import T0

from datetime import timedelta


def test_comments_round_trip_and_reimport_adds_nothing(database):
    def setup(s):
        q = add_question(s, QuestionDraft(title="Will it rain?", slug="rain", closes_at=T0 + timedelta(days=9)), now=T0)
        add_comment(s, q.id, "Met Office: 70 %.\nECMWF agrees.", "ann", now=T0 + timedelta(hours=1))
        add_comment(s, q.id, "Looks dry", "bo", now=T0 + timedelta(hours=2))

    database.write(setup)
    with database.session() as s:
        out = io.BytesIO()
        counts = export_jsonl(s, out)
    assert counts["comments"] == 2
    lines = out.getvalue().splitlines()
    records = [orjson.loads(line) for line in lines]
    assert [r["body"] for r in records if r["type"] == "comment"] == ["Met Office: 70 %.\nECMWF agrees.", "Looks dry"]

    report = database.write(lambda s: import_batch(s, read_lines(lines, "again.jsonl")))
    assert report.comments_added == 0
    with database.session() as s:
        assert [(c.author, c.body) for c in comments_of(s, 1)] == [("ann", "Met Office: 70 %.\nECMWF agrees."),
                                                                   ("bo", "Looks dry")]
    # into another database: the same comments, with their times
    records.append({"type": "comment", "question": "rain", "author": "cy", "body": "New \x1b]0;title\x07one",
                    "created_at": "2021-05-04T05:00:00Z"})
    fresh = [orjson.dumps(r) for r in records if r["type"] != "comment" or r["author"] == "cy"]
    report = database.write(lambda s: import_batch(s, read_lines(fresh, "more.jsonl")))
    assert report.comments_added == 1
    with database.session() as s:
        new = [c for c in comments_of(s, 1) if c.author == "cy"]
    assert new[0].body == "New one" and new[0].updated_at == new[0].created_at  # sanitised at the boundary


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ({"type": "comment", "question": "rain", "author": "a", "body": "  ", "created_at": "2021-05-04T05:00:00Z"}, "empty"),
        ({"type": "comment", "question": "rain", "author": "a", "body": "x"}, "created_at"),
        ({"type": "comment", "question": "nowhere", "author": "a", "body": "x", "created_at": "2021-05-04T05:00:00Z"},
         "unknown question"),
    ],
)
def test_bad_comment_records_import_nothing(database, record, words):
    header = {"type": "header", "format": "forecast-jsonl", "version": 1}
    database.write(lambda s: add_question(s, QuestionDraft(title="Will it rain?", slug="rain",
                                                           closes_at=T0 + timedelta(days=9)), now=T0))
    with pytest.raises(InvalidInput, match=words):
        database.write(lambda s: import_batch(s, read_lines([orjson.dumps(header), orjson.dumps(record)], "bad.jsonl")))
