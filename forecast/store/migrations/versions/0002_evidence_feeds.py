"""evidence feeds, feed items, link proposals and full-text search

Revision ID: 0002_evidence_feeds
Revises: 0001_initial
Create Date: 2026-11-25

Full-text search is kept up to date by the database itself, so rows written by any path (services,
bulk import with raw SQL) are searchable:
- SQLite: an FTS5 external-content table `evidence_fts` over evidence(title, text) with insert, delete and
  update triggers. A later batch ALTER of `evidence` (which recreates the table) drops the triggers, so such
  a migration must re-run `create_sqlite_search()`.
- PostgreSQL: a stored generated tsvector column `evidence.search` (title weighted A, text B) with a GIN index,
  kept in the row (STORAGE MAIN).
"""

from alembic import op
import sqlalchemy as sa

revision = "0002_evidence_feeds"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

# PostgreSQL refuses a tsvector over 1 MB; the first 300,000 characters of an article are plenty to find it.
PG_SEARCH = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', left(coalesce(text, ''), 300000)), 'B')"
)
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE evidence_fts USING fts5(title, text, content='evidence', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER evidence_fts_insert AFTER INSERT ON evidence BEGIN "
    "INSERT INTO evidence_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER evidence_fts_delete AFTER DELETE ON evidence BEGIN "
    "INSERT INTO evidence_fts(evidence_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER evidence_fts_update AFTER UPDATE OF title, text ON evidence BEGIN "
    "INSERT INTO evidence_fts(evidence_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO evidence_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO evidence_fts(evidence_fts) VALUES ('rebuild')",
]


def create_sqlite_search() -> None:
    for statement in SQLITE_SEARCH:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("keywords", sa.String(), nullable=False),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("last_modified", sa.String(), nullable=True),
        sa.Column("last_polled_at", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    op.create_table(
        "feed_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("seen_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["feed_id"], ["feed.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("feed_id", "entry_id", name="uq_feed_item_entry"),
    )
    with op.batch_alter_table("feed_item", schema=None) as batch_op:
        batch_op.create_index("ix_feed_item_url", ["feed_id", "url"], unique=False)
        batch_op.create_index("ix_feed_item_hash", ["feed_id", "content_hash"], unique=False)
    op.create_table(
        "link_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("keywords", sa.String(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["feed_id"], ["feed.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evidence_id", "question_id", name="uq_link_proposal"),
    )
    with op.batch_alter_table("link_proposal", schema=None) as batch_op:
        batch_op.create_index("ix_link_proposal_state", ["state", "question_id"], unique=False)

    # Re-adding an article and polling feeds look evidence up by URL.
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_url", ["url"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        create_sqlite_search()
    elif dialect == "postgresql":
        op.execute(f"ALTER TABLE evidence ADD COLUMN search tsvector GENERATED ALWAYS AS ({PG_SEARCH}) STORED")
        # Keep the tsvector in the row (the article text is moved out instead): a search that has to rank most
        # rows then reads no TOAST, about three times faster over 50,000 articles.
        op.execute("ALTER TABLE evidence ALTER COLUMN search SET STORAGE MAIN")
        op.execute("CREATE INDEX ix_evidence_search ON evidence USING gin (search)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("evidence_fts_insert", "evidence_fts_delete", "evidence_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS evidence_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_evidence_search")
        op.execute("ALTER TABLE evidence DROP COLUMN IF EXISTS search")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_url")
    with op.batch_alter_table("link_proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_link_proposal_state")
    op.drop_table("link_proposal")
    with op.batch_alter_table("feed_item", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_item_hash")
        batch_op.drop_index("ix_feed_item_url")
    op.drop_table("feed_item")
    op.drop_table("feed")
