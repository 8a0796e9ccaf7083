"""Nothing crashes the app: an exception in a message handler or action is logged and shown, not fatal.

Textual stops a widget's message loop at the first exception and exits the app; catching at
`_dispatch_message` (the one place every handler and action of a node runs through) keeps both going.
"""

from __future__ import annotations

from asyncio import CancelledError

from textual.message import Message


class Guarded:
    async def _dispatch_message(self, message: Message) -> None:  # type: ignore[override]
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except CancelledError:
            raise
        except Exception as exc:  # a bug in a handler: report it and keep the loop alive
            report = getattr(self.app, "report_unexpected", None)  # type: ignore[attr-defined]
            if report is None:
                raise
            report(type(message).__name__, exc)
