"""Adding evidence and tying it to questions: store an extracted article once, link, unlink, edit, dismiss.

The same article added twice (same canonical URL, or the same text) is one record; adding it again only
adds the link. A URL is fetched only by `add_evidence` / `prepare_draft`, outside any transaction, and
stored afterwards in one short write: a slow site must never hold the database open. The other functions
take the caller's session; nothing is committed here, so a failure part way stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_
from sqlmodel import Session, select

from forecast.core.errors import InvalidInput, NotFound
from forecast.core.model import DateSource, Stance
from forecast.core.timeparse import shown_time, utcnow
from forecast.ingest.draft import NO_DATE_NOTE, ArticleDraft
from forecast.core.text import clean_line, clean_text
from forecast.ingest.urls import check_http_url, normalise_url
from forecast.interchange.keys import evidence_key
from forecast.services.lookup import get_evidence, get_question
from forecast.store.feed_tables import LinkProposal
from forecast.store.tables import Evidence, EvidenceLink, Question

if TYPE_CHECKING:  # httpx loads only when a URL is fetched
    import httpx


def parse_stance(value: str | Stance | None) -> Stance:
    if value is None:
        return Stance.NEUTRAL
    try:
        return Stance(str(value).strip().lower())
    except ValueError:
        raise InvalidInput(f"stance {value!r} must be yes, no or neutral") from None


@dataclass(frozen=True)
class LinkSpec:
    """Link the evidence to this question, with the stance it supports."""

    question: str | int
    stance: Stance | str | None = None  # None keeps an existing link's stance (a new link is neutral)
    note: str = ""
    replace_note: bool = False  # an existing link's note is replaced, not appended to


@dataclass(frozen=True)
class AddResult:
    evidence: Evidence
    created: bool  # a new record; False when the article was already stored
    linked: bool  # a new link was made
    question: str | None = None  # the linked question's slug
    notes: tuple[str, ...] = field(default_factory=tuple)
    changes: tuple[str, ...] = field(default_factory=tuple)  # what the add changed on an existing link


def draft_key(draft: ArticleDraft) -> str:
    return evidence_key(canonical_url=draft.canonical_url, url=draft.url, text=draft.text, title=draft.title)


def find_existing(session: Session, draft: ArticleDraft) -> Evidence | None:
    """The stored record of the same article: same canonical URL or URL first, else the same text (or key)."""
    urls = {u for u in (draft.canonical_url, draft.url and normalise_url(draft.url)) if u}
    conditions = [Evidence.key == draft_key(draft)]
    if urls:
        conditions += [Evidence.canonical_url.in_(urls), Evidence.url.in_(urls)]
    if draft.content_hash:
        conditions.append(Evidence.content_hash == draft.content_hash)
    with session.no_autoflush:
        rows = session.exec(select(Evidence).where(or_(*conditions)).order_by(Evidence.id).limit(20)).all()
    by_url = [r for r in rows if r.canonical_url in urls or r.url in urls]
    return (by_url or rows or [None])[0]


def find_by_url(session: Session, url: str) -> Evidence | None:
    """A stored article for a URL the user typed, without fetching it again."""
    normal = normalise_url(url)
    return session.exec(
        select(Evidence).where(or_(Evidence.canonical_url == normal, Evidence.url == url.strip())).order_by(Evidence.id)
    ).first()


def _source(source: DateSource | None) -> str | None:
    return DateSource(source).value if source else None


def _resolve_link(session: Session, link: LinkSpec | None) -> tuple[Question | None, LinkSpec | None]:
    if link is None:
        return None, None
    stance = parse_stance(link.stance) if link.stance is not None else None
    return get_question(session, link.question), replace(link, stance=stance)


def store_draft(
    session: Session,
    draft: ArticleDraft,
    *,
    link: LinkSpec | None = None,
    published: datetime | None = None,
    inbox: bool = False,
    now: datetime | None = None,
) -> AddResult:
    """Store an extracted article (or reuse the stored one) and link it. `published` is the user's date."""
    now = now or utcnow()
    question, link = _resolve_link(session, link)
    notes = [n for n in draft.notes if not (published and n == NO_DATE_NOTE)]
    row = find_existing(session, draft)
    created = row is None
    if row is None:
        row = Evidence(
            key=draft_key(draft),
            url=draft.url,
            canonical_url=draft.canonical_url,
            title=draft.title,
            outlet=draft.outlet,
            author=draft.author,
            published_at=published or draft.published_at,
            published_source=_source(DateSource.USER if published else draft.published_source),
            retrieved_at=now,
            text=draft.text,
            excerpt=draft.excerpt,
            content_hash=draft.content_hash,
            inbox=inbox,
            dismissed=False,
            created_at=now,
        )
        session.add(row)
        session.flush()
    else:
        notes = []  # what extraction noticed this time describes the copy we did not keep
        if published is not None and row.published_at is None:
            row.published_at, row.published_source = published, DateSource.USER.value
        elif published is not None and row.published_at != published:
            notes.append(f"kept the stored publication date {shown_time(row.published_at)}; change it with `evidence edit`")
        if row.published_at is None:
            notes.append(NO_DATE_NOTE)
        if not inbox:  # the user added it by hand: it is no longer waiting in the inbox
            row.inbox, row.dismissed = False, False
        session.add(row)
    linked, changes = False, []
    if question is not None:
        linked = _link(session, row, question, link.stance, clean_line(link.note, 2000), now=now,
                       replace_note=link.replace_note, changes=changes)  # fmt: skip
    return AddResult(row, created, linked, question.slug if question else None, tuple(dict.fromkeys(notes)),
                     tuple(changes))  # fmt: skip


def stance_words(stance: str) -> str:
    return "neutral" if stance == Stance.NEUTRAL.value else f"supports {stance}"


def merged_note(old: str, new: str, *, replace: bool) -> tuple[str, str | None]:
    """An existing link's note after a new one is given, and what happened to it in words (None: nothing).
    An earlier note is never lost silently: the new one is appended unless `replace`."""
    if not new or new == old:
        return old, None
    if replace or not old:
        return new, "note replaced" if old else "note added"
    if new in old:
        return old, None
    return f"{old}\n{new}", "note appended to the earlier one (--replace-note replaces it)"


def _link(session: Session, ev: Evidence, q: Question, stance: Stance | None, note: str, *, now: datetime,
          replace_note: bool = False, changes: list[str] | None = None) -> bool:  # fmt: skip
    """Create or update the link; accept a pending proposal for it; the item leaves the inbox. What an update
    changed is said in `changes` ("stance on nk changed neutral → supports yes")."""
    existing = session.get(EvidenceLink, (ev.id, q.id))
    said = changes if changes is not None else []
    if existing is None:
        session.add(EvidenceLink(evidence_id=ev.id, question_id=q.id, stance=(stance or Stance.NEUTRAL).value,
                                 note=note, created_at=now))  # fmt: skip
    else:
        if stance is not None and stance.value != existing.stance:
            said.append(f"stance on {q.slug} changed {stance_words(existing.stance)} → {stance_words(stance.value)}")
            existing.stance = stance.value
        existing.note, what = merged_note(existing.note, note, replace=replace_note)
        if what:
            said.append(f"{what} on {q.slug}")
        session.add(existing)
    for proposal in session.exec(
        select(LinkProposal).where(LinkProposal.evidence_id == ev.id, LinkProposal.question_id == q.id)
    ):
        proposal.state = "accepted"
        session.add(proposal)
    ev.inbox, ev.dismissed = False, False
    session.add(ev)
    session.flush()
    return existing is None


def add_from_file(
    session: Session, path: str, *, link: LinkSpec | None = None, published: datetime | None = None,
    title: str | None = None, now: datetime | None = None,
) -> AddResult:  # fmt: skip
    from forecast.ingest.sources import from_file

    _resolve_link(session, link)
    return store_draft(session, from_file(path, title=title, retrieved_at=now), link=link, published=published, now=now)


def add_from_text(
    session: Session, text: str, *, link: LinkSpec | None = None, published: datetime | None = None,
    title: str | None = None, url: str | None = None, now: datetime | None = None,
) -> AddResult:  # fmt: skip
    from forecast.ingest.sources import from_text

    _resolve_link(session, link)
    draft = from_text(text, title=title, url=check_http_url(url) if url else None, retrieved_at=now)
    return store_draft(session, draft, link=link, published=published, now=now)


def prepare_draft(
    db, source: str, body: str, *, link: LinkSpec | None = None, title: str | None = None,
    client: httpx.Client | None = None, now: datetime | None = None,
) -> ArticleDraft:  # fmt: skip
    """The article to store, got before the write transaction (`store_draft` in `db.write`): a fetch or a
    file read must neither hold the database's write lock nor be repeated when the write is retried.

    `source` is "url", "file" or "text" (`body` is the URL, the path or the text). An unknown question
    fails before any fetching; a URL already stored is not fetched again.
    """
    from forecast.ingest import sources as articles

    url = check_http_url(body) if source == "url" else None
    with db.session() as session:
        _resolve_link(session, link)
        known = find_by_url(session, url) if url is not None else None
        if known is not None:
            return ArticleDraft(title=known.title, text=known.text, url=known.url,
                                canonical_url=known.canonical_url, content_hash=known.content_hash)  # fmt: skip
    if url is not None:
        return articles.from_url(url, title=title, client=client, retrieved_at=now)
    if source == "file":
        return articles.from_file(body, title=title, retrieved_at=now)
    if source == "text":
        return articles.from_text(body, title=title, retrieved_at=now)
    raise InvalidInput(f"evidence source {source!r} must be url, file or text")


def add_evidence(
    db, source: str, body: str, *, link: LinkSpec | None = None, published: datetime | None = None,
    title: str | None = None, client: httpx.Client | None = None, now: datetime | None = None,
) -> AddResult:  # fmt: skip
    """Add an article from a URL, a file or text to `db` (a services.database.Database): fetch or read
    it first, then store it in one write transaction."""
    draft = prepare_draft(db, source, body, link=link, title=title, client=client, now=now)
    return db.write(lambda session: store_draft(session, draft, link=link, published=published, now=now))


def link_evidence(
    session: Session, ref: str | int, question: str | int, *, stance: str | Stance | None = None, note: str = "",
    now: datetime | None = None, replace_note: bool = False, changes: list[str] | None = None,
) -> bool:  # fmt: skip
    """Link (or re-stance) evidence to a question; True when the link is new. An existing link's changes are
    said in `changes`; its note is appended to unless `replace_note`."""
    ev = get_evidence(session, ref)
    q = get_question(session, question)
    stance = parse_stance(stance) if stance is not None else None
    return _link(session, ev, q, stance, clean_line(note, 2000), now=now or utcnow(), replace_note=replace_note,
                 changes=changes)  # fmt: skip


def unlink_evidence(session: Session, ref: str | int, question: str | int) -> None:
    ev = get_evidence(session, ref)
    q = get_question(session, question)
    existing = session.get(EvidenceLink, (ev.id, q.id))
    if existing is None:
        raise NotFound(f"evidence {ev.key} is not linked to {q.slug}")
    session.delete(existing)
    session.flush()


_UNSET = object()


def edit_evidence(
    session: Session, ref: str | int, *, title: str | None = None, outlet: str | None = None,
    author: str | None = None, url: str | None = None, published: datetime | None | object = _UNSET,
    text: str | None = None,
) -> Evidence:  # fmt: skip
    """Change what extraction got wrong. `published=None` clears the date; a datetime sets it as the user's."""
    ev = get_evidence(session, ref)
    if title is not None:
        if not clean_line(title):
            raise InvalidInput("the title must not be empty")
        ev.title = clean_line(title)
    if outlet is not None:
        ev.outlet = clean_line(outlet, 200)
    if author is not None:
        ev.author = clean_line(author, 200)
    if url is not None:
        ev.url = check_http_url(url) if url.strip() else None
    if text is not None:
        if not clean_text(text):
            raise InvalidInput("the text must not be empty")
        from forecast.interchange.keys import content_hash

        ev.text = clean_text(text)
        ev.content_hash = content_hash(ev.text)
    if published is not _UNSET:
        ev.published_at = published  # type: ignore[assignment]
        ev.published_source = DateSource.USER.value if published is not None else None
    session.add(ev)
    session.flush()
    return ev


def dismiss_evidence(session: Session, ref: str | int, question: str | int | None = None) -> Evidence:
    """Dismiss an inbox item (all its proposals), or only its proposal for one question."""
    ev = get_evidence(session, ref)
    proposals = select(LinkProposal).where(LinkProposal.evidence_id == ev.id, LinkProposal.state == "open")
    if question is not None:
        q = get_question(session, question)
        rows = list(session.exec(proposals.where(LinkProposal.question_id == q.id)))
        if not rows:
            raise NotFound(f"evidence {ev.key} has no open proposal for {q.slug}")
    else:
        rows = list(session.exec(proposals))
        ev.inbox, ev.dismissed = False, True
        session.add(ev)
    for p in rows:
        p.state = "dismissed"
        session.add(p)
    session.flush()
    return ev
