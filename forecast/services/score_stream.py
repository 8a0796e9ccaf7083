"""`forecast score` on a SQLite file: the forecasts are read in ranges on one thread (services/score_read.py)
while the questions complete so far are scored on this one (core/scoring/stream.py), so that the whole takes
about as long as the longer of the two rather than their sum. The same Scores as load_input + score(), to the
bit, and the same errors.

When is a question complete: first the forecasts are taken to come question by question, as `forecast import`
writes them, so that the questions before the last one seen are complete. A forecast of a question already
scored proves otherwise: then the largest forecast id of each question is read (a scan of an index), the
scoring starts again from the rows read so far, and a question is complete once the ranges pass its largest
id. The questions are scored in their own order, a chunk at a time, as the ranges complete them: a database
whose early questions keep getting forecasts until late is still scored right, only later.
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np

from forecast.core.backfill import lag_micros
from forecast.core.errors import NotFound
from forecast.core.scoring import ScoringInput, parallel
from forecast.core.scoring.engine import Scores
from forecast.core.scoring.stream import Stream
from forecast.services.score_read import P_SCALE, SummaryReads
from forecast.services.scoring import _QUESTION_ROW, _outcome

MIN_ROWS = 40_000  # rows of complete questions worth a chunk of scoring


class Unreadable(Exception):
    """The rows are not what this path reads exactly (ids too large to pack, values not stored as numbers): the
    caller reads them the usual way, which reports what it finds."""


def stream_scores(reads: SummaryReads, flt, *, unit: str, bin_width: float) -> tuple[Scores, int]:
    """Scores (as score(load_input(...)) gives them) and how many of the scored forecasts are backfilled
    (services/scoring.backfilled_count). Raises Unreadable for rows this path does not read."""
    _, n_q, texts = reads.get()
    cols = [_integers(text, n_q) for text in texts]
    order = np.argsort(cols[0], kind="stable")
    qs = np.empty(n_q, dtype=_QUESTION_ROW)  # as services/scoring.QUESTIONS_SQL reads them, in id order
    for name, col in zip(_QUESTION_ROW.names, cols, strict=True):
        qs[name] = col[order]
    _, reads.other_kinds = reads.get()
    _, names_rows = reads.get()
    names = dict(names_rows)
    missing = [n for n in flt.forecasters if n not in names.values()]
    if missing:
        raise NotFound(f"no forecaster named {missing[0]!r}")
    _, q_top = reads.get()
    by_name = sorted((name, i) for i, name in names.items())  # the forecasters of the stream, in name order
    rank = np.full(max(names, default=0) + 1, -1, dtype=np.int64)
    rank[[i for _, i in by_name]] = np.arange(len(by_name))
    q_code = np.full(q_top + 1, -1, dtype=np.int64)
    q_code[qs["id"]] = np.arange(len(qs))
    outcome = _outcome(qs)
    none = np.zeros(0, np.int64)
    tag_q, tag_id, tag_names, labels = none, none, (), None
    item = reads.get()
    if item[0] == "tags":
        n_links, (link_q, link_tag) = item[2], item[3]
        tag_q, tag_id, tag_names = _tags(item[1], _integers(link_q, n_links), _integers(link_tag, n_links), qs["id"])
        item = reads.get()
    if item[0] == "labels":
        labels = tuple(r[0] for r in item[1])
        item = reads.get()
    if item[0] != "packed":
        raise Unreadable("ids too large to pack")
    questions = ScoringInput(
        q_id=qs["id"], opens=qs["opens"], closes=qs["closes"], resolved_at=qs["res_at"], outcome=outcome,
        q_idx=none, f_idx=none, t=none, p=np.zeros(0), forecasters=(), tag_q=tag_q, tag_id=tag_id, tags=tag_names,
        labels=labels,
    )  # fmt: skip
    forecasters = tuple(name for name, _ in by_name)
    stream = Stream(questions, forecasters, unit=unit, bin_width=bin_width)
    eligible = ~np.isnan(outcome)  # resolved YES or NO: the questions whose forecasts are scored
    bits = reads.bits
    mask = (1 << bits) - 1

    def decode(n: int, texts: list, stored: list) -> tuple[np.ndarray, ...]:
        qf, code, t, lag = (_integers(text, n) for text in texts)
        q = q_code[np.minimum(qf >> bits, q_top)]
        keep = (qf >> bits <= q_top) & (q >= 0)
        keep[keep] = eligible[q[keep]]
        # a percentage k as SQLite divided it (k / 100.0); else exact: at most 53 significant bits over 2^62
        p = np.where(code <= 100, code / 100.0, code * (1.0 / P_SCALE))
        rec = t + lag
        if stored:
            odd = np.flatnonzero(code < 0)
            p[odd] = _stored(stored, -1 - code[odd])
        f = qf & mask
        if not keep.all():
            q, f, p, t, rec = q[keep], f[keep], p[keep], t[keep], rec[keep]
        return q, rank[f], t, p, rec

    present = np.zeros(len(by_name), dtype=bool)
    backfilled = 0
    lag = lag_micros(flt.backfill_after)
    pending: list[tuple[np.ndarray, ...]] = []
    n_pending = 0
    # First the rows are taken to come question by question (as an import writes them): the questions before
    # the last one seen are complete. A forecast of a question already scored proves otherwise: then the
    # largest forecast id of each question is read, and the scoring starts again from every row read so far.
    read_so_far: list[tuple[np.ndarray, ...]] | None = []
    seen = 0  # ordered: the questions before this one are complete
    complete_below = None  # else: per question, the id past which it and those before it are complete
    while True:
        item = reads.get()
        if item[0] == "last":
            complete_below = _complete_below(_integers(item[2][0], item[1]), _integers(item[2][1], item[1]),
                                             q_code, eligible)  # fmt: skip
            continue
        final = item[0] == "done"
        if not final:
            _, hi, n, texts, stored = item
            cols = decode(n, texts, stored) if n else None
            if cols is not None and len(cols[0]):
                present[cols[1]] = True
                backfilled += int(np.count_nonzero(cols[4] - cols[2] > lag))
                pending.append(cols)
                n_pending += len(cols[0])
                if read_so_far is not None:
                    read_so_far.append(cols)
                    if int(cols[0].min()) < stream.q_next:  # not in question order after all
                        reads.ask_for_last_ids()
                        stream = Stream(questions, forecasters, unit=unit, bin_width=bin_width)
                        pending, n_pending, read_so_far = read_so_far, sum(len(c[0]) for c in read_so_far), None
                    else:
                        seen = max(seen, int(cols[0].max()))
        if final:
            q_stop = len(qs)
        elif read_so_far is not None:
            q_stop = seen
        else:  # questions whose forecasts are all in (none known before the largest ids come)
            q_stop = stream.q_next if complete_below is None else int(np.searchsorted(complete_below, hi, side="left"))
        if q_stop > stream.q_next and (final or n_pending >= MIN_ROWS):
            cols = tuple(np.concatenate(c) for c in zip(*pending, strict=True)) if pending else (none,) * 5
            ready = cols[0] < q_stop
            now = cols if ready.all() else tuple(c[ready] for c in cols)
            # while the reads go on they have the other core; after them, the pool has it
            with parallel.inline() if not reads.finished.is_set() else nullcontext():
                stream.add(q_stop, *now)
            pending = [] if ready.all() else [tuple(c[~ready] for c in cols)]
            n_pending = len(pending[0][0]) if pending else 0
        if final:
            break
    shown = set(flt.forecasters)
    kept = [r for r, (name, _) in enumerate(by_name) if present[r] or name in shown]
    return stream.finish(np.array(kept, dtype=np.int64)), backfilled


def _integers(text: str | None, n: int) -> np.ndarray:
    """A column of n integers from its text (None when there are no rows)."""
    if not n:
        return np.zeros(0, np.int64)
    try:
        values = np.fromstring(text, dtype=np.int64, sep=",")
    except (ValueError, TypeError):
        raise Unreadable("a value that is not an integer") from None
    if len(values) != n:
        raise Unreadable("a value that is not an integer")
    return values


def _stored(stored: list, ids: np.ndarray) -> np.ndarray:
    """The probabilities of these forecasts as stored (converted as numpy converts the usual way's rows)."""
    try:
        got = np.array(stored, dtype=np.dtype([("id", "i8"), ("p", "f8")]))
    except (TypeError, ValueError):
        raise Unreadable("a probability that is not a number") from None
    got.sort(order="id")
    return got["p"][np.searchsorted(got["id"], ids)]


def _complete_below(q: np.ndarray, last: np.ndarray, q_code: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Per question, the forecast id past which it and every question before it are complete (nondecreasing),
    from each question's largest forecast id."""
    mine = (q >= 0) & (q < len(q_code))
    qi = q_code[q[mine]]
    top = np.full(len(eligible), -1, dtype=np.int64)
    top[qi[qi >= 0]] = last[mine][qi >= 0]
    top[~eligible] = -1  # not scored: none of its forecasts is waited for
    return np.maximum.accumulate(top) if len(top) else top


def _tags(names: list, link_q: np.ndarray, link_tag: np.ndarray,
          q_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:  # fmt: skip
    """services/scoring._tags on what was read."""
    if not names or len(link_q) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), ()
    tag_ids = np.array([r[0] for r in names], dtype=np.int64)  # in name order
    by_id = np.argsort(tag_ids)
    pos = np.minimum(np.searchsorted(q_ids, link_q), max(len(q_ids) - 1, 0))
    on = q_ids[pos] == link_q if len(q_ids) else np.zeros(len(link_q), dtype=bool)
    tag_index = by_id[np.searchsorted(tag_ids[by_id], link_tag[on])]
    return pos[on], tag_index, tuple(r[1] for r in names)
