"""The audit hash chain detects an edited, a deleted, a reordered and a truncated event."""

from __future__ import annotations

from sqlalchemy import delete, text, update

from desktop.store import audit
from desktop.store.models import AuditEvent


def _log(db, n=6):
    with db.write() as s:
        for i in range(n):
            audit.append_event(s, actor="clerk", action=f"act{i}", entity_type="case", entity_id=f"c{i}",
                               detail={"i": i})


def _first_seq(db):
    with db.read() as s:
        return s.query(AuditEvent.seq).order_by(AuditEvent.seq).first()[0]


def test_intact_chain_verifies(admin_session):
    _log(admin_session.db)
    with admin_session.db.read() as s:
        report = audit.verify_chain(s)
    assert report.ok and report.events >= 6
    assert "校验通过" in report.message


def test_edited_event_is_detected(admin_session):
    db = admin_session.db
    _log(db)
    base = _first_seq(db)
    with db.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == base + 3).values(actor="mallory"))
    with db.read() as s:
        report = audit.verify_chain(s)
    assert not report.ok and report.first_broken_seq == base + 3
    assert "修改" in report.message


def test_deleted_event_is_detected(admin_session):
    db = admin_session.db
    _log(db)
    base = _first_seq(db)
    with db.write() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq == base + 2))
    with db.read() as s:
        report = audit.verify_chain(s)
    assert not report.ok and report.first_broken_seq == base + 2
    assert "删除" in report.message


def test_deleted_event_with_renumbering_is_detected(admin_session):
    db = admin_session.db
    _log(db)
    base = _first_seq(db)
    with db.write() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq == base + 2))
        s.execute(text("UPDATE audit_events SET seq = seq - 1 WHERE seq > :n"), {"n": base + 2})
    with db.read() as s:
        report = audit.verify_chain(s)
    assert not report.ok and report.first_broken_seq == base + 2


def test_reordered_events_are_detected(admin_session):
    db = admin_session.db
    _log(db)
    base = _first_seq(db)
    a, b = base + 1, base + 2
    with db.write() as s:
        s.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = :a"), {"a": a})
        s.execute(text("UPDATE audit_events SET seq = :a WHERE seq = :b"), {"a": a, "b": b})
        s.execute(text("UPDATE audit_events SET seq = :b WHERE seq = -1"), {"b": b})
    with db.read() as s:
        report = audit.verify_chain(s)
    assert not report.ok and report.first_broken_seq == a


def test_truncated_tail_is_detected(admin_session):
    db = admin_session.db
    _log(db)
    with db.write() as s:
        last = s.query(AuditEvent.seq).order_by(AuditEvent.seq.desc()).first()[0]
        s.execute(delete(AuditEvent).where(AuditEvent.seq == last))
    with db.read() as s:
        report = audit.verify_chain(s)
    assert not report.ok and report.first_broken_seq == last
