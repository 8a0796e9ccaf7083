"""Comparing golden text that holds computed floats.

Scores are sums of many floats, and numpy sums an array in blocks whose size depends on the CPU's vector
units (and its version), so the same scores can differ in the last one or two of their 17 digits from
one machine to another (0.2913662979680108 / 0.29136629796801083). A golden file pins the shape, the
order, the quoting and the values; these helpers compare everything byte for byte except that each
number is compared to 12 significant digits -- still far below any difference a user could see, far
above the last-digit noise.
"""

from __future__ import annotations

import io
import re
import zipfile

_NUMBER = re.compile(rb"(?<![\w.])-?\d+\.\d+(?:[eE][-+]?\d+)?(?![\w.])|(?<![\w.])-?\d+[eE][-+]?\d+(?![\w.])")


def rounded(text: bytes) -> bytes:
    """The text with every decimal number written to 12 significant digits."""
    return _NUMBER.sub(lambda m: b"%.12g" % float(m.group(0)), text)


def same_text(got: bytes, want: bytes) -> bool:
    return got == want or rounded(got) == rounded(want)


def same_zip(got: bytes, want: bytes) -> bool:
    """The same members, in the same order, each the same text (numbers to 12 digits)."""
    with zipfile.ZipFile(io.BytesIO(got)) as a, zipfile.ZipFile(io.BytesIO(want)) as b:
        if a.namelist() != b.namelist():
            return False
        return all(same_text(a.read(n), b.read(n)) for n in a.namelist())
