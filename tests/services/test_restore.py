"""Restoring from a backup: administrators only, nothing changed otherwise, and the restore is audited."""

from __future__ import annotations

import json

import pytest
from conftest import ADMIN_PASSWORD
from factories import EAST_VILLAGE
from sqlalchemy import select

from desktop.domain.roles import Role
from desktop.services.admin import accounts
from desktop.services.admin.maintenance import restore_from_backup
from desktop.services.errors import ServiceError
from desktop.store import audit
from desktop.store.backup import make_backup
from desktop.store.database import Database
from desktop.store.errors import WrongPassword
from desktop.store.models import AuditEvent

ASSISTANT_PW = "village-pass-1"


@pytest.fixture
def backed_up(admin_session, data_dir):
    """A backup holding an admin and a village assistant; then the live database moves on."""
    accounts.add_user(admin_session, "cunxie", "李协理", Role.VILLAGE_ASSISTANT, ASSISTANT_PW,
                      villages=[EAST_VILLAGE])
    info = make_backup(admin_session.db)
    with admin_session.db.write() as s:
        for i in range(3):
            audit.append_event(s, actor="admin", action="after_backup", entity_id=str(i))
    admin_session.close()
    return info


def _live_files(data_dir):
    return {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file() and not p.name.endswith(".lock")}


@pytest.mark.parametrize(("user", "password", "error"), [
    ("cunxie", ASSISTANT_PW, ServiceError),          # a village assistant may not roll the township back
    ("admin", "not-the-password", WrongPassword),
])
def test_only_an_administrator_can_restore_and_a_refusal_changes_nothing(backed_up, data_dir, user, password, error):
    before = _live_files(data_dir)
    with pytest.raises(error) as err:
        restore_from_backup(data_dir, backed_up.path, user, password)
    if error is ServiceError:
        assert "只有管理员" in err.value.message
    after = _live_files(data_dir)
    assert after.keys() == before.keys()
    assert after["yimen.db"] == before["yimen.db"]
    assert not list(data_dir.glob("replaced-*"))


def test_restore_keeps_what_it_replaced_and_is_audited_in_the_restored_database(backed_up, data_dir):
    live_db = (data_dir / "yimen.db").read_bytes()
    report = restore_from_backup(data_dir, backed_up.path, "admin", ADMIN_PASSWORD)
    assert report.replaced is not None and (report.replaced / "yimen.db").read_bytes() == live_db
    db = Database.unlock(data_dir, "admin", ADMIN_PASSWORD)
    try:
        with db.read() as s:
            actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
            last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
            assert audit.verify_chain(s).ok
        assert "after_backup" not in actions                  # rolled back…
        assert last.action == "restored_from_backup"           # …and the log says so, and by whom
        assert last.actor == "admin" and last.entity_id == backed_up.path.name
        assert json.loads(last.detail)["replaced_files"] == report.replaced.name
    finally:
        db.close()
