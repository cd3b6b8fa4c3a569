"""policy registry: provisional (暂定) due days, stored policy and calendar updates

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00

``case_clocks.provisional``, ``cases.decision_due_provisional`` and
``notice_batches.end_provisional`` mark a due day counted through a year whose
official holiday schedule is not published yet (default false: every day stored
before this revision was either official or left open). ``policy_updates`` keeps
policy tables and calendar years imported after the release (``yimen policy
import``, later the county push). Open clocks left without a due day by older
releases get one from the post-upgrade step ``recompute_provisional_due_days``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN (no batch copy: other tables' foreign keys point at cases)
    op.add_column('case_clocks', sa.Column('provisional', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('cases', sa.Column('decision_due_provisional', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column('notice_batches', sa.Column('end_provisional', sa.Boolean(), nullable=False,
                                              server_default=sa.false()))
    op.create_table('policy_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_policy_updates_kind_ref', 'policy_updates', ['kind', 'ref'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_policy_updates_kind_ref', table_name='policy_updates')
    op.drop_table('policy_updates')
    op.drop_column('notice_batches', 'end_provisional')
    op.drop_column('cases', 'decision_due_provisional')
    op.drop_column('case_clocks', 'provisional')
