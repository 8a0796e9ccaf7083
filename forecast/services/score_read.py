"""The reads of `forecast score`'s summary on a SQLite file, on a thread of their own from the start, in one
read transaction: started before numpy and the engine are imported, they run while those load and while the
questions read so far are scored (services/score_stream.py). Nothing here imports numpy.

What comes, in order (`SummaryReads.get`): the questions, whether a question of another kind passes the
filter, the forecasters, the largest question id, the tags and the slugs when asked for, "packed" (when the
ids pack), then the forecasts: one item per range of forecast ids (and, before the next range once asked for,
the largest forecast id of each question). Columns come as one text each (SQLite's `group_concat`, built
inside one step with the GIL released, where a row-by-row fetch makes a Python object of every value: two
thirds of the time of a plain fetch). Every value is an integer, so the texts are exact: question and forecaster packed in one
(as in services/scoring.py), the probability as a percentage or times 2^62 (see _P_CODE; any other comes as
-1 - the forecast's id, and its stored value with the range), made_at, and recorded_at less made_at.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

from forecast.core.backfill import lag_micros
from forecast.services.score_filter import NO_TIME, ScoreFilter, question_where
from forecast.store import bulk

ID_RANGE = 1 << 16  # forecast ids per query
P_SCALE = 1 << 62
# The probability as an integer: k for a percentage (k / 100.0 is the stored double: the usual case, 3 digits),
# else p * 2^62 (exact for a double in [2^-10, 1]: 19 digits), else -1 - the forecast's id. Any code above 100
# is at least 2^52. A probability stored as text or a blob compares greater than any number: the ELSE too.
_P_CODE = (
    "CASE WHEN probability BETWEEN 0.0 AND 1.0 AND CAST(probability * 100 AS INTEGER) / 100.0 = probability "
    "THEN CAST(probability * 100 AS INTEGER) "
    f"WHEN probability BETWEEN 0.0009765625 AND 1.0 THEN CAST(probability * {P_SCALE} AS INTEGER) ELSE -1 - id END"
)
# recorded_at as its lag after made_at: fewer digits (a lag too large for an integer would come as a real, which
# the reader refuses to parse, and then reads the usual way).
_RANGE_SQL = (
    "SELECT count(*), group_concat(question_id * :scale + forecaster_id), "
    f"group_concat({_P_CODE}), group_concat(made_at), group_concat(recorded_at - made_at) "
    "FROM forecast WHERE id >= :lo AND id < :hi AND NOT superseded {backfill}{questions}"
)
# As services/scoring.py's forecast query: only forecasts on questions that pass the filter and resolved YES or NO
# (without a filter, the reader of the texts drops the others: cheaper than SQLite's list of questions per range).
# services/score_filter.QUESTIONS_SQL as texts (in any order: the reader sorts them by id)
_QUESTIONS_SQL = (
    f"SELECT count(*), group_concat(id), group_concat(opens_at), group_concat(closes_at), "
    f"group_concat(COALESCE(resolved_at, {NO_TIME})), "
    "group_concat(CASE resolution WHEN 'yes' THEN 1 WHEN 'no' THEN 0 ELSE -1 END) FROM question WHERE {where}"
)
_IN_QUESTIONS = " AND +question_id IN (SELECT id FROM question WHERE resolution IN ('yes', 'no') AND {where})"
_DONE = ("done",)
# the largest forecast id of each question (a scan of the (question, forecaster, made_at, recorded_at) index)
_LAST_SQL = ("SELECT count(*), group_concat(q), group_concat(m) FROM "
             "(SELECT question_id AS q, max(id) AS m FROM forecast GROUP BY question_id)")


def start_reads(conn, flt: ScoreFilter, *, labels: bool, tags: bool) -> SummaryReads | None:
    """The reads of a summary on `conn`, started; None unless it is a SQLite file's (services/sqlite_read.py)."""
    return SummaryReads(conn, flt, labels=labels, tags=tags) if isinstance(conn, bulk.Sqlite) else None


class SummaryReads:
    """The reads, running; `get` the next item (a read's error is raised there), `close` before the connection
    is used for anything else (it waits for the read under way)."""

    def __init__(self, conn: bulk.Sqlite, flt: ScoreFilter, *, labels: bool, tags: bool) -> None:
        self.conn, self.flt, self.labels, self.tags = conn, flt, labels, tags
        self.bits = 0  # of the forecaster in the packed integer (set before the ranges come)
        self.other_kinds: bool | None = None  # a question of another kind passes the filter (once read)
        self._items: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._want_last = threading.Event()
        self.finished = threading.Event()  # set once the reads are over (this thread no longer needs a core)
        self._thread = threading.Thread(target=self._run, name="score-reads", daemon=True)
        self._thread.start()

    def get(self) -> tuple:
        item = self._items.get()
        if isinstance(item, BaseException):
            self._thread.join()
            raise item
        return item

    def ask_for_last_ids(self) -> None:
        """Have the largest forecast id of each question come before the next range (an item "last")."""
        self._want_last.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            self._read()
        except BaseException as exc:  # raised by `get`, on the thread that reads the items
            self._items.put(exc)
        finally:
            self.finished.set()

    def _put(self, *item: Any) -> None:
        self._items.put(item)

    def _texts(self, sql: str, params: Any = ()) -> tuple[int, list[str]]:
        """A count and columns as texts: one step of SQLite's, with the GIL released (a row-by-row fetch holds
        it for every value, and the thread importing numpy or scoring waits for it)."""
        n, *texts = bulk.sqlite_rows(self.conn.raw, sql, params)[0]
        return n, texts

    def _read(self) -> None:
        conn, flt = self.conn, self.flt
        where, params = question_where(conn, flt)
        self._put("questions", *self._texts(_QUESTIONS_SQL.format(where=where), params))
        # whether services/kind_scores.py has anything to score (if not, it need not even be imported)
        self._put("kinds", bool(bulk.scalar(conn, f"SELECT EXISTS (SELECT 1 FROM question WHERE kind <> 'binary' "
                                                  f"AND {where})", params)))  # fmt: skip
        names = bulk.rows(conn, "SELECT id, name FROM forecaster")
        self._put("forecasters", names)
        q_top = bulk.scalar(conn, "SELECT max(id) FROM question") or 0
        self._put("q_top", q_top)
        if self.tags:
            tag_names = bulk.rows(conn, "SELECT id, name FROM tag ORDER BY name")
            self._put("tags", tag_names, *self._texts("SELECT count(*), group_concat(question_id), "
                                                      "group_concat(tag_id) FROM question_tag"))  # fmt: skip
        if self.labels:
            self._put("labels", bulk.rows(conn, f"SELECT slug FROM question WHERE {where} ORDER BY id", params))
        ids = [i for i, _ in names]
        self.bits = bits = max(max(ids, default=0), 1).bit_length()
        if min(ids, default=0) < 0 or q_top >= 1 << (62 - bits) or self._stop.is_set():
            self._put(*_DONE)  # nothing packs (or nothing more wanted): the reader reads the usual way
            return
        self._put("packed")
        values: dict[str, Any] = {"scale": 1 << bits}
        backfill = ""
        if flt.exclude_backfilled:
            backfill = "AND recorded_at - made_at <= :lag"
            values["lag"] = lag_micros(flt.backfill_after)
        filtered = where != "1 = 1"
        if filtered:
            values.update(params)
        sql = _RANGE_SQL.format(backfill=backfill, questions=_IN_QUESTIONS.format(where=where) if filtered else "")
        # two queries: SQLite finds a min() or a max() of the rowid alone at once, both together by a full scan
        lo_id = bulk.scalar(conn, "SELECT min(id) FROM forecast")
        hi_id = bulk.scalar(conn, "SELECT max(id) FROM forecast")
        for lo in range(lo_id, hi_id + 1, ID_RANGE) if lo_id is not None else ():
            if self._stop.is_set():
                return
            if self._want_last.is_set():
                self._want_last.clear()
                self._put("last", *self._texts(_LAST_SQL))
            n, *texts = bulk.sqlite_rows(conn.raw, sql, {**values, "lo": lo, "hi": lo + ID_RANGE})[0]
            stored: list = []
            if n and "-" in texts[1]:  # probabilities that do not scale exactly: as stored, by forecast id
                odd = [-1 - int(v) for v in texts[1].split(",") if v.startswith("-")]
                for a in range(0, len(odd), 500):
                    part = odd[a : a + 500]
                    marks = ", ".join(f":i{k}" for k in range(len(part)))
                    stored += bulk.rows(conn, f"SELECT id, probability FROM forecast WHERE id IN ({marks})",
                                        {f"i{k}": v for k, v in enumerate(part)})  # fmt: skip
            self._put("range", lo + ID_RANGE, n, texts, stored)
        self._put(*_DONE)
