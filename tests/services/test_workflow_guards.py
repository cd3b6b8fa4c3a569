"""The procedure guards on every way into 公示中, 待审核确认 and 已办结（批准）, for every category and route.

Issue 11: a just-accepted 低保 case went to 待审核确认 with 报县级审核 while its 调查核实 tab still said
尚缺：入户调查记录…；家庭经济状况核对报告. What each transition requires is stated here from the policy
data (which categories the township carries, the economic check, 民主评议, the notice), not by calling
the guards, and the refusal must name the missing records in the tab's words and change nothing.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from conftest import FAST_KDF
from factories import accepted_case, investigate, to_decision
from sqlalchemy import func, select

from desktop.domain.case_state import CaseStatus, TransitionRefused, apply_transition
from desktop.domain.categories import Category
from desktop.domain.roles import Role
from desktop.services.admin import accounts as auth
from desktop.services.emergency import grants as emergency
from desktop.services.errors import ServiceError
from desktop.services.investigation import facts as inv_facts
from desktop.services.investigation import records as inv
from desktop.services.notices import batches as notices
from desktop.services.notices.output import print_poster
from desktop.services.workflow import facts as wf_facts
from desktop.services.workflow import transitions as cases
from desktop.services.workflow.transitions import TransitionInput
from desktop.store.models import AuditEvent, Case, OutboxItem, StatusChange

REFERRED = "由转办部门审批"


@pytest.fixture
def people(admin_session, data_dir):
    for name, role in (("clerk", Role.CLERK), ("supervisor", Role.SUPERVISOR)):
        auth.add_user(admin_session, name, name, role, f"{name}-pass-1")
    sessions = {n: auth.sign_in(data_dir, n, f"{n}-pass-1", kdf=FAST_KDF) for n in ("clerk", "supervisor")}
    yield sessions
    for s in sessions.values():
        s.close()


def _state(session, case_uuid: str) -> tuple:
    """The case's status and everything a move writes: its history, the audit log, the outbox."""
    with session.db.read() as s:
        return (s.get(Case, case_uuid).status,
                s.scalar(select(func.count()).select_from(StatusChange)),
                s.scalar(select(func.count()).select_from(AuditEvent)),
                s.scalar(select(func.count()).select_from(OutboxItem)))


def _refused(session, case_uuid: str, name: str, form: TransitionInput | None = None) -> tuple[str, ...]:
    before = _state(session, case_uuid)
    with pytest.raises(TransitionRefused) as exc:
        cases.transition(session, case_uuid, name, form)
    assert exc.value.code == "guard"
    assert _state(session, case_uuid) == before, f"a refused {name} changed something"
    return exc.value.reasons


def _expected_missing(session, case_uuid: str) -> tuple[str, ...]:
    """What the case's policy requires before 公示/审核确认, read from the policy table (nothing recorded)."""
    with session.db.read() as s:
        case = s.get(Case, case_uuid)
        policy = inv_facts.policy_for_case(case, session.clock.today())
        cats = inv_facts.categories(s, case_uuid)
    out = [f"入户调查记录（须{policy.home_visit_min_investigators}名以上工作人员，已登记0人）"]
    if any(policy.economic_check_required(c) for c in cats):
        out.append("家庭经济状况核对报告")
    if any(policy.democratic_deliberation_required(c) for c in cats):
        out.append("民主评议记录")
    return tuple(out)


# ------------------------------------------------------------------ the reported sequence

def test_accepted_dibao_cannot_be_reported_to_the_county_without_its_investigation(people):
    """The exact sequence of the issue: accept 低保 → 报县级审核 with a reason → refused, nothing changed."""
    clerk = people["clerk"]
    case = accepted_case(clerk, (Category.DIBAO,))
    tab = inv.investigation(clerk, case).missing
    assert tab == ("入户调查记录（须2名以上工作人员，已登记0人）", "家庭经济状况核对报告")
    reasons = _refused(clerk, case, "escalate_to_county", TransitionInput(reason="情况复杂，报县级审核"))
    assert any("只用于超过乡镇审批限额的急难型先行救助" in r for r in reasons), reasons
    assert _state(clerk, case)[0] == "accepted"
    # the case screen does not offer it, and says why
    option = {o.name: o for o in cases.options(clerk, case)}["escalate_to_county"]
    assert not option.enabled and "急难型先行救助" in option.blocked_by
    # the way to 待审核确认 asks for what the tab lists, in its words
    cases.transition(clerk, case, "start_investigation")
    reasons = _refused(clerk, case, "submit_for_decision", TransitionInput(proposed_outcome="refuse"))
    assert reasons == ("尚缺：" + "；".join(tab),)
    option = {o.name: o for o in cases.options(clerk, case)}["submit_for_decision"]
    assert not option.enabled and "尚缺：入户调查记录（须2名以上工作人员，已登记0人）；家庭经济状况核对报告" in option.blocked_by


# ------------------------------------------------------------------ every category × every way in

def test_every_category_every_way_into_notice_decision_and_approval(people):
    """For each category, a case with nothing recorded: every transition into 公示中, 待审核确认 or 已办结（批准）
    is refused — the township's categories naming what their policy requires, the departments' ones sent to
    转办 — and the case screen offers none of them."""
    clerk, supervisor = people["clerk"], people["supervisor"]
    for seq, category in enumerate(Category, start=1):
        case = accepted_case(clerk, (category,), seq=seq)
        with clerk.db.read() as s:
            row = s.get(Case, case)
            policy = inv_facts.policy_for_case(row, clerk.clock.today())
        township = policy.is_township_procedure(category)
        missing = "尚缺：" + "；".join(_expected_missing(clerk, case))
        tag = category.value

        reasons = _refused(clerk, case, "escalate_to_county", TransitionInput(reason="报县级审核"))
        fragment = "请在“先行救助”中填写救助金额" if category.is_emergency else "只用于超过乡镇审批限额的急难型"
        assert any(fragment in r for r in reasons), (tag, reasons)

        cases.transition(clerk, case, "start_investigation")
        for name, form in (("post_notice", None), ("submit_for_decision", TransitionInput(proposed_outcome="approve")),
                           ("submit_for_decision", TransitionInput(proposed_outcome="refuse"))):
            reasons = _refused(clerk, case, name, form)
            assert missing in reasons, (tag, name, reasons)
            assert (any(REFERRED in r for r in reasons)) is not township, (tag, name, reasons)
        offered = {o.name: o for o in cases.options(clerk, case)}
        for name in ("post_notice", "submit_for_decision"):
            assert not offered[name].enabled and missing in offered[name].blocked_by, (tag, name)

        # the moves out of statuses this case cannot reach now, checked against its real facts
        with supervisor.db.read() as s:
            ctx = wf_facts.build(s, supervisor, s.get(Case, case), TransitionInput(), supervisor.clock.today())
        for status, name, changes in (
                (CaseStatus.IN_NOTICE, "end_notice", {"notice_period_ended": True}),
                (CaseStatus.AWAITING_DECISION, "approve", {"last_transition": "end_notice"}),
                (CaseStatus.AWAITING_DECISION, "approve", {"last_transition": "submit_for_decision"}),
                (CaseStatus.AWAITING_DECISION, "approve", {"last_transition": "return_for_reinvestigation"})):
            with pytest.raises(TransitionRefused) as exc:
                apply_transition(status, name, dataclasses.replace(ctx, **changes))
            assert missing in exc.value.reasons, (tag, name, exc.value.reasons)
        if township:
            with pytest.raises(TransitionRefused) as exc:
                apply_transition(CaseStatus.REFERRED, "referral_approved",
                                 dataclasses.replace(ctx, concluded_referrals=1, open_referrals=0))
            assert "由乡镇初审、县级审核确认" in exc.value.message, tag


# ------------------------------------------------------------------ defence in depth

def test_approval_rechecks_the_investigation(people):
    """A 低保 case at 待审核确认 whose newest economic check says 需进一步核实 cannot be approved."""
    clerk, supervisor = people["clerk"], people["supervisor"]
    case = accepted_case(clerk, (Category.DIBAO,))
    assert to_decision(clerk, case) == "awaiting_decision"
    check = inv.request_economic_check(clerk, case, inv.CheckRequestInput(clerk.clock.today(), "县核对中心"))
    inv.record_check_result(clerk, check, inv.CheckResultInput(clerk.clock.today(), "needs_verification", "存款待回函"))
    reasons = _refused(supervisor, case, "approve")
    assert reasons == ("尚缺：家庭经济状况核对报告（最近一次结论为需进一步核实）",)
    assert cases.transition(supervisor, case, "refuse", TransitionInput(reason="收入超过标准")) is CaseStatus.REFUSED


def test_a_case_submitted_without_notice_cannot_be_approved(people):
    """低保 needs a notice: submitted proposing refusal (no notice), the supervisor may refuse, not approve."""
    clerk, supervisor = people["clerk"], people["supervisor"]
    case = accepted_case(clerk, (Category.DIBAO,))
    investigate(clerk, case)
    cases.transition(clerk, case, "submit_for_decision", TransitionInput(proposed_outcome="refuse"))
    reasons = _refused(supervisor, case, "approve")
    assert len(reasons) == 1 and "按政策须公示" in reasons[0]
    option = {o.name: o for o in cases.options(supervisor, case)}["approve"]
    assert not option.enabled and "按政策须公示" in option.blocked_by
    # returned, noticed, its period over: now it may be approved
    cases.transition(supervisor, case, "return_for_reinvestigation", TransitionInput(reason="拟批准，须公示"))
    assert to_decision(clerk, case) == "awaiting_decision"
    assert cases.transition(supervisor, case, "approve") is CaseStatus.APPROVED


def test_the_notice_does_not_end_into_decision_when_the_investigation_became_incomplete(people):
    clerk = people["clerk"]
    case = accepted_case(clerk, (Category.DIBAO,))
    investigate(clerk, case)
    today = clerk.clock.today()
    batch = notices.create_batch(clerk, "620102101201", Category.DIBAO, [case], start_on=today)
    print_poster(clerk, batch.uuid)
    notices.post_batch(clerk, batch.uuid, notices.PostingInput(today, "村务公开栏", "马春花"), today=today)
    check = inv.request_economic_check(clerk, case, inv.CheckRequestInput(today, "县核对中心"))
    inv.record_check_result(clerk, check, inv.CheckResultInput(today, "needs_verification", "车辆待核实"))
    closed = notices.close_due_batches(clerk, today + timedelta(days=30))
    (left,) = closed[0].not_moved
    assert left.status_label == "公示中" and "尚缺：家庭经济状况核对报告（最近一次结论为需进一步核实）" in left.note
    assert _state(clerk, case)[0] == "in_notice"


# ------------------------------------------------------------------ the emergency and referral routes

def test_the_emergency_route_keeps_what_the_law_allows(people):
    """先行救助 before any investigation (within the limit: the township; above it: 报县级审核 and the
    county's approval) — but only for the 急难型 aid: a case that also applies for 低保 is refused."""
    clerk, supervisor = people["clerk"], people["supervisor"]
    small = accepted_case(clerk, (Category.TEMP_EMERGENCY,), seq=1)
    assert emergency.grant(supervisor, small, emergency.GrantInput(100000, "illness")).status is \
        CaseStatus.EMERGENCY_AIDED
    assert emergency.complete_paperwork(clerk, small) is CaseStatus.APPROVED
    big = accepted_case(clerk, (Category.TEMP_EMERGENCY,), seq=2)
    assert emergency.grant(clerk, big, emergency.GrantInput(900000, "disaster")).status is \
        CaseStatus.AWAITING_DECISION
    assert cases.transition(supervisor, big, "approve") is CaseStatus.APPROVED
    both = accepted_case(clerk, (Category.TEMP_EMERGENCY, Category.DIBAO), seq=3)
    before = _state(clerk, both)
    for amount in (100000, 900000):
        with pytest.raises(ServiceError) as exc:
            emergency.grant(supervisor, both, emergency.GrantInput(amount, "illness", acknowledge_repeat=True))
        assert "本案还申请了最低生活保障" in exc.value.message
    assert _state(clerk, both) == before


def test_a_department_category_is_decided_by_its_department(people):
    """医疗救助 is referred: the township neither publishes nor decides it, even fully investigated."""
    clerk = people["clerk"]
    case = accepted_case(clerk, (Category.MEDICAL,))
    investigate(clerk, case)
    assert inv.investigation(clerk, case).missing == ()
    for form in (TransitionInput(proposed_outcome="approve"), TransitionInput(proposed_outcome="refuse")):
        reasons = _refused(clerk, case, "submit_for_decision", form)
        assert len(reasons) == 1 and REFERRED in reasons[0]
