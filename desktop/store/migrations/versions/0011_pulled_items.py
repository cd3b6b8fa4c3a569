"""what the township pulled from the county hub

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:10:00

``pulled_items``: one row per feed item taken from the county hub (a county
decision or referral result, or another device's event), written with its
effect and the new pull cursor in one transaction; its key makes a second
pull of the same item change nothing. ``outcome`` applied | conflict (with
the Chinese reason, for 需处理).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pulled_items',
    sa.Column('idempotency_key', sa.String(length=36), nullable=False),
    sa.Column('feed_seq', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('device_code', sa.String(length=3), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_uuid', sa.String(length=36), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('pulled_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('idempotency_key', name=op.f('pk_pulled_items'))
    )
    with op.batch_alter_table('pulled_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulled_items_feed_seq'), ['feed_seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pulled_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulled_items_feed_seq'))
    op.drop_table('pulled_items')
