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
    pass


def downgrade() -> None:
    pass
