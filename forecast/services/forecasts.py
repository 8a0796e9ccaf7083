"""Recording probability updates and reading a question's update history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from forecast.core.backfill import DEFAULT_BACKFILL_AFTER, is_backfilled_us
from forecast.core.errors import InvalidInput, NotFound, UnreadableValue
from forecast.core.model import Status
from forecast.core.probability import parse_probability
from forecast.core.timeparse import from_micros, iso_z, to_micros, utcnow, shown_time
from forecast.core.text import multi_line
from forecast.core.kind_spec import encode_vector
from forecast.services.kinds import forecast_values, shown_values, spec_of
from forecast.services.lookup import QuestionRecord, evidence_id, find_question, forecaster_id
from forecast.services.views import EvidenceRef, UpdateRow
from forecast.store import bulk
from forecast.store.standing import refresh_standing
from forecast.store.text_guard import cleaned

if TYPE_CHECKING:
    from forecast.store.bulk import Bind
    from forecast.store.tables import Question

# A forecast stamped a moment ahead of this machine's clock is clock skew, not a prediction of the future.
CLOCK_SKEW = timedelta(seconds=5)


@dataclass(frozen=True)
class ForecastRequest:
    question: str | int
    probability: str | float
    forecaster: str
    at: datetime | None = None
    rationale: str = ""
    evidence: tuple[str, ...] = ()
    corrects: int | None = None


@dataclass(frozen=True, slots=True)
class RecordedForecast:
    """The forecast row just written (the attributes of store.tables.ForecastRow)."""

    id: int
    question_id: int
    forecaster_id: int
    probability: float
    made_at: datetime
    recorded_at: datetime
    rationale: str
    supersedes_id: int | None
    superseded: bool = False
    recorded_by: str | None = None
    vector: str | None = None  # a non-binary forecast's values (core/kind_spec.py)
    entered: str = ""


def check_forecast_time(q: Question | QuestionRecord, made_at: datetime, now: datetime) -> None:
    """Refuse forecasts the question cannot accept, with the reason in one line.

    The rule is the question's window, not its status: a forecast made while the question was open
    (at or after it opened, before it closed, before it was resolved, not in the future) is accepted even
    when the question has closed or resolved since, so a user can log the history they kept elsewhere.
    """
    if made_at > now + CLOCK_SKEW:
        raise InvalidInput(f"forecast time {shown_time(made_at)} is in the future")
    if made_at < q.opens_at:
        raise InvalidInput(f"forecast time {shown_time(made_at)} is before the question opens ({shown_time(q.opens_at)})")
    if made_at >= q.closes_at:
        if q.status != Status.OPEN.value and made_at >= now - CLOCK_SKEW:
            raise InvalidInput(
                f"question {q.slug} is {q.status}; it takes no more forecasts "
                f"(to log one made earlier, give --at a time before it closed at {shown_time(q.closes_at)})"
            )
        raise InvalidInput(f"forecast time {shown_time(made_at)} is not before the question closes ({shown_time(q.closes_at)})")
    if q.resolved_at is not None and made_at >= q.resolved_at:
        raise InvalidInput(
            f"forecast time {shown_time(made_at)} is not before the question was resolved ({shown_time(q.resolved_at)})"
        )


def record_forecast(bind: Bind, req: ForecastRequest, *, now: datetime | None = None) -> RecordedForecast:
    """Record one forecast, in SQL (the text rules applied with `cleaned`), on a connection or a session's."""
    conn = bulk.connection_of(bind)
    now = now or utcnow()
    q = find_question(conn, req.question)
    spec = spec_of(q)
    vector = None
    entered = ""
    if spec.binary:
        try:
            p = parse_probability(req.probability)
        except InvalidInput as exc:  # e.g. 'kim=50%' given to a binary question
            raise UnreadableValue(f"question {q.slug} is binary: {exc}") from None
    elif not isinstance(req.probability, str):
        raise UnreadableValue(f"question {q.slug} is a {q.kind} question: {_kind_hint(spec)}")
    else:
        p, parsed, entered = spec.parse_forecast(req.probability)
        vector = encode_vector(parsed)
    made_at = req.at or now
    check_forecast_time(q, made_at, now)
    if not req.forecaster.strip():
        raise InvalidInput("forecaster name must not be empty")
    evidence = [evidence_id(conn, e) for e in req.evidence]
    forecaster = forecaster_id(conn, req.forecaster, now=now)
    old = None
    if req.corrects is not None:
        old = _forecast(conn, req.corrects)
        if old is None or old.question_id != q.id:
            raise NotFound(f"no forecast {req.corrects} on question {q.slug}")
        if old.superseded:
            raise InvalidInput(f"forecast {old.id} was already corrected; correct the newest version")
        if old.forecaster_id != forecaster:
            raise InvalidInput(f"forecast {old.id} belongs to another forecaster")
        if req.at is None:
            made_at = old.made_at
    recorded_at = now
    # Two records in the same microsecond (a frozen clock, a quick correction) are kept in order
    # by nudging the later one, since (question, forecaster, made_at, recorded_at) identifies a record.
    while bulk.rows(
        conn,
        "SELECT id FROM forecast WHERE question_id = :q AND forecaster_id = :f AND made_at = :m AND recorded_at = :r",
        (q.id, forecaster, to_micros(made_at), to_micros(recorded_at)),
    ):
        recorded_at += timedelta(microseconds=1)
    values = cleaned("forecast", {
        "question_id": q.id, "forecaster_id": forecaster, "probability": p, "made_at": to_micros(made_at),
        "recorded_at": to_micros(recorded_at), "rationale": multi_line(req.rationale, "rationale"),
        "supersedes_id": old.id if old else None, "superseded": False, "recorded_by": None,
        "vector": vector, "entered": multi_line(entered, "forecast"),
    })  # fmt: skip
    row_id = bulk.insert(conn, _INSERT_FORECAST, values)
    if old is not None:
        bulk.execute(conn, "UPDATE forecast SET superseded = :s WHERE id = :id", (True, old.id))
        _reload_in_session(bind, old.id)
    if evidence:
        bulk.execute_many(conn, "INSERT INTO forecast_evidence (forecast_id, evidence_id) VALUES (:f, :e)",
                          [(row_id, e) for e in dict.fromkeys(evidence)])  # fmt: skip
    refresh_standing(conn, [(q.id, forecaster)])
    return RecordedForecast(row_id, q.id, forecaster, p, made_at, recorded_at, values["rationale"],
                            old.id if old else None, vector=vector, entered=values["entered"])  # fmt: skip


def _kind_hint(spec) -> str:
    if spec.choices is not None:
        return "give a probability per option, e.g. " + " ".join(f"{k}=…" for k in spec.choices.keys)
    return "give quantiles, e.g. p10=… p50=… p90=…, or normal(MEAN, SD)"


_INSERT_FORECAST = (
    "INSERT INTO forecast (question_id, forecaster_id, probability, made_at, recorded_at, rationale, supersedes_id, "
    "superseded, recorded_by, vector, entered) VALUES (:question_id, :forecaster_id, :probability, :made_at, "
    ":recorded_at, :rationale, :supersedes_id, :superseded, :recorded_by, :vector, :entered)"
)


def _forecast(conn, forecast_id: int) -> RecordedForecast | None:
    found = bulk.rows(
        conn,
        "SELECT id, question_id, forecaster_id, probability, made_at, recorded_at, rationale, supersedes_id, "
        "superseded, recorded_by, vector, entered FROM forecast WHERE id = :id",
        (forecast_id,),
    )
    if not found:
        return None
    fid, qid, who, p, made, recorded, why, sup, superseded, by, vector, entered = found[0]
    return RecordedForecast(fid, qid, who, p, from_micros(made), from_micros(recorded), why, sup, bool(superseded), by,
                            vector, entered or "")  # fmt: skip


def _reload_in_session(bind: Bind, forecast_id: int) -> None:
    """A session that holds the corrected forecast sees it corrected, as when the ORM wrote it."""
    identity_map = getattr(bind, "identity_map", None)  # only a session has one
    if identity_map is None:
        return
    from forecast.store.tables import ForecastRow

    if any(
        type(obj) is ForecastRow and obj.id == forecast_id for obj in identity_map.values()
    ):
        bind.get(ForecastRow, forecast_id, populate_existing=True)


def record_forecast_summary(bind: Bind, req: ForecastRequest, *, now: datetime | None = None) -> dict:
    """`record_forecast`, and what `forecast predict` prints of the recorded row (`--json`)."""
    row = record_forecast(bind, req, now=now)
    q = find_question(bind, row.question_id)
    out = {
        "id": row.id,
        "question": q.slug,
        "forecaster": req.forecaster,
        "probability": row.probability,
        "made_at": iso_z(row.made_at),
        "supersedes": row.supersedes_id,
    }
    if row.vector is not None:
        spec = spec_of(q)
        out["kind"] = q.kind
        out["values"] = forecast_values(spec, row.vector)
        out["shown"] = shown_values(spec, out["values"])
        out["entered"] = row.entered
        out["normalised"] = spec.normalised(row.entered)
    return out


def history(
    bind: Bind, ref: str | int, *, include_superseded: bool = True,
    backfill_after: timedelta = DEFAULT_BACKFILL_AFTER,
) -> list[UpdateRow]:
    """The question's updates, oldest first, each with its evidence and whether it was backfilled."""
    conn = bulk.connection_of(bind)
    q = find_question(conn, ref)
    rows = bulk.rows(
        conn,
        "SELECT f.id, fr.name, f.probability, f.made_at, f.recorded_at, f.rationale, f.supersedes_id, f.superseded, "
        "f.vector, f.entered "
        "FROM forecast f JOIN forecaster fr ON fr.id = f.forecaster_id "
        "WHERE f.question_id = :q ORDER BY f.made_at, f.recorded_at, f.id",
        (q.id,),
    )
    evidence: dict[int, list[EvidenceRef]] = {}
    for fid, eid, key, title, url in bulk.rows(
        conn,
        "SELECT fe.forecast_id, e.id, e.key, e.title, e.url FROM forecast_evidence fe "
        "JOIN evidence e ON e.id = fe.evidence_id JOIN forecast f ON f.id = fe.forecast_id "
        "WHERE f.question_id = :q ORDER BY e.id",
        (q.id,),
    ):
        evidence.setdefault(fid, []).append(EvidenceRef(eid, key, title, url))
    out = []
    previous: dict[str, float] = {}
    spec = spec_of(q)
    for fid, name, p, made, recorded, why, sup, superseded, vector, entered in rows:
        if superseded and not include_superseded:
            continue
        prev = previous.get(name) if spec.binary else None  # a change is a binary forecast's alone
        out.append(
            UpdateRow(
                id=fid,
                forecaster=name,
                probability=p,
                change=None if prev is None else p - prev,
                made_at=from_micros(made),
                recorded_at=from_micros(recorded),
                rationale=why,
                evidence=tuple(evidence.get(fid, ())),
                supersedes=sup,
                superseded=bool(superseded),
                backfilled=is_backfilled_us(made, recorded, backfill_after),
                values=forecast_values(spec, vector),
                entered=entered or "",
            )
        )
        if not superseded:
            previous[name] = p
    return out
