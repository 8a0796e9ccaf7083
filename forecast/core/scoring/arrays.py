"""The scoring input: whole columns as numpy arrays, one row per question and one per forecast."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from forecast.core.errors import InvalidInput

# resolved_at of a question that has not resolved; the largest int64 so that min(closes, resolved_at) just works.
NO_TIME = np.iinfo(np.int64).max


def _col(values, dtype) -> np.ndarray:
    a = np.ascontiguousarray(values, dtype=dtype)
    if a.ndim != 1:
        raise InvalidInput("scoring columns must be one-dimensional")
    return a


@dataclass(frozen=True, eq=False)
class ScoringInput:
    """Questions (length Q) and forecasts (length N). Times are int64 microseconds since the epoch, UTC.

    `outcome` is 1.0 (YES), 0.0 (NO) or NaN (not scored: unresolved or annulled). Superseded corrections
    must already be removed. Rows may come in any order; `seq` breaks ties between forecasts by one
    forecaster on one question at the same instant (the highest `seq` stands); without it, row order does.
    Tags are parallel arrays (`tag_q` a question index, `tag_id` an index into `tags`).
    """

    q_id: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    resolved_at: np.ndarray
    outcome: np.ndarray
    q_idx: np.ndarray
    f_idx: np.ndarray
    t: np.ndarray
    p: np.ndarray
    forecasters: tuple[str, ...]
    seq: np.ndarray | None = None
    tag_q: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    tag_id: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    tags: tuple[str, ...] = ()
    labels: tuple[str, ...] | None = None  # e.g. question slugs, for breakdowns by question

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("q_id", "opens", "closes", "resolved_at", "t"):
            set_(self, name, _col(getattr(self, name), np.int64))
        for name in ("q_idx", "f_idx", "tag_q", "tag_id"):
            set_(self, name, _col(getattr(self, name), np.int64))
        set_(self, "outcome", _col(self.outcome, np.float64))
        set_(self, "p", _col(self.p, np.float64))
        if self.seq is not None:
            set_(self, "seq", _col(self.seq, np.int64))
        set_(self, "forecasters", tuple(self.forecasters))
        set_(self, "tags", tuple(self.tags))
        if self.labels is not None:
            set_(self, "labels", tuple(self.labels))
        self._validate()

    @property
    def n_questions(self) -> int:
        return len(self.q_id)

    @property
    def n_forecasts(self) -> int:
        return len(self.p)

    def _validate(self) -> None:
        nq, n = self.n_questions, self.n_forecasts
        for name in ("opens", "closes", "resolved_at", "outcome"):
            if len(getattr(self, name)) != nq:
                raise InvalidInput(f"question column {name} has the wrong length")
        for name in ("f_idx", "t", "p") + (("seq",) if self.seq is not None else ()):
            if len(getattr(self, name)) != n:
                raise InvalidInput(f"forecast column {name} has the wrong length")
        if self.labels is not None and len(self.labels) != nq:
            raise InvalidInput("question labels have the wrong length")
        if len(self.tag_q) != len(self.tag_id):
            raise InvalidInput("tag columns differ in length")
        o = self.outcome
        if not np.all(np.isnan(o) | (o == 0.0) | (o == 1.0)):
            raise InvalidInput("outcomes must be 1.0, 0.0 or NaN")
        if n and not (np.all(self.p >= 0.0) and np.all(self.p <= 1.0)):  # also rejects NaN
            raise InvalidInput("probabilities must lie in [0, 1]")
        _check_index(self.q_idx, nq, "q_idx")
        _check_index(self.f_idx, len(self.forecasters), "f_idx")
        _check_index(self.tag_q, nq, "tag_q")
        _check_index(self.tag_id, len(self.tags), "tag_id")

    @classmethod
    def from_rows(
        cls,
        questions: Sequence[Mapping],
        forecasts: Iterable[Sequence],
        tags: Mapping[int, Sequence[str]] | None = None,
    ) -> ScoringInput:
        """Build from plain Python rows (tests, small tools).

        `questions`: mappings with opens, closes, outcome (1, 0 or None) and optional resolved_at, id, label.
        `forecasts`: (question index, forecaster name, t, p) tuples; their order is the tie order.
        """
        names: dict[str, int] = {}
        rows = [(qi, names.setdefault(name, len(names)), t, p) for qi, name, t, p in forecasts]
        cols = list(zip(*rows, strict=True)) if rows else [[], [], [], []]
        tag_names: dict[str, int] = {}
        tag_pairs = [(qi, tag_names.setdefault(tag, len(tag_names))) for qi, ts in (tags or {}).items() for tag in ts]
        tcols = list(zip(*tag_pairs, strict=True)) if tag_pairs else [[], []]
        res = [q.get("resolved_at") for q in questions]
        labels = [q.get("label") for q in questions]
        return cls(
            q_id=[q.get("id", i + 1) for i, q in enumerate(questions)],
            opens=[q["opens"] for q in questions],
            closes=[q["closes"] for q in questions],
            resolved_at=[NO_TIME if r is None else r for r in res],
            outcome=[np.nan if q.get("outcome") is None else float(q["outcome"]) for q in questions],
            q_idx=cols[0],
            f_idx=cols[1],
            t=cols[2],
            p=cols[3],
            forecasters=tuple(names),
            tag_q=tcols[0],
            tag_id=tcols[1],
            tags=tuple(tag_names),
            labels=None if any(lab is None for lab in labels) else tuple(labels),
        )


def _check_index(idx: np.ndarray, size: int, name: str) -> None:
    if len(idx) and (idx.min() < 0 or idx.max() >= size):
        raise InvalidInput(f"{name} points outside its table")
