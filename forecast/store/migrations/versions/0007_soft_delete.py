"""soft delete: `forecast q rm`, `forecasts rm`, `evidence rm` move rows into the trash; `forecast restore` puts them back

Revision ID: 0007_soft_delete
Revises: 0006_reminders
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa

revision = "0007_soft_delete"
down_revision = "0006_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The deleted rows move out of the live tables into one table of their own, so no query that lists,
    # scores, exports or searches needs a "not deleted" condition, and none can forget it.
    op.create_table(
        "trash",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(), nullable=False, server_default=""),
        sa.Column("title", sa.String(), nullable=False, server_default=""),
        sa.Column("payload", sa.String(), nullable=False, server_default=""),
        sa.Column("deleted_by", sa.String(), nullable=False, server_default=""),
        sa.Column("deleted_at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False, server_default="deleted"),
        sa.Column("closed_by", sa.String(), nullable=False, server_default=""),
        sa.Column("closed_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trash", schema=None) as batch_op:
        batch_op.create_index("ix_trash_lookup", ["state", "kind", "label"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trash", schema=None) as batch_op:
        batch_op.drop_index("ix_trash_lookup")
    op.drop_table("trash")
