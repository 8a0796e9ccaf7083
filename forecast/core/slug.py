"""Slugs: the short, URL- and shell-friendly names of questions. One rule (`is_valid_slug`), and derivations
(`slugify` from a title, `source_slug` from another tracker's id) whose results always pass it."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
# Always used with fullmatch: `$` would let a trailing newline through, a look-alike of an existing slug.
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
MAX_SLUG = 80
MAX_LEN = 60
# An id that is already a slug's tail: lowercase words joined by single dashes (so never "--").
_CLEAN_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
HASH_LEN = 8
MAX_PREFIX = MAX_SLUG - HASH_LEN - 3


def slugify(title: str, max_len: int = MAX_LEN) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_title.lower()).strip("-")
    if len(slug) > max_len:
        # Cut at a word boundary so slugs stay readable.
        slug = slug[:max_len].rsplit("-", 1)[0] or slug[:max_len]
    if slug.isdigit():
        slug = f"q-{slug}"  # a slug of digits only would read as an id
    return slug or "question"


def readable_slug(title: str, max_len: int = MAX_LEN) -> str:
    """The slug of a new question: any script transliterated to ASCII first ("Будет ли дождь в Москве?" ->
    "budet-li-dozhd-v-moskve"), where `slugify` keeps only what is already Latin. Imports keep `slugify`:
    their slugs identify questions across re-imports, so their derivation must never change."""
    from anyascii import anyascii  # the transliteration tables load only when a question is added

    return slugify(anyascii(title), max_len=max_len)


def is_valid_slug(slug: str) -> bool:
    return isinstance(slug, str) and SLUG_RE.fullmatch(slug) is not None and not slug.isdigit()


def source_slug(prefix: str, source_id: str) -> str:
    """The slug of the question another tracker calls `source_id`: valid, and distinct for distinct ids.

    An id that is already lowercase words and digits joined by single dashes is kept: `pb-1234`. Any other
    id (`AB_1`, `٣٤`, 100 digits) loses something on the way to a slug, so a hash of the exact id is added
    after a double dash, `pb-ab-1--3f2a9c1d`, which no kept id contains: `ab_1` and `AB-1` stay apart.
    """
    if not (is_valid_slug(prefix) and len(prefix) <= MAX_PREFIX and "--" not in prefix):
        raise ValueError(f"slug prefix {prefix!r} must be a short slug without '--'")
    if _CLEAN_ID.fullmatch(source_id) and len(prefix) + 1 + len(source_id) <= MAX_SLUG:
        return f"{prefix}-{source_id}"
    digest = hashlib.sha256(source_id.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LEN]
    room = MAX_SLUG - len(prefix) - HASH_LEN - 3
    readable = slugify(source_id, max_len=room) if room > 0 else ""
    if readable == "question" or not readable:
        return f"{prefix}--{digest}"
    return f"{prefix}-{readable[:room].strip('-')}--{digest}"
