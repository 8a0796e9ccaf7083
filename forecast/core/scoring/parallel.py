"""Independent pieces of the scoring pipeline on two threads: numpy releases the GIL in its loops.

Work submitted from a worker thread runs right there, so a task never waits for a place in the pool
that it holds itself (no deadlock however the callers nest).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
_PREFIX = "scoring-worker"
_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_here = threading.local()


@contextmanager
def inline() -> Iterator[None]:
    """Within this block, work of this thread runs right here: for a caller that keeps the other cores busy
    itself (the scoring stream, which scores one chunk while the next is read)."""
    before = getattr(_here, "inline", False)
    _here.inline = True
    try:
        yield
    finally:
        _here.inline = before


def _executor() -> ThreadPoolExecutor | None:
    """The shared pool, or None on one of its own threads (or inline)."""
    global _pool
    if threading.current_thread().name.startswith(_PREFIX) or getattr(_here, "inline", False):
        return None
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2)), thread_name_prefix=_PREFIX)
    return _pool


def pmap(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """[fn(x) for x in items], computed concurrently; results in order, exceptions re-raised."""
    items = list(items)
    pool = _executor()
    if len(items) < 2 or pool is None:
        return [fn(x) for x in items]
    return [f.result() for f in [pool.submit(fn, x) for x in items]]


def background(fn: Callable[[], R]) -> Future:
    """Start fn() on a worker thread; call .result() where it is needed."""
    pool = _executor()
    if pool is not None:
        return pool.submit(fn)
    done: Future = Future()
    try:
        done.set_result(fn())
    except BaseException as exc:  # handed to whoever asks for the result, as a pool would
        done.set_exception(exc)
    return done


class Pending:
    """A value that is ready once some background jobs have finished (they fill it in place)."""

    def __init__(self, jobs: list[Future], value) -> None:
        self._jobs = jobs
        self._value = value

    def result(self):
        for job in self._jobs:
            job.result()  # re-raises a job's exception
        return self._value
