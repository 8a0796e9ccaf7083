"""Building small databases for check tests: questions and forecasts at fixed times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from forecast.core.model import AutoRule
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services.questions.authoring import QuestionDraft, add_question

T0 = datetime(2030, 1, 1, tzinfo=UTC)  # every question is added at T0
DAY = timedelta(days=1)


def question(session, slug: str, *, closes: float, resolves: float | None = None, auto: str | None = None):
    """A question opening at T0 and closing `closes` days later."""
    draft = QuestionDraft(
        title=f"Will {slug} happen?",
        slug=slug,
        opens_at=T0,
        closes_at=T0 + closes * DAY,
        resolves_at=T0 + resolves * DAY if resolves is not None else None,
        auto=AutoRule(auto) if auto else None,
    )
    return add_question(session, draft, now=T0)


def forecast(session, slug: str, p: float, *, day: float, who: str = "alice", corrects: int | None = None):
    at = T0 + day * DAY
    return record_forecast(session, ForecastRequest(slug, p, who, at=at, corrects=corrects), now=at)


def populate(db) -> None:
    """The standard scenario, all added at T0:

    a-auto-no   closes day 2, no_at_close      -> auto-resolves NO at day 2
    b-auto-yes  closes day 3, yes_at_close     -> auto-resolves YES at day 3
    c-manual    closes day 3, resolves day 5   -> closes; overdue after day 5
    d-later     closes day 30                  -> stays open; alice forecasts day 1, bob day 9
    """
    with db.session() as s:
        question(s, "a-auto-no", closes=2, auto="no_at_close")
        question(s, "b-auto-yes", closes=3, auto="yes_at_close")
        question(s, "c-manual", closes=3, resolves=5)
        question(s, "d-later", closes=30)
        forecast(s, "a-auto-no", 0.2, day=1)
        forecast(s, "d-later", 0.6, day=1)
        forecast(s, "d-later", 0.5, day=9, who="bob")


def state(db) -> dict[str, tuple]:
    """slug -> (status, resolution, resolved_at micros) for every question."""
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT slug, status, resolution, resolved_at FROM question ORDER BY slug")).all()
    return {slug: (st, res, at) for slug, st, res, at in rows}


def events(db) -> list[tuple]:
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT q.slug, e.action, e.resolution, e.actor FROM resolution_event e "
                "JOIN question q ON q.id = e.question_id ORDER BY q.slug, e.id"
            )
        ).all()


def runs(db) -> list[tuple]:
    with db.engine.connect() as conn:
        sql = "SELECT id, status, dry_run, finished_at IS NOT NULL FROM check_run ORDER BY id"
        return conn.execute(text(sql)).all()
