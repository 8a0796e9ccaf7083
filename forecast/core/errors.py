"""Errors the core and services raise; front ends turn them into one line and an exit code."""


class ForecastError(Exception):
    """A user-facing failure: the message is one clear line."""


class NotFound(ForecastError):
    pass


class InvalidInput(ForecastError):
    pass


class Conflict(ForecastError):
    pass


class OutOfRange(InvalidInput):
    """A value beyond what we store: a time outside the supported range, an id beyond 64 bits.

    Raised straight from an argument it is a usage error (exit 2); inside a file it is one `FILE:LINE:` reason.
    """


class UnreadableValue(InvalidInput):
    """A forecast or outcome its question's kind cannot read ('kim=50%' missing an option, 'maybe' for a binary
    question). The question decides what is readable, so this is only known once it is looked up; given as
    an argument it is still a usage error (exit 2), like a probability the command line refused itself."""
