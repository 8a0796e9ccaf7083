"""`forecast score`: load what scoring needs in bulk and hand it to the engine (forecast.core.scoring).

Questions and forecasts come through the driver's own cursor straight into numpy (no ORM rows): a
million forecasts load in about a second. Filters choose questions (--tag, --since/--until on the
resolution time); --by chooses whose scores are shown, after scoring, so that peer and relative scores
and the team aggregates always compare against the whole crowd of each question.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import timedelta
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from forecast.core.backfill import lag_micros
from forecast.core.errors import NotFound
from forecast.core.scoring import ScoringInput, question_detail, score
from forecast.core.scoring.question import DetailForecaster, DetailQuestion, DetailScores
from forecast.core.scoring.results import BreakdownRow, Summary
from forecast.services.score_filter import QUESTIONS_SQL, ScoreFilter
from forecast.services.score_filter import question_where as _question_where
from forecast.store import bulk
from forecast.store.bulk import Params

if TYPE_CHECKING:  # a summary reads on a plain connection: `forecast score` loads neither the ORM nor SQLModel
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from forecast.services.kind_scores import KindReport
    from forecast.services.score_read import SummaryReads

    Reader = Session | Connection | bulk.Sqlite

_FORECAST_ROW = np.dtype([("q", "i8"), ("f", "i8"), ("p", "f8"), ("t", "i8"), ("rec", "i8")])
# The same with question and forecaster in one integer (question_id << bits | forecaster_id): every value
# fetched is a Python object made and dropped, and one fewer per row is 0.1-0.15 s of a million-row load.
_PACKED_ROW = np.dtype([("qf", "i8"), ("p", "f8"), ("t", "i8"), ("rec", "i8")])
_DETAIL_ROW = np.dtype([("id", "i8"), ("f", "i8"), ("p", "f8"), ("t", "i8"), ("rec", "i8")])
_QUESTION_ROW = np.dtype([("id", "i8"), ("opens", "i8"), ("closes", "i8"), ("res_at", "i8"), ("outcome", "f8")])
__all__ = ["FORECASTS_SQL", "QUESTIONS_SQL", "ScoreFilter", "backfilled_count", "load_input", "score_database",
           "score_one_question"]  # fmt: skip


def _connection(src: Reader) -> Connection | bulk.Sqlite:
    """What the bulk reads run on: a session's connection, or the connection given (SQLAlchemy's, or a
    standard-library one from services/sqlite_read.py)."""
    return src.connection() if hasattr(src, "get_bind") else src  # only a Session has get_bind


def _rows(conn: Connection, sql: str, params: Params, dtype: np.dtype) -> np.ndarray:
    """Run `sql` (`:name` parameters) on the driver's cursor, rows straight into a structured array."""
    return bulk.array(conn, sql, params, dtype)


# Forecasts of scored questions only, in id order (the table's own order: no sort for SQLite). The unary
# plus keeps SQLite scanning the table instead of probing an index a million times.
_FORECASTS_FROM = (
    "FROM forecast WHERE NOT superseded {backfill} AND +question_id IN "
    "(SELECT id FROM question WHERE resolution IN ('yes', 'no') AND {where}) ORDER BY id"
)
FORECASTS_SQL = "SELECT question_id, forecaster_id, probability, made_at, recorded_at " + _FORECASTS_FROM
_PACKED_SQL = "SELECT CAST(question_id AS BIGINT) * :scale + forecaster_id, probability, made_at, recorded_at " + _FORECASTS_FROM


def load_input(src: Reader, flt: ScoreFilter = ScoreFilter(), *, labels: bool = True,
               tags: bool = True) -> ScoringInput:  # fmt: skip
    """The questions that pass the filter and the forecasts on those that resolved YES or NO.

    Forecasters: everyone with a forecast on a scored question, and the ones named in the filter (a name
    with nothing scored still gets a row), in name order. `labels` (slugs) and `tags` are only needed for
    breakdowns by question and by tag. `src` is a session or a connection; all reads are one snapshot.
    """
    conn = _connection(src)
    where, params = _question_where(conn, flt)
    qs = _rows(conn, QUESTIONS_SQL.format(where=where), params, _QUESTION_ROW)
    names = dict(_pairs(conn, "SELECT id, name FROM forecaster"))
    missing = [n for n in flt.forecasters if n not in names.values()]
    if missing:
        raise NotFound(f"no forecaster named {missing[0]!r}")
    fc_q, fc_f, fc = _forecasts(conn, where, params, flt, qs["id"], names)
    size = max(names, default=0) + 1
    present = np.zeros(size, dtype=bool)
    present[fc_f] = True
    shown = set(flt.forecasters)
    kept = sorted((name, i) for i, name in names.items() if present[i] or name in shown)
    f_code = np.full(size, -1, dtype=np.int64)
    f_code[[i for _, i in kept]] = np.arange(len(kept))
    q_code = np.full(int(qs["id"].max()) + 1 if len(qs) else 1, -1, dtype=np.int64)
    q_code[qs["id"]] = np.arange(len(qs))
    tag_q, tag_id, tag_names = _tags(conn, qs["id"]) if tags else (np.zeros(0, np.int64), np.zeros(0, np.int64), ())
    return ScoringInput(
        q_id=qs["id"],
        opens=qs["opens"],
        closes=qs["closes"],
        resolved_at=qs["res_at"],
        outcome=_outcome(qs),
        q_idx=q_code[fc_q],
        f_idx=f_code[fc_f],
        t=fc["t"],
        p=fc["p"],
        seq=fc["rec"],  # of two forecasts at one instant the later-recorded stands (then the later id)
        forecasters=tuple(name for name, _ in kept),
        tag_q=tag_q,
        tag_id=tag_id,
        tags=tag_names,
        labels=_slugs(conn, where, params) if labels else None,
    )


def _forecasts(conn: Connection, where: str, params: dict, flt: ScoreFilter, q_ids: np.ndarray,
               names: dict[int, str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Question ids, forecaster ids, and the rows (p, t, rec) of the scored forecasts.

    The ids come packed in one integer when they fit in 63 bits (always, short of billions of forecasters):
    every forecaster and question of these rows is in `names` and `q_ids`, read in the same snapshot."""
    backfill = ""
    if flt.exclude_backfilled:
        backfill = "AND recorded_at - made_at <= :lag"
        params = {**params, "lag": lag_micros(flt.backfill_after)}
    q_max = int(q_ids.max()) if len(q_ids) else 0
    f_max = max(names, default=0)
    bits = max(f_max, 1).bit_length()
    if min(names, default=0) >= 0 and (len(q_ids) == 0 or int(q_ids.min()) >= 0) and q_max < (1 << (62 - bits)):
        fc = _rows(conn, _PACKED_SQL.format(where=where, backfill=backfill), {**params, "scale": 1 << bits}, _PACKED_ROW)
        return fc["qf"] >> bits, fc["qf"] & ((1 << bits) - 1), fc
    fc = _rows(conn, FORECASTS_SQL.format(where=where, backfill=backfill), params, _FORECAST_ROW)
    return fc["q"], fc["f"], fc


def backfilled_count(inp: ScoringInput, after: timedelta) -> int:
    """How many of the scored forecasts are backfilled (the figures include them unless excluded)."""
    return int(np.count_nonzero(inp.seq - inp.t > lag_micros(after)))


def _outcome(qs: np.ndarray) -> np.ndarray:
    return np.where(qs["outcome"] < 0, np.nan, qs["outcome"])


def _pairs(conn: Connection, sql: str, params: Params = ()) -> list[tuple]:
    return bulk.rows(conn, sql, params)


def _slugs(conn: Connection, where: str, params: dict) -> tuple[str, ...]:
    return tuple(r[0] for r in _pairs(conn, f"SELECT slug FROM question WHERE {where} ORDER BY id", params))


def _tags(conn: Connection, q_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    names = _pairs(conn, "SELECT id, name FROM tag ORDER BY name")
    links = _rows(conn, "SELECT question_id, tag_id FROM question_tag", (), np.dtype([("q", "i8"), ("t", "i8")]))
    if not names or len(links) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), ()
    tag_ids = np.array([r[0] for r in names], dtype=np.int64)  # in name order
    by_id = np.argsort(tag_ids)
    pos = np.minimum(np.searchsorted(q_ids, links["q"]), max(len(q_ids) - 1, 0))
    on = q_ids[pos] == links["q"] if len(q_ids) else np.zeros(len(links), dtype=bool)
    tag_index = by_id[np.searchsorted(tag_ids[by_id], links["t"][on])]
    return pos[on], tag_index, tuple(r[1] for r in names)


@dataclass(frozen=True, slots=True)
class Backfilled:
    """Backfilled forecasts (recorded more than `after` past the time they claim) and whether they were left out."""

    excluded: bool
    included: int  # among the forecasts scored (0 when excluded)
    after: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreSummary(Summary):
    """`forecast score`: the engine's summary of binary questions (core/scoring/results.py), the backfilled count,
    the breakdown rows (None unless asked for), and the other kinds (None when no choice, numeric or date question
    passes the filter; when present, `questions` counts the binary questions only)."""

    backfilled: Backfilled
    breakdown: tuple[BreakdownRow, ...] | None = None
    kinds: KindReport | None = None


def score_database(
    src: Reader,
    flt: ScoreFilter = ScoreFilter(),
    *,
    unit: str = "time",
    bin_width: float = 0.1,
    breakdown: str | None = None,
    reads: SummaryReads | None = None,
) -> ScoreSummary:
    """The documented summary (docs/scoring.md), plus `breakdown` rows when asked for.

    On a SQLite file (a services/sqlite_read.py connection) the forecasts are scored while they are read
    (services/score_stream.py); `reads` are that path's reads, when the caller started them already."""
    labels, tags = breakdown == "question", breakdown == "tag"
    conn = _connection(src)
    scores = None
    if isinstance(conn, bulk.Sqlite):
        from forecast.services.score_read import SummaryReads
        from forecast.services.score_stream import Unreadable, stream_scores

        reads = reads or SummaryReads(conn, flt, labels=labels, tags=tags)
        try:
            scores, n_backfilled = stream_scores(reads, flt, unit=unit, bin_width=bin_width)
        except Unreadable:
            scores = None
        finally:
            reads.close()  # the connection is this thread's again
    if scores is None:
        inp = load_input(src, flt, labels=labels, tags=tags)
        scores = score(inp, unit=unit, bin_width=bin_width)
        n_backfilled = backfilled_count(inp, flt.backfill_after)
    names = list(flt.forecasters) or None
    summary = scores.summary(names)
    backfilled = Backfilled(flt.exclude_backfilled, n_backfilled, flt.backfill_after)
    rows = scores.breakdown(breakdown, names) if breakdown is not None else None
    kinds = None
    if reads is None or reads.other_kinds is not False:
        # Choice, numeric and date questions (services/kind_scores.py), each kind with its own columns. None when
        # no such question passes the filter, so binary-only output is unchanged; present, `questions` counts
        # binary questions and `backfilled` all scored forecasts. Imported here, after the scoring's peak of
        # memory: it brings SQLModel.
        from forecast.services.kind_scores import kind_scores

        kinds = kind_scores(src, flt, unit=unit, bin_width=bin_width) or None
    questions = summary.questions
    if kinds is not None:
        questions = replace(questions, not_scored=questions.not_scored - kinds.n_questions)
        backfilled = replace(backfilled, included=backfilled.included + kinds.backfilled)
    core = {f.name: getattr(summary, f.name) for f in fields(Summary)}
    return ScoreSummary(**{**core, "questions": questions}, backfilled=backfilled, breakdown=rows, kinds=kinds)


@dataclass(frozen=True, slots=True)
class OneQuestion:
    """`forecast score QUESTION` for a binary question: the engine's QuestionDetail with the question's slug and
    title, forecasters by name (only those asked for), forecasts by their database id; JSON in cli/score_json.py."""

    slug: str
    title: str
    question: DetailQuestion
    forecasters: tuple[DetailForecaster, ...]
    aggregates: tuple[DetailScores, ...]


def score_one_question(session: Session, ref: str | int, forecasters: tuple[str, ...] = ()) -> OneQuestion:
    """One question forecast by forecast, forecasts by their database id."""
    from forecast.services.lookup import get_question

    q = get_question(session, ref)
    conn = session.connection()
    qs = _rows(conn, QUESTIONS_SQL.format(where="id = :id"), (q.id,), _QUESTION_ROW)
    fc = _rows(
        conn,
        "SELECT id, forecaster_id, probability, made_at, recorded_at FROM forecast "
        "WHERE question_id = :id AND NOT superseded ORDER BY id",
        (q.id,),
        _DETAIL_ROW,
    )
    names = dict(_pairs(conn, "SELECT id, name FROM forecaster"))
    missing = [n for n in forecasters if n not in names.values()]
    if missing:
        raise NotFound(f"no forecaster named {missing[0]!r}")
    f_ids = np.unique(fc["f"])
    inp = ScoringInput(
        q_id=qs["id"],
        opens=qs["opens"],
        closes=qs["closes"],
        resolved_at=qs["res_at"],
        outcome=_outcome(qs),
        q_idx=np.zeros(len(fc), dtype=np.int64),
        f_idx=np.searchsorted(f_ids, fc["f"]),
        t=fc["t"],
        p=fc["p"],
        seq=fc["rec"],
        forecasters=tuple(names[int(i)] for i in f_ids.tolist()),
        labels=(q.slug,),
    )
    detail = question_detail(inp, 0, ids=fc["id"])
    people = sorted(detail.forecasters, key=attrgetter("name"))
    if forecasters:
        people = [f for f in people if f.name in set(forecasters)]
    return OneQuestion(q.slug, q.title, detail.question, tuple(people), detail.aggregates)
