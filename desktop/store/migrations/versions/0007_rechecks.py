"""rechecks (Step 5)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 16:30:00

The re-check schedule of dynamic management (动态管理): one row per re-check
of a coverage. New table only; coverages that exist before this revision get
their first open re-check from ``desktop.services.coverage.rechecks.schedule_missing``
(at start of the re-check list, and when the demo is made).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rechecks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('coverage_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('recheck_class', sa.String(length=16), nullable=False),
    sa.Column('policy_ref', sa.String(length=64), nullable=False),
    sa.Column('scheduled_by', sa.String(length=64), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('amount_before_cents', sa.Integer(), nullable=True),
    sa.Column('new_amount_cents', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_due_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['coverage_id'], ['coverage.id'], name=op.f('fk_rechecks_coverage_id_coverage')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rechecks')),
    sa.UniqueConstraint('uuid', name=op.f('uq_rechecks_uuid'))
    )
    with op.batch_alter_table('rechecks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rechecks_coverage_id'), ['coverage_id'], unique=False)
        batch_op.create_index('ix_rechecks_done_due', ['done_on', 'due_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rechecks', schema=None) as batch_op:
        batch_op.drop_index('ix_rechecks_done_due')
        batch_op.drop_index(batch_op.f('ix_rechecks_coverage_id'))
    op.drop_table('rechecks')
