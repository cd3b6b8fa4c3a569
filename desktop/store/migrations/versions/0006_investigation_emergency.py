"""investigation_emergency (Step 5)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 16:30:00

The investigation record and emergency aid: the home visit keeps living in
``notice_home_visits`` (one source of truth; it gains the findings and the
signed visit form), plus attachments (BLOBs inside the encrypted file),
economic-check requests and results, neighbour visits, democratic
deliberations and emergency-aid grants. Independent of 0005's content.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['case_uuid'], ['cases.uuid'], name=op.f(f'fk_{table}_case_uuid_cases'))


def _keys(table: str) -> tuple[sa.PrimaryKeyConstraint, sa.UniqueConstraint]:
    return (sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
            sa.UniqueConstraint('uuid', name=op.f(f'uq_{table}_uuid')))


def _index_case(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{table}_case_uuid'), ['case_uuid'], unique=False)


def upgrade() -> None:
    with op.batch_alter_table('notice_home_visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('findings', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('form_attachment_uuid', sa.String(length=36), nullable=True))

    op.create_table('investigation_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('case_uuid', sa.String(length=36), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('mime', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    _case_fk('investigation_attachments'),
    *_keys('investigation_attachments'),
    )
    _index_case('investigation_attachments')

    op.create_table('economic_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('case_uuid', sa.String(length=36), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('requested_to', sa.String(length=100), nullable=False),
    sa.Column('request_note', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('result_on', sa.Date(), nullable=True),
    sa.Column('conclusion', sa.String(length=24), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('report_attachment_uuid', sa.String(length=36), nullable=True),
    sa.Column('result_by', sa.String(length=64), nullable=True),
    sa.Column('result_at', sa.DateTime(timezone=True), nullable=True),
    _case_fk('economic_checks'),
    *_keys('economic_checks'),
    )
    _index_case('economic_checks')

    op.create_table('neighbour_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('case_uuid', sa.String(length=36), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('interviewees', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    _case_fk('neighbour_visits'),
    *_keys('neighbour_visits'),
    )
    _index_case('neighbour_visits')

    op.create_table('deliberations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('case_uuid', sa.String(length=36), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=24), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('minutes_attachment_uuid', sa.String(length=36), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    _case_fk('deliberations'),
    *_keys('deliberations'),
    )
    _index_case('deliberations')

    op.create_table('emergency_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('case_uuid', sa.String(length=36), nullable=False),
    sa.Column('person_uuid', sa.String(length=36), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('reason_code', sa.String(length=16), nullable=False),
    sa.Column('reason_note', sa.Text(), nullable=False),
    sa.Column('route', sa.String(length=16), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('repeat_of_uuid', sa.String(length=36), nullable=True),
    sa.Column('warning_acknowledged_by', sa.String(length=64), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paperwork_completed_at', sa.DateTime(timezone=True), nullable=True),
    _case_fk('emergency_grants'),
    sa.ForeignKeyConstraint(['person_uuid'], ['persons.uuid'], name=op.f('fk_emergency_grants_person_uuid_persons')),
    *_keys('emergency_grants'),
    )
    with op.batch_alter_table('emergency_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_grants_case_uuid'), ['case_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_grants_person_uuid'), ['person_uuid'], unique=False)
        batch_op.create_index('ix_emergency_grants_person_reason', ['id_hash', 'reason_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('emergency_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_emergency_grants_person_reason')
        batch_op.drop_index(batch_op.f('ix_emergency_grants_person_uuid'))
        batch_op.drop_index(batch_op.f('ix_emergency_grants_case_uuid'))
    op.drop_table('emergency_grants')
    for table in ('deliberations', 'neighbour_visits', 'economic_checks', 'investigation_attachments'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_case_uuid'))
        op.drop_table(table)
    with op.batch_alter_table('notice_home_visits', schema=None) as batch_op:
        batch_op.drop_column('form_attachment_uuid')
        batch_op.drop_column('findings')
