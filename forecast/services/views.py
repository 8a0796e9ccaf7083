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
    values: dict[str, float] | None = None
    """A non-binary forecast's probability per option, or its p10/p50/p90 (services/kinds.py); None for binary."""
    entered: str = ""
    """What the user typed for a non-binary forecast."""


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
    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class ReminderRow:
    question: str
    remind_at: datetime
    note: str | None


@dataclass(frozen=True, slots=True)
class QuestionFields:
    """A question's own fields (what `resolve --json` prints; the interchange shape of a question)."""

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
    spec: dict | None
    """A non-binary question's options or range (core/kind_spec.py, `KindSpec.to_dict`); None for binary."""
    outcome: str | None
    """A non-binary question's outcome when `resolution` is 'outcome' (core/kind_spec.py)."""


HIDDEN_UNTIL_FORECAST = "until_you_forecast"  # a team member with no forecast of their own on the open question
HIDDEN_UNTIL_CLOSE = "until_close"  # a team observer, while the question is open
HIDDEN_NOTE = {
    HIDDEN_UNTIL_FORECAST: "Others' forecasts are hidden until you forecast (this team hides them until then).",
    HIDDEN_UNTIL_CLOSE: "Others' forecasts are hidden until the question closes (observers see them then).",
}
"""What `q show` and the TUI's detail screen say for each QuestionDetail.others_hidden."""


@dataclass(frozen=True, slots=True)
class EventLinkRow:
    """One forecaster's two views of the linked event: the binary probability and the one their date CDF implies."""

    forecaster: str
    binary: float | None
    """Their standing probability on the binary question; None when they have not forecast it."""
    implied: float | None
    """P(the date falls before the threshold) under their standing date forecast; None without one."""
    inconsistent: bool
    """Both given and more than EVENT_TOLERANCE apart."""


EVENT_TOLERANCE = 0.10
"""How far a binary "before X" forecast may sit from what the same forecaster's date forecast implies."""


@dataclass(frozen=True, slots=True)
class EventLink:
    """A binary "before X" question's link to a date question on the same event (X: the binary's closes_at)."""

    date_question: str
    """The date question's slug."""
    date_title: str
    threshold: datetime
    forecasters: tuple[EventLinkRow, ...]
    """By forecaster name."""


@dataclass(frozen=True, slots=True)
class LinkedBinary:
    """On a date question: one binary "before X" question linked to it (the EventLink that question shows)."""

    slug: str
    title: str
    status: str
    threshold: datetime
    """X: the binary question's closes_at."""
    binary_median: float | None
    """The median of the standing forecasts on the binary question (each forecaster's latest); None without any."""
    implied_median: float | None
    """The median over forecasters of P(the date falls before X) under their standing date forecast."""
    inconsistent: bool
    """Some forecaster's two answers are more than EVENT_TOLERANCE apart (EventLinkRow.inconsistent)."""
    forecasters: tuple[EventLinkRow, ...]
    """By forecaster name, as the binary question's EventLink has them."""


@dataclass(frozen=True, slots=True)
class QuestionDetail(QuestionFields):
    """One question with its standing forecasts, history, evidence, resolution history and reminder."""

    latest: dict[str, float]
    """Each forecaster's standing probability."""
    days_to_close: float
    forecasts: tuple[UpdateRow, ...]
    evidence: tuple[LinkedEvidenceRow, ...]
    resolution_history: tuple[ResolutionEventRow, ...]
    reminder: ReminderRow | None
    comments: tuple[CommentRow, ...] = ()
    others_hidden: str | None = None
    """In a team database with hide_until_forecast: why others' forecasts are left out of `latest` and
    `forecasts` for the connected member — "until_you_forecast" (a member who has not forecast yet) or
    "until_close" (an observer); None when nothing is hidden."""
    event_link: EventLink | None = None
    """A binary "before X" question linked to a date question: what each forecaster's date forecast implies."""
    linked_binaries: tuple[LinkedBinary, ...] = ()
    """A date question: the binary "before X" questions linked to it, soonest X first (empty for other kinds)."""


@dataclass(frozen=True, slots=True)
class CommentRow:
    """A comment on a question; in a team database the author is the role that wrote it."""

    id: int
    question_id: int
    author: str
    body: str
    created_at: datetime
    updated_at: datetime


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
class EvidenceFields:
    """What every evidence record starts with (the stored columns, in the order --json prints them)."""

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


@dataclass(frozen=True, slots=True)
class ProposalRow:
    """A feed's proposal to link an item to a question."""

    question: str
    keywords: tuple[str, ...]
    state: str
    feed: str | None


@dataclass(frozen=True, slots=True)
class InboxRow(EvidenceFields):
    """Evidence waiting for a decision, with the feed it came from and its open proposals."""

    feed: str | None
    proposals: tuple[ProposalRow, ...]


@dataclass(frozen=True, slots=True)
class EvidenceRow(EvidenceFields):
    """One piece of evidence in the listing of all of it, with how many questions it is linked to."""

    links: int


@dataclass(frozen=True, slots=True)
class QuestionEvidenceRow(EvidenceFields):
    """One piece of evidence linked to a question (`evidence list Q`), with the link's stance and note."""

    stance: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class EvidenceLinkRow:
    """A question a piece of evidence is linked to."""

    question: str
    title: str
    stance: str | None
    note: str | None
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class EvidenceForecastRow:
    """A forecast that cites a piece of evidence."""

    id: int
    question: str
    forecaster: str
    probability: float
    made_at: datetime
    superseded: bool


@dataclass(frozen=True, slots=True)
class EvidenceDetail(EvidenceFields):
    """One piece of evidence with its text, links, the forecasts it moved, and feed proposals."""

    text: str | None
    links: tuple[EvidenceLinkRow, ...]
    forecasts: tuple[EvidenceForecastRow, ...]
    proposals: tuple[ProposalRow, ...]


@dataclass(frozen=True, slots=True)
class EvidenceSearchRow:
    """A full-text match, best first, with a snippet whose matches are marked «like this»."""

    rank: int
    score: float
    id: int
    key: str
    title: str | None
    url: str | None
    outlet: str | None
    published_at: datetime | None
    inbox: bool
    dismissed: bool
    snippet: str


@dataclass(frozen=True, slots=True)
class QuestionSearchRow:
    """A question found by words of its title or slug (the TUI's pickers)."""

    id: int
    slug: str
    title: str
    status: str
    closes_at: datetime | None
    proposed: bool = False
    """Proposed by a feed for the item being linked."""
