"""Derive URL- and shell-friendly slugs from question titles."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_LEN = 60


def slugify(title: str, max_len: int = MAX_LEN) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_title.lower()).strip("-")
    if len(slug) > max_len:
        # Cut at a word boundary so slugs stay readable.
        slug = slug[:max_len].rsplit("-", 1)[0] or slug[:max_len]
    return slug or "question"


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_RE.match(slug)) and not slug.isdigit()
