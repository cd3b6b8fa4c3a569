"""The outbox as an event log: envelope, a sequence never reused, county events never pushed, blobs once."""

from __future__ import annotations

import secrets

import pytest
from alembic import command
from sqlalchemy import delete, select, text

from desktop.store import migrate, outbox
from desktop.store.engine import build_engine
from desktop.store.models import OutboxBlob, OutboxItem
from sync import events as ev

HOUSEHOLD = {"division_code": "620102101201", "hukou_type": "rural", "address": "东坪村三组12号"}


def _household(n: int) -> ev.HouseholdSnapshot:
    return ev.HouseholdSnapshot(household_uuid=f"h-{n}", **HOUSEHOLD)


def test_each_row_carries_its_envelope_and_its_typed_payload(admin_session):
    with admin_session.db.write() as s:
        item = outbox.enqueue(s, _household(1))
    with admin_session.db.read() as s:
        row = s.get(OutboxItem, item.id)
        assert (row.event_type, row.schema_version, row.origin, row.state) == ("household.snapshot", 1, "township",
                                                                               "pending")
        assert (row.township_code, row.device_code) == ("620102101", "007")
        assert (row.entity_type, row.entity_uuid) == ("household", "h-1")
        assert row.occurred_at.tzinfo is not None and len(row.idempotency_key) == 36
        assert ev.parse_event(row.event_type, row.schema_version, row.payload) == _household(1)


def test_seq_strictly_increases_and_is_never_reused_after_rows_are_deleted(admin_session):
    with admin_session.db.write() as s:
        for n in range(3):
            outbox.enqueue(s, _household(n))
        s.flush()
        first = [(i.id, i.seq) for i in s.scalars(select(OutboxItem).order_by(OutboxItem.seq))]
    assert [q for _i, q in first] == [1, 2, 3]
    with admin_session.db.write() as s:
        s.execute(delete(OutboxItem))            # e.g. acknowledged rows pruned one day
    with admin_session.db.write() as s:
        outbox.enqueue(s, _household(9))
    with admin_session.db.read() as s:
        (row,) = s.scalars(select(OutboxItem)).all()
        assert row.seq == 4                       # the hub sees 1–3 then 4, never a second 1
        assert row.id > max(i for i, _q in first)  # AUTOINCREMENT: a deleted id is not given again
        ddl = s.execute(text("SELECT sql FROM sqlite_master WHERE name = 'outbox'")).scalar()
        assert "AUTOINCREMENT" in ddl.upper()


def test_county_events_are_kept_but_never_offered_for_push(admin_session):
    with admin_session.db.write() as s:
        outbox.enqueue(s, _household(1))
        outbox.enqueue(s, _household(2), origin="county")
        outbox.enqueue(s, _household(3))
    with admin_session.db.read() as s:
        pushed = [i.entity_uuid for i in outbox.pending_for_push(s, 10)]
        assert pushed == ["h-1", "h-3"]
        assert [i.entity_uuid for i in outbox.pending_for_push(s, 1)] == ["h-1"]
        assert outbox.waiting_count(s) == 2 and outbox.count_by_state(s)["pending"] == 2
        county = s.scalars(select(OutboxItem).where(OutboxItem.origin == "county")).one()
        assert county.entity_uuid == "h-2" and county.seq == 2


def test_enqueue_refuses_a_subject_that_is_not_the_events(admin_session):
    with admin_session.db.write() as s, pytest.raises(ValueError, match="subject"):
        outbox.enqueue(s, _household(1), entity_uuid="h-2")
    with admin_session.db.write() as s, pytest.raises(ValueError, match="origin"):
        outbox.enqueue(s, _household(1), origin="hub")  # type: ignore[arg-type]
    with admin_session.db.read() as s:
        assert s.scalars(select(OutboxItem)).all() == []


def test_a_blob_is_queued_once_however_many_events_name_it(admin_session):
    with admin_session.db.write() as s:
        outbox.queue_blob(s, "ab" * 32, 2048, "application/pdf")
        s.flush()
        outbox.queue_blob(s, "ab" * 32, 2048, "application/pdf")
    with admin_session.db.read() as s:
        (blob,) = s.scalars(select(OutboxBlob)).all()
        assert (blob.sha256, blob.size, blob.media_type, blob.state) == ("ab" * 32, 2048, "application/pdf",
                                                                         "pending")


def test_rows_queued_before_the_event_log_get_a_legacy_envelope(tmp_path):
    """Revision 0008 on a database with old outbox rows and coverage: seq in id order, types mapped,
    schema version 0 (legacy, never parsed), the device's codes; each coverage gets its own uuid."""
    engine = build_engine(tmp_path / "old.db", secrets.token_bytes(32), create=True)
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
        conn.execute(text("INSERT INTO device (id, device_code, township_code, township_name, window_name, "
                          "county_name, signing_key, public_key, created_at) VALUES (1, '003', '620102101', '镇', "
                          "'窗口', '县', x'00', x'00', '2026-11-01 00:00:00')"))
        conn.execute(text("INSERT INTO villages (division_code, name) VALUES ('620102101201', '东坪村')"))
        conn.execute(text("INSERT INTO households (uuid, division_code, hukou_type, address, created_at, updated_at) "
                          "VALUES ('h-1', '620102101201', 'rural', '东坪村', '2026-11-01', '2026-11-01')"))
        for n in (1, 2):
            conn.execute(text("INSERT INTO coverage (household_uuid, category, since, monthly_amount_cents, "
                              f"recheck_class) VALUES ('h-1', 'dibao', '2026-0{n}-01', 100, 'stable')"))
        for item_id, entity, op in ((5, "case", "case_created"), (7, "case", "status_changed"),
                                    (9, "coverage", "coverage_created"), (12, "referral", "sent")):
            conn.execute(text("INSERT INTO outbox (id, idempotency_key, entity_type, entity_uuid, operation, payload, "
                              "state, attempts, last_error, created_at) VALUES (:i, :k, :e, 'u', :o, '{}', "
                              "'pending', 0, '', '2026-11-02 00:00:00')"),
                         {"i": item_id, "k": f"key-{item_id}", "e": entity, "o": op})
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, seq, event_type, schema_version, township_code, device_code, origin, "
                                 "occurred_at FROM outbox ORDER BY id")).all()
        assert [tuple(r[:7]) for r in rows] == [
            (5, 1, "case.created", 0, "620102101", "003", "township"),
            (7, 2, "case.status_changed", 0, "620102101", "003", "township"),
            (9, 3, "coverage.created", 0, "620102101", "003", "township"),
            (12, 4, "referral.sent", 0, "620102101", "003", "township")]
        assert all(str(r[7]).startswith("2026-11-02") for r in rows)
        assert conn.execute(text("SELECT value FROM sequences WHERE scope = 'outbox'")).scalar() == 4
        uuids = conn.execute(text("SELECT uuid FROM coverage")).scalars().all()
        assert len(set(uuids)) == 2 and all(len(u) == 36 for u in uuids)
    with pytest.raises(ev.EventError, match="旧格式"):
        ev.parse_event("case.created", 0, {})
    with engine.begin() as conn:         # and back: the old shape returns, operation restored
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
        ops = conn.execute(text("SELECT operation FROM outbox ORDER BY id")).scalars().all()
        assert ops == ["case_created", "status_changed", "coverage_created", "sent"]
    engine.dispose()
