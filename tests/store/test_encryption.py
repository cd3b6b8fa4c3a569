"""The database file, its WAL and its backups hold no plaintext personal data."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
import sqlcipher3
from conftest import ADMIN_PASSWORD

from desktop.domain.names import name_initials
from desktop.store.backup import make_backup
from desktop.store.database import Database
from desktop.store.engine import build_engine, connect_raw
from desktop.store.errors import DatabaseMissing, WrongKey
from desktop.store.models import Household, Person

NAMES = ["张三明", "欧阳丽娟", "马春花"]
IDS = ["11010519491231002X", "620102198701150023", "620102200503210011"]


def _add_people(db: Database) -> None:
    now = datetime.now(UTC)
    with db.write() as s:
        s.add(Household(uuid="h1", division_code="620102101201", hukou_type="rural",
                        address="东坪村三组17号", created_at=now, updated_at=now))
        for i, (name, number) in enumerate(zip(NAMES, IDS, strict=True)):
            s.add(Person(household_uuid="h1", position=i, name=name, name_initials=name_initials(name),
                         id_number=number, id_hash=db.id_hash(number), id_tail=number[-6:], sex="F",
                         relation="self" if i == 0 else "daughter", health="healthy",
                         labour_capacity="full", employment="farming"))


def _needles() -> list[bytes]:
    out = []
    for n in NAMES + ["东坪村三组17号"]:
        out += [n.encode("utf-8"), n.encode("utf-16-le"), n.encode("gb18030")]
    for number in IDS:
        out += [number.encode("ascii"), number[:14].encode("ascii")]
    return out


def test_db_wal_and_backup_hold_no_plaintext(admin_session, data_dir):
    db = admin_session.db
    _add_people(db)
    db_file = Database.db_path(data_dir)
    wal = db_file.with_name(db_file.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0, "the WAL must hold the fresh pages for this test to mean anything"
    backup = make_backup(db)
    files = [db_file, wal, backup.path / "yimen.db", backup.path / "keyslots.json", backup.path / "manifest.json",
             Database.keyslots_path(data_dir)]
    for f in files:
        blob = f.read_bytes()
        for needle in _needles():
            assert needle not in blob, f"plaintext found in {f.name}"
    assert not db_file.read_bytes().startswith(b"SQLite format 3")
    # and the data is really there, readable with the key
    with db.read() as s:
        assert sorted(p.name for p in s.query(Person)) == sorted(NAMES)


def test_file_cannot_be_opened_without_the_key(admin_session, data_dir):
    _add_people(admin_session.db)
    admin_session.close()
    path = Database.db_path(data_dir)
    plain = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchall()
    plain.close()
    nokey = sqlcipher3.connect(str(path))
    with pytest.raises(sqlcipher3.DatabaseError):
        nokey.execute("SELECT * FROM persons").fetchall()
    nokey.close()
    with pytest.raises(WrongKey) as err:
        connect_raw(path, b"\x01" * 32)
    assert "密钥不正确" in err.value.message
    # with the right key through the password slot it opens
    Database.unlock(data_dir, "admin", ADMIN_PASSWORD).close()


def test_missing_database_is_reported_and_not_created(tmp_path):
    with pytest.raises(DatabaseMissing) as err:
        build_engine(tmp_path / "nothing.db", b"\x02" * 32)
    assert "找不到数据库文件" in err.value.message
    assert not (tmp_path / "nothing.db").exists()


def test_connection_settings(admin_session):
    with admin_session.db.engine.connect() as conn:
        drv = conn.connection.driver_connection
        assert drv.execute("PRAGMA cipher_version").fetchone()[0].startswith("4")
        assert drv.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert drv.execute("PRAGMA synchronous").fetchone()[0] == 2      # FULL
        assert drv.execute("PRAGMA temp_store").fetchone()[0] == 2       # MEMORY
        assert drv.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert drv.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_id_lookup_hash_is_keyed_per_database(admin_session, tmp_path):
    from conftest import FAST_KDF

    other = Database.create(tmp_path / "other", "admin", ADMIN_PASSWORD, FAST_KDF)
    try:
        assert admin_session.db.id_hash(IDS[0]) != other.id_hash(IDS[0])
        assert admin_session.db.id_hash(IDS[0]) == admin_session.db.id_hash(IDS[0])
        assert IDS[0] not in admin_session.db.id_hash(IDS[0])
    finally:
        other.close()


def test_instants_round_trip_as_aware_utc(admin_session):
    from datetime import timedelta, timezone

    beijing = timezone(timedelta(hours=8))
    at = datetime(2026, 2, 12, 10, 0, tzinfo=beijing)
    with admin_session.db.write() as s:
        s.add(Household(uuid="h9", division_code="620102101201", hukou_type="rural", address="x",
                        created_at=at, updated_at=at))
    with admin_session.db.read() as s:
        got = s.get(Household, "h9").created_at
    assert got == at and got.tzinfo is not None and got.utcoffset() == timedelta(0)
    with pytest.raises(Exception, match="naive"), admin_session.db.write() as s:
        s.add(Household(uuid="h10", division_code="620102101201", hukou_type="rural", address="x",
                        created_at=datetime(2026, 1, 1), updated_at=at))
