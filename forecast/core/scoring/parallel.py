"""Independent pieces of the scoring pipeline on two threads: numpy releases the GIL in its loops."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2)), thread_name_prefix="scoring")
    return _pool


def pmap(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """[fn(x) for x in items], computed concurrently; results in order, exceptions re-raised."""
    items = list(items)
    if len(items) < 2:
        return [fn(x) for x in items]
    return [f.result() for f in [_executor().submit(fn, x) for x in items]]


def background(fn: Callable[[], R]) -> Future:
    """Start fn() on a worker thread; call .result() where it is needed."""
    return _executor().submit(fn)
