"""Key slots: passwords open the same database key; a failure touches nothing but the counter."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import ADMIN_PASSWORD, FAST_KDF

from desktop.domain.roles import Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.store.database import Database
from desktop.store.errors import AccountLocked, KeySlotError, UnknownUser, WrongPassword
from desktop.store.keyslots import KeySlotFile, LockoutPolicy, generate_county_recovery_keypair


def _digest(path: Path) -> tuple[str, float]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime


def test_wrong_password_changes_nothing_in_the_database(admin_session, data_dir):
    admin_session.close()
    db_file = Database.db_path(data_dir)
    before = _digest(db_file)
    wal = db_file.with_name(db_file.name + "-wal")
    wal_before = wal.read_bytes() if wal.exists() else None
    with pytest.raises(WrongPassword) as err:
        Database.unlock(data_dir, "admin", "not-the-password-1")
    assert "用户名或密码错误" in err.value.message
    assert _digest(db_file) == before
    assert (wal.read_bytes() if wal.exists() else None) == wal_before
    # the right password still works afterwards
    Database.unlock(data_dir, "admin", ADMIN_PASSWORD).close()


def test_unknown_user_gets_the_same_message_as_a_wrong_password(admin_session, data_dir):
    with pytest.raises(UnknownUser) as unknown:
        Database.unlock(data_dir, "nobody", "whatever-123")
    with pytest.raises(WrongPassword) as wrong:
        Database.unlock(data_dir, "admin", "whatever-123")
    assert unknown.value.message == wrong.value.message
    assert unknown.value.message.startswith("用户名或密码错误。")
    assert "再错" not in wrong.value.message   # no countdown that only a real account would show


def test_an_unknown_name_is_counted_and_locked_like_a_real_one(admin_session, data_dir):
    """Locking tells nothing either: after the same number of attempts both names get the same
    message, and neither is named in it."""
    auth.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    policy = LockoutPolicy(max_failures=2, lock_minutes=15)
    messages = {}
    for name in ("clerk", "nobody"):
        with pytest.raises((WrongPassword, UnknownUser)):
            Database.unlock(data_dir, name, "bad-password-9", lockout=policy)
        with pytest.raises(AccountLocked) as locked:
            Database.unlock(data_dir, name, "bad-password-9", lockout=policy)
        with pytest.raises(AccountLocked) as again:
            Database.unlock(data_dir, name, "clerk-pass-1", lockout=policy)
        assert name not in locked.value.message and "锁定" in locked.value.message
        messages[name] = (locked.value.message, again.value.message)
    assert messages["clerk"] == messages["nobody"]


def test_every_failed_attempt_is_recorded_for_the_audit(admin_session, data_dir):
    """Wrong password, unknown name, attempts while locked and an unreadable password all reach
    the audit log at the next sign-in, with their kinds; none is lost."""
    admin_session.close()
    policy = LockoutPolicy(max_failures=2, lock_minutes=15)
    attempts = [("admin", "bad-password-9"), ("ghost", "bad-password-9"), ("admin", "bad-password-9"),
                ("admin", "bad-password-9"), ("admin", "bad\udcff-password")]
    for name, password in attempts:
        with pytest.raises((WrongPassword, UnknownUser, AccountLocked)):
            Database.unlock(data_dir, name, password, lockout=policy)
    slots = KeySlotFile.load(Database.keyslots_path(data_dir))
    kinds = [a["kind"] for a in slots.failed_logins()]
    assert kinds == ["wrong", "unknown", "wrong+locked", "locked", "unreadable"]
    slots.unlock_account("admin")
    session = sign_in(data_dir, "admin", ADMIN_PASSWORD)
    try:
        from sqlalchemy import select

        from desktop.store.models import AuditEvent

        with session.db.read() as s:
            detail = json.loads(s.scalars(select(AuditEvent.detail)
                                          .where(AuditEvent.action == "failed_logins")).one())
        assert detail["count"] == 5
        assert detail["kinds"] == {"wrong": 2, "unknown": 1, "locked": 1, "unreadable": 1}
        assert detail["locked"] == ["admin"]
        assert KeySlotFile.load(Database.keyslots_path(data_dir)).failed_logins() == []
    finally:
        session.close()


@pytest.mark.parametrize("password", ["\ud800abc-12345", "pass\udcffword1"])
def test_a_password_with_a_lone_surrogate_gets_a_chinese_message_and_counts(admin_session, data_dir, password):
    admin_session.close()
    policy = LockoutPolicy(max_failures=2, lock_minutes=15)
    with pytest.raises(WrongPassword) as err:
        Database.unlock(data_dir, "admin", password, lockout=policy)
    assert "无法识别的字符" in err.value.message
    slots = KeySlotFile.load(Database.keyslots_path(data_dir))
    assert slots.failures_for("admin") == 1
    with pytest.raises(AccountLocked):
        Database.unlock(data_dir, "admin", password, lockout=policy)


def test_lockout_after_repeated_failures_then_admin_unlocks(admin_session, data_dir):
    auth.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    policy = LockoutPolicy(max_failures=3, lock_minutes=15)
    for _ in range(2):
        with pytest.raises(WrongPassword):
            Database.unlock(data_dir, "clerk", "bad-password-9", lockout=policy)
    with pytest.raises(AccountLocked) as err:
        Database.unlock(data_dir, "clerk", "bad-password-9", lockout=policy)
    assert "锁定" in err.value.message
    # even the right password is refused while locked
    with pytest.raises(AccountLocked):
        Database.unlock(data_dir, "clerk", "clerk-pass-1", lockout=policy)
    auth.unlock_account(admin_session, "clerk")
    Database.unlock(data_dir, "clerk", "clerk-pass-1", lockout=policy).close()


def test_failed_logins_reach_the_audit_log_at_next_sign_in(admin_session, data_dir):
    admin_session.close()
    with pytest.raises(WrongPassword):
        Database.unlock(data_dir, "admin", "bad-password-9")
    session = sign_in(data_dir, "admin", ADMIN_PASSWORD)
    try:
        from sqlalchemy import select

        from desktop.store.models import AuditEvent

        with session.db.read() as s:
            actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
        assert actions[-2:] == ["failed_logins", "login"]
    finally:
        session.close()


def test_users_share_one_key_and_changes_never_reencrypt(admin_session, data_dir):
    db_file = Database.db_path(data_dir)
    salt_before = db_file.read_bytes()[:16]
    auth.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    slots = KeySlotFile.load(Database.keyslots_path(data_dir))
    key_admin = slots.unlock("admin", ADMIN_PASSWORD)
    key_clerk = slots.unlock("clerk", "clerk-pass-1")
    assert key_admin == key_clerk == admin_session.db.key
    clerk = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    auth.change_password(clerk, "clerk-pass-1", "clerk-pass-2")
    clerk.close()
    auth.remove_user(admin_session, "clerk")
    slots = KeySlotFile.load(Database.keyslots_path(data_dir))
    assert not slots.has_user("clerk")
    assert slots.unlock("admin", ADMIN_PASSWORD) == key_admin
    assert db_file.read_bytes()[:16] == salt_before   # SQLCipher salt: same file, same key


def test_slot_copied_to_another_user_does_not_open(admin_session, data_dir):
    path = Database.keyslots_path(data_dir)
    import json

    data = json.loads(path.read_text("utf-8"))
    data["slots"]["mallory"] = data["slots"]["admin"]
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(WrongPassword):
        KeySlotFile.load(path).unlock("mallory", ADMIN_PASSWORD)


def test_county_recovery_slot(admin_session, data_dir):
    priv, pub = generate_county_recovery_keypair()
    slots = admin_session.db.keyslots
    slots.set_recovery_slot(pub, admin_session.db.key)
    reloaded = KeySlotFile.load(Database.keyslots_path(data_dir))
    assert reloaded.recover(priv) == admin_session.db.key
    other_priv, _ = generate_county_recovery_keypair()
    with pytest.raises(KeySlotError):
        reloaded.recover(other_priv)


def test_bad_password_rules_are_refused_in_chinese(admin_session):
    from desktop.services.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        auth.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "short1")
    assert "密码至少" in err.value.message
    with pytest.raises(InvalidInput) as err:
        auth.add_user(admin_session, "Bad Name", "王晓燕", Role.CLERK, "clerk-pass-1")
    assert "用户名" in err.value.message
    assert not admin_session.db.keyslots.has_user("clerk")


def test_a_view_loaded_earlier_never_writes_back_a_stale_file(admin_session, data_dir):
    """The window keeps the slot file it loaded at sign-in; `yimen user add` writes the same file."""
    other = KeySlotFile.load(Database.keyslots_path(data_dir))     # another process
    other.add_password_slot("clerk", "clerk-pass-1", admin_session.db.key, FAST_KDF)
    policy = LockoutPolicy(max_failures=2, lock_minutes=15)
    with pytest.raises(WrongPassword):
        Database.unlock(data_dir, "clerk", "bad-password-9", lockout=policy)
    with pytest.raises(AccountLocked):
        Database.unlock(data_dir, "clerk", "bad-password-9", lockout=policy)
    view = admin_session.db.keyslots
    assert view.has_user("clerk")
    failed, until = view.lock_state("clerk")
    assert failed == 0 and until is not None
    view.unlock_account("admin")            # a write from the old view keeps the other process's changes
    on_disk = KeySlotFile.load(Database.keyslots_path(data_dir))
    assert on_disk.has_user("clerk") and on_disk.lock_state("clerk")[1] is not None
    view.unlock_account("clerk")
    assert KeySlotFile.load(Database.keyslots_path(data_dir)).lock_state("clerk") == (0, None)
    Database.unlock(data_dir, "clerk", "clerk-pass-1").close()
