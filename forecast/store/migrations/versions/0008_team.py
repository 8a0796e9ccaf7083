"""teams on PostgreSQL: who created a question, which role recorded a forecast, team settings, comments

Revision ID: 0008_team
Revises: 0007_soft_delete
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa

revision = "0008_team"
down_revision = "0007_soft_delete"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns added in place (no table rebuild on SQLite; existing rows keep NULL: made before
    # anyone could tell who). In a team database `forecast team init` installs triggers that fill them.
    with op.batch_alter_table("question", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.String(length=200), nullable=True))
    with op.batch_alter_table("forecast", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("recorded_by", sa.String(length=200), nullable=True))
    op.create_table(
        "team_setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(  # in a team database, every write statement and the role that made it (team init's triggers)
        "write_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("table_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index("ix_comment_question", ["question_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_question")
    op.drop_table("comment")
    op.drop_table("write_log")
    op.drop_table("team_setting")
    with op.batch_alter_table("forecast", schema=None) as batch_op:
        batch_op.drop_column("recorded_by")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("created_by")
