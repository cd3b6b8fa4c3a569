"""A full disk (SQLite's ``max_page_count`` lowered to the file's size): an intake is refused with a
Chinese message saying what to do, nothing of it remains, and once there is room again work goes on."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from factories import complete_application
from faultkit import sound, township_with_clerk
from sqlalchemy import event

from desktop.services.intake.accept import submit_application
from desktop.store.errors import DatabaseFull


def _snapshot(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return session.db.table_counts()


def test_full_disk_refuses_the_intake_whole_and_work_goes_on(tmp_path: Path) -> None:
    session = township_with_clerk(tmp_path / "data")
    try:
        submit_application(session, complete_application(session), "accept")
        limit = {"pages": 0}

        def _cap(dbapi, _record, _proxy) -> None:  # type: ignore[no-untyped-def]
            if limit["pages"]:
                dbapi.execute(f"PRAGMA max_page_count = {limit['pages']}")
            else:
                dbapi.execute("PRAGMA max_page_count = 1073741823")

        event.listen(session.db.engine.pool, "checkout", _cap)
        with session.db.engine.connect() as conn:
            limit["pages"] = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
        before = _snapshot(session)
        big = complete_application(session)
        big = dataclasses.replace(big, reason="家中主要劳动力患病" * 40)   # needs more than the free pages
        refused = 0
        for _ in range(12):             # the free pages inside the file run out after a few
            try:
                submit_application(session, big, "accept")
            except DatabaseFull as exc:
                refused += 1
                assert "磁盘空间不足" in exc.message and "清理" in exc.message
                assert "没有保存任何部分" in exc.message
                assert _snapshot(session) == before          # nothing partial remains
                break
            before = _snapshot(session)
        assert refused == 1
        assert sound(session) == []

        limit["pages"] = 0                                   # room again
        number = submit_application(session, big, "accept").case_number
        assert number
        after = _snapshot(session)
        assert after["cases"] == before["cases"] + 1
        assert sound(session) == []
    finally:
        session.close()


def test_a_full_disk_is_not_taken_for_a_damaged_file() -> None:
    import sqlcipher3

    from desktop.store.engine import translate_error
    from desktop.store.errors import DatabaseDamaged

    assert isinstance(translate_error(sqlcipher3.OperationalError("database or disk is full")), DatabaseFull)
    assert isinstance(translate_error(sqlcipher3.DatabaseError("database disk image is malformed")),
                      DatabaseDamaged)
    assert translate_error(sqlcipher3.OperationalError("no such table: x")) is None
    with pytest.raises(AssertionError):
        assert translate_error(ValueError("database or disk is full"))
