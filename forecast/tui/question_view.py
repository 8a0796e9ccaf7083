"""Which questions the table shows and in what order: status, filter text and sort over in-memory columns.

Nothing here touches the database. A keystroke in the filter re-scans only the titles still matching
when the new text extends the old one, so typing stays well under a frame on 50,000 questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from forecast.services.questions.table import QuestionColumns, TeamColumns

STATUSES = ("open", "closed", "resolved", "all")
SORTS = ("closes", "updated", "probability", "brier")
SORT_LABELS = {"closes": "close date", "updated": "last update", "probability": "probability", "brier": "Brier"}
SORT_ORDER = {"closes": "soonest close first", "updated": "latest update first",
              "probability": "highest probability first", "brier": "worst Brier score first"}  # fmt: skip
SORT_COLUMN = {"closes": "closes", "updated": "trend", "probability": "mine", "brier": "mine"}
_STATUS_MEMBERS = {"open": ("open",), "closed": ("closed",), "resolved": ("resolved", "annulled")}


@dataclass
class QuestionView:
    columns: QuestionColumns | None = None
    team: TeamColumns | None = None
    status: str = "open"
    query: str = ""
    sort: str = "closes"
    descending: bool = False
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Positions into `columns`, in display order."""
    _haystack: list[str] = field(default_factory=list)
    _status_masks: dict[str, np.ndarray] = field(default_factory=dict)
    _order: np.ndarray | None = None
    _matches: np.ndarray | None = None
    _matched_query: str = ""

    def __len__(self) -> int:
        return len(self.rows)

    # --- data ---------------------------------------------------------------------------------------------

    def set_columns(self, columns: QuestionColumns, team: TeamColumns | None = None) -> None:
        self.columns = columns
        self.team = team
        self._haystack = [
            f"{t}\n{s}\n{' '.join('#' + x for x in tags)}".lower()
            for t, s, tags in zip(columns.titles, columns.slugs, columns.tags, strict=True)
        ]
        status = np.array(columns.status, dtype=object)
        self._status_masks = {
            name: np.isin(status, members) for name, members in _STATUS_MEMBERS.items()
        }
        self._status_masks["all"] = np.ones(len(columns), dtype=bool)
        self._order = None
        self._matches = None
        self.apply()

    def set_team(self, team: TeamColumns) -> None:
        self.team = team
        if self.sort in ("updated", "probability"):
            self._order = None
        self.apply()

    # --- state --------------------------------------------------------------------------------------------

    def set_status(self, status: str) -> None:
        self.status = status
        self.apply()

    def set_query(self, query: str) -> None:
        self.query = query
        self.apply()

    def set_sort(self, sort: str, descending: bool | None = None) -> None:
        if sort != self.sort or descending is not None:
            self._order = None
        self.sort = sort
        if descending is not None:
            self.descending = descending
        self.apply()

    def reverse(self) -> None:
        self.descending = not self.descending
        self._order = None
        self.apply()

    # --- computing rows -----------------------------------------------------------------------------------

    def apply(self) -> None:
        if self.columns is None:
            self.rows = np.zeros(0, dtype=np.int64)
            return
        mask = self._status_masks[self.status] & self._query_mask()
        order = self._sorted()
        self.rows = order[mask[order]]

    def _query_mask(self) -> np.ndarray:
        n = len(self._haystack)
        terms = self.query.lower().split()
        if not terms:
            self._matches, self._matched_query = None, ""
            return np.ones(n, dtype=bool)
        query = " ".join(terms)
        hay = self._haystack
        # Refining the previous query only needs to look at what matched it.
        if self._matches is not None and self._matched_query and query.startswith(self._matched_query):
            hits = np.flatnonzero(self._matches).tolist()
        else:
            first = terms[0]
            hits = [i for i, h in enumerate(hay) if first in h]
        for term in terms:
            hits = [i for i in hits if term in hay[i]]
        mask = np.zeros(n, dtype=bool)
        mask[hits] = True
        self._matches, self._matched_query = mask, query
        return mask

    def sort_key(self) -> np.ndarray:
        """Ascending key of the current sort; NaN sorts last whatever the direction."""
        c = self.columns
        assert c is not None
        if self.sort == "closes":
            return c.closes.astype(np.float64)
        if self.sort == "updated":
            last = c.mine_at if self.team is None else np.maximum(c.mine_at, self.team.last_at)
            key = -last.astype(np.float64)
            key[last == 0] = np.nan
            return key
        p = self.probability()
        if self.sort == "probability":
            return -p
        return -((p - c.outcome) ** 2)

    def probability(self) -> np.ndarray:
        """The user's standing probability, or the team median where they have none."""
        c = self.columns
        assert c is not None
        if self.team is None:
            return c.mine
        return np.where(np.isnan(c.mine), self.team.median, c.mine)

    def _sorted(self) -> np.ndarray:
        if self._order is None:
            key = self.sort_key()
            if self.descending:
                key = -key
            # Stable, so ties keep the (closes_at, id) order of the columns; NaN goes last.
            self._order = np.argsort(np.where(np.isnan(key), np.inf, key), kind="stable")
        return self._order

    # --- lookups ------------------------------------------------------------------------------------------

    def position(self, row: int) -> int:
        return int(self.rows[row])

    def question_id(self, row: int) -> int | None:
        if self.columns is None or not 0 <= row < len(self.rows):
            return None
        return int(self.columns.ids[self.rows[row]])

    def row_of(self, question_id: int) -> int | None:
        if self.columns is None:
            return None
        hits = np.flatnonzero(self.columns.ids[self.rows] == question_id)
        return int(hits[0]) if len(hits) else None

    def counts(self) -> dict[str, int]:
        return {name: int(mask.sum()) for name, mask in self._status_masks.items()}
