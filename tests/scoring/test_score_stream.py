"""Scoring a chunk of questions at a time (core/scoring/stream.py) gives score()'s results to the bit, and the
SQLite path that reads and scores at once (services/score_read.py, score_stream.py) gives the usual path's."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.scoring import BREAKDOWNS, UNITS, ScoringInput, score
from forecast.core.scoring.segments import Carry, segment_cumsum, unique_inverse
from forecast.core.scoring.stream import Stream
from tests.scoring.test_scoring_properties import inputs


def exact(scores, names=None) -> str:
    """Everything a summary and the breakdowns show, as text: equal texts are equal to the bit."""
    from forecast.cli.score_json import breakdown_json, engine_json

    parts = [engine_json(scores.summary(names))] + [breakdown_json(scores.breakdown(by, names)) for by in BREAKDOWNS]
    return json.dumps(parts, allow_nan=True)


def streamed(inp: ScoringInput, cuts: list[int], *, unit: str = "time", extra: tuple[int, ...] = (),
             aggregates: bool = True):  # fmt: skip
    """The stream's Scores of `inp`, its questions added in the chunks that end at `cuts`, with forecasters
    that have no forecasts slipped in at the positions `extra` (the kept ones keep their order)."""
    names = list(inp.forecasters)
    for k, at in enumerate(sorted(extra)):
        names.insert(min(at + k, len(names)), f"extra-{k}")
    where = np.array([i for i, n in enumerate(names) if not n.startswith("extra-")], dtype=np.int64)
    questions = ScoringInput(
        q_id=inp.q_id, opens=inp.opens, closes=inp.closes, resolved_at=inp.resolved_at, outcome=inp.outcome,
        q_idx=[], f_idx=[], t=[], p=[], forecasters=(), tag_q=inp.tag_q, tag_id=inp.tag_id, tags=inp.tags,
        labels=inp.labels,
    )  # fmt: skip
    stream = Stream(questions, tuple(names), unit=unit, aggregates=aggregates)
    order = np.argsort(inp.q_idx, kind="stable")  # by question, each question's rows in their given order
    q_sorted = inp.q_idx[order]
    for stop in [*sorted({min(c, inp.n_questions) for c in cuts}), inp.n_questions]:
        if stop <= stream.q_next:
            continue
        rows = order[np.searchsorted(q_sorted, stream.q_next) : np.searchsorted(q_sorted, stop)]
        seq = None if inp.seq is None else inp.seq[rows]
        stream.add(stop, inp.q_idx[rows], where[inp.f_idx[rows]], inp.t[rows], inp.p[rows], seq)
    return stream.finish(where)


@settings(max_examples=150, deadline=None)
@given(inp=inputs(max_questions=6, max_forecasts=30), cuts=st.lists(st.integers(0, 6), max_size=4),
       unit=st.sampled_from(UNITS), extra=st.lists(st.integers(0, 4), max_size=2))  # fmt: skip
def test_a_stream_scores_as_score_does(inp, cuts, unit, extra):
    assert exact(streamed(inp, cuts, unit=unit, extra=tuple(extra))) == exact(score(inp, unit=unit))


def many_questions(seed: int, n_q: int = 60, n: int = 900) -> ScoringInput:
    """Enough scored questions for the extremizing fit (20), with ties, early forecasts and percentages beside
    arbitrary probabilities."""
    rng = np.random.default_rng(seed)
    day = 86_400_000_000
    opens = rng.integers(0, 50, n_q) * day
    closes = opens + rng.integers(5, 90, n_q) * day
    resolved = np.where(rng.random(n_q) < 0.3, opens + rng.integers(1, 60, n_q) * day, np.iinfo(np.int64).max)
    outcome = np.where(rng.random(n_q) < 0.15, np.nan, (rng.random(n_q) < 0.4).astype(float))
    p = np.where(rng.random(n) < 0.7, np.round(rng.uniform(0, 1, n), 2), rng.uniform(0, 1, n))
    t = opens[q := rng.integers(0, n_q, n)] + rng.integers(-5, 100, n) * day // 4
    return ScoringInput(
        q_id=np.arange(1, n_q + 1), opens=opens, closes=closes, resolved_at=resolved, outcome=outcome, q_idx=q,
        f_idx=rng.integers(0, 12, n), t=t, p=p, forecasters=tuple(f"f{i:02d}" for i in range(12)),
        seq=t + rng.integers(0, 3, n) * day, tag_q=rng.integers(0, n_q, 40), tag_id=rng.integers(0, 3, 40),
        tags=("x", "y", "z"), labels=tuple(f"q{i}" for i in range(n_q)),
    )  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("unit", UNITS)
def test_a_stream_with_the_team_aggregates_fitted(seed, unit):
    inp = many_questions(seed)
    whole = score(inp, unit=unit)
    assert whole.extremizing.exponent is not None  # the @extremized row set is scored after the last chunk
    want = exact(whole)
    for cuts in ([], [1, 2, 3], list(range(0, 60, 7)), list(range(60))):
        assert exact(streamed(inp, cuts, unit=unit, extra=(0, 5))) == want
    names = ["f03", "f07"]
    assert exact(streamed(inp, [10, 30], unit=unit), names) == exact(whole, names)


def test_a_stream_without_aggregates():
    inp = many_questions(4)
    assert exact(streamed(inp, [5, 25], aggregates=False)) == exact(score(inp, aggregates=False))


def test_a_stream_of_no_questions():
    none = ScoringInput(q_id=[], opens=[], closes=[], resolved_at=[], outcome=[], q_idx=[], f_idx=[], t=[], p=[],
                        forecasters=())  # fmt: skip
    assert exact(Stream(none, ("a",)).finish([])) == exact(score(none))


def test_the_sqlite_path_on_a_database_without_questions(sqlite_path):
    from forecast.services.database import open_database
    from forecast.services.scoring import score_database
    from forecast.services.sqlite_read import read_sqlite

    database = open_database(str(sqlite_path))
    with database.snapshot() as conn:
        usual = score_database(conn)
    database.engine.dispose()
    assert read_sqlite(str(sqlite_path), score_database) == usual


def test_questions_come_in_order():
    inp = many_questions(5)
    questions = ScoringInput(q_id=inp.q_id, opens=inp.opens, closes=inp.closes, resolved_at=inp.resolved_at,
                             outcome=inp.outcome, q_idx=[], f_idx=[], t=[], p=[], forecasters=())  # fmt: skip
    stream = Stream(questions, inp.forecasters)
    stream.add(10, [], [], [], [])
    with pytest.raises(Exception, match="in order"):
        stream.add(5, [], [], [], [])


@settings(max_examples=200, deadline=None)
@given(segments=st.lists(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=6), min_size=1, max_size=12),
       cuts=st.lists(st.integers(1, 11), max_size=4))  # fmt: skip
def test_segment_cumsum_in_chunks_is_the_whole_arrays(segments, cuts):
    values = np.array([v for s in segments for v in s])
    first = np.array([i == 0 for s in segments for i in range(len(s))])
    whole = segment_cumsum(values, first)
    starts = np.flatnonzero(first)
    bounds = [0, *sorted({int(starts[c]) for c in cuts if c < len(starts)}), len(values)]
    carry = Carry()
    parts = [segment_cumsum(values[a:b], first[a:b], carry) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    assert np.concatenate(parts).tobytes() == whole.tobytes()


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from(["grid", "sums", "ints", "zeros"]), n=st.integers(4096, 20000), seed=st.integers(0, 99))
def test_unique_inverse_is_numpys(kind, n, seed):
    rng = np.random.default_rng(seed)
    if kind == "grid":
        a = np.round(rng.uniform(0, 1, n), 2)
    elif kind == "sums":  # means of percentages: values a rounding apart
        a = (np.round(rng.uniform(0, 1, n), 2) + np.round(rng.uniform(0, 1, n), 2)) / 2
    elif kind == "ints":
        a = rng.integers(-(2**62), 2**62, 40)[rng.integers(0, 40, n)]
    else:
        a = np.where(rng.random(n) < 0.5, 0.0, -0.0) * rng.integers(0, 2, n)
    values, inv = unique_inverse(a)
    want_values, want_inv = np.unique(a, return_inverse=True)
    assert values.tobytes() == want_values.tobytes() and inv.tolist() == want_inv.reshape(-1).tolist()


# ---- the SQLite path: read in id ranges and scored meanwhile, against the usual path -----------------

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(params=["by time", "by question"])
def sqlite_world(request, sqlite_path):
    """Forecasts written in time order across questions (so that questions complete out of order in id order)
    or question by question (as an import writes them), with corrections, ties, late forecasts (after an early
    resolution), backfilled ones and probabilities below 2^-10."""
    from forecast.core.model import Resolution
    from forecast.services import resolution as res
    from forecast.services.database import open_database
    from forecast.services.forecasts import ForecastRequest, record_forecast
    from forecast.services.questions.authoring import QuestionDraft, add_question

    rng = np.random.default_rng(7)
    database = open_database(str(sqlite_path))
    n_q = 26
    spans = rng.integers(20, 120, n_q)

    def build(session):
        for i in range(n_q):
            add_question(session, QuestionDraft(title=f"Question {i}?", opens_at=T0 + int(i % 5) * DAY,
                                                closes_at=T0 + int(spans[i]) * DAY, tags=(("a", "b", "c")[i % 3],),
                                                slug=f"q{i:02d}"), now=T0)  # fmt: skip
        qs = rng.integers(0, n_q, 500)  # forecasts within each question's window, in time order across questions
        days = (qs % 5) + rng.uniform(0, 1, 500) * (spans[qs] - qs % 5)
        events = sorted(zip(days.tolist(), qs.tolist(), strict=True))
        if request.param == "by question":
            events.sort(key=lambda e: e[1])
        last: dict[tuple[int, str], int] = {}
        for k, (day, qi) in enumerate(events):
            who = f"f{int(rng.integers(0, 7))}"
            p = [0.0, 1.0, 1e-5, 0.0005, 0.37, 0.5][k % 6] if k % 5 == 0 else float(np.round(rng.uniform(0, 1), 2))
            at = T0 + timedelta(days=day)
            now = at + (30 * DAY if k % 9 == 0 else timedelta(0))  # recorded a month later: backfilled
            if k % 23 == 0 and qi % 5 <= round(day) < spans[qi]:
                now = at = T0 + timedelta(days=round(day))  # same instant as others of that day
            fixes = last.get((qi, who)) if k % 17 == 0 else None
            row = record_forecast(session, ForecastRequest(f"q{qi:02d}", p, who, at=at, corrects=fixes), now=now)
            last[(qi, who)] = row.id
        for i in range(n_q):
            if i % 7 == 6:
                continue  # stays open
            outcome = Resolution.ANNULLED if i % 11 == 10 else (Resolution.YES if i % 3 else Resolution.NO)
            res.resolve(session, f"q{i:02d}", outcome, actor="t", at=T0 + int(spans[i] - i % 4) * DAY,
                        now=T0 + 200 * DAY)  # fmt: skip

    database.write(build)
    database.order = request.param
    yield database, str(sqlite_path)
    database.engine.dispose()


def both_ways(database, path, flt, **kw):
    from forecast.services.scoring import score_database
    from forecast.services.sqlite_read import read_sqlite

    with database.snapshot() as conn:  # SQLAlchemy's connection: the usual path, load_input and score()
        usual = score_database(conn, flt, **kw)
    streamed_out = read_sqlite(path, lambda conn: score_database(conn, flt, **kw))
    assert streamed_out is not None
    from forecast.cli.score_json import summary_json  # the records as `score --json` prints them

    return summary_json(usual), summary_json(streamed_out)


@pytest.mark.parametrize("ranges", [1 << 16, 7])
def test_the_sqlite_path_scores_as_the_usual_path(sqlite_world, monkeypatch, ranges):
    from forecast.services import score_read, score_stream
    from forecast.services.score_filter import ScoreFilter

    monkeypatch.setattr(score_read, "ID_RANGE", ranges)  # 7: dozens of ranges, questions complete out of order
    monkeypatch.setattr(score_stream, "MIN_ROWS", 5)
    streams, restarts = [], []
    real = score_stream.stream_scores
    monkeypatch.setattr(score_stream, "stream_scores", lambda *a, **kw: streams.append(real(*a, **kw)) or streams[-1])
    ask = score_read.SummaryReads.ask_for_last_ids
    monkeypatch.setattr(score_read.SummaryReads, "ask_for_last_ids", lambda self: restarts.append(1) or ask(self))
    database, path = sqlite_world
    cases = [
        (ScoreFilter(), {}),
        (ScoreFilter(exclude_backfilled=True), {"breakdown": "tag"}),
        (ScoreFilter(forecasters=("f2", "f5")), {"unit": "final", "breakdown": "question"}),
        (ScoreFilter(tag="b"), {"unit": "forecast", "bin_width": 0.25}),
        (ScoreFilter(since=T0 + 60 * DAY, until=T0 + 110 * DAY), {"breakdown": "month"}),
    ]
    for flt, kw in cases:
        usual, got = both_ways(database, path, flt, **kw)
        assert json.dumps(got) == json.dumps(usual), (flt, kw)
    assert usual["forecasters"] and len(streams) == len(cases)  # not vacuous: every case took the stream
    # rows by time: a question scored gets another forecast later, and the stream starts again by the largest ids
    assert bool(restarts) == (database.order == "by time" and ranges == 7)


def test_the_sqlite_path_leaves_values_it_cannot_read_exactly_to_the_usual_path(sqlite_world):
    """A recorded_at stored as a fraction (only another program writes one): the texts would not parse as
    integers, so the stream gives way and the usual path reads the file as it always has."""
    from forecast.services import score_stream
    from forecast.services.score_filter import ScoreFilter
    from forecast.store import bulk

    database, path = sqlite_world
    before, _ = both_ways(database, path, ScoreFilter())
    database.write(lambda s: bulk.execute(s.connection(), "UPDATE forecast SET recorded_at = recorded_at + 0.5 "
                                          "WHERE id = (SELECT min(id) FROM forecast)"))  # fmt: skip
    gave_way = []
    real = score_stream.stream_scores

    def spy(*a, **kw):
        try:
            return real(*a, **kw)
        except score_stream.Unreadable as exc:
            gave_way.append(exc)
            raise

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(score_stream, "stream_scores", spy)
        usual, got = both_ways(database, path, ScoreFilter())
    assert gave_way
    assert json.dumps(got) == json.dumps(usual) == json.dumps(before)


def test_the_sqlite_path_reports_what_the_usual_path_reports(sqlite_world):
    from forecast.core.errors import InvalidInput, NotFound
    from forecast.services.score_filter import ScoreFilter
    from forecast.services.scoring import score_database
    from forecast.services.sqlite_read import read_sqlite
    from forecast.store import bulk

    database, path = sqlite_world
    with pytest.raises(NotFound, match="no tag named 'nope'"):
        read_sqlite(path, lambda conn: score_database(conn, ScoreFilter(tag="nope")))
    with pytest.raises(NotFound, match="no forecaster named 'nobody'"):
        read_sqlite(path, lambda conn: score_database(conn, ScoreFilter(forecasters=("nobody",))))
    # a probability out of range, as only a damaged file holds it
    database.write(lambda s: bulk.execute(s.connection(), "UPDATE forecast SET probability = 1.5 WHERE id = "
                                          "(SELECT max(id) FROM forecast WHERE question_id IN "
                                          "(SELECT id FROM question WHERE resolution = 'yes'))"))  # fmt: skip
    with database.snapshot() as conn, pytest.raises(InvalidInput, match=r"probabilities must lie in \[0, 1\]"):
        score_database(conn)
    with pytest.raises(InvalidInput, match=r"probabilities must lie in \[0, 1\]"):
        read_sqlite(path, lambda conn: score_database(conn))
