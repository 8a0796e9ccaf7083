"""scheduled check runs

Revision ID: 0003_check_runs
Revises: 0002_evidence_feeds
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

revision = "0003_check_runs"
down_revision = "0002_evidence_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.Column("as_of", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("check_run", schema=None) as batch_op:
        batch_op.create_index("ix_check_run_started", ["started_at"], unique=False)
        batch_op.create_index("ix_check_run_as_of", ["as_of"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("check_run", schema=None) as batch_op:
        batch_op.drop_index("ix_check_run_as_of")
        batch_op.drop_index("ix_check_run_started")
    op.drop_table("check_run")
