"""One interchange shape of a question: `export jsonl` and `q show --json` (the QuestionFields read model) agree."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import orjson

from forecast.core.model import AutoRule, Resolution
from forecast.services import resolution
from forecast.services.batch_export import export_jsonl
from forecast.cli.output import json_object
from forecast.services.questions.detail import question_record
from forecast.services.questions.authoring import QuestionDraft, add_question
from forecast.services.tags import tags_of

T0 = datetime(2021, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)


def test_export_and_show_give_the_same_question(session):
    plain = add_question(session, QuestionDraft(title="A plain one", closes_at=T0 + timedelta(days=9)), now=T0)
    full = add_question(
        session,
        QuestionDraft(title="Everything set", opens_at=T0, closes_at=T0 + timedelta(days=3), resolves_at=T0 + timedelta(days=4),
                      description="Why it matters.", criteria="YES if it happens.", tags=("b-tag", "a-tag"),
                      auto=AutoRule.NO_AT_CLOSE, source_file="questions/full.toml"),  # fmt: skip
        now=T0,
    )
    resolution.resolve(session, full.slug, Resolution.YES, actor="tester", note="it happened", now=T0 + timedelta(days=5))
    session.flush()

    out = io.BytesIO()
    export_jsonl(session, out)
    exported = {r["slug"]: r for r in map(orjson.loads, out.getvalue().splitlines()) if r["type"] == "question"}
    for q in (plain, full):
        session.refresh(q)
        shown = json_object(question_record(q, tags_of(session, q.id)))  # as `q show --json` writes it
        assert shown.pop("id") == q.id
        # The same keys, in the same order; the export adds the linked date question's slug (`event_question`,
        # a reference between records), which `q show` leaves to the detail view.
        record = {k: v for k, v in exported[q.slug].items() if k not in ("type", "event_question")}
        assert list(shown) == list(record)
        assert orjson.loads(orjson.dumps(shown)) == record
    assert exported[full.slug]["resolution"] == "yes" and exported[full.slug]["tags"] == ["a-tag", "b-tag"]
