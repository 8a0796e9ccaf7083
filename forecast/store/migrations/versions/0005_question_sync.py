"""what `q sync` last read from each question file, so a later sync can tell file edits from app edits

Revision ID: 0005_question_sync
Revises: 0004_standing_forecast
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

revision = "0005_question_sync"
down_revision = "0004_standing_forecast"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No rows for existing questions: nothing says what their files held, so the first sync after the
    # upgrade treats a difference between file and database as a conflict rather than guessing.
    op.create_table(
        "question_sync",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.String(), nullable=False),
        sa.Column("synced_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("question_id"),
    )
    with op.batch_alter_table("question_sync", schema=None) as batch_op:
        batch_op.create_index("ix_question_sync_path", ["path"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("question_sync", schema=None) as batch_op:
        batch_op.drop_index("ix_question_sync_path")
    op.drop_table("question_sync")
