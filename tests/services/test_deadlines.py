"""Every kind of statutory clock against the 2026 calendar (Spring Festival, National Day, make-up
Saturdays and Sundays), from the policy in force on the acceptance day; the due/overdue dashboard;
the one-time post-upgrade backfill of databases from before the clocks (the saved 0.1.0 release)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import FAST_KDF
from factories import sample_application as _app
from sqlalchemy import func, select

from desktop.domain.categories import Category
from desktop.domain.household import Application
from desktop.domain.roles import Role
from desktop.services.admin import accounts as auth
from desktop.services.admin import backfill
from desktop.services.admin.accounts import sign_in
from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines import planner as clocks
from desktop.services.deadlines.clocks import ClockKind
from desktop.services.intake.accept import submit_application
from desktop.store.models import AuditEvent, Case, CaseCategory, Meta, OutboxItem
from desktop.store.models_clock import CaseClock
from desktop.store.models_referral import Referral

VILLAGE = "620102101201"
RELEASE = Path(__file__).resolve().parents[1] / "data" / "releases" / "0.1.0"
RELEASE_PASSWORD = "release-db-2026"


@pytest.fixture
def clerk(admin_session, data_dir):
    auth.add_user(admin_session, "clerk", "clerk", Role.CLERK, "clerk-pass-1")
    session = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    yield session
    session.close()


def _case(clerk, categories=(Category.DIBAO,)) -> str:
    plan = clocks.DeadlinePlanner.bundled().plan(VILLAGE, datetime.now(UTC).date(), list(categories))
    app = _app(categories=categories)
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(c for c, _n in plan.documents if c not in plan.conditional))
    return submit_application(clerk, app, "accept").case_uuid


def _open(clerk, case_uuid: str, accepted_on: date, kind: ClockKind, started_on: date,
          working_days: int | None = None) -> CaseClock:
    """A clock of a case accepted on ``accepted_on`` (the policy in force then applies)."""
    with clerk.db.write() as s:
        case = s.get(Case, case_uuid)
        case.accepted_on = accepted_on   # taken in under the table in force that day
        case.policy_ref = clocks.DeadlinePlanner.bundled().policy_for(case.division_code, accepted_on).ref
        c = deadlines.open_clock(s, case, kind, actor="clerk", started_on=started_on, working_days=working_days,
                                 subject_uuid="r-1" if kind is ClockKind.REFERRAL else None)
        s.expunge(c)
        return c


# (kind, accepted on, started on, working days by the policy then, due day). Policy 000000@2024-01-01
# applies before 2026-07-01, 620102@2026-07-01 from then (低保: investigation 10, decision 20).
SPRING = date(2026, 2, 11)          # Wednesday before 春节 (off 02-15…02-23; make-up Sat 02-14, 02-28)
NATIONAL = date(2026, 9, 29)        # Tuesday before 国庆 (off 10-01…10-07; make-up Sun 09-20, Sat 10-10)
CASES = [
    # 3 days from Wed 02-11: Thu, Fri, and the make-up Saturday 02-14
    (ClockKind.INVESTIGATION_START, SPRING, SPRING, 3, date(2026, 2, 14)),
    # 15 days over the whole festival: 12,13,14 | 24,25,26,27,28(Sat make-up) | 3-2…3-6 | 3-9, 3-10
    (ClockKind.INVESTIGATION, SPRING, SPRING, 15, date(2026, 3, 10)),
    (ClockKind.DECISION_TOTAL, SPRING, SPRING, 30, date(2026, 3, 31)),
    (ClockKind.COUNTY_CONFIRM, SPRING, SPRING, 10, date(2026, 3, 3)),
    (ClockKind.REFUSAL_NOTICE, SPRING, date(2026, 2, 13), 3, date(2026, 2, 25)),
    (ClockKind.EMERGENCY_PAPERWORK, SPRING, SPRING, 5, date(2026, 2, 25)),
    # National Day: 09-30, then 10-08, 10-09
    (ClockKind.INVESTIGATION_START, NATIONAL, NATIONAL, 3, date(2026, 10, 9)),
    # 09-30 | 10-08, 10-09, 10-10 (Sat make-up), 10-12…10-16, 10-19
    (ClockKind.INVESTIGATION, NATIONAL, NATIONAL, 10, date(2026, 10, 19)),
    (ClockKind.DECISION_TOTAL, NATIONAL, NATIONAL, 20, date(2026, 11, 2)),
    (ClockKind.COUNTY_CONFIRM, NATIONAL, date(2026, 9, 30), 10, date(2026, 10, 20)),
    # 3 days from 09-30: 10-08, 10-09 and the make-up Saturday 10-10
    (ClockKind.REFUSAL_NOTICE, NATIONAL, date(2026, 9, 30), 3, date(2026, 10, 10)),
    (ClockKind.EMERGENCY_PAPERWORK, NATIONAL, date(2026, 9, 30), 5, date(2026, 10, 13)),
    # a Friday start whose first working day is the make-up Sunday 09-20
    (ClockKind.INVESTIGATION_START, date(2026, 9, 18), date(2026, 9, 18), 3, date(2026, 9, 22)),
]


@pytest.mark.parametrize(("kind", "accepted", "started", "days", "due"), CASES,
                         ids=[f"{c[0].value}-{c[2]}" for c in CASES])
def test_each_kind_of_clock_counts_working_days_on_the_calendar(clerk, kind, accepted, started, days, due):
    case_uuid = _case(clerk)
    c = _open(clerk, case_uuid, accepted, kind, started)
    assert (c.working_days, c.due_on, c.calendar_note) == (days, due, "")
    expected_ref = "000000@2024-01-01" if accepted < date(2026, 7, 1) else "620102@2026-07-01"
    assert c.policy_ref == expected_ref


def test_referral_clock_uses_the_department_limit_over_the_festivals(clerk):
    case_uuid = _case(clerk, (Category.MEDICAL,))
    # 医保局 10 working days, sent the Friday before 春节: 14(Sat) | 24…28(Sat) | 3-2…3-5
    c = _open(clerk, case_uuid, SPRING, ClockKind.REFERRAL, date(2026, 2, 13), working_days=10)
    assert c.due_on == date(2026, 3, 5) and c.label == "转办部门办结"
    c = _open(clerk, case_uuid, NATIONAL, ClockKind.REFERRAL, date(2026, 9, 30), working_days=15)
    assert c.due_on == date(2026, 10, 27)


def test_a_due_day_beyond_the_official_calendar_is_provisional_with_the_reason(clerk):
    case_uuid = _case(clerk)
    # 20 working days (低保, county table): 8 left in 2026 (12-22…12-31), then 元旦 2027-01-01 skipped:
    # Tuesday 2027-01-19 (weekends only would say 01-18)
    c = _open(clerk, case_uuid, date(2026, 12, 21), ClockKind.DECISION_TOTAL, date(2026, 12, 21))
    assert (c.working_days, c.due_on, c.provisional) == (20, date(2027, 1, 19), True)
    assert c.calendar_note == "2027年节假日安排尚未发布，日期按法定节假日暂定，以正式安排为准"
    board = deadlines.dashboard(clerk, today=date(2026, 12, 21))
    assert c.uuid not in {i.clock_uuid for i in board.open_beyond_calendar}
    (info,) = [i for i in deadlines.case_clocks(clerk, case_uuid, today=date(2026, 12, 21)) if i.uuid == c.uuid]
    assert info.provisional and info.working_days_left == 20
    # a clock inside the official 2026 is not provisional
    c = _open(clerk, case_uuid, date(2026, 11, 2), ClockKind.INVESTIGATION_START, date(2026, 11, 2))
    assert (c.due_on, c.provisional, c.calendar_note) == (date(2026, 11, 5), False, "")


def test_dashboard_groups_overdue_today_and_this_week(clerk):
    case_uuid = _case(clerk)
    today = date(2026, 2, 25)         # Wednesday after 春节
    late = _open(clerk, case_uuid, SPRING, ClockKind.INVESTIGATION_START, SPRING)              # due 02-14
    due_today = _open(clerk, case_uuid, SPRING, ClockKind.REFUSAL_NOTICE, date(2026, 2, 13))   # 14, 24, 25
    this_week = _open(clerk, case_uuid, SPRING, ClockKind.REFERRAL, today, working_days=2)    # 26, 27
    board = deadlines.dashboard(clerk, today=today)
    assert late.uuid in {i.clock_uuid for i in board.overdue}
    # two working days late (02-24, 02-25): the festival days do not count
    assert {i.clock_uuid: i.working_days_left for i in board.overdue}[late.uuid] == -2
    assert due_today.due_on == today and due_today.uuid in {i.clock_uuid for i in board.due_today}
    assert this_week.due_on == date(2026, 2, 27)
    assert {i.clock_uuid: i.subject_uuid for i in board.due_this_week}[this_week.uuid] == "r-1"
    item = next(i for i in board.overdue if i.clock_uuid == late.uuid)
    assert item.case_number and item.applicant == "张三明" and item.village == "东坪村"
    assert board.attention >= 2
    # the case's own clocks, open ones first by due day
    infos = deadlines.case_clocks(clerk, case_uuid, today=today)
    open_dues = [i.due_on for i in infos if i.state is deadlines.ClockState.OPEN and i.due_on]
    assert open_dues == sorted(open_dues)
    with clerk.db.read() as s:
        assert case_uuid in deadlines.overdue_case_uuids(s, today)


def test_saved_release_database_gets_its_clocks_and_referrals_once_after_upgrade(tmp_path):
    work = tmp_path / "release"
    shutil.copytree(RELEASE, work)
    session = sign_in(work, "admin", RELEASE_PASSWORD)
    try:
        with session.db.read() as s:
            open_cases = s.scalars(select(Case.uuid).where(Case.accepted_on.is_not(None), Case.status.in_(
                ["accepted", "investigating", "deliberation", "in_notice", "awaiting_decision", "referred",
                 "emergency_aided"]))).all()
            assert open_cases, "the saved release should hold open accepted cases"
            with_clock = set(s.scalars(select(CaseClock.case_uuid).where(CaseClock.kind == "decision_total")))
            assert set(open_cases) <= with_clock
            with_ref = set(s.scalars(select(Referral.case_uuid)))
            # a referral for every case with a referred category; 低保 and the like (the township's
            # own procedure) get none
            planner = clocks.DeadlinePlanner.bundled()
            referred = set()
            for case in s.scalars(select(Case).where(Case.uuid.in_(open_cases))):
                cats = s.scalars(select(CaseCategory.category).where(CaseCategory.case_uuid == case.uuid)).all()
                if planner.policy_for(case.division_code, case.accepted_on).referral_departments(cats or ["dibao"]):
                    referred.add(case.uuid)
            assert referred and with_ref & set(open_cases) == referred
            township = {c.value for t in planner.book.tables for c in t.township_procedure}
            assert not [c for c in s.scalars(select(Referral.categories)) if set(c) <= township]
            assert s.get(Meta, backfill.TOWNSHIP_MARKER) is not None
            # the decision clock keeps the deadline the case already had
            for case in s.scalars(select(Case).where(Case.uuid.in_(open_cases))):
                due = s.scalar(select(CaseClock.due_on).where(CaseClock.case_uuid == case.uuid,
                                                              CaseClock.kind == "decision_total"))
                if case.decision_due is not None:
                    assert due == case.decision_due
            counts = (s.scalar(select(func.count()).select_from(CaseClock)),
                      s.scalar(select(func.count()).select_from(Referral)))
            assert s.get(Meta, backfill.MARKER) is not None
            assert s.scalar(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action == "clocks_backfilled")) == 1
            assert backfill.missing_count(s) == 0
    finally:
        session.close()
    again = sign_in(work, "admin", RELEASE_PASSWORD)
    try:
        with again.db.read() as s:
            assert (s.scalar(select(func.count()).select_from(CaseClock)),
                    s.scalar(select(func.count()).select_from(Referral))) == counts
    finally:
        again.close()


def test_backfill_skips_a_case_whose_policy_table_is_unknown_and_sign_in_still_works(clerk, data_dir):
    from sqlalchemy import delete

    from desktop.store.models_referral import ReferralEvent

    case_uuid = _case(clerk)
    with clerk.db.write() as s:          # a case from before any policy table, in a database from before Step 5
        s.execute(delete(CaseClock))
        s.execute(delete(ReferralEvent))
        s.execute(delete(Referral))
        case = s.get(Case, case_uuid)
        case.accepted_on = date(2023, 6, 1)
        case.policy_ref = "620102@2023-01-01"     # a table this PC has never had
        s.execute(delete(Meta).where(Meta.key == backfill.MARKER))
    again = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    try:
        with again.db.read() as s:
            assert s.get(Meta, backfill.MARKER) is not None
            assert backfill.missing_count(s) == 1     # left without clocks rather than guessed
            ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "clocks_backfilled")).all()
            assert json.loads(ev[-1].detail)["skipped"] == 1
    finally:
        again.close()


def _old_referral(s, case_uuid: str, department: str, categories: list[str], state: str = "pending") -> str:
    """A referral as databases from before ``township_procedure`` have them (民政局 for 低保…)."""
    now = datetime.now(UTC)
    ref = Referral(case_uuid=case_uuid, department=department, department_name=f"旧部门 {department}",
                   categories=categories, deadline_working_days=10, policy_ref="620102@2026-07-01", state=state,
                   sent_on=date.today() if state == "sent" else None, result_reason="", decided_by="",
                   return_reason="", reply_filename="", reply_mime="", reply_size=0, reply_sha256="",
                   created_by="clerk", created_at=now, updated_at=now)
    s.add(ref)
    s.flush()
    return ref.uuid


def test_referrals_never_sent_for_township_categories_are_cancelled_once_after_upgrade(clerk, data_dir):
    """A database from before ``township_procedure``: its 待转出 referrals to 民政局 for 低保/特困 are
    cancelled (history, outbox item, one audit event); a sent one, one that also covers a referred category
    and the 医保局 one stay."""
    from sqlalchemy import delete

    from desktop.store.models_referral import ReferralEvent

    dibao = _case(clerk, (Category.DIBAO, Category.TEKUN))
    mixed = _case(clerk, (Category.DIBAO, Category.MEDICAL))
    sent_case = _case(clerk, (Category.DIBAO,))
    with clerk.db.write() as s:
        (medical,) = s.scalars(select(Referral.uuid).where(Referral.case_uuid == mixed)).all()
        pending = _old_referral(s, dibao, "civil_affairs", ["dibao", "tekun"])
        pending_mixed = _old_referral(s, mixed, "civil_affairs", ["dibao"])
        also_funeral = _old_referral(s, mixed, "civil_affairs2", ["dibao", "funeral"])
        sent = _old_referral(s, sent_case, "civil_affairs", ["dibao"], state="sent")
        s.execute(delete(Meta).where(Meta.key == backfill.TOWNSHIP_MARKER))
    again = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    try:
        with again.db.read() as s:
            states = dict(s.execute(select(Referral.uuid, Referral.state)).all())
            assert (states[pending], states[pending_mixed]) == ("cancelled", "cancelled")
            assert (states[also_funeral], states[sent], states[medical]) == ("pending", "sent", "pending")
            for uuid in (pending, pending_mixed):
                (ev,) = s.scalars(select(ReferralEvent).where(ReferralEvent.referral_uuid == uuid)).all()
                assert (ev.action, ev.from_state, ev.to_state) == ("cancelled", "pending", "cancelled")
                assert ev.note == "乡镇初审、县级审核确认，不转办"
                (item,) = s.scalars(select(OutboxItem).where(OutboxItem.entity_uuid == uuid)).all()
                assert item.event_type == "referral.cancelled" and item.payload["state"] == "cancelled"
            (audit_ev,) = s.scalars(select(AuditEvent)
                                    .where(AuditEvent.action == "referrals_township_cancelled")).all()
            assert json.loads(audit_ev.detail) == {"referrals": 2, "cases": 2, "departments": {"civil_affairs": 2},
                                                   "note": "乡镇初审、县级审核确认，不转办"}
            assert s.get(Meta, backfill.TOWNSHIP_MARKER) is not None
            assert s.get(Meta, backfill.MARKER) is not None
    finally:
        again.close()
    with clerk.db.write() as s:      # once: a later sign-in leaves everything as it is
        late = _old_referral(s, sent_case, "civil_affairs_again", ["dibao"])
    third = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    try:
        with third.db.read() as s:
            assert s.scalar(select(Referral.state).where(Referral.uuid == late)) == "pending"
            assert s.scalar(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action == "referrals_township_cancelled")) == 1
    finally:
        third.close()
