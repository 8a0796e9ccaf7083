"""Service refusals in the words on the forms: a service says `closes_at`, the form's label says Closes.

The one place where the services' names for things become the labels a person sees; every error a form
shows passes through `on_the_form`.
"""

from __future__ import annotations

import re

WORDS: dict[str, str] = {
    "closes_at": "Closes",
    "opens_at": "Opens",
    "resolves_at": "Resolves",
    "forecast time": "Made at",
    "resolution time": "Resolved at",
    "give --at a time": "set Made at to a time",
}
_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(WORDS, key=len, reverse=True)))


def on_the_form(message: str) -> str:
    """The message with each service name replaced by the form's label for it."""
    return _PATTERN.sub(lambda m: WORDS[m.group(0)], message)
