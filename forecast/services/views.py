"""What the services hand the CLI and the TUI to show: frozen records with real (UTC, aware) datetimes.

One naming scheme: `<Thing>Detail` is one record with everything about it, `<Thing>Row` one entry of a
listing. Field names are the keys of the `--json` output, in its order; turning a record into JSON
(times as ISO 8601 with Z) is the CLI's job (forecast/cli/output.py), never the TUI's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """Evidence cited by a forecast."""

    id: int
    key: str
    title: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class UpdateRow:
    """One forecast in a question's history (oldest first)."""

    id: int
    forecaster: str
    probability: float
    change: float | None
    """Against the same forecaster's previous standing forecast; None for their first."""
    made_at: datetime
    recorded_at: datetime
    rationale: str
    evidence: tuple[EvidenceRef, ...]
    supersedes: int | None
    superseded: bool
    backfilled: bool


@dataclass(frozen=True, slots=True)
class LinkedEvidenceRow:
    """Evidence linked to a question, with the link's stance and note."""

    id: int
    key: str
    title: str | None
    url: str | None
    outlet: str | None
    published_at: datetime | None
    published_source: str | None
    excerpt: str | None
    stance: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class ResolutionEventRow:
    action: str
    resolution: str | None
    resolved_at: datetime | None
    note: str | None
    actor: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ReminderRow:
    question: str
    remind_at: datetime
    note: str | None


@dataclass(frozen=True, slots=True)
class QuestionDetail:
    """One question with its standing forecasts, history, evidence, resolution history and reminder."""

    id: int
    slug: str
    title: str
    kind: str
    description: str
    criteria: str
    opens_at: datetime
    closes_at: datetime
    resolves_at: datetime
    tags: tuple[str, ...]
    auto: str | None
    status: str
    resolution: str | None
    resolved_at: datetime | None
    resolution_note: str | None
    created_at: datetime
    updated_at: datetime
    source_file: str | None
    latest: dict[str, float]
    """Each forecaster's standing probability."""
    days_to_close: float
    forecasts: tuple[UpdateRow, ...]
    evidence: tuple[LinkedEvidenceRow, ...]
    resolution_history: tuple[ResolutionEventRow, ...]
    reminder: ReminderRow | None


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One question of a listing, with each forecaster's standing probability."""

    id: int
    slug: str
    title: str
    status: str
    kind: str
    opens_at: datetime
    closes_at: datetime
    resolves_at: datetime
    resolution: str | None
    resolved_at: datetime | None
    auto: str | None
    tags: tuple[str, ...]
    latest: dict[str, float]
    days_to_close: float


@dataclass(frozen=True, slots=True)
class ProposalRow:
    """A feed's proposal to link an item to a question."""

    question: str
    keywords: tuple[str, ...]
    state: str
    feed: str | None


@dataclass(frozen=True, slots=True)
class InboxRow:
    """Evidence waiting for a decision, with the feed it came from and its open proposals."""

    id: int
    key: str
    title: str | None
    url: str | None
    canonical_url: str | None
    outlet: str | None
    author: str | None
    published_at: datetime | None
    published_source: str | None
    retrieved_at: datetime | None
    excerpt: str | None
    content_hash: str | None
    inbox: bool
    dismissed: bool
    created_at: datetime
    feed: str | None
    proposals: tuple[ProposalRow, ...]
