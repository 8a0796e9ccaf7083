"""Tables for news feeds: the feeds, the items already seen, and proposed links from items to questions.

Full-text search over evidence lives in migration 0002 only (an FTS5 table with triggers on SQLite, a
generated tsvector column on PostgreSQL); it is not mapped here because nothing writes to it directly.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint
from sqlalchemy import Integer as SAInteger
from sqlmodel import Field, SQLModel

from forecast.store.types import UTCMicros


def _time(nullable: bool = False):
    return Field(default=None, sa_type=UTCMicros, nullable=nullable)


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE"):
    return Field(default=None, sa_column=Column(SAInteger, ForeignKey(target, ondelete=ondelete), nullable=nullable))


class Feed(SQLModel, table=True):
    """An RSS/Atom feed to poll. Keywords (JSON list) filter its items; the question receives proposals."""

    __tablename__ = "feed"
    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    title: str = ""
    question_id: int | None = _fk("question.id", nullable=True, ondelete="SET NULL")
    keywords: str = "[]"
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: datetime | None = _time(nullable=True)
    last_error: str | None = None
    created_at: datetime = _time()


class FeedItem(SQLModel, table=True):
    """An entry already seen in a feed, so a later poll never stores it twice (by entry id, URL or text hash)."""

    __tablename__ = "feed_item"
    __table_args__ = (
        UniqueConstraint("feed_id", "entry_id", name="uq_feed_item_entry"),
        Index("ix_feed_item_url", "feed_id", "url"),
        Index("ix_feed_item_hash", "feed_id", "content_hash"),
    )
    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = _fk("feed.id")
    entry_id: str
    url: str | None = None
    content_hash: str = Field(default="", max_length=64)
    evidence_id: int | None = _fk("evidence.id", nullable=True, ondelete="SET NULL")
    seen_at: datetime = _time()


class LinkProposal(SQLModel, table=True):
    """A suggested link from evidence to a question, made when a feed item matched the question's keywords."""

    __tablename__ = "link_proposal"
    __table_args__ = (
        UniqueConstraint("evidence_id", "question_id", name="uq_link_proposal"),
        Index("ix_link_proposal_state", "state", "question_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = _fk("evidence.id")
    question_id: int = _fk("question.id")
    feed_id: int | None = _fk("feed.id", nullable=True, ondelete="SET NULL")
    keywords: str = "[]"  # JSON list of the keywords that matched
    state: str = Field(default="open", max_length=20)  # open, accepted, dismissed
    created_at: datetime = _time()
