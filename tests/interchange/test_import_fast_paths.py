"""The import's fast paths give what the general code gives: lines read in blocks (files.bounded_lines) as
line by line, and the usual "YYYY-MM-DDTHH:MM:SSZ" time as through an aware datetime, errors included."""

from __future__ import annotations

import io
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.core.timeparse import iso_micros, micros_of
from forecast.files import bounded_lines


def _by_readline(data: bytes, limit: int) -> list:
    """The reading bounded_lines replaced: readline with a cap, the error as ("error", line number)."""
    fh, out, number = io.BytesIO(data), [], 0
    while line := fh.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            return out + [("error", number)]
        out.append(line.removesuffix(b"\n"))
    return out


def _by_blocks(data: bytes, limit: int, block_size: int) -> list:
    out: list = []
    try:
        out.extend(bounded_lines(io.BytesIO(data), limit, "f.jsonl", block_size=block_size))
    except InvalidInput as exc:
        assert "line longer than" in str(exc)
        out.append(("error", int(str(exc).split(":")[1])))
    return out


PIECES = st.sampled_from([b"a", b"{}", b"\n", b"\n\n", b"\r\n", b"xxxxx", b" ", b"\x00"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map(b"".join), st.integers(1, 12), st.integers(1, 20))
def test_lines_in_blocks_are_the_lines_one_by_one(data, limit, block_size):
    assert _by_blocks(data, limit, block_size) == _by_readline(data, limit)


def _general(text: str):
    """iso_micros as it was before the fast path (core/timeparse.py `_iso_micros`, Z case)."""
    try:
        s = text.strip()
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        try:
            if not s.isascii():
                raise ValueError
            dt = datetime.fromisoformat(s)
        except ValueError:
            raise InvalidInput(f"{text!r} is not an ISO 8601 date-time") from None
        if dt.tzinfo is None:
            return "naive"  # not reachable with a trailing Z
        return micros_of(dt, given=text)
    except InvalidInput as exc:
        return type(exc).__name__, str(exc)


def _fast(text: str):
    try:
        return iso_micros(text)
    except InvalidInput as exc:
        return type(exc).__name__, str(exc)


DIGIT = st.sampled_from("0123456789")
ODD = st.sampled_from("0123456789 +-:.TZW\u0663")


@st.composite
def shaped(draw) -> str:
    """Twenty characters ending in Z, mostly digits where a UTC time has them, sometimes anything."""
    chars = list("2019-03-16T00:00:00Z")
    for i in (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18):
        chars[i] = draw(DIGIT)
    for i in draw(st.lists(st.integers(0, 18), max_size=3)):
        chars[i] = draw(ODD)
    return "".join(chars)


@settings(max_examples=600, deadline=None)
@given(shaped())
def test_utc_times_read_as_by_the_general_path(text):
    assert _fast(text) == _general(text)


def test_utc_times_at_the_range_ends():
    for text in ("1900-01-01T00:00:00Z", "2200-12-31T23:59:59Z", "1899-12-31T23:59:59Z", "2201-01-01T00:00:00Z",
                 "2019-02-29T00:00:00Z", "2019-03-16T24:00:00Z", "2019-03-16T07+01:00Z"):  # fmt: skip
        assert _fast(text) == _general(text)


def test_objects_built_without_the_collector_go_to_the_oldest_generation():
    import gc

    from forecast.core.bulk_objects import no_cycle_collection

    assert gc.isenabled() and gc.get_freeze_count() == 0
    with no_cycle_collection():
        assert not gc.isenabled()
        built = [[i] for i in range(20_000)]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.get_count()[0] < 700  # no young collection is due that would walk them again
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(built[0]) in oldest and id(built[-1]) in oldest


def test_objects_frozen_on_purpose_stay_frozen():
    import gc

    from forecast.core.bulk_objects import no_cycle_collection

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with no_cycle_collection():
            built = [[i] for i in range(1_000)]
        # Still frozen (unfreeze() would make it 0); frozen objects freed meanwhile by reference counting (in a
        # worker that ran other tests first) may lower the count a little, never raise it.
        assert gc.isenabled() and 0 < gc.get_freeze_count() <= frozen and frozen > 1_000 and len(built) == 1_000
    finally:
        gc.unfreeze()
