"""What the extractors return: an article ready to be stored, and the helpers every extractor shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from forecast.core.errors import InvalidInput
from forecast.core.model import DateSource
from forecast.core.timeparse import local
from forecast.interchange.keys import content_hash

EXCERPT_LEN = 280
NO_DATE_NOTE = "no publication date found; set it with --published"


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """An extracted article, not yet stored. Text is plain (sanitised) with paragraphs split by blank lines."""

    title: str
    text: str
    url: str | None = None
    canonical_url: str | None = None
    outlet: str = ""
    author: str = ""
    published_at: datetime | None = None
    published_source: DateSource | None = None
    excerpt: str = ""
    content_hash: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def make_excerpt(text: str, limit: int = EXCERPT_LEN) -> str:
    """The first paragraph, cut at a word boundary."""
    first = text.strip().split("\n\n", 1)[0].replace("\n", " ").strip()
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def plausible(when: datetime | None, retrieved_at: datetime, notes: list[str], how: str) -> datetime | None:
    """Refuse publication dates in the future (a day of slack for zones) or before the web existed."""
    if when is None:
        return None
    if when > retrieved_at + timedelta(days=1) or when.year < 1990:
        notes.append(f"ignored {how} date {local(when, fmt='YYYY-MM-DD')}: not a plausible publication date")
        return None
    return when


def finish(
    *,
    title: str,
    paragraphs: list[str],
    url: str | None,
    canonical_url: str | None,
    outlet: str,
    author: str,
    published_at: datetime | None,
    published_source: DateSource | None,
    notes: list[str],
    excerpt: str = "",
) -> ArticleDraft:
    text = "\n\n".join(p for p in paragraphs if p.strip())
    if not text.strip():
        raise InvalidInput("no article text found")
    if published_at is None:
        published_source = None
        notes.append(NO_DATE_NOTE)
    return ArticleDraft(
        title=title or make_excerpt(text, 80),
        text=text,
        url=url,
        canonical_url=canonical_url,
        outlet=outlet,
        author=author,
        published_at=published_at,
        published_source=published_source,
        excerpt=excerpt or make_excerpt(text),
        content_hash=content_hash(text),
        notes=tuple(dict.fromkeys(notes)),
    )
