"""Closing and auto-resolving one due question, in its own transaction.

A run killed midway therefore leaves every question either untouched or fully done, and the next
run picks up the rest. Each question is re-read (row-locked on PostgreSQL) and re-checked inside its
transaction, so a resolution someone made since the due list was read is never overridden.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from forecast.core.errors import ForecastError
from forecast.core.model import AutoRule, Status
from forecast.core.timeparse import to_micros
from forecast.services import resolution
from forecast.services.check.queries import DueQuestion, may_auto_resolve
from forecast.store import bulk
from forecast.store.tables import Question
from forecast.store.transaction import retrying, write_engine

ACTOR = "forecast check"
# Test-only: a directory holding two FIFOs for a handshake inside each question's transaction. Before the
# n-th question commits, the run writes a byte to `ready` and blocks reading a byte from `go`, so a test can
# hold a run at a known point (lock taken, n-1 questions committed, the n-th mid-transaction) and SIGKILL it.
GATE_ENV = "FORECAST_CHECK_TEST_GATE"


@dataclass(frozen=True, slots=True)
class Applied:
    closed: bool
    resolution: str | None  # the auto-resolution applied, if any


def gate_for_tests() -> Path | None:
    gate = os.environ.get(GATE_ENV)
    return Path(gate) if gate else None


def _pass_gate(gate: Path, n: int) -> None:
    """Signal on the `ready` FIFO, then block on the `go` FIFO until the test releases this question."""
    fd = os.open(gate / "ready", os.O_WRONLY)
    try:
        os.write(fd, b"r")
    finally:
        os.close(fd)
    fd = os.open(gate / "go", os.O_RDONLY)
    try:
        os.read(fd, 1)  # blocks until the test writes one byte for this question
    finally:
        os.close(fd)


class Applier:
    """Applies due questions, one transaction each, through one session: a fresh session per question
    would cost more than the question's own work."""

    def __init__(self, engine: Engine, now: datetime, *, gate: Path | None = None):
        self.engine = engine
        self.now = now
        self.gate = gate
        self.passed = 0  # questions that went through the gate
        self.postgres = engine.dialect.name == "postgresql"

    def __enter__(self) -> Applier:
        # One connection for the run: a pool checkout per question costs a ping and a rollback round trip.
        self.conn = write_engine(self.engine).connect()  # SQLite: each question's transaction is BEGIN IMMEDIATE
        if self.postgres:
            # A question's commit need not wait for the disk: a commit lost in a server crash is only a
            # question the next (idempotent) run closes again, never a half-applied one.
            bulk.execute(self.conn, "SET synchronous_commit = off")
            self.conn.commit()
        self.session = Session(bind=self.conn, expire_on_commit=False)
        return self

    def __exit__(self, *exc) -> None:
        self.session.close()
        if self.postgres:
            try:  # the connection goes back to the pool, where others expect durable commits
                self.conn.rollback()
                bulk.execute(self.conn, "RESET synchronous_commit")
                self.conn.commit()
            except SQLAlchemyError:
                self.conn.invalidate()  # never pooled again
        self.conn.close()

    def apply(self, due: DueQuestion) -> Applied | None:
        """Close or auto-resolve one question. None when there was nothing left to do.

        Retried whole while the database is busy (store/transaction.py); DatabaseBusy when it stays so."""

        def once() -> Applied | None:
            try:
                applied = self._once(due)
                self.session.commit()
                return applied
            except BaseException:
                self.session.rollback()
                raise
            finally:
                self.session.expunge_all()

        return retrying(once, engine=self.engine)

    def _once(self, due: DueQuestion) -> Applied | None:
        session, now = self.session, self.now
        # PostgreSQL: lock the row against a concurrent resolve; SQLite's write lock is the whole database.
        q = session.get(Question, due.id, with_for_update=self.postgres)
        if q is None or q.closes_at > now:  # gone, or its deadline was moved since the due list was read
            return None
        was_open = q.status == Status.OPEN.value
        rule = _rule(q)
        # The due list already excluded questions a person unresolved; ask again only if the row changed.
        unchanged = to_micros(q.updated_at) == due.updated_at
        applied = None
        if rule is not None and (unchanged or may_auto_resolve(session.connection(), q.id)):
            # Open -> resolved in one step: the resolution history shows one event, by the check.
            resolution.resolve(session, q.id, rule.resolution, actor=ACTOR, at=q.closes_at,
                               note=f"auto-resolved by rule {rule.value}", now=now)  # fmt: skip
            applied = rule.resolution.value
        elif was_open:
            resolution.close(session, q, actor=ACTOR, note="closes_at passed", now=now)
        if self.gate is not None:
            self.passed += 1
            _pass_gate(self.gate, self.passed)
        if not was_open and applied is None:
            return None
        return Applied(closed=was_open, resolution=applied)


def _rule(q: Question) -> AutoRule | None:
    if q.resolution is not None or q.status not in (Status.OPEN.value, Status.CLOSED.value) or not q.auto_rule:
        return None
    try:
        return AutoRule(q.auto_rule)
    except ValueError:
        raise ForecastError(f"question {q.slug} has an unknown auto rule {q.auto_rule!r}") from None
