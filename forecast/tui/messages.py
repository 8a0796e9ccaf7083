"""Messages shared across screens. Screen-specific ones live on the screen (or widget) that sends them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class WorkFailed(Message):
    """A worker failed. `expected` errors are ForecastError one-liners; others were logged with a traceback."""

    what: str
    error: str
    expected: bool


@dataclass
class DataChanged(Message):
    """Something was written (by this app); screens showing it reload."""

    what: str
    question_id: int | None = None
    note: str = ""
    """Something the user should know about the write (e.g. "no publication date found")."""
    undo: object | None = None
    """How to take the change back (a services.undo.UndoToken); the app keeps these for `u`."""
    done: str = ""
    """What was saved, in words, for the confirmation ("Saved forecast 35% on eu-summit-deal")."""
