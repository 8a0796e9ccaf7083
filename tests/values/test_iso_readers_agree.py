"""One reader of ISO times: core/timeparse.iso_micros, and every caller reads a string as it does.

(The TUI reads none: its read models carry datetimes.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput, OutOfRange
from forecast.core.timeparse import iso_micros
from forecast.ingest.trackers.metaculus import _time as metaculus_time
from forecast.interchange.records import micros_from_iso

READERS = {
    "interchange": lambda s: micros_from_iso(s, "t"),
    "metaculus": lambda s: metaculus_time(s, "t"),
}


def outcome(read, text):
    try:
        return read(text)
    except OutOfRange:
        return OutOfRange
    except InvalidInput:
        return InvalidInput


offsets = st.sampled_from([None, UTC, timezone(timedelta(hours=9)), timezone(-timedelta(hours=5, minutes=30))])
stamps = st.builds(
    lambda dt, tz, sep, z: (dt.replace(tzinfo=tz).isoformat(sep) if tz is not None else dt.isoformat(sep)).replace("+00:00", z),
    st.datetimes(min_value=datetime(1, 1, 1, 12), max_value=datetime(9999, 12, 30)),
    offsets,
    st.sampled_from(["T", " "]),
    st.sampled_from(["+00:00", "Z"]),
)
# (An empty cell is a missing time to a Metaculus reader: not a time that reads differently.)
texts = st.one_of(stamps, stamps.map(lambda s: s[:10]), st.text(alphabet="0123456789-:TZ+. ", max_size=26)).filter(str.strip)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_every_reader_agrees_with_the_strict_one(text):
    want = outcome(iso_micros, text)
    for name, read in READERS.items():
        assert outcome(read, text) == want, name


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2024-03-01", 1709251200000000),
        ("2024-03-01T00:00:00Z", 1709251200000000),
        ("2024-03-01 09:00:00+09:00", 1709251200000000),
        ("2024-03-01T00:00:00", InvalidInput),  # no offset: its zone would be a guess
        ("1899-12-31T23:59:59Z", OutOfRange),
        ("2201-01-01", OutOfRange),
        ("２０２４-03-01", InvalidInput),
    ],
)
def test_the_strict_rules(text, want):
    for read in (iso_micros, *READERS.values()):
        assert outcome(read, text) == want
