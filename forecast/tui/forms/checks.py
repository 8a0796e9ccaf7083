"""Checks for form fields: the same parsers as the CLI, with a preview of what the text means."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text

from forecast.core.errors import InvalidInput
from forecast.core.probability import parse_probability
from forecast.core.timeparse import humanize, local, parse_when
from forecast.services.tags import clean_tags
from forecast.tui import format as fmt
from forecast.tui.palette import Palette


def probability(previous: float | None, pal: Palette):
    """0.35 or 35%; the preview shows the change from the user's standing forecast."""

    def run(text: str):
        p = parse_probability(text)
        preview = Text.assemble((fmt.pct(p), "bold"))
        if previous is None:
            preview.append("  your first forecast on this question", style=pal.muted)
        else:
            change = p - previous
            preview.append("  ")
            preview.append_text(fmt.delta_text(change, pal))
            preview.append(f" from {fmt.pct(previous)}", style=pal.muted)
        return p, preview

    return run


def when(now: Callable[[], datetime], tz: str, *, required: bool = False, empty_hint: str = ""):
    """What the CLI accepts (2025-07-01, 'in 3 months', 'tomorrow'...); previews the moment it means.

    Empty text gives None (the caller's default, shown as `empty_hint`) unless `required`."""

    def run(text: str):
        if not text.strip():
            if required:
                raise InvalidInput("a date is required (e.g. 2026-12-31 or 'in 3 months')")
            return None, empty_hint
        at = parse_when(text, now=now(), tz=tz)
        return at, moment(at, now(), tz)

    return run


def moment(at: datetime, now: datetime, tz: str) -> str:
    """A parsed time as the preview shows it: local time, zone, and how far away."""
    return f"{local(at, tz)} ({tz})  ·  {humanize(at, now=now)}"


def tags(text: str):
    names = clean_tags(text.replace(",", " ").split())
    return tuple(names), " ".join("#" + t for t in names)
