"""News feeds: add, list, remove, and poll them into the evidence inbox with proposed links.

Polling fetches every feed first (a few at a time, with conditional requests) and only then writes, so the
database is never locked while waiting on the network. An item is new unless the feed already gave one with
the same entry id, URL or text hash. A feed's keywords filter what it stores; stored items are proposed to
the feed's question, and to every question whose feeds' keywords they match (whole word, any case).

A poll says which items it left out and why (`skipped_items`: entries with nothing to store, items past
the cap, items not matching the feed's keywords), what feedparser had to guess (`warnings`, e.g. an
encoding), and marks a feed cut off mid-document as "truncated": its items are stored, and the error
"N items read; the feed is truncated" is reported instead of a silent ok.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_
from sqlmodel import Session, select

from forecast.core.errors import Conflict, ForecastError, NotFound
from forecast.core.ids import as_row_id
from forecast.core.timeparse import iso_z, utcnow
from forecast.ingest.keywords import KeywordMatcher, parse_keywords
from forecast.core.text import clean_line
from forecast.ingest.urls import check_http_url, normalise_url
from forecast.services.evidence import store_draft
from forecast.services.lookup import get_question
from forecast.store.feed_tables import Feed, FeedItem, LinkProposal
from forecast.store.tables import EvidenceLink, Question

if TYPE_CHECKING:  # the fetching stack (httpx, feedparser) loads only when a poll runs
    from forecast.ingest.feeds import FeedResult

FETCH_WORKERS = 6


@dataclass
class FeedOutcome:
    feed_id: int
    url: str
    status: str  # "ok", "not modified", "truncated" (items stored, the rest lost) or "error"
    new: int = 0  # items stored as new evidence
    known: int = 0  # items the feed had not given before, matched to evidence already stored (another feed, by hand)
    skipped: int = 0  # new items that did not match the feed's keywords
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    skipped_items: list[dict] = field(default_factory=list)  # [{"item": which, "reason": why}]


@dataclass
class NewItem:
    evidence_id: int
    key: str
    title: str
    url: str | None
    feed: str
    published_at: str | None
    reused: bool  # the article was already stored (from another feed or by hand)
    proposals: list[dict] = field(default_factory=list)  # [{"question": slug, "keywords": [...]}]


@dataclass
class PollReport:
    feeds: list[FeedOutcome] = field(default_factory=list)
    new: list[NewItem] = field(default_factory=list)

    @property
    def errors(self) -> list[dict]:
        return [{"feed": f.url, "error": f.error} for f in self.feeds if f.status in ("error", "truncated")]

    @property
    def warnings(self) -> list[dict]:
        return [{"feed": f.url, "warning": w} for f in self.feeds for w in f.warnings]

    @property
    def proposals(self) -> int:
        return sum(len(i.proposals) for i in self.new)

    def as_dict(self) -> dict:
        return {
            "feeds": [asdict(f) for f in self.feeds],
            "new": [asdict(i) for i in self.new],
            "proposals": self.proposals,
            "errors": self.errors,
            "warnings": self.warnings,
        }


def feed_fields(session: Session, feed: Feed) -> dict:
    q = session.get(Question, feed.question_id) if feed.question_id else None
    seen = session.exec(select(FeedItem.id).where(FeedItem.feed_id == feed.id)).all()
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "question": q.slug if q else None,
        "keywords": json.loads(feed.keywords or "[]"),
        "last_polled_at": iso_z(feed.last_polled_at),
        "last_error": feed.last_error,
        "items_seen": len(seen),
        "created_at": iso_z(feed.created_at),
    }


def get_feed(session: Session, ref: str | int) -> Feed:
    text = str(ref).strip()
    rid = as_row_id(text)
    row = session.get(Feed, rid) if rid is not None else None
    if row is None and text:
        row = session.exec(select(Feed).where(or_(Feed.url == text, Feed.url == normalise_url(text)))).first()
    if row is None:
        raise NotFound(f"no feed {text!r} (give its id or URL; see `forecast feeds list`)")
    return row


def add_feed(
    session: Session, url: str, *, question: str | int | None = None, keywords: str | list[str] | None = None,
    check: bool = True, client=None, now: datetime | None = None, title: str | None = None,
) -> Feed:  # fmt: skip
    """Register a feed after fetching it once to be sure it is one (its items are stored by the next poll).
    A `title` given is the one a fetch made before (`add_feed_to`) found: no fetch then."""
    url = normalise_url(check_http_url(url))
    q = get_question(session, question) if question is not None else None
    words = parse_keywords(keywords)
    existing = session.exec(select(Feed).where(Feed.url == url)).first()
    if existing is not None:
        raise Conflict(f"feed {url} is already added (id {existing.id})")
    if title is None:
        title = ""
        if check:
            from forecast.ingest.feeds import fetch_feed

            title = fetch_feed(url, client=client).title
    feed = Feed(url=url, title=title, question_id=q.id if q else None, keywords=json.dumps(list(words)),
                created_at=now or utcnow())  # fmt: skip
    session.add(feed)
    session.flush()
    return feed


def add_feed_to(
    db, url: str, *, question: str | int | None = None, keywords: str | list[str] | None = None, client=None,
    now: datetime | None = None, warn=None,
) -> dict:  # fmt: skip
    """`add_feed` on `db` (a services.database.Database), its fields: the feed is checked first and
    fetched outside the write transaction, which then checks again and stores it.

    An unreachable host (offline, DNS, refused) is not proof the URL is wrong: with `warn` (a callable taking
    one line) the feed is added anyway and the reason passed to it; without, the failure is raised."""
    from forecast.ingest.feeds import fetch_feed
    from forecast.ingest.fetch import Unreachable

    with db.session() as session:  # a refusal (unknown question, known feed) comes before any fetching
        url = normalise_url(check_http_url(url))
        if question is not None:
            get_question(session, question)
        parse_keywords(keywords)
        existing = session.exec(select(Feed).where(Feed.url == url)).first()
        if existing is not None:
            raise Conflict(f"feed {url} is already added (id {existing.id})")
    try:
        title = fetch_feed(url, client=client).title
    except Unreachable as exc:
        if warn is None:
            raise
        # Offline (or the host is down): keep the feed; the next poll fetches it and reports any problem.
        warn(f"{exc}; added the feed anyway, the next poll fetches it")
        title = ""
    return db.write(lambda session: feed_fields(session, add_feed(
        session, url, question=question, keywords=keywords, now=now, title=title)))  # fmt: skip


def list_feeds(session: Session) -> list[dict]:
    return [feed_fields(session, f) for f in session.exec(select(Feed).order_by(Feed.id))]


def remove_feed(session: Session, ref: str | int) -> dict:
    """Forget a feed and what it has seen; the evidence it brought in stays."""
    feed = get_feed(session, ref)
    out = feed_fields(session, feed)
    session.delete(feed)
    session.flush()
    return out


def _fetch_all(feeds: list[Feed], client, timeout: float) -> dict[int, FeedResult | ForecastError]:
    from forecast.ingest.feeds import fetch_feed

    def one(feed: Feed) -> FeedResult | ForecastError:
        try:
            return fetch_feed(
                feed.url, etag=feed.etag, last_modified=feed.last_modified, client=client, timeout=timeout
            )
        except ForecastError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=min(FETCH_WORKERS, max(1, len(feeds)))) as pool:
        return dict(zip([f.id for f in feeds], pool.map(one, feeds), strict=True))


def _question_rules(session: Session) -> dict[int, KeywordMatcher]:
    """Each question's keywords: the union of the keywords of the feeds that point at it."""
    words: dict[int, list[str]] = {}
    for feed in session.exec(select(Feed).where(Feed.question_id.is_not(None))):
        words.setdefault(feed.question_id, []).extend(json.loads(feed.keywords or "[]"))
    return {qid: KeywordMatcher(dict.fromkeys(ws)) for qid, ws in words.items() if ws}


def poll_feeds(
    session: Session, feeds: list[str | int] | None = None, *, now: datetime | None = None, client=None,
    timeout: float | None = None,
) -> PollReport:  # fmt: skip
    """Poll the given feeds (default: all); store new items as inbox evidence and propose links."""
    now = now or utcnow()
    rows = _selected(session, feeds)
    if not rows:
        return PollReport()
    return store_polled(session, _fetch(rows, client, timeout), now)


def poll(
    db, feeds: list[str | int] | None = None, *, now: datetime | None = None, client=None,
    timeout: float | None = None,
) -> PollReport:  # fmt: skip
    """`poll_feeds` on `db` (a services.database.Database): the feeds are fetched between a read and
    one write transaction, so the database is never locked while waiting on the network, and a write
    retried on a busy database does not fetch again."""
    now = now or utcnow()
    with db.session() as session:
        rows = _selected(session, feeds)
    if not rows:
        return PollReport()
    fetched = _fetch(rows, client, timeout)
    return db.write(lambda session: store_polled(session, fetched, now))


def _selected(session: Session, feeds: list[str | int] | None) -> list[Feed]:
    return [get_feed(session, f) for f in feeds] if feeds else list(session.exec(select(Feed).order_by(Feed.id)))


def _fetch(rows: list[Feed], client, timeout: float | None) -> dict[int, FeedResult | ForecastError]:
    from forecast.ingest.fetch import TIMEOUT, make_client

    own = client is None
    client = client or make_client(timeout or TIMEOUT)
    try:
        return _fetch_all(rows, client, timeout or TIMEOUT)
    finally:
        if own:
            client.close()


def store_polled(session: Session, fetched: dict[int, FeedResult | ForecastError], now: datetime) -> PollReport:
    """Write what a poll fetched (feed id -> result): new items, proposals, each feed's poll state.
    A feed removed since it was fetched is left out."""
    report = PollReport()
    rules = _question_rules(session)
    titles = dict(session.exec(select(Question.id, Question.slug)).all())
    for feed_id, result in fetched.items():
        feed = session.get(Feed, feed_id)
        if feed is None:
            continue
        feed.last_polled_at = now
        if isinstance(result, ForecastError):
            feed.last_error = clean_line(str(result), 300)
            report.feeds.append(FeedOutcome(feed.id, feed.url, "error", error=feed.last_error))
        else:
            feed.last_error = result.truncated
            feed.etag, feed.last_modified = result.etag, result.last_modified
            if result.truncated:  # fetch it whole next time, even if the server says it is unchanged
                feed.etag = feed.last_modified = None
            feed.title = feed.title or result.title
            status = "not modified" if result.not_modified else ("truncated" if result.truncated else "ok")
            outcome = FeedOutcome(feed.id, feed.url, status, error=result.truncated, warnings=list(result.warnings),
                                  skipped_items=[{"item": w, "reason": r} for w, r in result.skipped])  # fmt: skip
            if not result.not_modified:
                _store_items(session, feed, result, rules, titles, now, outcome, report)
            report.feeds.append(outcome)
        session.add(feed)
    session.flush()
    return report


def _store_items(session, feed: Feed, result: FeedResult, rules, titles, now, outcome: FeedOutcome, report) -> None:
    seen = seen_ids, seen_urls, seen_hashes = set(), set(), set()
    for entry_id, url, digest in session.exec(
        select(FeedItem.entry_id, FeedItem.url, FeedItem.content_hash).where(FeedItem.feed_id == feed.id)
    ):
        seen_ids.add(entry_id)
        seen_urls.add(url)
        seen_hashes.add(digest)
    feed_words = json.loads(feed.keywords or "[]")
    only = KeywordMatcher(feed_words) if feed_words else None
    with session.no_autoflush:  # rows are flushed once per stored article, not before every query
        for item in result.items:
            _store_item(session, feed, item, only, rules, titles, now, outcome, report, seen)
    session.flush()


def _store_item(session, feed: Feed, item, only, rules, titles, now, outcome: FeedOutcome, report, seen) -> None:
    seen_ids, seen_urls, seen_hashes = seen
    if item.entry_id in seen_ids or (item.url and item.url in seen_urls) or item.content_hash in seen_hashes:
        return
    seen_ids.add(item.entry_id)
    seen_urls.add(item.url)
    seen_hashes.add(item.content_hash)
    matched = only.matches(item.title, item.text) if only else ()
    if only and not matched:
        session.add(FeedItem(feed_id=feed.id, entry_id=item.entry_id, url=item.url, content_hash=item.content_hash,
                             seen_at=now))  # fmt: skip
        outcome.skipped += 1
        outcome.skipped_items.append({"item": item.title or item.url or item.entry_id,
                                      "reason": "does not match the feed's keywords"})  # fmt: skip
        return
    stored = store_draft(session, item.draft(outlet=feed.title), inbox=True, now=now)
    ev = stored.evidence
    session.add(FeedItem(feed_id=feed.id, entry_id=item.entry_id, url=item.url, content_hash=item.content_hash,
                         evidence_id=ev.id, seen_at=now))  # fmt: skip
    proposals = [] if ev.dismissed else _propose(session, ev.id, feed, item, matched, rules, now, fresh=stored.created)
    if stored.created:
        outcome.new += 1
    else:
        outcome.known += 1
    if stored.created or proposals:
        report.new.append(
            NewItem(ev.id, ev.key, ev.title, ev.url, feed.url, iso_z(ev.published_at), not stored.created,
                    [{"question": titles[qid], "keywords": list(words)} for qid, words in proposals])  # fmt: skip
        )


def _propose(
    session, evidence_id: int, feed: Feed, item, matched, rules, now, *, fresh: bool
) -> list[tuple[int, tuple[str, ...]]]:
    """Proposals for the feed's own question (all its kept items) and for questions whose keywords match."""
    wanted: dict[int, tuple[str, ...]] = {}
    if feed.question_id is not None:
        wanted[feed.question_id] = tuple(matched)
    for qid, matcher in rules.items():
        found = matcher.matches(item.title, item.text)
        if found:
            wanted[qid] = tuple(dict.fromkeys((*wanted.get(qid, ()), *found)))
    made = []
    for qid, words in wanted.items():
        if not fresh:  # a new record has no links or proposals yet
            if session.get(EvidenceLink, (evidence_id, qid)) is not None:
                continue
            exists = session.exec(
                select(LinkProposal.id).where(LinkProposal.evidence_id == evidence_id, LinkProposal.question_id == qid)
            ).first()
            if exists is not None:
                continue
        session.add(LinkProposal(evidence_id=evidence_id, question_id=qid, feed_id=feed.id,
                                 keywords=json.dumps(list(words)), state="open", created_at=now))  # fmt: skip
        made.append((qid, words))
    return made


def poll_all(db, *, now: datetime | None = None) -> dict | None:
    """For `forecast check`: poll every feed in one unit of work. None when no feeds are registered."""
    with db.session() as session:
        if session.exec(select(Feed.id)).first() is None:
            return None
    report = poll(db, now=now)
    new = [
        {"key": i.key, "title": i.title, "url": i.url, "feed": i.feed,
         "question": ", ".join(p["question"] for p in i.proposals) or None,
         "questions": [p["question"] for p in i.proposals]}
        for i in report.new
    ]  # fmt: skip
    return {"feeds": len(report.feeds), "new": new, "proposals": report.proposals, "errors": report.errors,
            "warnings": report.warnings}  # fmt: skip

