"""question kinds: a question's options or range, a non-binary forecast's vector, a non-binary outcome

Revision ID: 0009_kinds
Revises: 0008_team
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa

revision = "0009_kinds"
down_revision = "0008_team"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Columns added in place (no table rebuild, so a million-forecast database upgrades in a moment). Every
    # existing question is binary: its kind_spec is '' and its forecasts have no vector (core/kind_spec.py).
    with op.batch_alter_table("question", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("kind_spec", sa.String(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("outcome", sa.String(), nullable=True))
    # A binary "before X" question linked to the date question on the same event (X: its closes_at). SQLite adds
    # a column with its REFERENCES clause in place; Alembic's add_column would want a table rebuild for it.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE question ADD COLUMN event_question_id INTEGER "
                   "REFERENCES question (id) ON DELETE SET NULL")  # fmt: skip
    else:
        op.add_column("question", sa.Column("event_question_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_question_event_question", "question", "question", ["event_question_id"], ["id"],
                              ondelete="SET NULL")  # fmt: skip
    with op.batch_alter_table("forecast", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("vector", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("entered", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("resolution_event", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resolution_event", schema=None) as batch_op:
        batch_op.drop_column("outcome")
    with op.batch_alter_table("forecast", schema=None) as batch_op:
        batch_op.drop_column("entered")
        batch_op.drop_column("vector")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("event_question_id")
        batch_op.drop_column("outcome")
        batch_op.drop_column("kind_spec")
