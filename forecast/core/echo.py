"""How an error message shows a value the user gave: quoted, escaped, and cut to about 80 characters.

Every message that echoes input uses `shown`, so a megabyte-long argument or a line full of terminal
escapes comes back as one short, harmless line.
"""

from __future__ import annotations

LIMIT = 80


def shown(value: object, limit: int = LIMIT) -> str:
    """`'abc'` for short text; `'abcd…' (1000 characters)` for long text; repr for other values."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        head = repr(value[:limit])
        return f"{head[:-1]}…{head[-1]} ({len(value)} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"a {value.bit_length()}-bit integer"  # repr of a huge int is slow, and refused past 4300 digits
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
