"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 10:26:42.781140
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_entity_id'), ['entity_id'], unique=False)

    op.create_table('device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_code', sa.String(length=3), nullable=False),
    sa.Column('township_code', sa.String(length=9), nullable=False),
    sa.Column('township_name', sa.String(length=64), nullable=False),
    sa.Column('window_name', sa.String(length=64), nullable=False),
    sa.Column('county_name', sa.String(length=64), nullable=False),
    sa.Column('signing_key', sa.LargeBinary(), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device'))
    )
    op.create_table('meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_meta'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=36), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_uuid', sa.String(length=36), nullable=False),
    sa.Column('operation', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_idempotency_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_entity_uuid'), ['entity_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_state'), ['state'], unique=False)

    op.create_table('sequences',
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_sequences'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('villages',
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('division_code', name=op.f('pk_villages'))
    )
    op.create_table('households',
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('hukou_type', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['division_code'], ['villages.division_code'], name=op.f('fk_households_division_code_villages')),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_households'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_division_code'), ['division_code'], unique=False)

    op.create_table('persons',
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('household_uuid', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('name_initials', sa.String(length=32), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('id_tail', sa.String(length=6), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('ethnicity', sa.String(length=16), nullable=False),
    sa.Column('relation', sa.String(length=24), nullable=False),
    sa.Column('health', sa.String(length=16), nullable=False),
    sa.Column('disability_category', sa.String(length=16), nullable=False),
    sa.Column('disability_grade', sa.String(length=8), nullable=False),
    sa.Column('labour_capacity', sa.String(length=16), nullable=False),
    sa.Column('employment', sa.String(length=16), nullable=False),
    sa.Column('monthly_income_cents', sa.Integer(), nullable=False),
    sa.Column('is_obliged_supporter', sa.Boolean(), nullable=False),
    sa.Column('staff_relative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['household_uuid'], ['households.uuid'], name=op.f('fk_persons_household_uuid_households')),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_persons'))
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_household_uuid'), ['household_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_id_hash'), ['id_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_id_tail'), ['id_tail'], unique=False)
        batch_op.create_index('ix_persons_name', ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_name_initials'), ['name_initials'], unique=False)

    op.create_table('cases',
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('case_number', sa.String(length=23), nullable=False),
    sa.Column('household_uuid', sa.String(length=36), nullable=False),
    sa.Column('applicant_uuid', sa.String(length=36), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=24), nullable=False),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('staff_relative', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('decision_due', sa.Date(), nullable=True),
    sa.Column('policy_ref', sa.String(length=64), nullable=False),
    sa.Column('clerk', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_uuid'], ['persons.uuid'], name=op.f('fk_cases_applicant_uuid_persons')),
    sa.ForeignKeyConstraint(['household_uuid'], ['households.uuid'], name=op.f('fk_cases_household_uuid_households')),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_cases')),
    sa.UniqueConstraint('case_number', name=op.f('uq_cases_case_number'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_applicant_uuid'), ['applicant_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_clerk'), ['clerk'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_decision_due'), ['decision_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_division_code'), ['division_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_household_uuid'), ['household_uuid'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('case_categories',
    sa.Column('case_uuid', sa.String(length=36), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['case_uuid'], ['cases.uuid'], name=op.f('fk_case_categories_case_uuid_cases')),
    sa.PrimaryKeyConstraint('case_uuid', 'category', name=op.f('pk_case_categories'))
    )
    with op.batch_alter_table('case_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_categories_category'), ['category'], unique=False)

    op.create_table('case_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_uuid', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=48), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('received', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_uuid'], ['cases.uuid'], name=op.f('fk_case_documents_case_uuid_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_documents')),
    sa.UniqueConstraint('case_uuid', 'code', name=op.f('uq_case_documents_case_uuid'))
    )
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_documents_case_uuid'), ['case_uuid'], unique=False)

    op.create_table('coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_uuid', sa.String(length=36), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('monthly_amount_cents', sa.Integer(), nullable=False),
    sa.Column('recheck_class', sa.String(length=16), nullable=False),
    sa.Column('case_uuid', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['case_uuid'], ['cases.uuid'], name=op.f('fk_coverage_case_uuid_cases')),
    sa.ForeignKeyConstraint(['household_uuid'], ['households.uuid'], name=op.f('fk_coverage_household_uuid_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage'))
    )
    with op.batch_alter_table('coverage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_household_uuid'), ['household_uuid'], unique=False)

    op.create_table('status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_uuid', sa.String(length=36), nullable=False),
    sa.Column('transition', sa.String(length=48), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_uuid'], ['cases.uuid'], name=op.f('fk_status_changes_case_uuid_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_changes'))
    )
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_changes_case_uuid'), ['case_uuid'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_changes_case_uuid'))

    op.drop_table('status_changes')
    with op.batch_alter_table('coverage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_household_uuid'))

    op.drop_table('coverage')
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_documents_case_uuid'))

    op.drop_table('case_documents')
    with op.batch_alter_table('case_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_categories_category'))

    op.drop_table('case_categories')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_household_uuid'))
        batch_op.drop_index(batch_op.f('ix_cases_division_code'))
        batch_op.drop_index(batch_op.f('ix_cases_decision_due'))
        batch_op.drop_index(batch_op.f('ix_cases_clerk'))
        batch_op.drop_index(batch_op.f('ix_cases_applicant_uuid'))

    op.drop_table('cases')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_name_initials'))
        batch_op.drop_index('ix_persons_name')
        batch_op.drop_index(batch_op.f('ix_persons_id_tail'))
        batch_op.drop_index(batch_op.f('ix_persons_id_hash'))
        batch_op.drop_index(batch_op.f('ix_persons_household_uuid'))

    op.drop_table('persons')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_division_code'))

    op.drop_table('households')
    op.drop_table('villages')
    op.drop_table('users')
    op.drop_table('sequences')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_state'))
        batch_op.drop_index(batch_op.f('ix_outbox_entity_uuid'))

    op.drop_table('outbox')
    op.drop_table('meta')
    op.drop_table('device')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_entity_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
