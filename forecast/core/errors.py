"""Errors the core and services raise; front ends turn them into one line and an exit code."""


class ForecastError(Exception):
    """A user-facing failure: the message is one clear line."""


class NotFound(ForecastError):
    pass


class InvalidInput(ForecastError):
    pass


class Conflict(ForecastError):
    pass
