"""Comments on a question: the discussion next to the forecasts.

Anyone who may write adds one; only its author edits or deletes it. In a team database the database
enforces that and stamps the author itself (store/team_sql.py); here the same rule gives a clear line.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from forecast.core.errors import InvalidInput, NotFound
from forecast.core.timeparse import utcnow
from forecast.services.lookup import get_question
from forecast.services.views import CommentRow
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
    q = get_question(session, question)
    now = now or utcnow()
    row = Comment(question_id=q.id, author=author, body=_body(text), created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    session.refresh(row)  # a team database stamps the author itself
    return _view(row)


def _own(session: Session, comment_id: int, author: str, *, may_delete_any: bool = False) -> Comment:
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


def comments_of(session: Session, question_id: int) -> list[CommentRow]:
    rows = session.exec(select(Comment).where(Comment.question_id == question_id).order_by(Comment.created_at, Comment.id))
    return [_view(c) for c in rows]


__all__ = ["NotFound", "CommentRow", "add_comment", "comments_of", "delete_comment", "edit_comment"]
