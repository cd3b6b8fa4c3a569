"""Backup → restore keeps every row; damaged or wrong backups are refused and change nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ADMIN_PASSWORD
from sqlalchemy import text

from desktop.store import audit
from desktop.store.backup import list_backups, make_backup, restore_backup, verify_backup
from desktop.store.database import Database
from desktop.store.errors import BackupError, WrongPassword


def _table_digests(db: Database) -> dict[str, str]:
    out = {}
    with db.engine.connect() as conn:
        for name in db.table_counts():
            rows = conn.execute(text(f'SELECT * FROM "{name}" ORDER BY 1')).fetchall()
            out[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def _fill(db: Database) -> None:
    with db.write() as s:
        for i in range(50):
            audit.append_event(s, actor="clerk", action="x", entity_id=str(i), detail={"i": i})


def test_round_trip_keeps_every_row(admin_session, data_dir):
    db = admin_session.db
    _fill(db)
    before_counts = db.table_counts()
    before = _table_digests(db)
    info = make_backup(db)
    assert info.counts == before_counts
    assert [p for p, _m in list_backups(data_dir)] == [info.path]
    # change the live database after the backup, then restore
    with db.write() as s:
        s.execute(text("DELETE FROM audit_events WHERE seq > 10"))
    db.close()
    aside = restore_backup(data_dir, info.path, "admin", ADMIN_PASSWORD)
    assert (aside / "yimen.db").exists()
    restored = Database.unlock(data_dir, "admin", ADMIN_PASSWORD)
    try:
        assert restored.table_counts() == before_counts
        assert _table_digests(restored) == before
        with restored.read() as s:
            assert audit.verify_chain(s).ok
    finally:
        restored.close()


def test_damaged_backup_is_refused(admin_session):
    info = make_backup(admin_session.db)
    f = info.path / "yimen.db"
    blob = bytearray(f.read_bytes())
    blob[5000] ^= 0xFF
    f.write_bytes(bytes(blob))
    with pytest.raises(BackupError) as err:
        verify_backup(info.path, admin_session.db.key)
    assert "损坏" in err.value.message


def test_manifest_counts_are_checked(admin_session):
    info = make_backup(admin_session.db)
    m = json.loads((info.path / "manifest.json").read_text())
    m["counts"]["audit_events"] += 1
    (info.path / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(BackupError) as err:
        verify_backup(info.path, admin_session.db.key)
    assert "记录数" in err.value.message


def test_plaintext_backup_is_refused(admin_session, tmp_path):
    info = make_backup(admin_session.db)
    f = info.path / "yimen.db"
    f.write_bytes(b"SQLite format 3\x00" + f.read_bytes()[16:])
    with pytest.raises(BackupError) as err:
        verify_backup(info.path, admin_session.db.key)
    assert "未加密" in err.value.message


def test_restore_with_wrong_password_changes_nothing(admin_session, data_dir):
    info = make_backup(admin_session.db)
    admin_session.close()
    live = Database.db_path(data_dir).read_bytes()
    with pytest.raises(WrongPassword):
        restore_backup(data_dir, info.path, "admin", "wrong-password-1")
    assert Database.db_path(data_dir).read_bytes() == live
    assert not list(data_dir.glob("replaced-*"))


def test_backup_to_another_directory_like_a_usb_stick(admin_session, tmp_path):
    usb = tmp_path / "usb"
    info = make_backup(admin_session.db, usb, "usb")
    assert info.path.parent == usb
    assert verify_backup(info.path, admin_session.db.key) == info.counts
    assert not list(usb.glob(".tmp-*"))


def _leftover_of_an_interrupted_backup(db: Database) -> Path:
    """What a power cut during a backup leaves: a `.tmp-*` folder with a full copy and old slots."""
    tmp = db.data_dir / "backups" / ".tmp-20261130T101500000000Z-dead"
    tmp.mkdir(parents=True)
    shutil.copyfile(Database.db_path(db.data_dir), tmp / "yimen.db")
    shutil.copyfile(Database.keyslots_path(db.data_dir), tmp / "keyslots.json")
    return tmp


def test_an_interrupted_backup_is_cleaned_up_at_the_next_start(admin_session, data_dir):
    leftover = _leftover_of_an_interrupted_backup(admin_session.db)
    admin_session.close()
    Database.unlock(data_dir, "admin", ADMIN_PASSWORD).close()
    assert not leftover.exists()


def test_an_interrupted_backup_is_cleaned_up_by_the_next_backup(admin_session):
    leftover = _leftover_of_an_interrupted_backup(admin_session.db)
    info = make_backup(admin_session.db)
    assert not leftover.exists()
    assert [p.name for p in info.path.parent.iterdir() if p.name.startswith(".tmp-")] == []


def test_a_backup_running_in_another_process_is_not_touched(admin_session, data_dir):
    """Start-up cleaning skips the folder while another process holds the backup lock."""
    leftover = _leftover_of_an_interrupted_backup(admin_session.db)
    admin_session.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock\n"
         "with FileLock(sys.argv[1]):\n    print('held', flush=True); time.sleep(30)",
         str(leftover.parent / ".backup.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        Database.unlock(data_dir, "admin", ADMIN_PASSWORD).close()
        assert leftover.exists()
    finally:
        holder.kill()
        holder.wait()
    Database.unlock(data_dir, "admin", ADMIN_PASSWORD).close()
    assert not leftover.exists()
