"""Which of one forecaster's forecasts on a question stands: the latest by `LATEST`, the one definition.

The greatest made_at; of two made at one instant, the later recorded (a correction recorded afterwards
wins); of two with both equal, the higher id (inserted later). The identity constraint (question,
forecaster, made_at, recorded_at) makes the last step unreachable for stored rows, but every path states
it so that none depends on that. Superseded (corrected) forecasts never stand.

Used by the standing-forecast cache (store/standing.py: the per-pair refresh, the full refresh, the
migration that built the cache) and by scoring, which loads forecasts in id order and sorts stably by
(made_at, recorded_at) (services/scoring.py, core/scoring/timeline.py).
"""

from __future__ import annotations

LATEST = ("made_at", "recorded_at", "id")


def latest_first() -> str:
    """An SQL ORDER BY list that puts the standing forecast first."""
    return ", ".join(f"{column} DESC" for column in LATEST)


def latest_last() -> str:
    """The same order ascending: the standing forecast comes last."""
    return ", ".join(LATEST)


__all__ = ["LATEST", "latest_first", "latest_last"]
