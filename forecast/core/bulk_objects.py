"""Building a million small objects without the cycle collector walking them again and again.

Every 700 allocations CPython's collector looks at the youngest objects and now and then at all of them:
reading a million-forecast file made it do about 40 % of the reading's work, finding nothing, since
records hold only strings, numbers and lists of strings. Reference counting still frees everything;
the collector runs again once the block ends, without walking what the block built (see below).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                # What the block built is all in the youngest generation, so the first collection after it
                # walked every object once more (0.4-0.5 s for a million records, twice per import) and
                # the next one again a generation up. freeze() + unfreeze() moves every object straight
                # to the oldest generation instead, collected as usual at the next full collection. Not
                # when something froze objects on purpose (the TUI does): unfreeze() would undo that.
                gc.freeze()
                gc.unfreeze()
            gc.enable()
