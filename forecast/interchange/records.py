"""Validate interchange records (one JSON object per line) into plain tuples-with-names.

Pure: no storage. Every reason is one short phrase; the caller adds `FILE:LINE:`.
Times are returned as integer microseconds since the epoch (UTC), as storage wants them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from forecast.core.echo import shown
from forecast.core.errors import InvalidInput, UnreadableValue
from forecast.core.kind_spec import BINARY, OUTCOME, KindSpec
from forecast.core.model import AutoRule, DateSource, Kind, Resolution, Stance, Status
from forecast.core.slug import is_valid_slug
from forecast.core.timeparse import iso_micros, z_micros
from forecast.interchange import FORMAT, READS

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros_from_iso(value: object, name: str, *, required: bool = True) -> int | None:
    if value is None:
        if required:
            raise InvalidInput(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be an ISO 8601 string")
    return iso_micros(value, field=name)


def _str(obj: dict, name: str, *, required: bool = False, default: str = "") -> str:
    value = obj.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"{name} is required")
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string")
    if required and not value.strip():
        raise InvalidInput(f"{name} must not be empty")
    return value


def _opt_str(obj: dict, name: str) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string or null")
    return value


def _bool(obj: dict, name: str, *, default: bool = False) -> bool:
    """JSON true/false only: the string "false" is truthy in Python and must not be stored as true."""
    value = obj.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false (a JSON boolean), not {_shown(value)}")
    return value


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _enum(obj: dict, name: str, enum, *, default=None):
    value = obj.get(name)
    if value is None:
        return default
    if value.__class__ is str and (member := enum._value2member_map_.get(value)) is not None:
        return member  # what enum(value) finds first, without its call (50,000 questions, four enums each)
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise InvalidInput(f"{name} {shown(value)} is not one of: {allowed}") from None


@dataclass(slots=True)
class QuestionRec:
    slug: str
    title: str
    kind: str
    description: str
    criteria: str
    opens_at: int
    closes_at: int
    resolves_at: int
    tags: list[str]
    auto: str | None
    status: str
    resolution: str | None
    resolved_at: int | None
    resolution_note: str
    created_at: int | None
    updated_at: int | None
    source_file: str | None
    # v2 (question kinds): the stored spec (KindSpec.to_json, '' for binary), the canonical outcome when
    # resolution is 'outcome', and the slug of the linked date question of a "before X" binary question.
    kind_spec: str = ""
    outcome: str | None = None
    event_question: str | None = None


@dataclass(slots=True)
class ForecastRec:
    question: str
    forecaster: str
    probability: float
    made_at: int
    recorded_at: int
    rationale: str
    evidence: list[str]
    supersedes: tuple[int, int] | None
    # v2: a non-binary forecast's vector as read (a tuple of floats), replaced by its stored text
    # (encode_vector) once `check_forecast_kinds` has checked it against the question's spec; None: binary.
    vector: tuple[float, ...] | str | None = None
    entered: str = ""


@dataclass(slots=True)
class LinkRec:
    question: str
    stance: str
    note: str
    created_at: int | None = None


@dataclass(slots=True)
class EvidenceRec:
    key: str
    url: str | None
    canonical_url: str | None
    title: str
    outlet: str
    author: str
    published_at: int | None
    published_source: str | None
    retrieved_at: int | None
    text: str
    excerpt: str
    content_hash: str
    inbox: bool
    dismissed: bool
    created_at: int | None
    links: list[LinkRec] = field(default_factory=list)


@dataclass(slots=True)
class ForecasterRec:
    name: str
    created_at: int | None


@dataclass(slots=True)
class ResolutionEventRec:
    question: str
    action: str
    resolution: str | None
    resolved_at: int | None
    note: str
    actor: str
    at: int
    outcome: str | None = None  # v2: the canonical outcome of a non-binary 'resolve' event


@dataclass(slots=True)
class CommentRec:
    """A comment on a question; the same (question, author, created_at) is the same comment."""

    question: str
    author: str
    body: str
    created_at: int
    updated_at: int


def parse_question(obj: dict) -> QuestionRec:
    slug = _str(obj, "slug", required=True)
    if not is_valid_slug(slug):
        raise InvalidInput(f"slug {shown(slug)} must be lowercase letters, digits and dashes (not only digits)")
    kind = _enum(obj, "kind", Kind, default=Kind.BINARY)
    spec = _spec(kind, obj.get("spec"))
    opens = micros_from_iso(obj.get("opens_at"), "opens_at")
    closes = micros_from_iso(obj.get("closes_at"), "closes_at")
    resolves = micros_from_iso(obj.get("resolves_at"), "resolves_at", required=False)
    tags = obj.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise InvalidInput("tags must be a list of non-empty strings")
    auto = _enum(obj, "auto", AutoRule)
    if auto is not None and not spec.binary:
        raise InvalidInput(f"auto {auto.value!r} resolves a binary question; this one is {kind.value}")
    resolution, outcome = _resolution(obj, spec)
    resolved_at = micros_from_iso(obj.get("resolved_at"), "resolved_at", required=False)
    if resolution is not None and resolved_at is None:
        raise InvalidInput("resolved_at is required when resolution is set")
    if resolution is None and resolved_at is not None:
        raise InvalidInput("resolved_at is set but resolution is null")
    status = _enum(obj, "status", Status)
    if resolution is not None:
        expected = Status.ANNULLED if resolution == Resolution.ANNULLED.value else Status.RESOLVED
        if status is not None and status is not expected:
            raise InvalidInput(f"status {status.value!r} contradicts resolution {resolution!r}")
        status = expected
    elif status in (Status.RESOLVED, Status.ANNULLED):
        raise InvalidInput(f"status {status.value!r} needs a resolution")
    return QuestionRec(
        slug=slug,
        title=_str(obj, "title", required=True),
        kind=kind.value,
        description=_str(obj, "description"),
        criteria=_str(obj, "criteria"),
        opens_at=opens,
        closes_at=closes,
        resolves_at=resolves if resolves is not None else closes,
        tags=sorted({t.strip() for t in tags}),
        auto=auto.value if auto else None,
        status=(status or Status.OPEN).value,
        resolution=resolution,
        resolved_at=resolved_at,
        resolution_note=_str(obj, "resolution_note"),
        created_at=micros_from_iso(obj.get("created_at"), "created_at", required=False),
        updated_at=micros_from_iso(obj.get("updated_at"), "updated_at", required=False),
        source_file=_opt_str(obj, "source_file"),
        kind_spec=spec.to_json(),
        outcome=outcome,
        event_question=_event_question(obj, slug),
    )


def _spec(kind: Kind, data: object) -> KindSpec:
    if kind is Kind.BINARY:
        if data is not None:
            raise InvalidInput("spec must be null for a binary question")
        return BINARY
    if not isinstance(data, dict):
        raise InvalidInput(f"a {kind.value} question needs its spec (an object with its "
                           f"{'options' if kind is Kind.CHOICE else 'range'})")  # fmt: skip
    try:
        return KindSpec.from_dict(kind.value, data)
    except (InvalidInput, ValueError) as exc:
        raise InvalidInput(f"spec: {exc}") from None


def _resolution(obj: dict, spec: KindSpec) -> tuple[str | None, str | None]:
    """(resolution, canonical outcome): yes/no/annulled for binary, 'outcome' (with `outcome`) or annulled else."""
    value, outcome = obj.get("resolution"), obj.get("outcome")
    if outcome is not None and not isinstance(outcome, str):
        raise InvalidInput("outcome must be a string or null")
    if spec.binary:
        if outcome is not None:
            raise InvalidInput("outcome is for a non-binary question (a binary one resolves yes or no)")
        res = _enum(obj, "resolution", Resolution)
        return (res.value if res else None), None
    if value is None or value == Resolution.ANNULLED.value:
        if outcome is not None:
            raise InvalidInput(f"outcome is set but resolution is {shown(value)} (it must be 'outcome')")
        return value, None
    if value != OUTCOME:
        raise InvalidInput(f"resolution {shown(value)} of a {spec.kind.value} question is not one of: outcome, annulled")
    if outcome is None:
        raise InvalidInput("resolution 'outcome' needs the outcome")
    try:
        return OUTCOME, spec.parse_outcome(outcome)
    except (InvalidInput, UnreadableValue) as exc:
        raise InvalidInput(f"outcome {shown(outcome)}: {exc}") from None


def _event_question(obj: dict, slug: str) -> str | None:
    linked = _opt_str(obj, "event_question")
    if linked is not None and (not is_valid_slug(linked) or linked == slug):
        raise InvalidInput(f"event_question {shown(linked)} must be the slug of another question")
    return linked


MAX_VECTOR = 1000
"""More values than any kind's vector has (a CDF has GRID_POINTS, a choice at most 50 options)."""


def _vector(value: object) -> tuple[float, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or len(value) > MAX_VECTOR:
        raise InvalidInput(f"vector must be a list of 1 to {MAX_VECTOR} numbers")
    out = []
    for x in value:
        if x.__class__ is not float and (isinstance(x, bool) or not isinstance(x, (int, float))):
            raise InvalidInput(f"vector holds {shown(x)}, not a number")
        x = float(x)
        if not math.isfinite(x):
            raise InvalidInput("vector values must be finite numbers")
        out.append(x)
    return tuple(out)


def parse_forecast(obj: dict) -> ForecastRec:
    p = obj.get("probability")
    vector = None
    # A float in range is the common case (a comparison with NaN is false, so NaN and inf fail it too).
    if not (p.__class__ is float and 0.0 <= p <= 1.0) and (
        isinstance(p, bool) or not isinstance(p, (int, float)) or not math.isfinite(p) or not 0 <= p <= 1
    ):
        if p is not None or obj.get("vector") is None:
            raise InvalidInput(f"probability {shown(p)} must be a number in [0, 1]")
        p = math.nan  # a non-binary forecast's summary is computed from its vector (check_forecast_kinds)
    if "vector" in obj:  # v2: a non-binary forecast (absent from every binary line: the hot path skips it)
        vector = _vector(obj["vector"])
    # The usual time ("YYYY-MM-DDTHH:MM:SSZ") in one call; any other value the general way, with its message.
    made = obj.get("made_at")
    us = z_micros(made) if made.__class__ is str else None
    if us is None:
        us = iso_micros(made, field="made_at") if made.__class__ is str else micros_from_iso(made, "made_at")
    made = us
    recorded = obj.get("recorded_at")
    if recorded is not None:
        us = z_micros(recorded) if recorded.__class__ is str else None
        recorded = us if us is not None else micros_from_iso(recorded, "recorded_at")
    evidence = obj.get("evidence") or []
    if evidence and (not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence)):
        raise InvalidInput("evidence must be a list of evidence keys")
    sup = obj.get("supersedes")
    supersedes = None
    if sup is not None:
        if not isinstance(sup, dict):
            raise InvalidInput("supersedes must be an object with made_at and recorded_at")
        supersedes = (
            micros_from_iso(sup.get("made_at"), "supersedes.made_at"),
            micros_from_iso(sup.get("recorded_at"), "supersedes.recorded_at"),
        )
    recorded = recorded if recorded is not None else made
    if supersedes is not None and supersedes == (made, recorded):
        raise InvalidInput("supersedes names this forecast itself (same made_at and recorded_at)")
    # `_str`'s checks inline for the usual values (a non-blank string; rationale a string or absent), since
    # this runs once per forecast; anything else goes through `_str` for its message.
    question = obj.get("question")
    if question.__class__ is not str or not question or question.isspace():  # what `not question.strip()` says
        question = _str(obj, "question", required=True)
    forecaster = obj.get("forecaster")
    forecaster = forecaster.strip() if forecaster.__class__ is str else ""
    if not forecaster:
        forecaster = _str(obj, "forecaster", required=True).strip()
    rationale = obj.get("rationale")
    if rationale.__class__ is not str:
        rationale = _str(obj, "rationale")
    if vector is None and "entered" not in obj:
        return ForecastRec(question, forecaster, float(p), made, recorded, rationale, evidence, supersedes)
    return ForecastRec(question, forecaster, float(p), made, recorded, rationale, evidence, supersedes, vector,
                       _str(obj, "entered"))  # fmt: skip


def parse_evidence(obj: dict) -> EvidenceRec:
    links = []
    raw_links = obj.get("links") or []
    if not isinstance(raw_links, list):
        raise InvalidInput("links must be a list")
    for item in raw_links:
        if not isinstance(item, dict):
            raise InvalidInput("each link must be an object with question and stance")
        stance = _enum(item, "stance", Stance, default=Stance.NEUTRAL)
        links.append(
            LinkRec(
                question=_str(item, "question", required=True),
                stance=stance.value,
                note=_str(item, "note"),
                created_at=micros_from_iso(item.get("created_at"), "links.created_at", required=False),
            )
        )
    source = _enum(obj, "published_source", DateSource)
    published = micros_from_iso(obj.get("published_at"), "published_at", required=False)
    if published is not None and source is None:
        raise InvalidInput("published_at needs published_source (meta, byline, url or user)")
    return EvidenceRec(
        key=_str(obj, "key", required=True),
        url=_opt_str(obj, "url"),
        canonical_url=_opt_str(obj, "canonical_url"),
        title=_str(obj, "title"),
        outlet=_str(obj, "outlet"),
        author=_str(obj, "author"),
        published_at=published,
        published_source=source.value if source else None,
        retrieved_at=micros_from_iso(obj.get("retrieved_at"), "retrieved_at", required=False),
        text=_str(obj, "text"),
        excerpt=_str(obj, "excerpt"),
        content_hash=_str(obj, "content_hash"),
        inbox=_bool(obj, "inbox"),
        dismissed=_bool(obj, "dismissed"),
        created_at=micros_from_iso(obj.get("created_at"), "created_at", required=False),
        links=links,
    )


def parse_forecaster(obj: dict) -> ForecasterRec:
    return ForecasterRec(
        name=_str(obj, "name", required=True).strip(),
        created_at=micros_from_iso(obj.get("created_at"), "created_at", required=False),
    )


def parse_resolution_event(obj: dict) -> ResolutionEventRec:
    action = _str(obj, "action", required=True)
    if action not in ("resolve", "unresolve", "close", "reopen"):
        raise InvalidInput(f"action {shown(action)} is not one of: resolve, unresolve, close, reopen")
    resolution = obj.get("resolution")
    outcome = _opt_str(obj, "outcome")
    if resolution != OUTCOME:
        resolution = _enum(obj, "resolution", Resolution)
        resolution = resolution.value if resolution else None
        if outcome is not None:
            raise InvalidInput("outcome is set but resolution is not 'outcome'")
    elif outcome is None:
        raise InvalidInput("resolution 'outcome' needs the outcome")
    return ResolutionEventRec(
        question=_str(obj, "question", required=True),
        action=action,
        resolution=resolution,
        resolved_at=micros_from_iso(obj.get("resolved_at"), "resolved_at", required=False),
        note=_str(obj, "note"),
        actor=_str(obj, "actor"),
        at=micros_from_iso(obj.get("at"), "at"),
        outcome=outcome,
    )


def parse_comment(obj: dict) -> CommentRec:
    body = _str(obj, "body", required=True)
    if not body.strip():
        raise InvalidInput("a comment's body must not be empty")
    created = micros_from_iso(obj.get("created_at"), "created_at")
    updated = micros_from_iso(obj.get("updated_at"), "updated_at", required=False)
    return CommentRec(
        question=_str(obj, "question", required=True),
        author=_str(obj, "author", required=True).strip(),
        body=body,
        created_at=created,
        updated_at=created if updated is None else updated,
    )


def check_header(obj: dict) -> None:
    if obj.get("format") != FORMAT:
        raise InvalidInput(f"header format must be {FORMAT!r}")
    version = obj.get("version")
    if version.__class__ is not int or version not in READS:
        raise InvalidInput(f"unsupported interchange version {shown(version)} (this forecast reads "
                           f"{', '.join(map(str, READS))})")  # fmt: skip


PARSERS = {
    "question": parse_question,
    "forecast": parse_forecast,
    "evidence": parse_evidence,
    "forecaster": parse_forecaster,
    "resolution_event": parse_resolution_event,
    "comment": parse_comment,
}


def parse_record(obj: object):
    """Returns (type, record) or raises InvalidInput; a header returns ("header", None)."""
    if not isinstance(obj, dict):
        raise InvalidInput("a record must be a JSON object")
    kind = obj.get("type")
    if kind == "header":
        check_header(obj)
        return "header", None
    parser = PARSERS.get(kind)
    if parser is None:
        raise InvalidInput(f"unknown record type {shown(kind)}")
    return kind, parser(obj)
