from __future__ import annotations

import dataclasses
from collections import deque

import pytest

from desktop.domain.case_state import (
    CASE_STATUS_LABELS,
    INITIAL_STATUSES,
    TERMINAL_STATUSES,
    TRANSITIONS,
    TRANSITIONS_BY_NAME,
    CaseStatus,
    Transition,
    TransitionContext,
    TransitionRefused,
    allowed_transitions,
    apply_transition,
    available_transitions,
    is_terminal,
)
from desktop.domain.roles import Role

S = CaseStatus

# The specification, written out independently of the implementation's table.
EXPECTED: dict[str, tuple[set[CaseStatus], CaseStatus]] = {
    "complete_documents": ({S.PENDING_DOCUMENTS}, S.ACCEPTED),
    "reject_intake": ({S.PENDING_DOCUMENTS}, S.NOT_ACCEPTED),
    "review_accept": ({S.TOWNSHIP_REVIEW}, S.ACCEPTED),
    "review_missing_documents": ({S.TOWNSHIP_REVIEW}, S.PENDING_DOCUMENTS),
    "review_refuse": ({S.TOWNSHIP_REVIEW}, S.NOT_ACCEPTED),
    "start_investigation": ({S.ACCEPTED}, S.INVESTIGATING),
    "refer": ({S.ACCEPTED}, S.REFERRED),
    "grant_emergency_aid": ({S.ACCEPTED}, S.EMERGENCY_AIDED),
    "escalate_to_county": ({S.ACCEPTED}, S.AWAITING_DECISION),
    "complete_emergency_paperwork": ({S.EMERGENCY_AIDED}, S.APPROVED),
    "start_deliberation": ({S.INVESTIGATING}, S.DELIBERATION),
    "post_notice": ({S.INVESTIGATING, S.DELIBERATION}, S.IN_NOTICE),
    "object": ({S.IN_NOTICE}, S.INVESTIGATING),
    "withdraw_notice": ({S.IN_NOTICE}, S.INVESTIGATING),
    "end_notice": ({S.IN_NOTICE}, S.AWAITING_DECISION),
    "submit_for_decision": ({S.INVESTIGATING, S.DELIBERATION}, S.AWAITING_DECISION),
    "return_for_reinvestigation": ({S.AWAITING_DECISION}, S.INVESTIGATING),
    "approve": ({S.AWAITING_DECISION}, S.APPROVED),
    "refuse": ({S.AWAITING_DECISION}, S.REFUSED),
    "referral_approved": ({S.REFERRED}, S.APPROVED),
    "referral_refused": ({S.REFERRED}, S.REFUSED),
    "referral_returned": ({S.REFERRED}, S.ACCEPTED),
    "withdraw": (set(CaseStatus) - {S.NOT_ACCEPTED, S.APPROVED, S.REFUSED, S.WITHDRAWN}, S.WITHDRAWN),
}

SUPERVISOR_ONLY = {"approve", "refuse", "grant_emergency_aid"}

# A context that satisfies every guard at once.
GOOD = TransitionContext(
    actor_role="supervisor",
    reason="经核查情况属实",
    documents_missing=(),
    emergency=True,
    amount_cents=200_000,
    township_limit_cents=500_000,
    home_visit_investigators=2,
    notice_period_ended=True,
    open_objections=0,
    concluded_referrals=1,
    notice_required=False,
    proposed_outcome="refuse",
    objection="邻居反映其家中有营运车辆",
    township_procedure=("临时救助（急难型）",),
)

# What a few transitions need that excludes another's: 转办 is for the departments' categories only, and
# 报县级审核 is the 急难型 route above the township's limit (先行救助 at or below it).
GOOD_FOR: dict[str, dict] = {
    "refer": {"township_procedure": ()},
    "referral_approved": {"township_procedure": ()},
    "escalate_to_county": {"amount_cents": 500_001},
    "review_missing_documents": {"documents_missing": ("户口簿",)},   # the one-time notice is for what is missing
}


def good(name: str) -> TransitionContext:
    """The passing context for ``name``, with the least privileged role that may do it."""
    return dataclasses.replace(GOOD, actor_role="supervisor" if name in SUPERVISOR_ONLY else "clerk",
                               **GOOD_FOR.get(name, {}))


ALL_PAIRS = [(s, name) for s in CaseStatus for name in EXPECTED]
VALID_PAIRS = [(s, name) for s, name in ALL_PAIRS if s in EXPECTED[name][0]]
INVALID_PAIRS = [(s, name) for s, name in ALL_PAIRS if s not in EXPECTED[name][0]]


# --------------------------------------------------------------- the statuses

def test_status_values_and_labels_exact() -> None:
    assert {s.value: s.label for s in CaseStatus} == {
        "pending_documents": "待补正",
        "township_review": "待乡镇审查",
        "accepted": "已受理",
        "not_accepted": "不予受理",
        "investigating": "调查中",
        "deliberation": "民主评议中",
        "in_notice": "公示中",
        "awaiting_decision": "待审核确认",
        "referred": "已转办",
        "emergency_aided": "已先行救助",
        "approved": "已办结（批准）",
        "refused": "已办结（不予批准）",
        "withdrawn": "已撤回",
    }
    assert set(CASE_STATUS_LABELS) == set(CaseStatus)


def test_initial_and_terminal_sets() -> None:
    assert INITIAL_STATUSES == {S.ACCEPTED, S.PENDING_DOCUMENTS, S.NOT_ACCEPTED, S.TOWNSHIP_REVIEW}
    assert TERMINAL_STATUSES == {S.NOT_ACCEPTED, S.APPROVED, S.REFUSED, S.WITHDRAWN}
    assert all(is_terminal(s) and s.is_terminal for s in TERMINAL_STATUSES)
    assert not any(is_terminal(s) for s in set(CaseStatus) - TERMINAL_STATUSES)


def test_what_a_village_assistant_sent_on_is_decided_by_the_township() -> None:
    clerk = TransitionContext(actor_role="clerk", reason="户籍不在本乡镇")
    assert {t.name for t in allowed_transitions(S.TOWNSHIP_REVIEW, clerk)} == {"review_accept", "review_refuse",
                                                                              "withdraw"}
    missing = dataclasses.replace(clerk, documents_missing=("户口簿",))
    assert {t.name for t in allowed_transitions(S.TOWNSHIP_REVIEW, missing)} == {
        "review_missing_documents", "review_refuse", "withdraw"}
    with pytest.raises(TransitionRefused) as exc:
        apply_transition(S.TOWNSHIP_REVIEW, "review_refuse", dataclasses.replace(clerk, reason=""))
    assert "请填写不予受理的理由" in exc.value.message
    for name in ("review_accept", "review_refuse", "review_missing_documents"):
        with pytest.raises(TransitionRefused) as exc:
            apply_transition(S.TOWNSHIP_REVIEW, name, dataclasses.replace(missing, actor_role="village_assistant"))
        assert exc.value.code == "role"


def test_table_matches_specification() -> None:
    assert set(TRANSITIONS_BY_NAME) == set(EXPECTED)
    assert len(TRANSITIONS) == len(EXPECTED)
    for t in TRANSITIONS:
        assert isinstance(t, Transition)
        assert (set(t.sources), t.target) == EXPECTED[t.name]
        assert any("\u4e00" <= c <= "\u9fff" for c in t.label_zh)
    assert len({t.label_zh for t in TRANSITIONS}) == len(TRANSITIONS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        TRANSITIONS[0].target = S.APPROVED  # type: ignore[misc]


# ------------------------------------------------------------- valid moves

@pytest.mark.parametrize(("status", "name"), VALID_PAIRS, ids=[f"{s}-{n}" for s, n in VALID_PAIRS])
def test_every_transition_from_every_source(status: CaseStatus, name: str) -> None:
    ctx = good(name)
    assert apply_transition(status, name, ctx) is EXPECTED[name][1]
    assert apply_transition(status.value, name, ctx) is EXPECTED[name][1]
    assert TRANSITIONS_BY_NAME[name] in allowed_transitions(status, ctx)
    assert TRANSITIONS_BY_NAME[name] in available_transitions(status)


# ----------------------------------------------------------- invalid moves

@pytest.mark.parametrize(("status", "name"), INVALID_PAIRS, ids=[f"{s}-{n}" for s, n in INVALID_PAIRS])
def test_every_pair_outside_the_table_is_refused(status: CaseStatus, name: str) -> None:
    with pytest.raises(TransitionRefused) as exc:
        apply_transition(status, name, good(name))
    t = TRANSITIONS_BY_NAME[name]
    assert exc.value.code == "wrong_status"
    assert exc.value.message == f"当前状态“{status.label}”不能执行“{t.label_zh}”"
    assert t not in available_transitions(status)
    assert t not in allowed_transitions(status, GOOD)


def test_wrong_source_message_example() -> None:
    with pytest.raises(TransitionRefused) as exc:
        apply_transition(S.WITHDRAWN, "complete_documents", GOOD)
    assert str(exc.value) == "当前状态“已撤回”不能执行“受理补正完成”"


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
def test_terminal_states_have_no_way_out(status: CaseStatus) -> None:
    assert available_transitions(status) == []
    for role in Role:
        assert allowed_transitions(status, dataclasses.replace(GOOD, actor_role=role.value)) == []
    for name in EXPECTED:
        with pytest.raises(TransitionRefused):
            apply_transition(status, name, GOOD)


def test_unknown_transition_and_status() -> None:
    with pytest.raises(TransitionRefused) as exc:
        apply_transition(S.ACCEPTED, "teleport", GOOD)
    assert exc.value.code == "unknown_transition" and "teleport" in exc.value.message
    with pytest.raises(TransitionRefused) as exc:
        apply_transition("limbo", "approve", GOOD)
    assert exc.value.code == "unknown_status"
    with pytest.raises(TransitionRefused):
        available_transitions("limbo")


# -------------------------------------------------------------------- roles

@pytest.mark.parametrize(("status", "name"), VALID_PAIRS, ids=[f"{s}-{n}" for s, n in VALID_PAIRS])
@pytest.mark.parametrize("role", ["village_assistant", "auditor", "admin", "nobody"])
def test_roles_that_may_move_nothing(status: CaseStatus, name: str, role: str) -> None:
    ctx = dataclasses.replace(good(name), actor_role=role)
    with pytest.raises(TransitionRefused) as exc:
        apply_transition(status, name, ctx)
    assert exc.value.code == "role"
    assert allowed_transitions(status, ctx) == []


@pytest.mark.parametrize("name", sorted(SUPERVISOR_ONLY))
def test_clerk_may_not_decide(name: str) -> None:
    status = next(iter(EXPECTED[name][0]))
    ctx = dataclasses.replace(good(name), actor_role="clerk")
    with pytest.raises(TransitionRefused) as exc:
        apply_transition(status, name, ctx)
    assert exc.value.code == "role"
    assert exc.value.message == f"当前角色“经办人”无权执行“{TRANSITIONS_BY_NAME[name].label_zh}”"


def test_village_assistant_message() -> None:
    with pytest.raises(TransitionRefused) as exc:
        apply_transition(S.ACCEPTED, "start_investigation", dataclasses.replace(GOOD, actor_role="village_assistant"))
    assert exc.value.message == "当前角色“村协理员”无权执行“开始调查”"


def test_allowed_for_clerk_excludes_decisions() -> None:
    clerk = dataclasses.replace(GOOD, actor_role="clerk")
    assert {t.name for t in allowed_transitions(S.AWAITING_DECISION, clerk)} == {
        "return_for_reinvestigation", "withdraw"}
    supervisor = dataclasses.replace(GOOD, actor_role="supervisor")
    assert {t.name for t in allowed_transitions(S.AWAITING_DECISION, supervisor)} == {
        "return_for_reinvestigation", "withdraw", "approve", "refuse"}
    assert "grant_emergency_aid" not in {t.name for t in allowed_transitions(S.ACCEPTED, clerk)}


# ------------------------------------------------------------------- guards

GUARD_FAILURES: list[tuple[str, dict, str]] = [
    ("complete_documents", {"documents_missing": ("户口簿", "残疾证")}, "仍缺少材料：户口簿、残疾证"),
    ("complete_documents", {"documents_missing": (" ",)}, "未补齐"),
    ("reject_intake", {"reason": ""}, "不予受理的理由"),
    ("reject_intake", {"reason": "  \n"}, "不予受理的理由"),
    ("grant_emergency_aid", {"emergency": False}, "不是急难型"),
    ("grant_emergency_aid", {"amount_cents": None}, "金额"),
    ("grant_emergency_aid", {"amount_cents": 0}, "须大于0"),
    ("grant_emergency_aid", {"amount_cents": -100}, "须大于0"),
    ("grant_emergency_aid", {"amount_cents": 500_001}, "超过乡镇审批限额5000.00元"),
    ("grant_emergency_aid", {"township_limit_cents": None}, "未设置乡镇先行救助审批限额"),
    ("grant_emergency_aid", {"township_procedure": ("临时救助（急难型）", "最低生活保障")}, "本案还申请了最低生活保障"),
    ("escalate_to_county", {"reason": ""}, "报县级审核的理由"),
    ("escalate_to_county", {"emergency": False}, "只用于超过乡镇审批限额的急难型先行救助"),
    ("escalate_to_county", {"amount_cents": None}, "请在“先行救助”中填写救助金额"),
    ("escalate_to_county", {"amount_cents": 500_000}, "未超过乡镇审批限额5000.00元"),
    ("escalate_to_county", {"township_procedure": ("临时救助（急难型）", "特困人员救助供养")}, "本案还申请了特困人员"),
    ("complete_emergency_paperwork", {"documents_missing": ("签字确认表",)}, "签字确认表"),
    ("complete_emergency_paperwork", {"township_procedure": ("最低生活保障",)}, "本案还申请了最低生活保障"),
    ("post_notice", {"home_visit_investigators": 1}, "尚缺：入户调查记录（须2名以上工作人员，已登记1人）"),
    ("post_notice", {"home_visit_investigators": 0}, "入户调查记录"),
    ("post_notice", {"investigation_missing": ("家庭经济状况核对报告", "民主评议记录")},
     "尚缺：家庭经济状况核对报告；民主评议记录"),
    ("post_notice", {"township_procedure": ()}, "由转办部门审批"),
    ("end_notice", {"investigation_missing": ("家庭经济状况核对报告",)}, "尚缺：家庭经济状况核对报告"),
    ("submit_for_decision", {"township_procedure": ()}, "由转办部门审批"),
    ("submit_for_decision", {"min_home_visit_investigators": 3}, "须3名以上工作人员，已登记2人"),
    ("approve", {"home_visit_investigators": 0}, "尚缺：入户调查记录"),
    ("approve", {"investigation_missing": ("民主评议记录",)}, "尚缺：民主评议记录"),
    ("approve", {"township_procedure": ()}, "由转办部门审批"),
    ("approve", {"notice_required": True, "last_transition": "submit_for_decision"}, "按政策须公示"),
    ("approve", {"emergency": False, "last_transition": "escalate_to_county", "home_visit_investigators": 0},
     "尚缺：入户调查记录"),
    ("approve", {"last_transition": "escalate_to_county",
                 "township_procedure": ("临时救助（急难型）", "最低生活保障")}, "本案还申请了最低生活保障"),
    ("referral_approved", {"township_procedure": ("最低生活保障",)}, "由乡镇初审、县级审核确认"),
    ("object", {"objection": " "}, "异议内容"),
    ("end_notice", {"notice_period_ended": False}, "公示期尚未结束"),
    ("end_notice", {"open_objections": 2}, "尚有2条异议未处理"),
    ("submit_for_decision", {"home_visit_investigators": 1}, "入户调查"),
    ("submit_for_decision", {"notice_required": True, "proposed_outcome": "approve"}, "须先公示"),
    ("submit_for_decision", {"notice_required": True, "proposed_outcome": None}, "须先公示"),
    ("return_for_reinvestigation", {"reason": ""}, "退回理由"),
    ("refuse", {"reason": ""}, "不予批准的理由"),
    ("referral_refused", {"reason": ""}, "不予批准的理由"),
    ("referral_returned", {"reason": ""}, "退回理由"),
    ("referral_approved", {"open_referrals": 1}, "未反馈办理结果"),
    ("referral_approved", {"concluded_referrals": 0}, "尚无转办部门反馈"),
    ("referral_refused", {"concluded_referrals": 0}, "尚无转办部门反馈"),
    ("withdraw", {"reason": ""}, "撤回理由"),
]


@pytest.mark.parametrize(("name", "changes", "fragment"), GUARD_FAILURES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(GUARD_FAILURES)])
def test_each_guard_failure_is_refused_with_its_reason(name: str, changes: dict, fragment: str) -> None:
    ctx = dataclasses.replace(good(name), **changes)
    t = TRANSITIONS_BY_NAME[name]
    for status in EXPECTED[name][0]:
        with pytest.raises(TransitionRefused) as exc:
            apply_transition(status, name, ctx)
        assert exc.value.code == "guard"
        assert exc.value.message.startswith(f"不能执行“{t.label_zh}”：")
        assert fragment in exc.value.message
        assert exc.value.reasons and all(r in exc.value.message for r in exc.value.reasons)
        assert t not in allowed_transitions(status, ctx)


def test_all_guard_failures_reported_together() -> None:
    ctx = dataclasses.replace(good("end_notice"), notice_period_ended=False, open_objections=1)
    with pytest.raises(TransitionRefused) as exc:
        apply_transition(S.IN_NOTICE, "end_notice", ctx)
    assert exc.value.reasons == ("公示期尚未结束", "尚有1条异议未处理")


def test_amount_equal_to_limit_is_allowed() -> None:
    ctx = dataclasses.replace(good("grant_emergency_aid"), amount_cents=500_000)
    assert apply_transition(S.ACCEPTED, "grant_emergency_aid", ctx) is S.EMERGENCY_AIDED


def test_submit_for_decision_with_notice_required_but_proposed_refusal() -> None:
    ctx = dataclasses.replace(good("submit_for_decision"), notice_required=True, proposed_outcome="refuse")
    assert apply_transition(S.INVESTIGATING, "submit_for_decision", ctx) is S.AWAITING_DECISION
    ctx = dataclasses.replace(ctx, notice_required=False, proposed_outcome="approve")
    assert apply_transition(S.INVESTIGATING, "submit_for_decision", ctx) is S.AWAITING_DECISION


def test_approve_after_the_notice_and_on_the_county_emergency_route() -> None:
    """批准 of a noticed case needs the notice to have ended; the 急难型 case reported above the township
    limit is the county approving the 先行救助, allowed before the investigation (the law's exception)."""
    noticed = dataclasses.replace(good("approve"), notice_required=True, last_transition="end_notice")
    assert apply_transition(S.AWAITING_DECISION, "approve", noticed) is S.APPROVED
    county = dataclasses.replace(good("approve"), home_visit_investigators=0, notice_required=True,
                                 investigation_missing=("家庭经济状况核对报告",), last_transition="escalate_to_county")
    assert apply_transition(S.AWAITING_DECISION, "approve", county) is S.APPROVED


def test_approve_needs_no_reason() -> None:
    ctx = dataclasses.replace(good("approve"), reason="")
    assert apply_transition(S.AWAITING_DECISION, "approve", ctx) is S.APPROVED


def test_empty_context_allows_only_unguarded_clerk_moves() -> None:
    bare = TransitionContext(actor_role="clerk")
    assert {t.name for t in allowed_transitions(S.ACCEPTED, bare)} == {"start_investigation", "refer"}
    assert {t.name for t in allowed_transitions(S.INVESTIGATING, bare)} == {"start_deliberation"}
    assert {t.name for t in allowed_transitions(S.PENDING_DOCUMENTS, bare)} == {"complete_documents"}


# ------------------------------------------------------------------ the graph

def test_every_status_is_reachable_and_every_live_status_can_finish() -> None:
    edges = {s: {t.target for t in available_transitions(s)} for s in CaseStatus}
    seen = set(INITIAL_STATUSES)
    queue = deque(INITIAL_STATUSES)
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    assert seen == set(CaseStatus)
    for s in set(CaseStatus) - TERMINAL_STATUSES:
        assert edges[s], s
        assert S.WITHDRAWN in edges[s]


def test_typical_dibao_path_with_objection() -> None:
    clerk, boss = good("start_investigation"), good("approve")
    s = apply_transition(S.PENDING_DOCUMENTS, "complete_documents", clerk)
    s = apply_transition(s, "start_investigation", clerk)
    s = apply_transition(s, "post_notice", clerk)
    s = apply_transition(s, "object", clerk)
    s = apply_transition(s, "start_deliberation", clerk)
    s = apply_transition(s, "post_notice", clerk)
    s = apply_transition(s, "end_notice", clerk)
    assert s is S.AWAITING_DECISION
    assert apply_transition(s, "approve", boss) is S.APPROVED


def test_township_procedure_categories_are_not_referred() -> None:
    """低保 and the like go through the township's own procedure (初审, then 审核确认): no 转办."""
    ctx = TransitionContext(actor_role="clerk", township_procedure=("最低生活保障",))
    assert {t.name for t in allowed_transitions(S.ACCEPTED, ctx)} == {"start_investigation"}
    with pytest.raises(TransitionRefused) as exc:
        apply_transition(S.ACCEPTED, "refer", ctx)
    assert exc.value.code == "guard"
    assert "最低生活保障由乡镇初审、县级审核确认" in exc.value.reasons[0]
