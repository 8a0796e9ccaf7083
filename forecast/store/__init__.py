"""Storage: SQLModel tables, the engine, Alembic migrations and repositories that take a session."""
