"""Comments on a question: the discussion next to the forecasts.

Anyone who may write adds one; only its author edits or deletes it. In a team database the database
enforces that and stamps the author itself (store/team_sql.py); here the same rule gives a clear line.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from forecast.core.errors import InvalidInput, NotFound
from forecast.core.timeparse import from_micros, utcnow
from forecast.services.lookup import get_question
from forecast.services.views import CommentRow
from forecast.store import bulk

if TYPE_CHECKING:  # the ORM loads only for writing comments: `q show` reads them with SQL
    from sqlmodel import Session

    from forecast.store.bulk import Bind
    from forecast.store.tables import Comment

MAX_COMMENT = 20_000


def _view(c: Comment) -> CommentRow:
    return CommentRow(c.id, c.question_id, c.author, c.body, _utc(c.created_at), _utc(c.updated_at))


def _utc(at: datetime) -> datetime:
    from forecast.core.timeparse import from_micros, to_micros

    return from_micros(to_micros(at))  # as stored (UTC, whole microseconds), also before a reload


def _body(text: str) -> str:
    body = text.strip()  # controls and NUL: the storage boundary's rule for comment.body (store/text_guard.py)
    if not body:
        raise InvalidInput("a comment needs some text")
    if len(body) > MAX_COMMENT:
        raise InvalidInput(f"a comment is at most {MAX_COMMENT:,} characters, not {len(body):,}")
    return body


def add_comment(session: Session, question: str | int, text: str, author: str, *, now: datetime | None = None) -> CommentRow:
    from forecast.store.tables import Comment

    q = get_question(session, question)
    now = now or utcnow()
    row = Comment(question_id=q.id, author=author, body=_body(text), created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    session.refresh(row)  # a team database stamps the author itself
    return _view(row)


def _own(session: Session, comment_id: int, author: str, *, may_delete_any: bool = False) -> Comment:
    from forecast.store.tables import Comment

    row = session.get(Comment, comment_id)
    if row is None:
        raise NotFound(f"no comment {comment_id}")
    if row.author != author and not may_delete_any:
        raise InvalidInput(f"comment {comment_id} is {row.author}'s; only its author may change it")
    return row


def edit_comment(session: Session, comment_id: int, text: str, author: str, *, now: datetime | None = None) -> CommentRow:
    row = _own(session, comment_id, author)
    row.body = _body(text)
    row.updated_at = now or utcnow()
    session.add(row)
    session.flush()
    return _view(row)


def delete_comment(session: Session, comment_id: int, author: str, *, admin: bool = False) -> CommentRow:
    row = _own(session, comment_id, author, may_delete_any=admin)
    gone = _view(row)
    session.delete(row)
    session.flush()
    return gone


def comments_of(bind: Bind, question_id: int) -> list[CommentRow]:
    rows = bulk.rows(
        bulk.connection_of(bind),
        "SELECT id, question_id, author, body, created_at, updated_at FROM comment "
        "WHERE question_id = :q ORDER BY created_at, id",
        (question_id,),
    )
    return [CommentRow(cid, qid, author, body, from_micros(created), from_micros(updated))
            for cid, qid, author, body, created, updated in rows]  # fmt: skip


__all__ = ["NotFound", "CommentRow", "add_comment", "comments_of", "delete_comment", "edit_comment"]
