"""Row ids as users type them: ASCII digits within a signed 64-bit integer, the range of every id column."""

from __future__ import annotations

from forecast.core.echo import shown
from forecast.core.errors import OutOfRange

INT64_MAX = 2**63 - 1


def as_row_id(text: str) -> int | None:
    """The id `text` names, or None when it is no id (then it is a slug, key or URL); OutOfRange past 64 bits.

    ASCII only: `str.isdigit` is also true for '٣٤' and '²', which int() reads or refuses.
    """
    if not (text.isascii() and text.isdigit()):
        return None
    significant = text.lstrip("0")
    if len(significant) > 19 or int(significant or "0") > INT64_MAX:
        raise OutOfRange(f"id {shown(text)} is beyond the largest id, {INT64_MAX}")
    return int(significant or "0")
