"""The real-world text corpus (tests/fixtures/realworld): real news pages from htmldate's evaluation set,
rendered the way users copy them (w3m, lynx, a browser's select-all), with answers written by reading
each page. Shared by tests/ingest/test_realworld_text.py and benchmarks/realworld_text.py."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "realworld"
CASES = ROOT / "cases.json"
# Long after every page in the corpus was written, so no date is refused as being in the future.
RETRIEVED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def normal(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def load_cases(split: str | None = None) -> list[dict]:
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    return [c for c in cases if split is None or c["split"] == split]


def headline_ok(got: str, accepted: list[str]) -> bool:
    """The headline, allowing a kicker or a deck of a few words more or less ("Daten von Rheinmetall
    gehackt" for "Interne Unterlagen im Netz Daten von Rheinmetall gehackt")."""
    g = normal(got)
    for alt in map(normal, accepted):
        if g == alt:
            return True
        if g and (alt in g or g in alt) and abs(len(g.split()) - len(alt.split())) <= 5:
            return True
    return False


def leaked(paragraphs: list[str], drop: list[str]) -> list[str]:
    out = []
    for d in drop:
        nd = normal(d)
        short = len(nd.split()) < 3
        if any(normal(p) == nd or (not short and nd in normal(p)) for p in paragraphs):
            out.append(d)
    return out


@dataclass
class Outcome:
    name: str
    split: str
    form: str
    headline: str
    headline_ok: bool
    date: str
    expected_date: str | None  # None: the page's date is not known, so the date is not scored
    date_ok: bool | None
    missing: list[str]
    leaked: list[str]
    error: str = ""


def evaluate(case: dict) -> Outcome:
    from forecast.core.errors import InvalidInput
    from forecast.ingest.sources import from_bytes

    data = (ROOT / case["file"]).read_bytes()
    try:
        draft = from_bytes(data, name=Path(case["file"]).name, retrieved_at=RETRIEVED_AT)
    except InvalidInput as exc:
        return Outcome(case["name"], case["split"], case["form"], "", False, "", case["date"],
                       None if case["date"] is None else False, list(case["keep"]), [], str(exc))  # fmt: skip
    day = draft.published_at.date().isoformat() if draft.published_at else ""
    paragraphs = draft.text.split("\n\n")
    body = normal(draft.text)
    return Outcome(
        name=case["name"], split=case["split"], form=case["form"],
        headline=draft.title, headline_ok=headline_ok(draft.title, case["headline"]),
        date=day, expected_date=case["date"], date_ok=None if case["date"] is None else day == case["date"],
        missing=[k for k in case["keep"] if normal(k) not in body],
        leaked=leaked(paragraphs, case["drop"]),
    )  # fmt: skip
