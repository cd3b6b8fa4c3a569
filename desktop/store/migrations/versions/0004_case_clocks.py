"""case clocks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 16:30:00

One row per statutory time limit of a case (investigation start,
investigation, decision, refusal notice, emergency paperwork, each referral),
with its due day computed once from the policy and calendar in force. New
table only; cases accepted before this revision get their clocks from
``desktop.services.deadlines.clocks.backfill`` at start (their decision_due stays).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_clocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('case_uuid', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject_uuid', sa.String(length=36), nullable=True),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('calendar_note', sa.Text(), nullable=False),
    sa.Column('policy_ref', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_uuid'], ['cases.uuid'], name=op.f('fk_case_clocks_case_uuid_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_clocks')),
    sa.UniqueConstraint('uuid', name=op.f('uq_case_clocks_uuid'))
    )
    with op.batch_alter_table('case_clocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_clocks_case_uuid'), ['case_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_clocks_subject_uuid'), ['subject_uuid'], unique=False)
        batch_op.create_index('ix_case_clocks_state_due', ['state', 'due_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_clocks', schema=None) as batch_op:
        batch_op.drop_index('ix_case_clocks_state_due')
        batch_op.drop_index(batch_op.f('ix_case_clocks_subject_uuid'))
        batch_op.drop_index(batch_op.f('ix_case_clocks_case_uuid'))
    op.drop_table('case_clocks')
