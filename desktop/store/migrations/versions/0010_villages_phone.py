"""village assistants' villages, the applicant's contact phone

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:00:00

``user_villages`` ties a village-assistant account to the village(s) it
serves (set by the admin); an assistant takes applications, prints receipts
and sees households only there. ``cases.contact_phone`` is the phone the
applicant gave with the application (every notice says 请保持电话畅通):
validated at intake, masked wherever it is printed publicly. Cases stored
before this revision have none (empty).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_villages',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['division_code'], ['villages.division_code'],
                            name=op.f('fk_user_villages_division_code_villages')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_villages_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'division_code', name=op.f('pk_user_villages'))
    )
    # plain ALTER TABLE ADD COLUMN (no batch copy: other tables' foreign keys point at cases)
    op.add_column('cases', sa.Column('contact_phone', sa.String(length=20), nullable=False, server_default=''))


def downgrade() -> None:
    op.drop_column('cases', 'contact_phone')
    op.drop_table('user_villages')
