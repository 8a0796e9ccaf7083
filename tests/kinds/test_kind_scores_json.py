"""`score --json` with choice, numeric and date questions is a contract: the typed read models
(services/kind_scores.py) shaped by cli/score_json.py print byte for byte what the dicts printed.

The files in json_golden/ were written, on SQLite and PostgreSQL alike, by the code before the scoring summary
became typed records (when `score_database` returned dicts and the kinds' records shaped their own JSON), from
the database tests/kinds/kinds_world.py builds.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli_runner import printed_json
from tests.kinds.kinds_world import build

GOLDEN = Path(__file__).parent / "json_golden"


def test_score_json_of_every_kind_is_unchanged(session):
    from forecast.cli.score_json import kind_question_json, summary_json
    from forecast.services.kind_scores import question_scores
    from forecast.services.scoring import ScoreFilter, score_database

    build(session)
    outputs = {
        "score": summary_json(score_database(session)),
        "score-by-bob": summary_json(score_database(session, ScoreFilter(forecasters=("bob",)), unit="forecast",
                                                    bin_width=0.25)),
        "score-leader": kind_question_json(question_scores(session, "leader")),
        "score-launch-date": kind_question_json(question_scores(session, "launch-date")),
    }  # fmt: skip
    for name, value in outputs.items():
        assert printed_json(value) == (GOLDEN / f"{name}.json").read_bytes(), name


def test_one_question_of_each_kind_is_frozen_records_with_datetimes(session):
    from datetime import datetime

    from forecast.core.model import Kind
    from forecast.services.kind_scores import KindForecastScores, KindQuestion, question_scores
    from tests.scoring.read_models import assert_plain_records

    build(session)
    for slug in ("leader", "launch-date"):
        q = question_scores(session, slug)
        assert type(q) is KindQuestion and assert_plain_records(q, slug) > 20
        assert all(type(t) is datetime for t in (q.opens, q.closes, q.resolved_at))
        assert q.forecasts and all(type(r.made_at) is datetime and type(r.scores) is KindForecastScores
                                   for r in q.forecasts)  # fmt: skip
        scored = [r.scores for r in q.forecasts if r.status == "scored"]
        if q.kind is Kind.CHOICE:
            assert all(s.brier is not None and s.crps is None and s.pit is None for s in scored)
        else:
            assert all(s.crps is not None and s.brier is None for s in scored)
