"""Emergency aid (先行救助) end to end: within the township limit a supervisor approves on the spot and
the paperwork clock opens (and closes when the paperwork is completed); above it the case goes to the
county with its clock; the same person and reason within the window warns and must be acknowledged."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from conftest import FAST_KDF
from factories import sample_application, villages_of
from sqlalchemy import select

from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.household import Application
from desktop.domain.investigation import EmergencyRoute
from desktop.domain.roles import PermissionDenied, Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.emergency import grants as emergency
from desktop.services.emergency.grants import GrantInput, RepeatNotAcknowledged, SupervisorConfirmation
from desktop.services.errors import InvalidInput, NotFound, ServiceError
from desktop.services.intake import accept as intake
from desktop.services.workflow import transitions as cases
from desktop.store.models import AuditEvent, OutboxItem
from desktop.store.models_investigation import EmergencyGrant

VILLAGE = "620102101201"
TODAY = datetime.now().astimezone().date()
LIMIT = 300000   # the demo county's township limit (resources/policy/620102-2026-07-01.json)


@pytest.fixture
def people(admin_session, data_dir):
    for name, role in (("clerk", Role.CLERK), ("supervisor", Role.SUPERVISOR), ("assistant", Role.VILLAGE_ASSISTANT)):
        auth.add_user(admin_session, name, name, role, f"{name}-pass-1", **villages_of(role))
    sessions = {n: sign_in(data_dir, n, f"{n}-pass-1", kdf=FAST_KDF) for n in ("clerk", "supervisor", "assistant")}
    yield sessions
    for s in sessions.values():
        s.close()


def emergency_case(clerk, *, emergency: bool = True) -> str:
    cats = (Category.TEMP_EMERGENCY,) if emergency else (Category.DIBAO,)
    plan = DeadlinePlanner.bundled().plan(VILLAGE, TODAY, list(cats))
    app = sample_application(categories=cats, emergency=emergency)
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      emergency=emergency, documents_received=tuple(c for c, _n in plan.documents))
    return intake.submit_application(clerk, app, "accept").case_uuid


def open_clocks(session, case_uuid: str) -> set[str]:
    return {c.kind for c in deadlines.case_clocks(session, case_uuid) if c.state == "open"}


def refused(session, call, needle: str, exc=ServiceError) -> None:
    before = session.db.table_counts()
    with pytest.raises(exc) as e:
        call()
    message = getattr(e.value, "message", str(e.value))
    assert needle in message, message
    assert session.db.table_counts() == before


def test_within_the_limit_the_supervisor_approves_on_the_spot_and_the_paperwork_clock_runs(people):
    clerk, supervisor = people["clerk"], people["supervisor"]
    case = emergency_case(clerk)
    facts = emergency.facts(clerk, case)
    assert facts.can_grant_now and facts.limit_cents == LIMIT and not facts.user_can_approve and facts.previous == ()
    result = emergency.grant(supervisor, case, GrantInput(200000, "illness", "突发脑出血住院"))
    assert result.route is EmergencyRoute.TOWNSHIP and result.status is CaseStatus.EMERGENCY_AIDED
    assert result.approved_by == "supervisor" and result.repeat_of is None
    assert "emergency_paperwork" in open_clocks(clerk, case)
    with clerk.db.read() as s:
        row = s.scalar(select(EmergencyGrant))
        assert (row.amount_cents, row.reason_code, row.route, row.granted_on) == (200000, "illness", "township", TODAY)
        assert s.scalar(select(OutboxItem.entity_type).order_by(OutboxItem.id.desc())) == "emergency_grant"
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq.desc())).all()[:2]
        assert actions == ["emergency_aid_granted", "case.grant_emergency_aid"]
    [info] = emergency.grants(clerk, case)
    assert info.reason_label == "因病" and info.route_label == "乡镇当场审批" and info.paperwork_completed_at is None

    assert emergency.complete_paperwork(clerk, case) is CaseStatus.APPROVED
    assert "emergency_paperwork" not in open_clocks(clerk, case)
    kinds = {(c.kind, c.state) for c in deadlines.case_clocks(clerk, case)}
    assert ("emergency_paperwork", "met") in kinds
    assert emergency.grants(clerk, case)[0].paperwork_completed_at is not None


def test_a_clerk_needs_the_supervisor_in_person(people):
    clerk = people["clerk"]
    case = emergency_case(clerk)
    form = GrantInput(100000, "accident")
    refused(clerk, lambda: emergency.grant(clerk, case, form), "审核人当场批准", InvalidInput)
    refused(clerk, lambda: emergency.grant(clerk, case, form, supervisor=SupervisorConfirmation("supervisor", "bad")),
            "审核人确认未通过", InvalidInput)
    refused(clerk, lambda: emergency.grant(clerk, case, form, supervisor=SupervisorConfirmation("clerk", "clerk-pass-1")),
            "不是审核人", InvalidInput)
    result = emergency.grant(clerk, case, form, supervisor=SupervisorConfirmation("supervisor", "supervisor-pass-1"))
    assert result.approved_by == "supervisor" and result.status is CaseStatus.EMERGENCY_AIDED
    with clerk.db.read() as s:
        row = s.scalar(select(EmergencyGrant))
        assert (row.approved_by, row.recorded_by) == ("supervisor", "clerk")


def test_above_the_limit_the_case_goes_to_the_county_with_its_clock(people):
    clerk = people["clerk"]
    case = emergency_case(clerk)
    result = emergency.grant(clerk, case, GrantInput(LIMIT + 1, "disaster", "房屋失火"))
    assert result.route is EmergencyRoute.COUNTY and result.status is CaseStatus.AWAITING_DECISION
    assert result.approved_by is None
    assert "county_confirm" in open_clocks(clerk, case)
    [info] = emergency.grants(clerk, case)
    assert info.approved_by == "待县级审批" and info.route_label == "报县级审批"
    with clerk.db.read() as s:
        assert s.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc())) == "emergency_aid_escalated"
    cases.transition(people["supervisor"], case, "approve")       # the county's result keyed in
    assert emergency.grants(clerk, case)[0].approved_by == "县级已批准"


def test_bad_input_and_wrong_cases_change_nothing(people):
    clerk, supervisor, assistant = people["clerk"], people["supervisor"], people["assistant"]
    case = emergency_case(clerk)
    g = emergency.grant
    refused(supervisor, lambda: g(supervisor, case, GrantInput(0, "illness")), "金额")
    refused(supervisor, lambda: g(supervisor, case, GrantInput(12.5, "illness")), "金额")  # type: ignore[arg-type]
    refused(supervisor, lambda: g(supervisor, case, GrantInput(10**9, "illness")), "不能超过")
    refused(supervisor, lambda: g(supervisor, case, GrantInput(1000, "bored")), "事由")
    refused(supervisor, lambda: g(supervisor, case, GrantInput(1000, "other")), "写明")
    refused(supervisor, lambda: g(supervisor, "nope", GrantInput(1000, "illness")), "找不到", NotFound)
    refused(assistant, lambda: g(assistant, case, GrantInput(1000, "illness")), "无权", PermissionDenied)
    ordinary = emergency_case(clerk, emergency=False)
    refused(supervisor, lambda: g(supervisor, ordinary, GrantInput(1000, "illness")), "不是急难型")
    g(supervisor, case, GrantInput(1000, "illness"))
    refused(supervisor, lambda: g(supervisor, case, GrantInput(1000, "illness")), "只有已受理")


def test_same_person_same_reason_within_the_window_warns_and_is_recorded(people):
    clerk, supervisor = people["clerk"], people["supervisor"]
    first = emergency_case(clerk)
    emergency.grant(supervisor, first, GrantInput(50000, "illness"), today=TODAY - timedelta(days=100))
    second = emergency_case(clerk)
    facts = emergency.facts(clerk, second)
    assert [p.reason.value for p in facts.previous] == ["illness"] and len(facts.repeats("illness")) == 1
    assert facts.repeats("accident") == ()
    with pytest.raises(RepeatNotAcknowledged) as e:
        emergency.grant(supervisor, second, GrantInput(60000, "illness"))
    assert "同一事由" in e.value.message and e.value.previous[0].amount_cents == 50000
    assert emergency.grants(clerk, second) == []
    result = emergency.grant(supervisor, second, GrantInput(60000, "illness", "再次住院", acknowledge_repeat=True))
    assert result.repeat_of is not None
    [info] = emergency.grants(clerk, second)
    assert info.repeat_acknowledged_by == "supervisor"


def test_a_different_reason_or_outside_the_window_does_not_warn(people):
    clerk, supervisor = people["clerk"], people["supervisor"]
    first = emergency_case(clerk)
    window = emergency.facts(clerk, first).window_days
    emergency.grant(supervisor, first, GrantInput(50000, "illness"), today=TODAY - timedelta(days=window))
    second = emergency_case(clerk)
    assert emergency.facts(clerk, second).previous == ()        # exactly the window ago: outside it
    assert emergency.grant(supervisor, second, GrantInput(50000, "illness")).repeat_of is None
    third = emergency_case(clerk)
    assert emergency.grant(supervisor, third, GrantInput(50000, "accident")).repeat_of is None


def test_documents_may_follow_the_aid_and_the_paperwork_waits_for_them(people):
    clerk, supervisor = people["clerk"], people["supervisor"]
    plan = DeadlinePlanner.bundled().plan(VILLAGE, TODAY, [Category.TEMP_EMERGENCY])
    app = sample_application(categories=(Category.TEMP_EMERGENCY,), emergency=True)
    codes = [c for c, _n in plan.documents]
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      emergency=True, documents_received=tuple(codes[:-1]), documents_missing=(codes[-1],))
    result = intake.submit_application(clerk, app, "accept")       # 急难型: accepted with a document to follow
    assert result.status is CaseStatus.ACCEPTED and result.documents_missing
    ordinary = sample_application()
    ordinary_plan = DeadlinePlanner.bundled().plan(VILLAGE, TODAY, [Category.DIBAO])
    dcodes = [c for c, _n in ordinary_plan.documents]
    ordinary = Application(ordinary.categories, ordinary.reason, ordinary.channel, ordinary.household,
                           ordinary.applicant_id_number, documents_received=tuple(dcodes[:-1]),
                           documents_missing=(dcodes[-1],))
    refused(clerk, lambda: intake.submit_application(clerk, ordinary, "accept"), "一次性告知书", InvalidInput)
    case = result.case_uuid
    emergency.grant(supervisor, case, GrantInput(100000, "accident"))
    refused(clerk, lambda: emergency.complete_paperwork(clerk, case), "仍缺少材料", InvalidInput)
    assert cases.mark_documents_received(clerk, case, [codes[-1]]) == ()
    assert emergency.complete_paperwork(clerk, case) is CaseStatus.APPROVED
    assert ("emergency_paperwork", "met") in {(c.kind, c.state) for c in deadlines.case_clocks(clerk, case)}


def test_the_facts_need_the_case_permission(people):
    case = emergency_case(people["clerk"])
    with pytest.raises(PermissionDenied):
        emergency.facts(people["assistant"], case)
    with pytest.raises(PermissionDenied):
        emergency.grants(people["assistant"], case)
    assert emergency.facts(people["supervisor"], case).user_can_approve
