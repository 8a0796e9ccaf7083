"""evidence feeds, feed items, link proposals and full-text search

Revision ID: 0002_evidence_feeds
Revises: 0001_initial
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

revision = "0002_evidence_feeds"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
