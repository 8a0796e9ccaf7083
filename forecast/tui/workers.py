"""Database work runs in thread workers; this wraps them so that no failure escapes to crash the app."""

from __future__ import annotations

import functools
from collections.abc import Callable

from textual import work

from forecast.core.errors import ForecastError
from forecast.tui.errors import log_unexpected
from forecast.tui.messages import WorkFailed


def db_work(what: str, *, group: str = "default", exclusive: bool = True) -> Callable:
    """A thread worker that posts WorkFailed instead of raising. `what` names the job for messages."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def body(self, *args, **kwargs):
            try:
                return fn(self, *args, **kwargs)
            except ForecastError as exc:
                self.post_message(WorkFailed(what, str(exc), expected=True))
            except Exception as exc:  # anything else is a bug: log it, tell the user, keep running
                self.post_message(WorkFailed(what, log_unexpected(what, exc), expected=False))
            return None

        return work(thread=True, exclusive=exclusive, group=group, exit_on_error=False, name=what)(body)

    return decorate
