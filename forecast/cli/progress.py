"""A small progress line on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, total: int | None = None) -> None:
        self.label = label
        self.total = total
        self.enabled = sys.stderr.isatty()
        self._last = 0.0

    def __call__(self, done: int) -> None:
        if not self.enabled or time.monotonic() - self._last < 0.1:
            return
        self._last = time.monotonic()
        if self.total:
            pct = 100 * done / self.total
            bar = "#" * int(pct / 5)
            sys.stderr.write(f"\r{self.label} [{bar:<20}] {pct:5.1f}% ")
        else:
            sys.stderr.write(f"\r{self.label} {done:,} ")
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
