"""Stable keys for evidence, so the same article gets the same key in every database."""

from __future__ import annotations

import hashlib
import re

_WS = re.compile(r"\s+")


def content_hash(text: str) -> str:
    """sha256 of the text with white space folded and case kept: the de-duplication fingerprint."""
    normal = _WS.sub(" ", text).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def evidence_key(*, canonical_url: str | None = None, url: str | None = None, text: str = "", title: str = "") -> str:
    """`ev-` + 16 hex digits of the canonical URL (else URL, else text, else title) hash."""
    basis = canonical_url or url or (content_hash(text) if text.strip() else "") or f"title:{title.strip()}"
    return "ev-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
