"""standing forecast per (question, forecaster), kept by the services for fast listing

Revision ID: 0004_standing_forecast
Revises: 0003_check_runs
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

revision = "0004_standing_forecast"
down_revision = "0003_check_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "standing_forecast",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("forecaster_id", sa.Integer(), nullable=False),
        sa.Column("forecast_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("made_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["forecaster_id"], ["forecaster.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["forecast_id"], ["forecast.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("question_id", "forecaster_id"),
    )
    # Existing databases get their standing forecasts computed from the history they already hold, by the
    # same definition of "latest" as every later refresh (core/latest.py).
    from forecast.store.standing import refresh_all

    refresh_all(op.get_bind())


def downgrade() -> None:
    op.drop_table("standing_forecast")
