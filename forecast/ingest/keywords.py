"""Keyword lists as people type them ("launch, Sohae, ICBM") and whole-word, case-insensitive matching."""

from __future__ import annotations

import re
from collections.abc import Iterable

from forecast.core.errors import InvalidInput
from forecast.core.text import clean_line


def parse_keywords(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """Split on commas (or take a list), trim, drop empties and case-insensitive repeats, keep order."""
    if text is None:
        return ()
    items = text.split(",") if isinstance(text, str) else list(text)
    seen: dict[str, str] = {}
    for item in items:
        word = clean_line(item, 100)
        if word and word.casefold() not in seen:
            seen[word.casefold()] = word
    if any(not re.search(r"\w", w) for w in seen.values()):
        raise InvalidInput("a keyword needs at least one letter or digit")
    return tuple(seen.values())


def _pattern(keyword: str) -> str:
    # Inner white space matches any run of white space; edges must not touch another word character.
    body = r"\s+".join(re.escape(part) for part in keyword.split())
    return rf"(?<!\w){body}(?!\w)"


class KeywordMatcher:
    """Compiled once for many texts (feed polling matches every new item against every feed's keywords)."""

    def __init__(self, keywords: Iterable[str]):
        self.keywords = tuple(keywords)
        self._patterns = [re.compile(_pattern(k), re.IGNORECASE) for k in self.keywords]

    def matches(self, *texts: str) -> tuple[str, ...]:
        """The keywords found as whole words in any of the texts, in the order they were given."""
        joined = "\n".join(t for t in texts if t)
        return tuple(k for k, p in zip(self.keywords, self._patterns, strict=True) if p.search(joined))


def match_keywords(text: str, keywords: Iterable[str]) -> tuple[str, ...]:
    return KeywordMatcher(keywords).matches(text)
