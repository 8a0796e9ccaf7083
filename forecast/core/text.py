"""The one sanitizer for untrusted text: what may be stored, shown in a terminal, or put in a report.

Removes ANSI/VT escape sequences, C0/C1 control characters (keeping newline and tab in multi-line text)
and the bidirectional embeddings, overrides and isolates that can make a terminal show something other
than what is stored. NUL is refused, not removed, in anything a person or a file supplied: a NUL is
never legitimate text, and PostgreSQL cannot store it. Scraped web content goes through `clean_text` /
`clean_line`, which also drop NUL (a page is not the user's data to refuse).

Field rules (which columns are one-line, which multi-line) live with the storage: store/text_guard.py.
"""

from __future__ import annotations

import re
import unicodedata

from forecast.core.errors import InvalidInput

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC strings, then any other two-byte escape;
# the 8-bit forms (0x9b CSI, 0x9d OSC, ...) too. An unterminated string ends at the line's end, so a
# stray ESC ] in one line of a rationale does not swallow the rest of it.
_ANSI = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]                                  # CSI
  | (?:\x1b\]|\x9d)[^\n]*?(?:\x07|\x1b\\|\x9c|(?=\n)|\Z)              # OSC, up to BEL or ST
  | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\n]*?(?:\x1b\\|\x9c|(?=\n)|\Z) # DCS, SOS, PM, APC
  | \x1b[ -/]*[0-~]?                                                  # other escapes
    """,
    re.VERBOSE,
)
# C0 except \t and \n, DEL, C1; bidi embeddings/overrides/isolates and marks; a stray byte-order mark.
# Zero-width joiners stay (emoji need them).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\ufeff]")
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\ufeff\r\u2028\u2029\ud800-\udfff]")
# A lone surrogate (from a surrogate-escaped name or a JSON "\ud800") is no character: no database can store
# it in UTF-8. It becomes U+FFFD, so that something visibly stood there.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"[\t\n\u2028\u2029]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_WS = re.compile(r"\s+")
_MANY_BLANKS = re.compile(r"\n{3,}")


def is_clean(text: str) -> bool:
    """True when nothing in text would be removed by `strip_controls` (the fast path for storage)."""
    return _UNSAFE.search(text) is None


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters; newlines and tabs stay (CR and U+2028/9 become \\n)."""
    if is_clean(text):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", _ANSI.sub("", _SURROGATE.sub("\ufffd", text)))


def refuse_nul(text: str, what: str) -> None:
    if "\x00" in text:
        raise InvalidInput(f"{what} contains a NUL character (U+0000); remove it and try again")


def multi_line(text: str, what: str = "text") -> str:
    """A stored multi-line field (description, rationale, note): NUL refused, controls stripped."""
    refuse_nul(text, what)
    return strip_controls(text)


def one_line(text: str, what: str = "text") -> str:
    """A stored one-line field (title, name, tag, URL): as multi_line, and line breaks and tabs become a space."""
    refuse_nul(text, what)
    if is_clean(text) and "\n" not in text and "\t" not in text:
        return text
    return _LINE_BREAKS.sub(" ", strip_controls(text))


def clean_text(text: str) -> str:
    """Scraped multi-line text: controls stripped, NFC, spaces folded within lines, one blank line at most."""
    text = unicodedata.normalize("NFC", strip_controls(text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_BLANKS.sub("\n\n", "\n".join(lines)).strip()


def clean_line(text: str | None, max_len: int = 500) -> str:
    """A scraped one-line field (title, author, outlet) or a message: controls stripped, white space folded."""
    if not text:
        return ""
    line = _WS.sub(" ", unicodedata.normalize("NFC", strip_controls(text))).strip()
    return line if len(line) <= max_len else line[: max_len - 1].rstrip() + "…"


def nul_path(obj: object, prefix: str = "") -> str | None:
    """The dotted key of the first string (or key) holding a NUL in parsed data (TOML, JSON), else None."""
    if isinstance(obj, str):
        return prefix or "value" if "\x00" in obj else None
    if isinstance(obj, dict):
        for key, value in obj.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if "\x00" in str(key):
                return name
            found = nul_path(value, name)
            if found:
                return found
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            found = nul_path(value, f"{prefix}[{i}]")
            if found:
                return found
    return None
