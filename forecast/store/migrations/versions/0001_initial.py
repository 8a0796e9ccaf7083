"""initial schema

Revision ID: 0001_initial
Revises: 
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa


revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(), nullable=True),
    sa.Column('canonical_url', sa.String(), nullable=True),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('outlet', sa.String(), nullable=False),
    sa.Column('author', sa.String(), nullable=False),
    sa.Column('published_at', sa.BigInteger(), nullable=True),
    sa.Column('published_source', sa.String(length=20), nullable=True),
    sa.Column('retrieved_at', sa.BigInteger(), nullable=True),
    sa.Column('text', sa.String(), nullable=False),
    sa.Column('excerpt', sa.String(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('inbox', sa.Boolean(), nullable=False),
    sa.Column('dismissed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_canonical_url'), ['canonical_url'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_inbox'), ['inbox'], unique=False)

    op.create_table('forecaster',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(), nullable=False),
    sa.Column('criteria', sa.String(), nullable=False),
    sa.Column('opens_at', sa.BigInteger(), nullable=False),
    sa.Column('closes_at', sa.BigInteger(), nullable=False),
    sa.Column('resolves_at', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.Column('resolved_at', sa.BigInteger(), nullable=True),
    sa.Column('resolution_note', sa.String(), nullable=False),
    sa.Column('auto_rule', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.Column('source_file', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index('ix_question_resolves_at', ['resolves_at'], unique=False)
        batch_op.create_index('ix_question_status_closes', ['status', 'closes_at'], unique=False)

    op.create_table('tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('evidence_link',
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evidence_id', 'question_id')
    )
    with op.batch_alter_table('evidence_link', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_link_question', ['question_id'], unique=False)

    op.create_table('forecast',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('forecaster_id', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('made_at', sa.BigInteger(), nullable=False),
    sa.Column('recorded_at', sa.BigInteger(), nullable=False),
    sa.Column('rationale', sa.String(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('superseded', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['forecaster_id'], ['forecaster.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['forecast.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('question_id', 'forecaster_id', 'made_at', 'recorded_at', name='uq_forecast_identity')
    )
    with op.batch_alter_table('forecast', schema=None) as batch_op:
        batch_op.create_index('ix_forecast_forecaster_question', ['forecaster_id', 'question_id'], unique=False)

    op.create_table('question_tag',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'tag_id')
    )
    with op.batch_alter_table('question_tag', schema=None) as batch_op:
        batch_op.create_index('ix_question_tag_tag', ['tag_id', 'question_id'], unique=False)

    op.create_table('resolution_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.Column('resolved_at', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.String(), nullable=False),
    sa.Column('actor', sa.String(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('resolution_event', schema=None) as batch_op:
        batch_op.create_index('ix_resolution_event_question', ['question_id', 'at'], unique=False)

    op.create_table('forecast_evidence',
    sa.Column('forecast_id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['forecast_id'], ['forecast.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('forecast_id', 'evidence_id')
    )
    with op.batch_alter_table('forecast_evidence', schema=None) as batch_op:
        batch_op.create_index('ix_forecast_evidence_evidence', ['evidence_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('forecast_evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_forecast_evidence_evidence')

    op.drop_table('forecast_evidence')
    with op.batch_alter_table('resolution_event', schema=None) as batch_op:
        batch_op.drop_index('ix_resolution_event_question')

    op.drop_table('resolution_event')
    with op.batch_alter_table('question_tag', schema=None) as batch_op:
        batch_op.drop_index('ix_question_tag_tag')

    op.drop_table('question_tag')
    with op.batch_alter_table('forecast', schema=None) as batch_op:
        batch_op.drop_index('ix_forecast_forecaster_question')

    op.drop_table('forecast')
    with op.batch_alter_table('evidence_link', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_link_question')

    op.drop_table('evidence_link')
    op.drop_table('tag')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index('ix_question_status_closes')
        batch_op.drop_index('ix_question_resolves_at')
        batch_op.drop_index(batch_op.f('ix_question_closes_at'))

    op.drop_table('question')
    op.drop_table('forecaster')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_inbox'))
        batch_op.drop_index(batch_op.f('ix_evidence_content_hash'))
        batch_op.drop_index(batch_op.f('ix_evidence_canonical_url'))

    op.drop_table('evidence')
