"""Question use cases: add, edit, show. Listing lives in questions/listing.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from forecast.core.errors import Conflict, InvalidInput
from forecast.core.model import AutoRule, Status
from forecast.core.echo import shown
from forecast.core.kind_spec import BINARY, KindSpec
from forecast.core.slug import is_valid_slug, readable_slug
from forecast.core.timeparse import utcnow
from forecast.core.text import multi_line, one_line
from forecast.services import tags as tag_service
from forecast.services.lookup import get_question
from forecast.store.tables import Question

_UNSET = object()


@dataclass
class QuestionDraft:
    title: str
    closes_at: datetime
    opens_at: datetime | None = None
    resolves_at: datetime | None = None
    description: str = ""
    criteria: str = ""
    tags: tuple[str, ...] = ()
    slug: str | None = None
    auto: AutoRule | None = None
    source_file: str | None = None
    spec: KindSpec = BINARY


def _check_dates(opens: datetime, closes: datetime, resolves: datetime) -> None:
    if closes <= opens:
        raise InvalidInput("closes_at must be after opens_at")
    if resolves < closes:
        raise InvalidInput("resolves_at must not be before closes_at")


def _check_slug(session: Session, slug: str, *, exclude_id: int | None = None) -> None:
    if not is_valid_slug(slug):
        raise InvalidInput(f"slug {shown(slug)} must be lowercase letters, digits and dashes, and not only digits")
    existing = session.exec(select(Question).where(Question.slug == slug)).first()
    if existing is not None and existing.id != exclude_id:
        raise Conflict(f"slug {slug!r} is already used by question {existing.id}")
    from forecast.services.trash import trashed_slug_message

    in_trash = trashed_slug_message(session, slug)
    if in_trash:
        raise Conflict(in_trash)


def _unique_slug(session: Session, base: str) -> str:
    slug, n = base, 2
    from forecast.services.trash import trashed_slug_message

    # A deleted question keeps its slug (it can be restored), so a derived slug steps past it too.
    while (session.exec(select(Question.id).where(Question.slug == slug)).first() is not None
           or trashed_slug_message(session, slug)):  # fmt: skip
        slug = f"{base}-{n}"
        n += 1
    return slug


def add_question(session: Session, draft: QuestionDraft, *, now: datetime | None = None) -> Question:
    now = now or utcnow()
    title = one_line(draft.title, "title").strip()
    if not title:
        raise InvalidInput("title must not be empty")
    opens = draft.opens_at or now
    resolves = draft.resolves_at or draft.closes_at
    _check_dates(opens, draft.closes_at, resolves)
    if draft.slug:
        _check_slug(session, draft.slug)
        slug = draft.slug
    else:
        slug = _unique_slug(session, readable_slug(title))
    row = Question(
        slug=slug,
        title=title,
        kind=draft.spec.kind.value,
        kind_spec=draft.spec.to_json(),
        description=multi_line(draft.description, "description"),
        criteria=multi_line(draft.criteria, "criteria"),
        opens_at=opens,
        closes_at=draft.closes_at,
        resolves_at=resolves,
        status=Status.OPEN.value if draft.closes_at > now else Status.CLOSED.value,
        auto_rule=draft.auto.value if draft.auto else None,
        created_at=now,
        updated_at=now,
        source_file=draft.source_file,
    )
    session.add(row)
    session.flush()
    tag_service.set_tags(session, row.id, draft.tags)
    return row


def edit_question(
    session: Session,
    ref: str | int,
    *,
    title=_UNSET,
    slug=_UNSET,
    description=_UNSET,
    criteria=_UNSET,
    opens_at=_UNSET,
    closes_at=_UNSET,
    resolves_at=_UNSET,
    auto=_UNSET,
    tags=_UNSET,
    add_tags: tuple[str, ...] = (),
    remove_tags: tuple[str, ...] = (),
    source_file=_UNSET,
    event=_UNSET,
    now: datetime | None = None,
) -> tuple[Question, list[str]]:
    """Apply the given changes; returns the row and the names of the fields that changed.

    `event` is the date question (id or slug) a binary "before X" question is linked to, or None to unlink."""
    now = now or utcnow()
    row = get_question(session, ref)
    changed: list[str] = []

    def put(field: str, value) -> None:
        if value is not _UNSET and getattr(row, field) != value:
            setattr(row, field, value)
            changed.append(field)

    if title is not _UNSET:
        title = one_line(title, "title").strip()
        if not title:
            raise InvalidInput("title must not be empty")
        put("title", title)
    if slug is not _UNSET and slug != row.slug:
        _check_slug(session, slug, exclude_id=row.id)
        put("slug", slug)
    put("description", description if description is _UNSET else multi_line(description, "description"))
    put("criteria", criteria if criteria is _UNSET else multi_line(criteria, "criteria"))
    put("auto_rule", auto.value if isinstance(auto, AutoRule) else auto)
    put("source_file", source_file)
    if event is not _UNSET:
        from forecast.services.questions.event_link import checked_event

        linked = checked_event(session, row, event)
        if linked != row.event_question_id:
            row.event_question_id = linked
            changed.append("event")
    new_opens = row.opens_at if opens_at is _UNSET else opens_at
    new_closes = row.closes_at if closes_at is _UNSET else closes_at
    if resolves_at is _UNSET:
        # Keep "resolves when it closes" if that was the case before.
        new_resolves = new_closes if row.resolves_at == row.closes_at else row.resolves_at
    else:
        new_resolves = resolves_at or new_closes
    _check_dates(new_opens, new_closes, new_resolves)
    put("opens_at", new_opens)
    put("closes_at", new_closes)
    put("resolves_at", new_resolves)
    if row.status == Status.CLOSED.value and new_closes > now:
        put("status", Status.OPEN.value)
    elif row.status == Status.OPEN.value and new_closes <= now:
        put("status", Status.CLOSED.value)
    current = tag_service.tags_of(session, row.id)
    wanted = list(current) if tags is _UNSET else list(tags)
    wanted = sorted(set(tag_service.clean_tags(wanted)) | set(tag_service.clean_tags(add_tags)))
    wanted = [t for t in wanted if t not in set(tag_service.clean_tags(remove_tags))]
    if wanted != current:
        tag_service.set_tags(session, row.id, wanted)
        changed.append("tags")
    if changed:
        row.updated_at = now
        session.add(row)
        session.flush()
    return row, changed
