"""Post-upgrade data steps: run once per database after the migrations, each with its marker in the
same transaction; a failing step leaves nothing behind and runs again at the next opening."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from conftest import ADMIN_PASSWORD
from sqlalchemy import func, select

from desktop.store import audit
from desktop.store.database import Database
from desktop.store.migrate import PostUpgradeStep
from desktop.store.models import AuditEvent, Meta

WHEN = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def _count(db: Database, action: str) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)))


def _step(marker: str, action: str, calls: list[str]) -> PostUpgradeStep:
    def run(s, clock) -> None:  # type: ignore[no-untyped-def]
        calls.append(marker)
        audit.append_event(s, actor="system", action=action, detail={"at": clock.now().isoformat()})
    return PostUpgradeStep(marker, run)


def test_each_step_runs_once_with_its_marker_at_the_clock_time(admin_session, data_dir):
    admin_session.close()
    calls: list[str] = []
    steps = (_step("test.first", "first_done", calls), _step("test.second", "second_done", calls))
    with time_machine.travel(WHEN, tick=False):
        db = Database.unlock(data_dir, "admin", ADMIN_PASSWORD, post_upgrade=steps)
    try:
        assert calls == ["test.first", "test.second"]
        with db.read() as s:
            assert s.get(Meta, "test.first").value == WHEN.isoformat()
            ev = s.scalar(select(AuditEvent).where(AuditEvent.action == "first_done"))
            assert ev.at.startswith("2026-03-02T08:30")
    finally:
        db.close()
    again = Database.unlock(data_dir, "admin", ADMIN_PASSWORD, post_upgrade=steps)
    try:
        assert calls == ["test.first", "test.second"]          # not again
        assert (_count(again, "first_done"), _count(again, "second_done")) == (1, 1)
        assert again.run_post_upgrade(steps) == []
    finally:
        again.close()


def test_a_failing_step_keeps_no_marker_and_runs_at_the_next_opening(admin_session, data_dir):
    admin_session.close()
    calls: list[str] = []

    def broken(s, clock) -> None:  # type: ignore[no-untyped-def]
        audit.append_event(s, actor="system", action="half_done")
        raise RuntimeError("step failed")

    with pytest.raises(RuntimeError):
        Database.unlock(data_dir, "admin", ADMIN_PASSWORD,
                        post_upgrade=(_step("test.ok", "ok_done", calls), PostUpgradeStep("test.broken", broken)))
    db = Database.unlock(data_dir, "admin", ADMIN_PASSWORD,
                         post_upgrade=(_step("test.ok", "ok_done", calls), _step("test.broken", "fixed", calls)))
    try:
        assert calls == ["test.ok", "test.broken"]     # the step before it had finished; the broken one reran
        assert (_count(db, "ok_done"), _count(db, "half_done"), _count(db, "fixed")) == (1, 0, 1)
        with db.read() as s:
            assert audit.verify_chain(s).ok
    finally:
        db.close()


def test_without_auto_migrate_no_step_runs(admin_session, data_dir):
    admin_session.close()
    calls: list[str] = []
    db = Database.unlock(data_dir, "admin", ADMIN_PASSWORD, auto_migrate=False,
                         post_upgrade=(_step("test.first", "first_done", calls),))
    try:
        assert calls == []
        with db.read() as s:
            assert s.get(Meta, "test.first") is None
    finally:
        db.close()
