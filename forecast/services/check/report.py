"""The result of `forecast check`: what it changed, what needs attention, and what is new.

Reminder lists can run to tens of thousands of rows on a big shared database, and cron only mails
the first few, so each list stays as raw rows and becomes typed items only when asked (JSON wants all).
The CLI shapes the items as JSON (cli/check.py) or text (cli/check_text.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime



@dataclass(frozen=True, slots=True)
class ClosedItem:
    """A question this check closed (its deadline passed)."""

    id: int
    slug: str
    title: str
    closes_at: datetime


@dataclass(frozen=True, slots=True)
class AutoResolvedItem:
    """A question this check resolved by its auto rule, at its close."""

    id: int
    slug: str
    title: str
    closes_at: datetime
    resolution: str
    resolved_at: datetime
    rule: str


@dataclass(frozen=True, slots=True)
class OverdueItem:
    id: int
    slug: str
    title: str
    resolves_at: datetime
    overdue_days: float
    new: bool


@dataclass(frozen=True, slots=True)
class ClosingSoonItem:
    id: int
    slug: str
    title: str
    closes_at: datetime
    closes_in_days: float
    new: bool


@dataclass(frozen=True, slots=True)
class ReminderItem:
    id: int
    slug: str
    title: str
    remind_at: datetime
    note: str
    new: bool


@dataclass(frozen=True, slots=True)
class StaleItem:
    """A forecaster's standing forecast not updated for the stale period, on an open question."""

    id: int
    slug: str
    title: str
    forecaster: str
    last_update: datetime
    days_since: float
    new: bool


class Section:
    """One list of the report: raw rows, a (row, new) -> item function, and which rows are new.

    `prepare`, when given, is called with the rows about to become dicts, so names can be looked up
    for just those rows (cron's text report shows twenty, JSON all of them).
    """

    __slots__ = ("rows", "_make", "_is_new", "_new", "_prepare")

    def __init__(self, rows: list = (), make: Callable[[object, bool], object] | None = None,
                 is_new: Callable | None = None,
                 prepare: Callable[[list], None] | None = None):  # fmt: skip
        self.rows = list(rows)
        self._make = make
        self._is_new = is_new
        self._prepare = prepare
        self._new: list[bool] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    @property
    def flags(self) -> list[bool]:
        if self._new is None:
            self._new = [False] * len(self.rows) if self._is_new is None else list(map(self._is_new, self.rows))
        return self._new

    @property
    def new_count(self) -> int:
        return sum(self.flags)

    def items(self, limit: int | None = None) -> list:
        """All items in order; with a limit, new items first (what a shortened list must not hide)."""
        order = range(len(self.rows))
        if limit is not None:
            order = sorted(order, key=lambda i: not self.flags[i])[:limit]
        if self._prepare is not None:
            self._prepare([self.rows[i] for i in order])
        make, rows, flags = self._make, self.rows, self.flags
        return [make(rows[i], flags[i]) for i in order]


@dataclass
class CheckReport:
    as_of: datetime
    options: object  # services.check.CheckOptions
    run_id: int | None = None
    previous_as_of: datetime | None = None
    interrupted_runs: int = 0
    closed: list[ClosedItem] = field(default_factory=list)
    auto_resolved: list[AutoResolvedItem] = field(default_factory=list)
    overdue: Section = field(default_factory=Section)
    stale: Section = field(default_factory=Section)
    closing_soon: Section = field(default_factory=Section)
    reminders: Section = field(default_factory=Section)
    evidence: dict | None = None  # from the feed service; None when feeds were not polled
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def new_evidence(self) -> int:
        return len(self.evidence.get("new", [])) if self.evidence else 0

    @property
    def attention(self) -> bool:
        """Something needs a person: overdue questions, reminders or new evidence."""
        return bool(self.overdue or self.stale or self.closing_soon or self.reminders or self.new_evidence)

    @property
    def new_attention(self) -> int:
        """Attention items that became due since the previous check (all new evidence is new)."""
        return (self.overdue.new_count + self.stale.new_count + self.closing_soon.new_count + self.reminders.new_count
                + self.new_evidence)  # fmt: skip

    @property
    def changed(self) -> bool:
        return bool(self.closed or self.auto_resolved)

    @property
    def happened(self) -> bool:
        """Anything worth a message: a change, something newly due, an error, an interrupted run."""
        return self.changed or self.new_attention > 0 or bool(self.errors) or self.interrupted_runs > 0

    def counts(self) -> dict:
        return {
            "closed": len(self.closed),
            "auto_resolved": len(self.auto_resolved),
            "overdue": len(self.overdue),
            "stale": len(self.stale),
            "closing_soon": len(self.closing_soon),
            "reminders": len(self.reminders),
            "new_evidence": self.new_evidence,
            "new_attention": self.new_attention,
            "errors": len(self.errors),
        }

    def summary(self) -> dict:
        """What the check_run row keeps: counts, and the ids of the questions the run changed."""
        return {
            **self.counts(),
            "closed_ids": [q.id for q in self.closed],
            "auto_resolved_ids": [q.id for q in self.auto_resolved],
            "stale_days": self.options.stale_days,
            "soon_days": self.options.soon_days,
            "interrupted_runs": self.interrupted_runs,
            "feeds": None if self.evidence is None else {k: v for k, v in self.evidence.items() if k != "new"},
        }
