"""A database with a resolved question of each non-binary kind and an open one, for `score --json` contracts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forecast.core.kind_spec import choice_spec, continuous_spec
from forecast.core.model import Kind
from forecast.services import resolution as res
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services.questions.authoring import QuestionDraft, add_question

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
NOW = datetime(2025, 1, 1, tzinfo=UTC)
KIM = ("kim=Kim Jong Un", "moon=Moon Jae-in", "other=Other")


def build(session) -> None:
    def question(slug, spec, tags=()):
        add_question(session, QuestionDraft(title=f"Question {slug}?", opens_at=T0, closes_at=T0 + 100 * DAY,
                                            tags=tags, slug=slug, spec=spec), now=T0)  # fmt: skip

    def predict(slug, who, text, day):
        at = T0 + day * DAY
        record_forecast(session, ForecastRequest(slug, text, who, at=at), now=at)

    def resolve(slug, outcome, day):
        res.resolve(session, slug, outcome, actor="t", at=T0 + day * DAY, now=NOW)

    question("leader", choice_spec(KIM), tags=("korea",))
    predict("leader", "alice", "kim=50% moon=30% other=20%", 0)
    predict("leader", "bob", "kim=20% moon=40% other=40%", 50)
    predict("leader", "bob", "kim=30% moon=40% other=30%", 70)
    resolve("leader", "kim", 100)
    question("launches", continuous_spec(Kind.NUMERIC, "0..100"))
    predict("launches", "alice", "p10=12 p50=30 p90=75", 0)
    predict("launches", "bob", "normal(50, 10)", 30)
    resolve("launches", "42", 100)
    question("launch-date", continuous_spec(Kind.DATE, "2019-03-16..2021-12-31", open_upper=True))
    predict("launch-date", "alice", "p10=2019-06-01 p50=2020-06-01 p90=2021-06-01", 0)
    predict("launch-date", "bob", "normal(2020-01-01, 100)", 10)
    resolve("launch-date", "after", 80)
    question("open-one", choice_spec(KIM))  # unresolved: counted, not scored
    predict("open-one", "alice", "kim=40% moon=40% other=20%", 3)
    session.flush()
