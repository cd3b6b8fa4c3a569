"""Policy and calendar updates in the encrypted database, and the 2026→2027 turn end to end.

A case accepted on 2026-12-15 runs into 2027, whose official holiday schedule is not published:
its due days are 暂定 (weekends + the law's statutory holidays). Importing an official 2027
calendar (tests/data/calendar_2027_official.json, a made-up schedule with a longer 春节, 02-05…
02-13, and a make-up Saturday 01-16, so the answer differs) recomputes them in the same
transaction and clears 暂定; a clock entirely in 2026 is untouched; a bad file is refused in
Chinese and changes nothing; a newer policy table never changes a case already running.

Counted by hand: 12 working days are left in December 2026 after 12-15. 30 working days: 暂定
Wednesday 2027-01-27 (元旦 skipped), official Tuesday 01-26 (the make-up Saturday counts). 45
working days: 暂定 Tuesday 02-23 (春节 02-05…02-10 off), official Wednesday 02-24 (off to 02-13).
"""

from __future__ import annotations

import copy
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import ADMIN_PASSWORD, FAST_KDF, noon
from factories import sample_application as _app
from sqlalchemy import func, select

from desktop.cli import main
from desktop.domain.categories import Category
from desktop.domain.household import Application
from desktop.domain.roles import PermissionDenied, Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.cases import detail as case_detail
from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines.clocks import ClockKind
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.errors import InvalidInput
from desktop.services.intake.accept import submit_application
from desktop.services.policy import updates
from desktop.store.models import AuditEvent, Case
from desktop.store.models_clock import CaseClock
from desktop.store.models_policy import PolicyUpdate

VILLAGE = "620102101201"
ACCEPTED = date(2026, 12, 15)
DATA = Path(__file__).resolve().parents[1] / "data"
OFFICIAL_2027 = DATA / "calendar_2027_official.json"
RESOURCES = Path(__file__).resolve().parents[2] / "resources"


@pytest.fixture
def clerk(admin_session, data_dir):
    auth.add_user(admin_session, "clerk", "clerk", Role.CLERK, "clerk-pass-1")
    session = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    yield session
    session.close()


def accept(clerk, categories=(Category.MEDICAL,)):
    plan = DeadlinePlanner.of(clerk).plan(VILLAGE, clerk.clock.today(), list(categories))
    app = _app(categories=categories)
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(c for c, _n in plan.documents if c not in plan.conditional))
    return submit_application(clerk, app, "accept")


def long_clock(session, case_uuid: str) -> str:
    """A 45-working-day referral clock of the case from its acceptance day (it crosses 春节 2027)."""
    with session.db.write() as s:
        case = s.get(Case, case_uuid)
        return deadlines.open_clock(s, case, ClockKind.REFERRAL, actor="clerk", started_on=ACCEPTED,
                                    working_days=45, subject_uuid="r-long").uuid


def clock(session, uuid: str) -> tuple[date | None, bool, str]:
    with session.db.read() as s:
        c = s.scalar(select(CaseClock).where(CaseClock.uuid == uuid))
        return c.due_on, c.provisional, c.calendar_note


def decision(session, case_uuid: str) -> CaseClock:
    with session.db.read() as s:
        return s.scalar(select(CaseClock).where(CaseClock.case_uuid == case_uuid,
                                                CaseClock.kind == ClockKind.DECISION_TOTAL.value))


def counts(session) -> tuple[int, int]:
    with session.db.read() as s:
        return (int(s.scalar(select(func.count()).select_from(PolicyUpdate)) or 0),
                int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0))


def test_importing_the_official_2027_calendar_recomputes_provisional_due_days(admin_session, clerk, time_machine):
    time_machine.move_to(noon(date(2026, 11, 2)))
    november = accept(clerk)                                  # entirely in 2026: 2026-12-14, official
    time_machine.move_to(noon(ACCEPTED))
    case = accept(clerk)
    assert (case.decision_due, case.decision_provisional) == (date(2027, 1, 27), True)
    long_uuid = long_clock(clerk, case.case_uuid)
    assert clock(clerk, long_uuid)[:2] == (date(2027, 2, 23), True)
    before_november = decision(clerk, november.case_uuid)

    result = updates.import_file(admin_session, OFFICIAL_2027)
    assert (result.kind, result.refs) == ("calendar", ("2027",))
    assert result.recomputed is not None and result.recomputed.confirmed >= 3
    assert "已导入2027年节假日安排" in result.summary and "不再是暂定" in result.summary

    d = decision(clerk, case.case_uuid)
    assert (d.due_on, d.provisional, d.calendar_note) == (date(2027, 1, 26), False, "")
    assert clock(clerk, long_uuid) == (date(2027, 2, 24), False, "")
    detail = case_detail.case_detail(clerk, case.case_uuid)
    assert (detail.decision_due, detail.due_provisional) == (date(2027, 1, 26), False)
    after_november = decision(clerk, november.case_uuid)
    assert (after_november.due_on, after_november.provisional) == (before_november.due_on, False)
    assert after_november.due_on == date(2026, 12, 14)
    # the clerk's own session sees the new calendar at once (same database, reloaded registry)
    assert clerk.policy.calendar.covered_years == (2024, 2025, 2026, 2027)
    with admin_session.db.read() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "due_days_recomputed")).all()
        assert len(ev) == 1
        detail_json = json.loads(ev[0].detail)
        assert detail_json["confirmed"] == result.recomputed.confirmed and detail_json["clocks"] >= 2
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.action == "policy_imported")).all()
    rows = updates.list_updates(admin_session)
    assert [(r.kind, r.ref, r.source, r.imported_by, r.in_force) for r in rows] == [
        ("calendar", "2027", OFFICIAL_2027.name, "admin", True)]
    # the same file again changes nothing
    with pytest.raises(InvalidInput, match="已经导入过"):
        updates.import_file(admin_session, OFFICIAL_2027)
    assert counts(admin_session)[0] == 1


@pytest.mark.parametrize(("change", "message"), [
    (lambda raw: raw["years"]["2027"]["makeup_workdays"].__setitem__(0, "2027-01-18"), "不是周末"),
    (lambda raw: raw["years"]["2027"]["holidays"][0]["off"].__setitem__(0, "2027-02-30"), "2027-02-30"),
    (lambda raw: raw.__setitem__("covered_years", [2027, 2028]), "covered_years"),
])
def test_a_bad_calendar_file_is_refused_in_chinese_and_changes_nothing(admin_session, clerk, time_machine, tmp_path,
                                                                       change, message):
    time_machine.move_to(noon(ACCEPTED))
    case = accept(clerk)
    raw = json.loads(OFFICIAL_2027.read_text(encoding="utf-8"))
    change(raw)
    bad = tmp_path / "bad-2027.json"
    bad.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    before = counts(admin_session)
    with pytest.raises(InvalidInput) as exc:
        updates.import_file(admin_session, bad)
    assert message in exc.value.message and any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    assert counts(admin_session) == before
    d = decision(clerk, case.case_uuid)
    assert (d.due_on, d.provisional) == (date(2027, 1, 27), True)
    assert admin_session.policy.calendar.covered_years == (2024, 2025, 2026)


def test_a_file_that_is_neither_is_refused(admin_session, tmp_path):
    for name, text in (("empty.json", ""), ("list.json", "[1, 2]"), ("junk.json", '{"format": 1}')):
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        with pytest.raises(InvalidInput):
            updates.import_file(admin_session, p)
    with pytest.raises(InvalidInput, match="无法读取"):
        updates.import_file(admin_session, tmp_path / "missing.json")
    assert counts(admin_session)[0] == 0


def test_a_newer_policy_table_never_changes_a_running_case(admin_session, clerk, time_machine):
    time_machine.move_to(noon(ACCEPTED))
    case = accept(clerk, (Category.TEMP_EMERGENCY,))
    old = decision(clerk, case.case_uuid)
    old_limit = case_detail.township_limit_cents(clerk, case.case_uuid)
    raw = json.loads((RESOURCES / "policy" / "620102-2026-07-01.json").read_text(encoding="utf-8"))
    newer = copy.deepcopy(raw)
    newer["effective_from"] = "2026-12-16"
    newer["title"] = "城关区社会救助政策（测试：2026年12月16日起）"
    newer["deadlines"]["decision_total"]["by_category"]["temp_emergency"] = 9
    newer["emergency"]["township_approval_limit_cents"] = old_limit + 100_000
    result = updates.import_update(admin_session, newer, source="620102-2026-12-16.json")
    assert result.refs == ("620102@2026-12-16",) and "已受理案件仍按原政策表办理" in result.summary
    assert result.recomputed is None

    time_machine.move_to(noon(date(2026, 12, 17)))
    # the running case keeps its table: same clock, same limit, its ref unchanged
    again = decision(clerk, case.case_uuid)
    assert (again.working_days, again.due_on, again.policy_ref) == (old.working_days, old.due_on, old.policy_ref)
    assert case_detail.township_limit_cents(clerk, case.case_uuid) == old_limit
    with clerk.db.write() as s:          # a clock opened now for the old case still counts its own table
        c = deadlines.open_clock(s, s.get(Case, case.case_uuid), ClockKind.DECISION_TOTAL, actor="clerk",
                                 started_on=date(2026, 12, 17))
        assert (c.working_days, c.policy_ref) == (old.working_days, old.policy_ref)
    # a case taken in now gets the new table
    new_case = accept(clerk, (Category.TEMP_EMERGENCY,))
    assert decision(clerk, new_case.case_uuid).working_days == 9
    assert case_detail.township_limit_cents(clerk, new_case.case_uuid) == old_limit + 100_000


def test_only_an_administrator_imports(clerk):
    with pytest.raises(PermissionDenied):
        updates.import_file(clerk, OFFICIAL_2027)
    with pytest.raises(PermissionDenied):
        updates.list_updates(clerk)


def test_a_release_that_bundles_2027_recomputes_old_clocks_after_the_upgrade(clerk, data_dir, tmp_path,
                                                                           time_machine, monkeypatch):
    time_machine.move_to(noon(ACCEPTED))
    case = accept(clerk)
    clerk.close()
    # the next release ships a calendar that covers 2027
    release = tmp_path / "release-resources"
    shutil.copytree(RESOURCES, release, ignore=shutil.ignore_patterns("fonts", "translations", "__pycache__"))
    (release / "fonts").symlink_to(RESOURCES / "fonts")
    bundled = json.loads((RESOURCES / "calendar" / "cn_workdays.json").read_text(encoding="utf-8"))
    official = json.loads(OFFICIAL_2027.read_text(encoding="utf-8"))
    bundled["years"]["2027"] = official["years"]["2027"]
    bundled["covered_years"] = [*bundled["covered_years"], 2027]
    (release / "calendar" / "cn_workdays.json").write_text(json.dumps(bundled, ensure_ascii=False), "utf-8")
    monkeypatch.setenv("YIMEN_RESOURCES", str(release))
    session = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    try:
        d = decision(session, case.case_uuid)
        assert (d.due_on, d.provisional) == (date(2027, 1, 26), False)
        with session.db.read() as s:
            assert s.get(Case, case.case_uuid).decision_due_provisional is False
            assert s.scalars(select(AuditEvent).where(AuditEvent.action == "due_days_recomputed")).all()
    finally:
        session.close()


def test_cli_policy_import_and_list(admin_session, data_dir, capsys, monkeypatch, tmp_path):
    admin_session.close()
    monkeypatch.setenv("YIMEN_PASSWORD", ADMIN_PASSWORD)
    args = ["--data-dir", str(data_dir), "--user", "admin"]
    assert main(["policy", "list", *args]) == 0
    out = capsys.readouterr().out
    assert "尚未导入" in out and "620102@2026-07-01" in out
    assert main(["policy", "import", str(OFFICIAL_2027), *args]) == 0
    assert "已导入2027年节假日安排" in capsys.readouterr().out
    assert main(["policy", "list", *args]) == 0
    out = capsys.readouterr().out
    assert "节假日安排\t2027" in out and OFFICIAL_2027.name in out and "2024–2027" in out
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["policy", "import", str(bad), *args]) == 1
    assert "不是有效的 JSON" in capsys.readouterr().err
