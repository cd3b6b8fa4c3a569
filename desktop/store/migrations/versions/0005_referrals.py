"""referrals (Step 5)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 16:30:00

One referral per (case, department) with its state, dates, the department's
result and the reply document (a BLOB inside the encrypted file), and the
history of each referral, and two indexes on case_clocks for finding running
clocks by referral and by case. Accepted cases of older databases
get their referrals from ``desktop.services.admin.backfill`` at sign-in.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('case_uuid', sa.String(length=36), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=False),
    sa.Column('department_name', sa.String(length=100), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('deadline_working_days', sa.Integer(), nullable=False),
    sa.Column('policy_ref', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('sent_by', sa.String(length=64), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('received_by', sa.String(length=64), nullable=True),
    sa.Column('concluded_on', sa.Date(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('amount_cents', sa.Integer(), nullable=True),
    sa.Column('result_reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=False),
    sa.Column('concluded_by', sa.String(length=64), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('returned_by', sa.String(length=64), nullable=True),
    sa.Column('reply_filename', sa.String(length=200), nullable=False),
    sa.Column('reply_mime', sa.String(length=32), nullable=False),
    sa.Column('reply_size', sa.Integer(), nullable=False),
    sa.Column('reply_sha256', sa.String(length=64), nullable=False),
    sa.Column('reply_data', sa.LargeBinary(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_uuid'], ['cases.uuid'], name=op.f('fk_referrals_case_uuid_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('case_uuid', 'department', name=op.f('uq_referrals_case_uuid')),
    sa.UniqueConstraint('uuid', name=op.f('uq_referrals_uuid'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_case_uuid'), ['case_uuid'], unique=False)
        batch_op.create_index('ix_referrals_state_department', ['state', 'department'], unique=False)

    op.create_table('referral_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_uuid', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('on_day', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_uuid'], ['referrals.uuid'],
                            name=op.f('fk_referral_events_referral_uuid_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_events'))
    )
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_events_referral_uuid'), ['referral_uuid'], unique=False)

    # running clocks by referral and by case (see models_referral.py: the planner needs them)
    with op.batch_alter_table('case_clocks', schema=None) as batch_op:
        batch_op.create_index('ix_case_clocks_subject_state', ['subject_uuid', 'state'], unique=False)
        batch_op.create_index('ix_case_clocks_case_state_due', ['case_uuid', 'state', 'due_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_clocks', schema=None) as batch_op:
        batch_op.drop_index('ix_case_clocks_case_state_due')
        batch_op.drop_index('ix_case_clocks_subject_state')
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_events_referral_uuid'))
    op.drop_table('referral_events')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_state_department')
        batch_op.drop_index(batch_op.f('ix_referrals_case_uuid'))
    op.drop_table('referrals')
