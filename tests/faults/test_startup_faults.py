"""A damaged data folder at start: a corrupted page, a truncated write-ahead log, a zero-length database
file and a wrong key each end in a Chinese message at sign-in and in ``yimen self-test`` (never a
traceback), and the damaged file is left as it was for the IT person."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import ADMIN_PASSWORD, FAST_KDF, TEST_TOWNSHIP
from factories import complete_application
from faultkit import sound, township_with_clerk
from sqlalchemy import event, select

from desktop.domain.errors import YimenError
from desktop.services.admin.accounts import SignInProblem, sign_in, sign_in_problem
from desktop.services.admin.maintenance import self_test
from desktop.services.admin.setup import create_township
from desktop.services.cases import queries as case_queries
from desktop.services.cases.queries import CaseFilter
from desktop.services.intake.accept import submit_application
from desktop.store.database import Database
from desktop.store.errors import DatabaseDamaged, WrongKey, WrongPassword
from desktop.store.models import Case

PAGE = 4096


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _township_with_cases(data_dir: Path, n: int = 6) -> None:
    session = township_with_clerk(data_dir)
    try:
        for _ in range(n):
            submit_application(session, complete_application(session), "accept")
    finally:
        session.close()


def _refused_at_start(data_dir: Path, problem: SignInProblem) -> str:
    """Sign-in refuses with a Chinese message of the expected kind, self-test says so, and so does the CLI."""
    with pytest.raises(YimenError) as caught:
        sign_in(data_dir, "admin", ADMIN_PASSWORD, kdf=FAST_KDF)
    assert sign_in_problem(caught.value) is problem
    checks = self_test(data_dir, "admin", ADMIN_PASSWORD)
    assert not all(c.ok for c in checks)
    failed = next(c for c in checks if not c.ok)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in failed.detail), failed
    return caught.value.message


@pytest.fixture
def township(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    _township_with_cases(data_dir)
    return data_dir


def test_zero_length_database_is_refused_and_not_filled(township: Path) -> None:
    db_file = Database.db_path(township)
    db_file.write_bytes(b"")
    message = _refused_at_start(township, SignInProblem.DAMAGED)
    assert "0 字节" in message and "备份" in message
    assert db_file.stat().st_size == 0                       # not turned into a new, empty township
    assert not db_file.with_name(db_file.name + "-wal").exists()


def test_corrupted_page_is_reported_not_raised(township: Path) -> None:
    db_file = Database.db_path(township)
    data = bytearray(db_file.read_bytes())
    pages = len(data) // PAGE
    for page in range(2, pages):                 # every page but the first: the key still opens the file
        start = page * PAGE + 100
        data[start:start + 64] = bytes(64)
    db_file.write_bytes(bytes(data))
    before = _digest(db_file)
    with pytest.raises(DatabaseDamaged) as caught:
        session = sign_in(township, "admin", ADMIN_PASSWORD, kdf=FAST_KDF)
        try:   # if sign-in touched no damaged page, the first full read does
            case_queries.list_cases(session, CaseFilter())
        finally:
            session.close()
    assert "已损坏" in caught.value.message and "备份" in caught.value.message
    checks = self_test(township, "admin", ADMIN_PASSWORD)
    print(checks)
    failed = next(c for c in checks if not c.ok)
    assert failed.name in ("解锁数据库", "数据完整性") and "已损坏" in failed.detail
    assert _digest(db_file) == before


def test_wrong_password_and_foreign_key_slots(township: Path, tmp_path: Path) -> None:
    db_file = Database.db_path(township)
    before = _digest(db_file)
    with pytest.raises(WrongPassword) as caught:
        sign_in(township, "admin", "not-the-password-1", kdf=FAST_KDF)
    assert "密码" in caught.value.message
    other = tmp_path / "other"
    create_township(other, TEST_TOWNSHIP, "admin", ADMIN_PASSWORD, kdf=FAST_KDF).close()
    shutil.copy(Database.keyslots_path(other), Database.keyslots_path(township))   # a slot for another database
    with pytest.raises(WrongKey) as caught:
        sign_in(township, "admin", ADMIN_PASSWORD, kdf=FAST_KDF)
    assert sign_in_problem(caught.value) is SignInProblem.KEY_MISMATCH
    checks = self_test(township, "admin", ADMIN_PASSWORD)
    assert [c.ok for c in checks] == [True, False] and "密钥" in checks[1].detail
    assert _digest(db_file) == before


def test_truncated_wal_opens_at_the_last_complete_commit_and_keeps_the_log(tmp_path: Path) -> None:
    live = tmp_path / "live"
    session = township_with_clerk(live)
    crashed = tmp_path / "crashed"
    try:
        with session.db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        # no checkpoint: the commits stay in the log
        event.listen(session.db.engine.pool, "checkout",
                     lambda dbapi, _record, _proxy: dbapi.execute("PRAGMA wal_autocheckpoint = 0"))
        numbers = [submit_application(session, complete_application(session), "accept").case_number
                   for _ in range(8)]
        shutil.copytree(live, crashed)               # the files as a power cut leaves them
    finally:
        session.close()
    wal = Database.db_path(crashed).with_name("yimen.db-wal")
    assert wal.stat().st_size > 8 * PAGE
    cut = wal.stat().st_size // 2 + 1000            # through a committed frame
    with wal.open("r+b") as f:
        f.truncate(cut)
    cut_bytes = wal.read_bytes()

    session = sign_in(crashed, "admin", ADMIN_PASSWORD, kdf=FAST_KDF)   # no traceback, no refusal
    try:
        assert sound(session) == []
        with session.db.read() as s:
            kept = list(s.scalars(select(Case.case_number).order_by(Case.case_number)))
        assert kept == sorted(numbers)[:len(kept)]   # the cases up to the last complete commit, whole
        assert len(kept) < len(numbers)
    finally:
        session.close()
    copies = list(crashed.glob("yimen.db-wal.partial-*"))
    assert len(copies) == 1 and copies[0].read_bytes() == cut_bytes   # kept for the IT person
    assert all(c.ok for c in self_test(crashed, "admin", ADMIN_PASSWORD)[:4])

