"""Make untrusted text (articles, feeds, pasted pages) safe to store and print.

Strips ANSI/VT escape sequences, C0/C1 control characters (keeping newlines and tabs) and the
bidirectional overrides that can make a terminal show something other than what is stored.
"""

from __future__ import annotations

import re
import unicodedata

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC strings, then any other two-byte escape;
# the 8-bit forms (0x9b CSI, 0x9d OSC, ...) too.
_ANSI = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]                          # CSI
  | (?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c|$)                  # OSC, up to BEL or ST
  | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f]).*?(?:\x1b\\|\x9c|$)     # DCS, SOS, PM, APC
  | \x1b[ -/]*[0-~]?                                          # other escapes
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 except \t and \n, DEL, C1; bidi embeddings/overrides/isolates; zero-width joiners kept (emoji need them).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_WS = re.compile(r"\s+")
_MANY_BLANKS = re.compile(r"\n{3,}")


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters; newlines and tabs stay."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _ANSI.sub("", text))


def clean_text(text: str) -> str:
    """Multi-line text: controls stripped, NFC, spaces folded within lines, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", strip_controls(text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_BLANKS.sub("\n\n", "\n".join(lines)).strip()


def clean_line(text: str | None, max_len: int = 500) -> str:
    """A one-line field (title, author, outlet): controls stripped and all white space folded."""
    if not text:
        return ""
    line = _WS.sub(" ", unicodedata.normalize("NFC", strip_controls(text))).strip()
    return line if len(line) <= max_len else line[: max_len - 1].rstrip() + "…"
