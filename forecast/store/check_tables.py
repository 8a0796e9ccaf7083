"""The record of `forecast check` runs: when, what it did, what went wrong.

services/check/runs.py reads and writes it in plain SQL (a quiet check should not pay for the ORM);
the model defines the schema for Alembic (migration 0003_check_runs).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from forecast.store.types import UTCMicros


class CheckRun(SQLModel, table=True):
    """One `forecast check`. A row left `running` by a killed run becomes `interrupted` on the next run."""

    __tablename__ = "check_run"
    __table_args__ = (
        Index("ix_check_run_started", "started_at"),
        Index("ix_check_run_as_of", "as_of"),
    )
    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_type=UTCMicros, nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UTCMicros, nullable=True)
    as_of: datetime = Field(sa_type=UTCMicros, nullable=False)  # the check's "now" (differs with --now)
    status: str = Field(default="running", max_length=20)  # running, done, error, interrupted
    dry_run: bool = False
    summary: str = ""  # JSON: what the run did and found
    error: str | None = None
    host: str = Field(default="", max_length=255)
    pid: int | None = None
