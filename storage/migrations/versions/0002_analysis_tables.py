"""Analysis tables: one analysis per post and the incidents (events) the posts form.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 14:04:07.681277
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('events',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('type_name', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('place', sa.String(length=64), nullable=True),
    sa.Column('spots', sa.JSON(), nullable=False),
    sa.Column('in_district', sa.Boolean(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('post_count', sa.Integer(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('engagement', sa.BigInteger(), nullable=False),
    sa.Column('growth', sa.Float(), nullable=False),
    sa.Column('level', sa.String(length=2), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_last_seen', ['last_seen'], unique=False)

    op.create_table('post_analyses',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=96), nullable=False),
    sa.Column('analysed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('relevance', sa.Float(), nullable=False),
    sa.Column('safety', sa.Boolean(), nullable=False),
    sa.Column('in_district', sa.Boolean(), nullable=False),
    sa.Column('sentiment', sa.Float(), nullable=False),
    sa.Column('negative', sa.Boolean(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=True),
    sa.Column('place', sa.String(length=64), nullable=True),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('duplicate_of', sa.String(length=80), nullable=True),
    sa.Column('event_id', sa.String(length=40), nullable=True),
    sa.Column('level', sa.String(length=2), nullable=True),
    sa.Column('alert', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_post_analyses_event_id_events')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_analyses_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', name=op.f('pk_post_analyses'))
    )
    with op.batch_alter_table('post_analyses', schema=None) as batch_op:
        batch_op.create_index('ix_post_analyses_event_id', ['event_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('post_analyses', schema=None) as batch_op:
        batch_op.drop_index('ix_post_analyses_event_id')

    op.drop_table('post_analyses')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_last_seen')

    op.drop_table('events')
