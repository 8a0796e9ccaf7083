"""Domain vocabulary shared by every layer: the enums of question kinds, states, resolutions, auto rules,
stances and date sources. Records themselves are the store's tables and the services' read models."""

from __future__ import annotations

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
