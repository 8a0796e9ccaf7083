"""Domain types shared by every layer. Plain enums and frozen dataclasses, no storage concerns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """What a question asks (core/kinds.py has what the non-binary kinds are made of)."""

    BINARY = "binary"
    CHOICE = "choice"
    NUMERIC = "numeric"
    DATE = "date"

    @property
    def continuous(self) -> bool:
        return self in (Kind.NUMERIC, Kind.DATE)


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    RESOLVED = "resolved"
    ANNULLED = "annulled"


class Resolution(StrEnum):
    YES = "yes"
    NO = "no"
    ANNULLED = "annulled"

    @property
    def status(self) -> Status:
        return Status.ANNULLED if self is Resolution.ANNULLED else Status.RESOLVED

    @property
    def outcome(self) -> int | None:
        """1 for YES, 0 for NO, None when the question is not scored."""
        return {Resolution.YES: 1, Resolution.NO: 0}.get(self)


class AutoRule(StrEnum):
    NO_AT_CLOSE = "no_at_close"
    YES_AT_CLOSE = "yes_at_close"

    @property
    def resolution(self) -> Resolution:
        return Resolution.NO if self is AutoRule.NO_AT_CLOSE else Resolution.YES


class Stance(StrEnum):
    YES = "yes"
    NO = "no"
    NEUTRAL = "neutral"


class DateSource(StrEnum):
    """How an article's publication date was established; never a guess."""

    META = "meta"
    BYLINE = "byline"
    URL = "url"
    USER = "user"


@dataclass(frozen=True, slots=True)
class Question:
    id: int | None
    slug: str
    title: str
    opens_at: datetime
    closes_at: datetime
    resolves_at: datetime
    kind: Kind = Kind.BINARY
    description: str = ""
    criteria: str = ""
    tags: tuple[str, ...] = ()
    status: Status = Status.OPEN
    resolution: Resolution | None = None
    resolved_at: datetime | None = None
    resolution_note: str = ""
    auto: AutoRule | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    source_file: str | None = None


@dataclass(frozen=True, slots=True)
class Forecast:
    id: int | None
    question_slug: str
    forecaster: str
    probability: float
    made_at: datetime
    recorded_at: datetime
    rationale: str = ""
    evidence: tuple[str, ...] = ()
    supersedes_id: int | None = None
    superseded: bool = False


@dataclass(frozen=True, slots=True)
class EvidenceLink:
    question_slug: str
    stance: Stance = Stance.NEUTRAL
    note: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    id: int | None
    key: str
    title: str
    text: str = ""
    url: str | None = None
    canonical_url: str | None = None
    outlet: str = ""
    author: str = ""
    published_at: datetime | None = None
    published_source: DateSource | None = None
    retrieved_at: datetime | None = None
    excerpt: str = ""
    content_hash: str = ""
    links: tuple[EvidenceLink, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class ResolutionEvent:
    question_slug: str
    action: str  # "resolve" or "unresolve"
    resolution: Resolution | None
    resolved_at: datetime | None
    note: str
    actor: str
    at: datetime
