"""event_log (Step 6)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:30:00

The outbox becomes a versioned event log (see ``sync/events.py`` and
docs/ARCHITECTURE.md "What the county receives"):

- envelope columns on ``outbox``: ``seq`` (per-device, never reused; the
  counter is ``sequences`` row ``outbox``), ``event_type``,
  ``schema_version``, ``township_code``/``device_code``, ``origin``;
  ``created_at`` becomes ``occurred_at``; ``operation`` is folded into
  ``event_type``; the table gets AUTOINCREMENT so a deleted id is never reused;
- ``coverage.uuid`` (each existing coverage gets a fresh uuid) so re-checks
  name their coverage across devices;
- ``outbox_blobs``: files named by sha256 in events, to upload once.

Rows queued before this revision keep their hand-built payload and are marked
legacy: ``schema_version`` 0 (``sync.events.LEGACY_VERSION``: the hub keeps
them for the record, never parses them), ``event_type`` mapped from their
entity and operation, ``seq`` in id order, envelope from the device row.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# (entity_type, operation) of the old rows whose event type is not simply "<entity>.<operation>"
_LEGACY_TYPES = {
    ("case", "case_created"): "case.created",
    ("coverage", "coverage_created"): "coverage.created",
    ("recheck", "recheck_recorded"): "recheck.recorded",
}


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('coverage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uuid', sa.String(length=36), nullable=True))
    for (cov_id,) in conn.execute(sa.text("SELECT id FROM coverage ORDER BY id")).all():
        conn.execute(sa.text("UPDATE coverage SET uuid = :u WHERE id = :i"), {"u": str(uuid.uuid4()), "i": cov_id})
    with op.batch_alter_table('coverage', schema=None) as batch_op:
        batch_op.alter_column('uuid', existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_coverage_uuid'), ['uuid'])

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('event_type', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('schema_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('township_code', sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column('device_code', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('origin', sa.String(length=16), nullable=True))
    device = conn.execute(sa.text("SELECT township_code, device_code FROM device WHERE id = 1")).first()
    township, device_code = (device[0], device[1]) if device is not None else ("", "")
    rows = conn.execute(sa.text("SELECT id, entity_type, operation FROM outbox ORDER BY id")).all()
    for seq, (item_id, entity, operation) in enumerate(rows, start=1):
        conn.execute(sa.text(
            "UPDATE outbox SET seq = :seq, event_type = :t, schema_version = 0, township_code = :tc, "
            "device_code = :dc, origin = 'township' WHERE id = :i"),
            {"seq": seq, "t": _LEGACY_TYPES.get((entity, operation), f"{entity}.{operation}"), "tc": township,
             "dc": device_code, "i": item_id})
    if rows:
        conn.execute(sa.text("INSERT INTO sequences (scope, value) VALUES ('outbox', :v)"), {"v": len(rows)})
    with op.batch_alter_table('outbox', schema=None, recreate='always',
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        for name, type_ in (('seq', sa.Integer()), ('event_type', sa.String(length=64)),
                            ('schema_version', sa.Integer()), ('township_code', sa.String(length=9)),
                            ('device_code', sa.String(length=3)), ('origin', sa.String(length=16))):
            batch_op.alter_column(name, existing_type=type_, nullable=False)
        batch_op.alter_column('created_at', new_column_name='occurred_at', existing_type=sa.DateTime(),
                              existing_nullable=False)
        batch_op.drop_column('operation')
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_seq'), ['seq'])

    op.create_table('outbox_blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_outbox_blobs'))
    )
    with op.batch_alter_table('outbox_blobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_blobs_state'), ['state'], unique=False)


def downgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('outbox_blobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_blobs_state'))
    op.drop_table('outbox_blobs')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('operation', sa.String(length=32), nullable=True))
    conn.execute(sa.text("UPDATE outbox SET operation = substr(event_type, instr(event_type, '.') + 1)"))
    for (entity, operation), event_type in _LEGACY_TYPES.items():
        conn.execute(sa.text("UPDATE outbox SET operation = :o WHERE event_type = :t AND entity_type = :e"),
                     {"o": operation, "t": event_type, "e": entity})
    conn.execute(sa.text("DELETE FROM sequences WHERE scope = 'outbox'"))
    with op.batch_alter_table('outbox', schema=None, recreate='always',
                              table_kwargs={'sqlite_autoincrement': False}) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_seq'), type_='unique')
        batch_op.alter_column('operation', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('occurred_at', new_column_name='created_at', existing_type=sa.DateTime(),
                              existing_nullable=False)
        for name in ('origin', 'device_code', 'township_code', 'schema_version', 'event_type', 'seq'):
            batch_op.drop_column(name)

    with op.batch_alter_table('coverage', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_coverage_uuid'), type_='unique')
        batch_op.drop_column('uuid')
