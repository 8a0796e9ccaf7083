"""Alembic environment: runs on the connection handed over by forecast.store.migrate."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import forecast.store.tables  # noqa: F401  (registers every table on SQLModel.metadata)
import forecast.store.check_tables  # noqa: F401
import forecast.store.feed_tables  # noqa: F401

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
