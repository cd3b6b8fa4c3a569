"""Statutory clocks follow the case: accepting opens them, each transition closes and opens the
right ones (desktop.services.deadlines.clocks.TRANSITION_CLOCKS), a refusal's written notice closes the
refusal clock when it is printed, a withdrawal cancels what was running."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdf
import pytest
from conftest import FAST_KDF
from factories import sample_application as _app
from factories import to_decision
from sqlalchemy import select

from desktop.domain.case_state import TransitionRefused
from desktop.domain.categories import Category
from desktop.domain.household import Application
from desktop.domain.roles import Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines import planner as clocks
from desktop.services.deadlines.clocks import ClockKind, ClockState
from desktop.services.documents import issue as documents
from desktop.services.documents.data import DocumentRefused
from desktop.services.intake.accept import submit_application
from desktop.services.investigation import records as investigations
from desktop.services.workflow import transitions as cases
from desktop.services.workflow.transitions import TransitionInput
from desktop.store.models import Case
from desktop.store.models_clock import CaseClock

VILLAGE = "620102101201"


@pytest.fixture
def people(admin_session, data_dir):
    for name, role in (("clerk", Role.CLERK), ("supervisor", Role.SUPERVISOR)):
        auth.add_user(admin_session, name, name, role, f"{name}-pass-1")
    sessions = {n: sign_in(data_dir, n, f"{n}-pass-1", kdf=FAST_KDF) for n in ("clerk", "supervisor")}
    yield sessions
    for s in sessions.values():
        s.close()


def _submit(clerk, outcome: str = "accept") -> str:
    plan = clocks.DeadlinePlanner.bundled().plan(VILLAGE, datetime.now(UTC).date(), [Category.DIBAO])
    app = _app()
    codes = [c for c, _n in plan.documents if c not in plan.conditional]
    received = tuple(codes[1:]) if outcome == "missing_documents" else tuple(codes)
    missing = (codes[0],) if outcome == "missing_documents" else ()
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=received, documents_missing=missing)
    return submit_application(clerk, app, outcome).case_uuid


def _clocks(session, case_uuid: str) -> dict[tuple[str, str], int]:
    """(kind, state) -> how many."""
    out: dict[tuple[str, str], int] = {}
    with session.db.read() as s:
        for c in s.scalars(select(CaseClock).where(CaseClock.case_uuid == case_uuid)):
            out[(c.kind, c.state)] = out.get((c.kind, c.state), 0) + 1
    return out


def _open(session, case_uuid: str) -> set[str]:
    return {k for (k, st), _n in _clocks(session, case_uuid).items() if st == "open"}


def test_acceptance_opens_investigation_start_and_decision_clocks_from_the_policy(people):
    clerk = people["clerk"]
    case_uuid = _submit(clerk)
    assert _open(clerk, case_uuid) == {"investigation_start", "decision_total"}
    planner = clocks.DeadlinePlanner.bundled()
    with clerk.db.read() as s:
        case = s.get(Case, case_uuid)
        rows = {c.kind: c for c in s.scalars(select(CaseClock).where(CaseClock.case_uuid == case_uuid))}
        policy = planner.policy_for(case.division_code, case.accepted_on)
        for kind in ("investigation_start", "decision_total"):
            days = policy.deadline(kind, Category.DIBAO)
            assert rows[kind].working_days == days
            assert rows[kind].due_on == planner.calendar.add_working_days(case.accepted_on, days)
            assert rows[kind].policy_ref == policy.ref
        assert rows["decision_total"].due_on == case.decision_due


def test_a_case_waiting_for_documents_has_no_clock_until_it_is_accepted(people):
    clerk = people["clerk"]
    case_uuid = _submit(clerk, "missing_documents")
    assert _clocks(clerk, case_uuid) == {}
    with clerk.db.read() as s:
        missing = [d.code for d in s.get(Case, case_uuid).documents if not d.received]
    cases.mark_documents_received(clerk, case_uuid, missing)
    cases.transition(clerk, case_uuid, "complete_documents")
    assert _open(clerk, case_uuid) == {"investigation_start", "decision_total"}


def test_refusal_path_opens_the_refusal_notice_clock_and_printing_the_notice_meets_it(people):
    clerk, supervisor = people["clerk"], people["supervisor"]
    case_uuid = _submit(clerk)
    cases.transition(clerk, case_uuid, "start_investigation")
    assert _clocks(clerk, case_uuid)[("investigation_start", "met")] == 1
    assert _open(clerk, case_uuid) == {"investigation", "decision_total"}

    investigations.record_home_visit(clerk, case_uuid, investigations.HomeVisitInput(date.today(), ("王晓燕", "李建军"), "入户核实家庭情况"))
    check = investigations.request_economic_check(clerk, case_uuid, investigations.CheckRequestInput(
        date.today(), "县居民家庭经济状况核对中心"))
    investigations.record_check_result(clerk, check, investigations.CheckResultInput(
        date.today(), "ineligible", "家庭人均收入高于低保标准"))
    cases.transition(clerk, case_uuid, "submit_for_decision", TransitionInput(proposed_outcome="refuse"))
    assert _open(clerk, case_uuid) == {"decision_total"}

    with pytest.raises(DocumentRefused):      # not refused yet: no notice to print
        documents.print_decision_refusal(clerk, case_uuid)
    cases.transition(supervisor, case_uuid, "refuse", TransitionInput(reason="家庭人均收入高于当地低保标准。"))
    assert _open(clerk, case_uuid) == {"refusal_notice"}
    assert _clocks(clerk, case_uuid)[("decision_total", "met")] == 1

    doc = documents.print_decision_refusal(clerk, case_uuid)
    text = "".join((p.extract_text() or "") for p in pypdf.PdfReader(io.BytesIO(doc.pdf)).pages).replace(" ", "")
    assert "不予批准通知书" in text and "家庭人均收入高于当地低保标准" in text and "不予受理" not in text
    assert _open(clerk, case_uuid) == set()
    assert _clocks(clerk, case_uuid)[("refusal_notice", "met")] == 1
    again = documents.print_decision_refusal(clerk, case_uuid)      # a reprint is a 副本, clock stays met
    assert again.is_copy and _clocks(clerk, case_uuid)[("refusal_notice", "met")] == 1


def test_withdrawal_cancels_every_running_clock(people):
    clerk = people["clerk"]
    case_uuid = _submit(clerk)
    cases.transition(clerk, case_uuid, "start_investigation")
    cases.transition(clerk, case_uuid, "withdraw", TransitionInput(reason="申请人主动撤回。"))
    got = _clocks(clerk, case_uuid)
    assert _open(clerk, case_uuid) == set()
    assert got[("investigation", "cancelled")] == 1 and got[("decision_total", "cancelled")] == 1


def test_refused_transition_opens_no_clock(people):
    clerk = people["clerk"]
    case_uuid = _submit(clerk)
    before = _clocks(clerk, case_uuid)
    with pytest.raises(TransitionRefused):
        cases.transition(clerk, case_uuid, "withdraw")       # no reason
    assert _clocks(clerk, case_uuid) == before


def test_reinvestigation_restarts_the_investigation_clock(people):
    clerk, supervisor = people["clerk"], people["supervisor"]
    case_uuid = _submit(clerk)
    to_decision(clerk, case_uuid)             # investigated, 公示 and its period over: 待审核确认
    assert _open(clerk, case_uuid) == {"decision_total"}
    cases.transition(supervisor, case_uuid, "return_for_reinvestigation", TransitionInput(reason="补充邻里访问。"))
    got = _clocks(clerk, case_uuid)
    assert got[("investigation", "met")] == 1 and got[("investigation", "open")] == 1
    assert _open(clerk, case_uuid) == {"decision_total", "investigation"}


def test_dashboard_groups_by_due_day(people):
    clerk = people["clerk"]
    case_uuid = _submit(clerk)
    with clerk.db.read() as s:
        due = {c.kind: c.due_on for c in s.scalars(select(CaseClock).where(CaseClock.case_uuid == case_uuid))}
    start_due = due["investigation_start"]
    on_day = deadlines.dashboard(clerk, today=start_due)
    assert [i.kind for i in on_day.due_today] == [ClockKind.INVESTIGATION_START]
    later = deadlines.dashboard(clerk, today=due["decision_total"])
    assert ClockKind.INVESTIGATION_START in [i.kind for i in later.overdue]
    assert all(i.working_days_left is not None and i.working_days_left < 0 for i in later.overdue)
    with clerk.db.read() as s:
        assert deadlines.overdue_case_uuids(s, due["decision_total"]) == {case_uuid}
        assert deadlines.overdue_case_uuids(s, start_due) == set()
    info = deadlines.case_clocks(clerk, case_uuid, today=start_due)
    assert info[0].state is ClockState.OPEN and info[0].working_days_left == 0
