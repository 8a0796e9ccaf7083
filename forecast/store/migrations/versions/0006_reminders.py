"""per-question reminders: `forecast q remind Q WHEN`, listed by `forecast check` once due

Revision ID: 0006_reminders
Revises: 0005_question_sync
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa

revision = "0006_reminders"
down_revision = "0005_question_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A table of its own, not a column of question: no table rebuild of question on SQLite, nothing
    # for existing rows to fill.
    op.create_table(
        "reminder",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("remind_at", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(), nullable=False, server_default=""),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("question_id"),
    )
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index("ix_reminder_remind_at", ["remind_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_remind_at")
    op.drop_table("reminder")
