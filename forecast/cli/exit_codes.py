"""Documented process exit codes (docs/cli.md)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    ATTENTION = 10  # forecast check: something needs the user's attention
    INTERNAL = 70  # a bug: an unexpected exception (EX_SOFTWARE); the traceback is in a crash file
    LOCKED = 75  # forecast check: another check is running (EX_TEMPFAIL)
