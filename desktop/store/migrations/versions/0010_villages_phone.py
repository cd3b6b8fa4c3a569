"""village assistants' villages, the applicant's contact phone, the audit head in the outbox envelope

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:00:00

``user_villages`` ties a village-assistant account to the village(s) it
serves (set by the admin); an assistant takes applications, prints receipts
and sees households only there. ``cases.contact_phone`` is the phone the
applicant gave with the application (every notice says 请保持电话畅通):
validated at intake, masked wherever it is printed publicly. Cases stored
before this revision have none (empty). ``outbox.audit_seq``/``audit_hash``:
the audit chain's recorded head when the event was queued, an anchor of the
chain outside this database once the county holds it (0/"" for older rows:
no anchor).
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
    op.add_column('outbox', sa.Column('audit_seq', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('outbox', sa.Column('audit_hash', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    op.drop_column('outbox', 'audit_hash')
    op.drop_column('outbox', 'audit_seq')
    op.drop_column('cases', 'contact_phone')
    op.drop_table('user_villages')
