"""`--json` output is a contract: the read models print byte for byte what the JSON-shaped dicts printed.

The expected files in json_golden/ were written by the code before the services returned typed records
(the dicts, through the same `print_json`), from the database `build` makes; on SQLite and PostgreSQL.
A `NAME.postgresql.json` is PostgreSQL's where it differs: `latest` lists forecasters in the order the
database returns the standing forecasts. `q show` gained "comments" and "others_hidden" (issue 15) after they
were written: added to its files by hand. Question kinds (issue 14) added "spec" and "outcome" to a question,
"values" and "entered" to a forecast and "outcome" to a resolution event (null or empty for binary questions):
those files were rewritten by this script and the diff checked to add only them; then "event_link" (null: no
binary question there is linked to a date question) was added to `q show`'s by hand, and "linked_binaries" (empty:
neither question is a date question) after it. The `score*` files were written by the code before the scoring
summary became typed records (core/scoring/results.py; score_database returned the dicts), the same on both
backends; `score-nk*` (`score QUESTION` of a binary question) by the code before `score_one_question` returned
typed records (core/scoring/question.py; it returned the dicts, times as ISO text).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.cli_runner import printed_json
from tests.float_text import same_text

GOLDEN = Path(__file__).parent / "json_golden"
T0 = datetime(2019, 3, 1, tzinfo=UTC)
NOW = datetime(2019, 4, 1, 12, 30, 15, 250000, tzinfo=UTC)
ARTICLE = (
    "Satellite images show new activity at Sohae\n\nBy Jane Doe\nMarch 5, 2019\n\n"
    "Commercial satellite images taken this week show vehicles and cranes at the Sohae launch site, "
    "which analysts say could point to preparations for a launch within weeks."
)
OTHER = (
    "Analysts weigh risk of new ICBM test\n\nAnalysts said on Monday that a test of an intercontinental "
    "missile was possible but not imminent, citing the talks planned for the spring."
)


def build(db) -> None:
    """Two questions with forecasts citing evidence, a resolution, a reminder, and an inbox item with a proposal."""
    from forecast.core.model import Resolution
    from forecast.services import evidence as ev
    from forecast.services.forecasts import ForecastRequest, record_forecast
    from forecast.services.questions.authoring import QuestionDraft, add_question
    from forecast.services.reminders import set_reminder
    from forecast.services.resolution import resolve
    from forecast.store.feed_tables import LinkProposal

    def work(session) -> None:
        add_question(session, QuestionDraft(title="Will North Korea launch a missile by July?", opens_at=T0,
                                            closes_at=datetime(2019, 7, 1, tzinfo=UTC), slug="nk", criteria="Any launch.",
                                            tags=("north-korea", "missiles")), now=T0)  # fmt: skip
        add_question(session, QuestionDraft(title="Rain in Berlin on 1 July 2030?", opens_at=T0,
                                            closes_at=datetime(2030, 7, 1, tzinfo=UTC), slug="rain"), now=T0)  # fmt: skip
        article = ev.add_from_text(session, ARTICLE, link=ev.LinkSpec("nk", "yes", "cranes"), now=T0 + timedelta(days=5))
        key = article.evidence.key
        record_forecast(session, ForecastRequest("nk", 0.35, "alice", at=T0 + timedelta(days=6, microseconds=7),
                                                 rationale="base rate", evidence=(key,)), now=NOW)  # fmt: skip
        record_forecast(session, ForecastRequest("nk", 0.5, "bob", at=T0 + timedelta(days=7)), now=NOW)
        first = record_forecast(session, ForecastRequest("nk", 0.4, "alice", at=T0 + timedelta(days=8)), now=NOW)
        record_forecast(session, ForecastRequest("nk", 0.45, "alice", corrects=first.id), now=NOW)
        resolve(session, "nk", Resolution.YES, actor="alice", at=datetime(2019, 3, 20, tzinfo=UTC), note="KN-23",
                now=NOW)  # fmt: skip
        set_reminder(session, "rain", datetime(2030, 6, 1, 8, tzinfo=UTC), note="look at the forecast", now=NOW)
        waiting = ev.add_from_text(session, OTHER, now=NOW).evidence
        waiting.inbox = True
        session.add(waiting)
        session.add(LinkProposal(evidence_id=waiting.id, question_id=2, keywords='["ICBM", "test"]', created_at=NOW))

    db.write(work)


def outputs(db) -> dict[str, bytes]:
    """What `q show`, `q list`, `forecasts`, `resolve`, `evidence list/show/search/inbox/edit`, `q remind` and
    `score` print with --json."""
    from forecast.services.lookup import get_evidence, get_question
    from forecast.services.tags import tags_of
    from forecast.services.evidence_query import evidence_record, inbox_items, list_evidence, search_evidence, show_evidence
    from forecast.services.forecasts import history
    from forecast.services.questions.detail import question_record, show_question
    from forecast.services.questions.listing import list_questions
    from forecast.services.reminders import reminder_of
    from forecast.cli.score_json import one_question_json, summary_json
    from forecast.services.scoring import ScoreFilter, score_database, score_one_question

    with db.session() as session:
        data = {
            "q-show-nk": show_question(session, "nk", now=NOW),
            "q-show-rain": show_question(session, "rain", now=NOW),
            "q-list": list_questions(session, status="all", now=NOW),
            "forecasts-nk": history(session, "nk"),
            "evidence-inbox": inbox_items(session),
            "evidence-list": list_evidence(session),
            "evidence-list-nk": list_evidence(session, "nk"),
            "evidence-show": show_evidence(session, 1),
            "evidence-search": search_evidence(session, "satellite OR analysts"),
            "q-remind": reminder_of(session, 2),
            "resolve": question_record(get_question(session, "nk"), tags_of(session, 1)),
            "evidence-edit": evidence_record(get_evidence(session, 1)),
            "score": summary_json(score_database(session)),
            "score-breakdown-question": summary_json(score_database(session, breakdown="question")),
            "score-by-bob-final-tag": summary_json(score_database(session, ScoreFilter(forecasters=("bob",)),
                                                                  unit="final", bin_width=0.5, breakdown="tag")),
            "score-nk": one_question_json(score_one_question(session, "nk")),
            "score-nk-bob": one_question_json(score_one_question(session, "nk", ("bob",))),
        }
    return {name: printed_json(value) for name, value in data.items()}


def test_json_of_the_read_models_is_unchanged(database):
    build(database)
    for name, printed in outputs(database).items():
        own = GOLDEN / f"{name}.{database.dialect}.json"
        # (numbers to 12 digits: numpy's sums differ in the last digit from one CPU to another)
        assert same_text(printed, (own if own.exists() else GOLDEN / f"{name}.json").read_bytes()), name


if __name__ == "__main__":  # writes the golden files: python tests/cli_surface/test_json_shapes.py URL
    from forecast.services.database import open_database

    target = open_database(sys.argv[1])
    build(target)
    GOLDEN.mkdir(exist_ok=True)
    for name, printed in outputs(target).items():
        (GOLDEN / f"{name}.json").write_bytes(printed)


def test_goldens_ignore_only_the_last_digits():
    # the last-digit noise of numpy's sums on another CPU (seen: AVX2 against the machine the goldens came from)
    assert same_text(b'{"brier": 0.29136629796801083, "n": 3}', b'{"brier": 0.2913662979680108, "n": 3}')
    assert same_text(b"[5.316869999999999e-05]", b"[5.3168699999999984e-05]")
    # ... but never a real difference, a changed key, a changed count or a changed shape
    assert not same_text(b'{"brier": 0.2913663}', b'{"brier": 0.2913662}')
    assert not same_text(b'{"brier": 0.29, "n": 3}', b'{"brier": 0.29, "n": 4}')
    assert not same_text(b'{"brier": 0.29}', b'{"brier2": 0.29}')
    assert not same_text(b'{"brier": 0.29}', b'{"brier":  0.29}')
