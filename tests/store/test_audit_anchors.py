"""What the chain catches beyond one broken link: a deletion covered by the next event, a wiped log,
and a log rewritten consistently by someone holding the key — against the heads kept in backups."""

from __future__ import annotations

import pytest
from conftest import ADMIN_PASSWORD, FAST_KDF
from factories import complete_application
from sqlalchemy import delete, func, select

from desktop.domain.roles import Role
from desktop.services.admin import accounts
from desktop.services.admin.accounts import sign_in
from desktop.services.admin.maintenance import restore_from_backup, verify_audit
from desktop.services.intake.accept import submit_application
from desktop.store import audit, outbox
from desktop.store.backup import chain_anchors, make_backup, read_manifest
from desktop.store.errors import AuditChainBroken
from desktop.store.models import AuditEvent, Meta, OutboxItem


def _log(db, n=5, tag="act"):
    with db.write() as s:
        for i in range(n):
            audit.append_event(s, actor="clerk", action=f"{tag}{i}", entity_id=str(i))


def _verify(db):
    with db.read() as s:
        return audit.verify_chain(s, anchors=chain_anchors(db, s))


def _rewrite_log(db, keep: int, actor: str = "mallory") -> None:
    """What someone with the key can do: keep the first ``keep`` events, rewrite them consistently
    (new hashes, a matching head) — every link verifies on its own."""
    with db.write() as s:
        rows = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        fields = [(r.at, actor, r.action, r.entity_type, r.entity_id, r.outcome, r.detail) for r in rows[:keep]]
        s.execute(delete(AuditEvent))
        s.execute(delete(Meta).where(Meta.key == audit.HEAD_KEY))
        s.flush()
        prev, seq = audit.GENESIS, 0
        for at, who, action, et, eid, outcome, detail in fields:
            seq += 1
            h = audit.event_hash(seq, at, who, action, et, eid, outcome, detail, prev)
            s.add(AuditEvent(seq=seq, at=at, actor=who, action=action, entity_type=et, entity_id=eid,
                             outcome=outcome, detail=detail, prev_hash=prev, hash=h))
            prev = h
        if seq:
            audit.set_head(s, seq, prev)


def test_a_deleted_tail_is_not_covered_by_the_next_event(admin_session):
    db = admin_session.db
    _log(db)
    with db.write() as s:
        last = s.scalar(select(func.max(AuditEvent.seq)))
        s.execute(delete(AuditEvent).where(AuditEvent.seq == last))
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(AuditChainBroken) as err:
        _log(db, 1, "next")
    assert "停止写入" in err.value.message
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == before   # nothing appended
        report = audit.verify_chain(s)
    assert not report.ok and "末尾记录被删除" in report.message


def test_a_removed_head_stops_appending_too(admin_session):
    db = admin_session.db
    _log(db)
    with db.write() as s:
        s.execute(delete(Meta).where(Meta.key == audit.HEAD_KEY))
    with pytest.raises(AuditChainBroken):
        _log(db, 1, "next")


def test_a_wiped_log_on_a_database_with_cases_is_not_sound(admin_session, data_dir):
    accounts.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    clerk = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    try:
        submit_application(clerk, complete_application(clerk), "accept")
    finally:
        clerk.close()
    db = admin_session.db
    with db.write() as s:
        s.execute(delete(AuditEvent))
        s.execute(delete(Meta).where(Meta.key == audit.HEAD_KEY))
    with db.read() as s:
        report = audit.verify_chain(s)
    assert not report.ok
    assert "审计日志为空" in report.message and "1 件案件" in report.message
    assert "校验通过" not in report.message


def test_every_backup_records_the_head_it_saw(admin_session):
    db = admin_session.db
    _log(db)
    with db.read() as s:
        head = audit.chain_head(s)
    manifest = read_manifest(make_backup(db).path)
    assert manifest["audit_head"] == {"seq": head[0], "hash": head[1]}


def test_a_consistent_rewrite_is_caught_by_the_backups_anchor(admin_session):
    db = admin_session.db
    _log(db)
    backup = make_backup(db)
    _log(db, 3, "later")
    with db.read() as s:
        n = s.scalar(select(func.count()).select_from(AuditEvent))
    _rewrite_log(db, keep=n)                       # same length, other actor: every link verifies
    with db.read() as s:
        assert audit.verify_chain(s).ok             # …so without an anchor nothing shows
    report = _verify(db)
    assert not report.ok and "日志被改写" in report.message and backup.path.name in report.message
    assert not verify_audit(admin_session).ok       # what `yimen verify-audit` and 审计 say


def test_a_log_cut_back_below_a_backup_is_caught(admin_session):
    db = admin_session.db
    _log(db, 8)
    make_backup(db)
    _rewrite_log(db, keep=3, actor="clerk")
    report = _verify(db)
    assert not report.ok and "还短" in report.message


def test_after_restoring_an_older_backup_the_newer_backups_are_no_anchors(admin_session, data_dir):
    db = admin_session.db
    _log(db)
    older = make_backup(db)
    _log(db, 4, "branch")
    make_backup(db)                                 # records the branch the restore will give up
    admin_session.close()
    restore_from_backup(data_dir, older.path, "admin", ADMIN_PASSWORD)
    session = sign_in(data_dir, "admin", ADMIN_PASSWORD)
    try:
        assert _verify(session.db).ok
        make_backup(session.db)                     # backups after the restore are anchors again
        _rewrite_log(session.db, keep=2)
        assert not _verify(session.db).ok
    finally:
        session.close()


def _accept_one(session, data_dir):
    """One accepted application by a clerk: its events are queued with the audit head of that moment."""
    if not any(u.username == "clerk" for u in accounts.list_users(session)):
        accounts.add_user(session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    clerk = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    try:
        submit_application(clerk, complete_application(clerk), "accept")
    finally:
        clerk.close()


def test_every_queued_event_carries_the_head_it_was_queued_on(admin_session, data_dir):
    db = admin_session.db
    _accept_one(admin_session, data_dir)
    with db.read() as s:
        rows = s.scalars(select(OutboxItem).order_by(OutboxItem.seq)).all()
        assert rows
        for row in rows:                           # each names an event that is in the chain, with its hash
            event = s.get(AuditEvent, row.audit_seq)
            assert event is not None and event.hash == row.audit_hash
        anchor = outbox.audit_anchor(s)
        assert anchor is not None and anchor.seq == max(r.audit_seq for r in rows)
        assert anchor in chain_anchors(db, s)


def test_a_rewrite_without_backups_is_caught_by_the_outbox_anchor(admin_session, data_dir):
    db = admin_session.db
    _log(db)
    _accept_one(admin_session, data_dir)
    with db.read() as s:
        n = s.scalar(select(func.count()).select_from(AuditEvent))
    _rewrite_log(db, keep=n)                       # no backup exists: only the envelope saw the old head
    report = _verify(db)
    assert not report.ok and "日志被改写" in report.message and "待同步事项" in report.message


def test_a_log_cut_back_below_a_queued_head_is_caught(admin_session, data_dir):
    db = admin_session.db
    _log(db)
    _accept_one(admin_session, data_dir)
    with db.read() as s:
        anchor = outbox.audit_anchor(s)
    assert anchor is not None
    _rewrite_log(db, keep=anchor.seq - 1)          # shorter than what was queued, head fixed to match
    report = _verify(db)
    assert not report.ok and "还短" in report.message and "待同步事项" in report.message


def test_rows_older_than_the_envelope_head_are_no_anchor(admin_session, data_dir):
    db = admin_session.db
    _accept_one(admin_session, data_dir)
    with db.write() as s:                          # as revision 0010 leaves the rows queued before it
        for row in s.scalars(select(OutboxItem)):
            row.audit_seq, row.audit_hash = 0, ""
    with db.read() as s:
        assert outbox.audit_anchor(s) is None
    assert _verify(db).ok
