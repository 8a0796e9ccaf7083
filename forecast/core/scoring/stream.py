"""score() a chunk of questions at a time, while the rest is still being read: the same Scores, to the bit.

    stream = Stream(questions, forecasters, unit="time", bin_width=0.1)
    stream.add(q_stop, q_idx, f_idx, t, p, seq)   # every forecast of questions [stream.q_next, q_stop)
    ...
    scores = stream.finish(kept)                   # Scores as score() gives them, for summary and breakdown

Everything in score() is per question except what runs along all of them: the crowd's running sums over
events (carried from one chunk to the next, segments.Carry), the extremizing fit and with it the @extremized
row set (after the last chunk, on the events of all), and the merging of equal calibration rows (after the
last chunk, on the rows of all, in order). The chunks' tables and rows are concatenated in question order,
which is the order score() has them in, so every sum adds the same numbers in the same order.

Forecasters are indices into `forecasters`, any superset in the same order of the ones `finish` keeps (the
order decides the sort, so the same order gives the same tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from forecast.core.scoring import aggregate
from forecast.core.scoring.aggregate import Extremizing
from forecast.core.scoring.arrays import ScoringInput
from forecast.core.scoring.brier import expit
from forecast.core.scoring.calibration import WeightedRows, n_bins_for
from forecast.core.scoring.engine import UNITS, Scores, unit_columns
from forecast.core.scoring.pairs import Crowd, PairTable, RowSet, reduce_pairs, score_rows
from forecast.core.scoring.parallel import background, inline, pmap
from forecast.core.scoring.timeline import Carries, build
from forecast.core.errors import InvalidInput


@dataclass(eq=False)
class Questions:
    """What summary and breakdown read of a timeline: the questions (inp, without forecasts) and which are scored."""

    inp: ScoringInput
    scored: np.ndarray
    empty_window: np.ndarray


@dataclass(eq=False)
class _Events:
    """The events of one chunk, for the @extremized row set: as much of a Timeline as it reads."""

    inp: _Outcomes
    width: np.ndarray
    ev_q: np.ndarray
    ev_len: np.ndarray
    ev_qfirst: np.ndarray


class Stream:
    def __init__(self, questions: ScoringInput, forecasters: tuple[str, ...], *, unit: str = "time",
                 bin_width: float = 0.1, aggregates: bool = True) -> None:  # fmt: skip
        """`questions`: the question columns, with the tags and labels that breakdowns read (its forecast
        columns are not read)."""
        if unit not in UNITS:
            raise InvalidInput(f"unknown calibration unit {unit!r} (use time, forecast or final)")
        self.n_bins = n_bins_for(bin_width)
        self.unit, self.bin_width, self.aggregates = unit, bin_width, aggregates
        self.questions = questions
        self.forecasters = tuple(forecasters)
        self.q_next = 0
        self._carries = Carries()
        self._n_sets = 4 if aggregates else 1  # the forecasters, @median, @mean, @geo-odds (@extremized at the end)
        self._tables: list[list[PairTable]] = [[] for _ in range(self._n_sets)]
        self._rows: list[list[tuple]] = [[] for _ in range(self._n_sets)]  # (g, p, o, w) before merging
        self._late_f: list[np.ndarray] = []
        self._late_q: list[np.ndarray] = []
        self._width: list[np.ndarray] = []
        self._scored: list[np.ndarray] = []
        self._empty: list[np.ndarray] = []
        self._events: list[tuple] = []  # per chunk, what the @extremized row set and the fit need

    def add(self, q_stop: int, q_idx: np.ndarray, f_idx: np.ndarray, t: np.ndarray, p: np.ndarray,
            seq: np.ndarray | None = None) -> None:  # fmt: skip
        """Score questions [q_next, q_stop): `q_idx` (indices into the questions) and the other columns are all
        the forecasts on them, in any order (ties at one instant go by `seq`, then by this order)."""
        a, qs = self.q_next, self.questions
        if q_stop < a or q_stop > qs.n_questions:
            raise InvalidInput("questions of a stream come in order, each once")
        part = slice(a, q_stop)
        inp = ScoringInput(
            q_id=qs.q_id[part], opens=qs.opens[part], closes=qs.closes[part], resolved_at=qs.resolved_at[part],
            outcome=qs.outcome[part], q_idx=np.asarray(q_idx) - a, f_idx=f_idx, t=t, p=p,
            forecasters=self.forecasters, seq=seq,
        )  # fmt: skip
        self.q_next = q_stop
        tl = build(inp, self._carries)
        crowd = Crowd.of_timeline(tl)
        crowd.median  # noqa: B018 (its running sum continues the last chunk's: computed before the next chunk's)
        sets = [RowSet.of_timeline(tl)]
        if self.aggregates:
            for j, p_agg in enumerate(aggregate.series(tl, None).values()):
                sets.append(aggregate.rowset(tl, p_agg, len(self.forecasters) + j))
        unit = self.unit

        def one(rs: RowSet) -> tuple[PairTable, tuple]:
            sc = score_rows(tl, crowd, rs)
            table = reduce_pairs(tl, crowd, rs, sc)
            table.q = table.q + a
            return table, unit_columns(tl, rs, sc, table, unit)

        for i, (table, rows) in enumerate(pmap(one, sets)):
            self._tables[i].append(table)
            self._rows[i].append(rows if i == 0 else (None, rows[1], rows[2] if i == 1 else None, rows[3]))
        self._late_f.append(inp.f_idx[tl.late_src])
        self._late_q.append(inp.q_idx[tl.late_src] + a)
        self._width.append(tl.width)
        self._scored.append(tl.scored)
        self._empty.append(tl.empty_window)
        if self.aggregates:  # what the fit and the @extremized row set read of this chunk, after the last one
            local = _Events(_Outcomes(inp.outcome), tl.width, tl.ev_q, tl.ev_len, tl.ev_qfirst)
            terms = Crowd(local, _Values(crowd.peer_a.values), _Values(crowd.peer_b.values), crowd.ev_o, crowd.ev_u,
                          crowd.ev_h, crowd.agg_coverage, crowd.agg_horizon_coverage,
                          _median=_Values(crowd.median.values))  # fmt: skip
            self._events.append((a, tl.ev_slogit / tl.ev_n.astype(np.float64), terms))

    def finish(self, kept: np.ndarray) -> Scores:
        """The Scores of every question (the ones not yet added have no forecasts), with the forecasters `kept`
        (sorted indices into `forecasters`), in that order, as score() gives them on those forecasters."""
        if self.q_next < self.questions.n_questions or not self._width:  # (no question at all: one empty chunk)
            none = np.zeros(0, np.int64)
            self.add(self.questions.n_questions, none, none, none, np.zeros(0))
        kept = np.asarray(kept, dtype=np.int64)
        n_f = len(kept)
        code = np.full(len(self.forecasters), -1, dtype=np.int64)
        code[kept] = np.arange(n_f)
        width = np.concatenate(self._width)
        tables = [_concat_tables(t) for t in self._tables]
        tables[0].f = code[tables[0].f]
        g, p, o, w = (np.concatenate([r[k] for r in self._rows[0]]) for k in range(4))
        columns = [(code[g], p, o, w)]
        extremizing = Extremizing(None, 0, reason="aggregates not requested")
        if self.aggregates:
            o = np.concatenate([r[2] for r in self._rows[1]])  # every aggregate has a row per event
            for j in range(1, self._n_sets):
                tables[j].f = np.full(len(tables[j].f), n_f + j - 1, dtype=np.int64)
                p, w = (np.concatenate([r[k] for r in self._rows[j]]) for k in (1, 3))
                columns.append((np.full(len(p), n_f + j - 1, dtype=np.int64), p, o, w))
        self._rows = self._tables = []  # their memory goes with the merging
        # equal calibration rows merged on the other threads (the largest first, so that they finish together)
        # while this one fits the extremizing exponent and scores the @extremized row set
        merging = {i: background(partial(WeightedRows.of, *columns[i]))
                   for i in sorted(range(len(columns)), key=lambda i: -len(columns[i][1]))}  # fmt: skip
        del columns
        calibration = []
        if self.aggregates:
            with inline():
                extremizing, ext = self._extremized(width, n_f + self._n_sets - 1)
                if ext is not None:
                    tables.append(ext[0])
                    calibration.append(WeightedRows.of(*ext[1]))
        calibration = [merging[i].result() for i in range(len(merging))] + calibration
        names = [self.forecasters[i] for i in kept.tolist()] + list(aggregate.NAMES[: len(tables) - 1])
        return Scores(
            tl=Questions(self.questions, np.concatenate(self._scored), np.concatenate(self._empty)),
            names=tuple(names),
            n_forecasters=n_f,
            pairs=PairTable.concat(tables),
            calibration_parts=calibration,
            late_f=code[np.concatenate(self._late_f)],
            late_q=np.concatenate(self._late_q),
            unit=self.unit,
            bin_width=self.bin_width,
            n_bins=self.n_bins,
            extremizing=extremizing,
        )

    def _extremized(self, width: np.ndarray, f_index: int) -> tuple[Extremizing, tuple | None]:
        """The fit on the events of all chunks and, when it gives an exponent, the @extremized row set's pair
        table and calibration rows (as score() makes them from the whole timeline), a chunk at a time."""
        events, self._events = self._events, []
        mean_logit, ev_o, ev_u = (np.concatenate(c) for c in zip(*[(m, c.ev_o, c.ev_u) for _, m, c in events],
                                                                   strict=True))  # fmt: skip
        extremizing = aggregate.fit_extremizing_on(int(np.count_nonzero(width > 0)), mean_logit, ev_o, ev_u)
        if extremizing.exponent is None:
            return extremizing, None
        del mean_logit, ev_o, ev_u
        unit, exponent = self.unit, extremizing.exponent

        def one(chunk: tuple) -> tuple[PairTable, tuple]:
            a, mean_logit, crowd = chunk
            tl = crowd.tl
            rs = aggregate.rowset(tl, expit(exponent * mean_logit), f_index)
            sc = score_rows(tl, crowd, rs)
            table = reduce_pairs(tl, crowd, rs, sc)
            table.q = table.q + a
            return table, unit_columns(tl, rs, sc, table, unit)

        done = pmap(one, events)
        rows = tuple(np.concatenate(c) for c in zip(*[r for _, r in done], strict=True))
        return extremizing, (_concat_tables([t for t, _ in done]), rows)


def _concat_tables(tables: list[PairTable]) -> PairTable:
    return tables[0] if len(tables) == 1 else PairTable.concat(tables)


class _Values:
    """A crowd term's per-event values: all that a row set with a row per event reads of its prefix sums."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values


@dataclass(eq=False)
class _Outcomes:
    outcome: np.ndarray
