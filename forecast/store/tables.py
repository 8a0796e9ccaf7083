"""SQLModel tables. Rows are converted to core types at the repository boundary (store/convert.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint
from sqlalchemy import Integer as SAInteger
from sqlmodel import Field, SQLModel

from forecast.store.types import UTCMicros


def _time(nullable: bool = False, index: bool = False):
    return Field(default=None, sa_type=UTCMicros, nullable=nullable, index=index)


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = False):
    return Field(
        default=None,
        sa_column=Column(SAInteger, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index),
    )


class Forecaster(SQLModel, table=True):
    __tablename__ = "forecaster"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    created_at: datetime = _time()


class Question(SQLModel, table=True):
    __tablename__ = "question"
    __table_args__ = (
        Index("ix_question_status_closes", "status", "closes_at"),
        Index("ix_question_resolves_at", "resolves_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=80)
    title: str
    kind: str = Field(default="binary", max_length=20)
    description: str = ""
    criteria: str = ""
    opens_at: datetime = _time()
    closes_at: datetime = _time(index=True)
    resolves_at: datetime = _time()
    status: str = Field(default="open", max_length=20)
    resolution: str | None = Field(default=None, max_length=20)
    resolved_at: datetime | None = _time(nullable=True)
    resolution_note: str = ""
    auto_rule: str | None = Field(default=None, max_length=20)
    created_at: datetime = _time()
    updated_at: datetime = _time()
    source_file: str | None = None
    created_by: str | None = Field(default=None, max_length=200)  # migration 0008: the role, in a team database
    kind_spec: str = ""  # migration 0009: the options or range of a non-binary question (core/kind_spec.py)
    outcome: str | None = None  # migration 0009: a non-binary question's outcome (resolution 'outcome')
    # migration 0009: a binary "before X" question's date question on the same event (X is this one's closes_at)
    event_question_id: int | None = _fk("question.id", nullable=True, ondelete="SET NULL")


class QuestionSync(SQLModel, table=True):
    """What `q sync` last read from a question's file (migration 0005): the file's hash and the question
    fields it held, the common ancestor that tells an edit in the file from an edit in the app."""

    __tablename__ = "question_sync"
    __table_args__ = (Index("ix_question_sync_path", "path"),)
    question_id: int = Field(
        sa_column=Column(SAInteger, ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    )
    path: str  # the file relative to the synced folder's parent, as in question.source_file
    file_hash: str = Field(max_length=64)  # sha256 of the file's bytes
    fields: str  # JSON: the question fields as the file stated them
    synced_at: datetime = _time()


class Reminder(SQLModel, table=True):
    """A question's reminder (migration 0006): due from `remind_at` until the question gets a forecast
    recorded after it, is resolved, or the reminder is cleared. One per question; setting it again moves it."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_remind_at", "remind_at"),)
    question_id: int = Field(
        sa_column=Column(SAInteger, ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    )
    remind_at: datetime = _time()
    note: str = ""
    created_at: datetime = _time()


class TeamSetting(SQLModel, table=True):
    """Settings of a team database (migration 0008), e.g. hide_until_forecast; read by its policies."""

    __tablename__ = "team_setting"
    key: str = Field(primary_key=True, max_length=100)
    value: str


class Comment(SQLModel, table=True):
    """A comment on a question (migration 0008); in a team database the author is the role that wrote it."""

    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_question", "question_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = _fk("question.id")
    author: str = Field(max_length=200)
    body: str
    created_at: datetime = _time()
    updated_at: datetime = _time()


class WriteLog(SQLModel, table=True):
    """In a team database, each write statement with the role that made it (migration 0008; filled by the
    triggers `forecast team init` installs, not by the application, so no client can leave it out)."""

    __tablename__ = "write_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _time()
    role: str = Field(max_length=200)
    table_name: str = Field(max_length=100)
    action: str = Field(max_length=20)


class Tag(SQLModel, table=True):
    __tablename__ = "tag"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)


class QuestionTag(SQLModel, table=True):
    __tablename__ = "question_tag"
    __table_args__ = (Index("ix_question_tag_tag", "tag_id", "question_id"),)
    question_id: int = Field(
        sa_column=Column(SAInteger, ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(sa_column=Column(SAInteger, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True))


class ForecastRow(SQLModel, table=True):
    """A probability update. Append-only: a correction is a new row pointing at the one it supersedes."""

    __tablename__ = "forecast"
    __table_args__ = (
        UniqueConstraint("question_id", "forecaster_id", "made_at", "recorded_at", name="uq_forecast_identity"),
        Index("ix_forecast_forecaster_question", "forecaster_id", "question_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = _fk("question.id")
    forecaster_id: int = _fk("forecaster.id", ondelete="RESTRICT")
    probability: float
    made_at: datetime = _time()
    recorded_at: datetime = _time()
    rationale: str = ""
    supersedes_id: int | None = _fk("forecast.id", nullable=True, ondelete="SET NULL")
    superseded: bool = False
    recorded_by: str | None = Field(default=None, max_length=200)  # migration 0008: the role that wrote it (team)
    vector: str | None = None  # migration 0009: a non-binary forecast's probabilities or CDF (core/kind_spec.py)
    entered: str = ""  # migration 0009: what the user typed for a non-binary forecast


class Evidence(SQLModel, table=True):
    __tablename__ = "evidence"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=64)
    url: str | None = Field(default=None, index=True)  # index added by migration 0002 (de-duplication by URL)
    canonical_url: str | None = Field(default=None, index=True)
    title: str = ""
    outlet: str = ""
    author: str = ""
    published_at: datetime | None = _time(nullable=True)
    published_source: str | None = Field(default=None, max_length=20)
    retrieved_at: datetime | None = _time(nullable=True)
    text: str = ""
    excerpt: str = ""
    content_hash: str = Field(default="", index=True, max_length=64)
    inbox: bool = Field(default=False, index=True)
    dismissed: bool = False
    created_at: datetime = _time()


class EvidenceLink(SQLModel, table=True):
    __tablename__ = "evidence_link"
    __table_args__ = (Index("ix_evidence_link_question", "question_id"),)
    evidence_id: int = Field(
        sa_column=Column(SAInteger, ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True)
    )
    question_id: int = Field(
        sa_column=Column(SAInteger, ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    )
    stance: str = Field(default="neutral", max_length=20)
    note: str = ""
    created_at: datetime = _time()


class ForecastEvidence(SQLModel, table=True):
    __tablename__ = "forecast_evidence"
    __table_args__ = (Index("ix_forecast_evidence_evidence", "evidence_id"),)
    forecast_id: int = Field(
        sa_column=Column(SAInteger, ForeignKey("forecast.id", ondelete="CASCADE"), primary_key=True)
    )
    evidence_id: int = Field(
        sa_column=Column(SAInteger, ForeignKey("evidence.id", ondelete="RESTRICT"), primary_key=True)
    )


class ResolutionEvent(SQLModel, table=True):
    """Every resolve and unresolve, with who, when and why."""

    __tablename__ = "resolution_event"
    __table_args__ = (Index("ix_resolution_event_question", "question_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = _fk("question.id")
    action: str = Field(max_length=20)
    resolution: str | None = Field(default=None, max_length=20)
    resolved_at: datetime | None = _time(nullable=True)
    outcome: str | None = None  # migration 0009
    note: str = ""
    actor: str = ""
    at: datetime = _time()


class StandingForecast(SQLModel, table=True):
    """Each forecaster's standing (latest, uncorrected) forecast per question: a cache the services keep
    in step with `forecast` (store/standing.py), so listings need not scan the whole history."""

    __tablename__ = "standing_forecast"
    question_id: int = Field(
        sa_column=Column(SAInteger, ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    )
    forecaster_id: int = Field(
        sa_column=Column(SAInteger, ForeignKey("forecaster.id", ondelete="CASCADE"), primary_key=True)
    )
    forecast_id: int = _fk("forecast.id")
    probability: float
    made_at: datetime = _time()


class TrashEntry(SQLModel, table=True):
    """A deleted question, forecast or evidence (migration 0007): the rows the delete removed, kept as JSON so
    `forecast restore` can put them back with their ids, and who deleted it when. Restoring or purging closes
    the entry (state, closed_by, closed_at) instead of removing it, so the record of who deleted what stays."""

    __tablename__ = "trash"
    __table_args__ = (Index("ix_trash_lookup", "state", "kind", "label"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # question, forecast or evidence
    item_id: int  # the deleted row's id
    label: str = ""  # what names it on the command line: the slug, the forecast id, the evidence key
    title: str = ""  # what a person recognises it by
    payload: str = ""  # JSON {table: [row, ...]}; emptied when purged
    deleted_by: str = ""
    deleted_at: datetime = _time()
    state: str = Field(default="deleted", max_length=20)  # deleted, restored or purged
    closed_by: str = ""
    closed_at: datetime | None = _time(nullable=True)
