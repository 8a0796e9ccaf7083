"""Migration 0002 on both backends: its tables and search index appear, index old rows, and go away again."""

from __future__ import annotations

from sqlalchemy import inspect, text

from forecast.store import migrate
from forecast.store.engine import database_url, make_engine

TABLES = {"feed", "feed_item", "link_proposal"}


def _downgrade(engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(migrate._alembic_config(conn), revision)


def test_upgrade_indexes_existing_rows_and_downgrade_removes_everything(db_url):
    engine = make_engine(database_url(db_url))
    migrate.upgrade(engine, "0001_initial")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO evidence (key, title, outlet, author, text, excerpt, content_hash, inbox, dismissed, created_at) "
            "VALUES ('ev-old', 'Sohae activity', '', '', 'Work resumed at the site.', '', 'h', false, false, 0)"
        ))  # fmt: skip
    migrate.upgrade(engine, "0002_evidence_feeds")
    names = set(inspect(engine).get_table_names())
    assert TABLES <= names
    assert "ix_evidence_url" in {i["name"] for i in inspect(engine).get_indexes("evidence")}
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            hit = conn.execute(text("SELECT rowid FROM evidence_fts WHERE evidence_fts MATCH 'sohae'")).all()
        else:
            hit = conn.execute(text("SELECT id FROM evidence WHERE search @@ to_tsquery('english', 'sohae')")).all()
    assert len(hit) == 1  # rows stored before the upgrade are searchable

    _downgrade(engine, "0001_initial")
    inspector = inspect(engine)
    assert not TABLES & set(inspector.get_table_names())
    assert "evidence_fts" not in set(inspector.get_table_names())
    assert "search" not in {c["name"] for c in inspector.get_columns("evidence")}
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.HEAD
    engine.dispose()
