"""Plain text -> styled rich Text for cells and labels. User text is never parsed as markup here."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.text import Text

from forecast.core.backfill import GLYPH, MEANING
from forecast.core.timeparse import from_micros, humanize
from forecast.tui.palette import Palette

SPARK = "▁▂▃▄▅▆▇█"
REMINDER = "◷"  # a question with a reminder waiting (bold when due); the help screen says so
STANCE_MARK = {"yes": "▲", "no": "▼", "neutral": "•"}
KIND_SHORT = {"choice": "opts", "numeric": "num", "date": "date"}
"""A non-binary question's kind where the questions table shows a probability (the Me column is 5 wide)."""


def pct(p: float | None, *, blank: str = "–") -> str:
    """0.35 -> "35%", 0.355 -> "35.5%"."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return blank
    value = p * 100
    if abs(value - round(value)) < 0.05:
        return f"{round(value):d}%"
    return f"{value:.1f}%"


def pct_marked(p: float | None, backfilled: bool) -> str:
    """The probability, with the backfilled glyph (core/backfill.py) before it when the forecast is backfilled."""
    return f"{GLYPH}{pct(p)}" if backfilled else pct(p)


def backfill_legend(after: timedelta) -> str:
    """What the glyph means, for the help screen and wherever backfilled forecasts are listed."""
    return f"{GLYPH} {MEANING.format(hours=after.total_seconds() / 3600)}"


def delta_points(change: float | None) -> str:
    """A change in probability in percentage points: +5 pts, -12.5 pts."""
    if change is None:
        return ""
    pts = change * 100
    if abs(pts) < 0.05:
        return "±0 pts"
    body = f"{pts:+.0f}" if abs(pts - round(pts)) < 0.05 else f"{pts:+.1f}"
    return f"{body} pts"


def delta_text(change: float | None, pal: Palette) -> Text:
    if change is None:
        return Text("new", style=pal.muted)
    arrow = "▲" if change > 0.0005 else "▼" if change < -0.0005 else "="
    style = pal.yes if change > 0.0005 else pal.no if change < -0.0005 else pal.muted
    return Text(f"{arrow} {delta_points(change)}", style=style)


def sparkline(values: tuple[float, ...] | list[float]) -> str:
    """Absolute scale: 0% is the lowest block and 100% the highest, so heights compare across rows."""
    top = len(SPARK) - 1
    return "".join(SPARK[min(top, max(0, round(v * top)))] for v in values)


def status_badge(status: str, resolution: str | None, pal: Palette) -> Text:
    if resolution == "yes":
        return Text(" YES  ", style=f"bold {pal.yes} reverse")
    if resolution == "no":
        return Text("  NO  ", style=f"bold {pal.no} reverse")
    if status == "annulled" or resolution == "annulled":
        return Text("ANNUL ", style=pal.muted)
    if status == "closed":
        return Text("CLOSED", style=f"bold {pal.warn}")
    return Text(" OPEN ", style=f"bold {pal.primary}")


def when_text(at: datetime, now: datetime) -> str:
    return humanize(at, now=now)


def closes_cell(closes_us: int, status: str, now: datetime, now_us: int, pal: Palette) -> Text:
    """Time to close; an open question past its close (awaiting the scheduled check) is overdue, in red."""
    text = humanize(from_micros(closes_us), now=now)
    if status == "open":
        if closes_us <= now_us:
            return Text(f"! {text}", style=f"bold {pal.no}")
        return Text(text)
    if status == "closed":
        return Text(text, style=pal.warn)  # the badge says CLOSED: waiting to be resolved
    return Text(text, style=pal.muted)


def local_time(at: datetime | None, tz: str) -> str:
    """YYYY-MM-DD HH:mm in the user's zone. zoneinfo rather than arrow: tables format thousands of these."""
    if at is None:
        return ""
    zone = _zone(tz)
    return (at.astimezone() if zone is None else at.astimezone(zone)).strftime("%Y-%m-%d %H:%M")


@lru_cache(maxsize=8)
def _zone(tz: str):
    if tz == "local":
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def plain(text: str | None, style: str = "") -> Text:
    """User-supplied text, shown literally."""
    return Text(text or "", style=style)


def first_line(text: str | None, limit: int = 200) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def no_url(title: str | None) -> str:
    """Why `b` opened nothing for an article stored without a URL (from a file or pasted text)."""
    name = first_line(title, 60) or "this article"
    return f"Nothing to open: “{name}” has no URL (it was added from a file or pasted text)."
