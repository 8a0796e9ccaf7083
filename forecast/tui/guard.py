"""Nothing crashes the app: an exception in one of our handlers or actions is logged and shown, not fatal.

Textual stops a node's message loop at the first exception and exits the app. Three public seams reach
every handler of ours: `on_event` (every event: keys and therefore bindings and actions, mouse, mount,
resize, timers), the `on` decorator (messages; use the one here, not textual's), and naming-convention
message handlers (`on_<message>`), which a Guarded class wraps when it is defined.
"""

from __future__ import annotations

import functools
import inspect
from asyncio import CancelledError
from collections.abc import Callable
from typing import Any

from textual import events
from textual import on as textual_on
from textual.message import Message


def _report(node: Any, what: str, exc: Exception) -> None:
    report = getattr(node.app, "report_unexpected", None)
    if report is None:
        raise exc
    report(what, exc)


def guarded(method: Callable) -> Callable:
    """`method` (a handler of ours) reporting an exception instead of letting it end the app."""
    if getattr(method, "_forecast_guarded", False):
        return method
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def run_async(self, *args, **kwargs):
            try:
                return await method(self, *args, **kwargs)
            except CancelledError:
                raise
            except Exception as exc:  # a bug in a handler: report it and keep the loop alive
                _report(self, method.__name__, exc)
            return None

        wrapper = run_async
    else:

        @functools.wraps(method)
        def run(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:  # a bug in a handler: report it and keep the loop alive
                _report(self, method.__name__, exc)
            return None

        wrapper = run
    wrapper._forecast_guarded = True  # type: ignore[attr-defined]
    return wrapper


def on(message_type: type[Message], selector: str | None = None, **kwargs: str) -> Callable:
    """textual's `on`, with the handler guarded."""

    def decorate(method: Callable) -> Callable:
        return textual_on(message_type, selector, **kwargs)(guarded(method))

    return decorate


class Guarded:
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if name.startswith("on_") and name != "on_event" and inspect.isfunction(value):
                if not hasattr(value, "_textual_on"):
                    setattr(cls, name, guarded(value))

    async def on_event(self, event: events.Event) -> None:
        try:
            await super().on_event(event)  # type: ignore[misc]
        except CancelledError:
            raise
        except Exception as exc:  # a bug in a handler or an action: report it and keep the loop alive
            _report(self, type(event).__name__, exc)
