"""Case state machine (案件状态流转).

A case starts at intake in one of ``INITIAL_STATUSES``: 已受理 (complete),
待补正 (documents missing — the one-time notice was printed) or 不予受理
(clearly ineligible) — or, taken by a village assistant, 待乡镇审查: the
assistant cannot accept or refuse in the township's name, so it sends the
application on with a note, and a township clerk accepts it (受理), asks for
what is missing (一次性告知书) or refuses it (不予受理). From there it moves only by named transitions. Each
transition has its source statuses, one target, the permission it needs and
a guard: a pure function of a frozen ``TransitionContext`` that returns the
reasons (Chinese) why it may not happen now — empty when it may.

Every way into 公示中 / 待审核确认 / 已办结（批准） checks what the case's policy
requires (:func:`investigation_missing`: the home visit, the economic check,
民主评议 — named as the 调查核实 tab names them), and 批准 rechecks it rather
than trusting the way the case came; 报县级审核 is only the 急难型 route above
the township's limit (先行救助 before the investigation is lawful; docs/
ARCHITECTURE.md has the table and the reasons).

Roles come from ``desktop.domain.roles``: only roles holding
``transition_case`` move cases (clerk, supervisor); deciding a case
(批准/不予批准) and emergency aid (先行救助) need ``decide_case`` /
``approve_emergency`` (supervisor only). Village assistants, auditors and
admins move nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from desktop.domain.categories import Category
from desktop.domain.roles import Permission, has_permission, parse_role

from .errors import YimenError

__all__ = [
    "CASE_STATUS_LABELS",
    "INITIAL_STATUSES",
    "MIN_HOME_VISIT_INVESTIGATORS",
    "TERMINAL_STATUSES",
    "TRANSITIONS",
    "TRANSITIONS_BY_NAME",
    "CaseStatus",
    "Transition",
    "TransitionContext",
    "TransitionRefused",
    "allowed_transitions",
    "apply_transition",
    "available_transitions",
    "home_visit_missing",
    "investigation_missing",
    "is_terminal",
]

MIN_HOME_VISIT_INVESTIGATORS = 2   # only the default of the context; the workflow fills in the policy's number


class CaseStatus(StrEnum):
    PENDING_DOCUMENTS = "pending_documents"
    TOWNSHIP_REVIEW = "township_review"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    INVESTIGATING = "investigating"
    DELIBERATION = "deliberation"
    IN_NOTICE = "in_notice"
    AWAITING_DECISION = "awaiting_decision"
    REFERRED = "referred"
    EMERGENCY_AIDED = "emergency_aided"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return CASE_STATUS_LABELS[self]

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


S = CaseStatus

CASE_STATUS_LABELS: dict[CaseStatus, str] = {
    S.PENDING_DOCUMENTS: "待补正",
    S.TOWNSHIP_REVIEW: "待乡镇审查",
    S.ACCEPTED: "已受理",
    S.NOT_ACCEPTED: "不予受理",
    S.INVESTIGATING: "调查中",
    S.DELIBERATION: "民主评议中",
    S.IN_NOTICE: "公示中",
    S.AWAITING_DECISION: "待审核确认",
    S.REFERRED: "已转办",
    S.EMERGENCY_AIDED: "已先行救助",
    S.APPROVED: "已办结（批准）",
    S.REFUSED: "已办结（不予批准）",
    S.WITHDRAWN: "已撤回",
}

INITIAL_STATUSES: frozenset[CaseStatus] = frozenset({S.ACCEPTED, S.PENDING_DOCUMENTS, S.NOT_ACCEPTED,
                                                     S.TOWNSHIP_REVIEW})
TERMINAL_STATUSES: frozenset[CaseStatus] = frozenset({S.NOT_ACCEPTED, S.APPROVED, S.REFUSED, S.WITHDRAWN})


def is_terminal(status: CaseStatus | str) -> bool:
    return CaseStatus(status) in TERMINAL_STATUSES


@dataclass(frozen=True)
class TransitionContext:
    """Everything a guard may look at. Built by the service layer from the case and the form."""

    actor_role: str
    reason: str = ""
    documents_missing: tuple[str, ...] = ()
    emergency: bool = False
    amount_cents: int | None = None
    township_limit_cents: int | None = None
    home_visit_investigators: int = 0
    min_home_visit_investigators: int = MIN_HOME_VISIT_INVESTIGATORS   # policy home_visit_min_investigators
    notice_period_ended: bool = False
    open_objections: int = 0
    notice_required: bool = True
    proposed_outcome: Literal["approve", "refuse"] | None = None
    objection: str = ""
    open_referrals: int = 0                         # referrals still waiting for a department's result
    concluded_referrals: int = 0                    # referrals a department has answered (已办结)
    investigation_missing: tuple[str, ...] = ()     # what policy requires recorded before notice/decision,
                                                    # beyond the home visit (the same words as the 尚缺 line)
    township_procedure: tuple[str, ...] = ()        # the case's categories the township carries itself (labels)
    last_transition: str = ""                       # the move that brought the case to its status ("intake"…)


Guard = Callable[[TransitionContext], tuple[str, ...]]


class TransitionRefused(YimenError, ValueError):
    """``code``: "unknown_transition", "unknown_status", "wrong_status", "role" or "guard"."""

    def __init__(self, code: str, message: str, reasons: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reasons = reasons


@dataclass(frozen=True)
class Transition:
    name: str
    label_zh: str
    sources: frozenset[CaseStatus]
    target: CaseStatus
    guard: Guard
    permission: Permission = Permission.TRANSITION_CASE

    def role_problem(self, actor_role: str) -> str | None:
        role = parse_role(actor_role)
        if role is None:
            return f"未知角色“{actor_role}”，不能办理案件"
        if has_permission(role, Permission.TRANSITION_CASE) and has_permission(role, self.permission):
            return None
        return f"当前角色“{role.label}”无权执行“{self.label_zh}”"

    def problems(self, ctx: TransitionContext) -> tuple[str, ...]:
        """Why this transition may not happen now (role first, then the guard)."""
        role = self.role_problem(ctx.actor_role)
        if role is not None:
            return (role,)
        return self.guard(ctx)


# --------------------------------------------------------------------- guards

Check = Callable[[TransitionContext], str | None]


def _guard(*checks: Check) -> Guard:
    def guard(ctx: TransitionContext) -> tuple[str, ...]:
        return tuple(msg for check in checks if (msg := check(ctx)) is not None)

    return guard


def _reason(what: str) -> Check:
    def check(ctx: TransitionContext) -> str | None:
        return None if ctx.reason.strip() else f"请填写{what}"

    return check


def _documents_complete(ctx: TransitionContext) -> str | None:
    if not ctx.documents_missing:
        return None
    missing = [d.strip() for d in ctx.documents_missing if d.strip()]
    return f"仍缺少材料：{'、'.join(missing)}" if missing else "仍有材料未补齐"


def _documents_missing(ctx: TransitionContext) -> str | None:
    return None if ctx.documents_missing else "材料已齐全，无需出具一次性告知书"


def home_visit_missing(investigators: int, least: int) -> str | None:
    """The 尚缺 item for the home visit (the investigation tab and the guards say it in these words)."""
    return None if investigators >= least else f"入户调查记录（须{least}名以上工作人员，已登记{investigators}人）"


def investigation_missing(ctx: TransitionContext) -> tuple[str, ...]:
    """Everything the policy requires recorded before 公示 or 审核确认 that the case still lacks."""
    visit = home_visit_missing(ctx.home_visit_investigators, ctx.min_home_visit_investigators)
    rest = tuple(m.strip() for m in ctx.investigation_missing if m.strip())
    return ((visit,) if visit else ()) + rest


def _investigation_complete(ctx: TransitionContext) -> str | None:
    missing = investigation_missing(ctx)
    return f"尚缺：{'；'.join(missing)}" if missing else None


def _township_decides(ctx: TransitionContext) -> str | None:
    """Only the township procedure's categories (低保、特困、临时救助…) go to 公示 and 审核确认 at the
    township; the others are decided by the department they are referred to."""
    if any(x.strip() for x in ctx.township_procedure):
        return None
    return "本案的救助类别由转办部门审批，不经乡镇公示和审核确认：请“转办”，按部门办理结果办结"


def _emergency_only(ctx: TransitionContext) -> str | None:
    """先行救助 settles only the 急难型 temporary assistance; other township-procedure categories of the case
    (低保…) need their own investigation, notice and decision, which the emergency route skips."""
    others = [x.strip() for x in ctx.township_procedure if x.strip() and x.strip() != _EMERGENCY_LABEL]
    if not others:
        return None
    return (f"本案还申请了{'、'.join(others)}，须按其程序调查核实、公示后审核确认，不能随先行救助办理；"
            f"请将{_EMERGENCY_LABEL}另行受理")


def _county_emergency(ctx: TransitionContext) -> str | None:
    """报县级审核 is the emergency route above the township's limit: the county approves the 先行救助."""
    if not ctx.emergency:
        return ("报县级审核只用于超过乡镇审批限额的急难型先行救助；"
                "其他案件调查核实后“提交审核确认”，须公示的公示期满后报审")
    amount, limit = ctx.amount_cents, ctx.township_limit_cents
    if amount is None or amount <= 0:
        return "请在“先行救助”中填写救助金额：超过乡镇审批限额的报县级审批"
    if limit is not None and amount <= limit:
        return f"救助金额{_yuan(amount)}元未超过乡镇审批限额{_yuan(limit)}元，由乡镇审核人批准先行救助"
    return None


def _came_by_county_emergency(ctx: TransitionContext) -> bool:
    return ctx.emergency and ctx.last_transition == "escalate_to_county"


def _noticed_if_required(ctx: TransitionContext) -> str | None:
    if not ctx.notice_required or ctx.last_transition == "end_notice":
        return None
    return "按政策须公示：本案未经公示期满提交审核（拟不予批准），不能批准；如拟批准请退回重新调查后公示"


def _decidable(ctx: TransitionContext) -> tuple[str, ...]:
    """批准 rechecks what the policy requires (defence in depth: the investigation may have become
    incomplete since it was submitted). A 急难型 case the township reported above its limit is the county's
    approval of the 先行救助, which the law allows before the investigation."""
    if _came_by_county_emergency(ctx):
        checks: tuple[Check, ...] = (_emergency_only,)
    else:
        checks = (_township_decides, _investigation_complete, _noticed_if_required)
    return tuple(msg for check in checks if (msg := check(ctx)) is not None)


def _referrals_concluded(ctx: TransitionContext) -> str | None:
    n = ctx.open_referrals
    if n > 0:
        return f"尚有{n}个转办部门未反馈办理结果"
    return None if ctx.concluded_referrals > 0 else "尚无转办部门反馈办理结果，不能按转办结果办结"


def _not_township_procedure(ctx: TransitionContext) -> str | None:
    labels = [x.strip() for x in ctx.township_procedure if x.strip()]
    if not labels:
        return None
    return (f"{'、'.join(labels)}由乡镇初审、县级审核确认，案件不整体转办"
            "（其他类别的转办在“转办与时限”中转出）")


_EMERGENCY_LABEL = Category.TEMP_EMERGENCY.label


def _is_emergency(ctx: TransitionContext) -> str | None:
    return None if ctx.emergency else "该申请不是急难型临时救助，不能先行救助"


def _yuan(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else f"-{_yuan(-cents)}"


def _amount_within_limit(ctx: TransitionContext) -> str | None:
    amount, limit = ctx.amount_cents, ctx.township_limit_cents
    if amount is None or amount <= 0:
        return "请填写先行救助金额（须大于0）"
    if limit is None:
        return "未设置乡镇先行救助审批限额，请先在政策设置中维护"
    if amount > limit:
        return f"救助金额{_yuan(amount)}元超过乡镇审批限额{_yuan(limit)}元，须报县级审批"
    return None


def _objection_text(ctx: TransitionContext) -> str | None:
    return None if ctx.objection.strip() else "请填写异议内容"


def _notice_over(ctx: TransitionContext) -> str | None:
    return None if ctx.notice_period_ended else "公示期尚未结束"


def _no_open_objections(ctx: TransitionContext) -> str | None:
    n = ctx.open_objections
    return None if n <= 0 else f"尚有{n}条异议未处理"


def _notice_not_needed(ctx: TransitionContext) -> str | None:
    if not ctx.notice_required or ctx.proposed_outcome == "refuse":
        return None
    return "按政策须先公示：拟批准的申请不能跳过公示直接提交审核"


# ---------------------------------------------------------------- the table

_NON_TERMINAL = frozenset(set(CaseStatus) - TERMINAL_STATUSES)


def _t(
    name: str,
    label: str,
    sources: set[CaseStatus] | frozenset[CaseStatus],
    target: CaseStatus,
    *checks: Check,
    permission: Permission = Permission.TRANSITION_CASE,
) -> Transition:
    return Transition(name, label, frozenset(sources), target, _guard(*checks), permission)


TRANSITIONS: tuple[Transition, ...] = (
    _t("complete_documents", "受理补正完成", {S.PENDING_DOCUMENTS}, S.ACCEPTED, _documents_complete),
    _t("reject_intake", "不予受理", {S.PENDING_DOCUMENTS}, S.NOT_ACCEPTED, _reason("不予受理的理由")),
    # 待乡镇审查: what a village assistant sent on, decided by the township
    _t("review_accept", "乡镇受理", {S.TOWNSHIP_REVIEW}, S.ACCEPTED, _documents_complete),
    _t("review_missing_documents", "乡镇出具一次性告知书", {S.TOWNSHIP_REVIEW}, S.PENDING_DOCUMENTS, _documents_missing),
    _t("review_refuse", "乡镇不予受理", {S.TOWNSHIP_REVIEW}, S.NOT_ACCEPTED, _reason("不予受理的理由")),
    _t("start_investigation", "开始调查", {S.ACCEPTED}, S.INVESTIGATING),
    _t("refer", "转办", {S.ACCEPTED}, S.REFERRED, _not_township_procedure),
    _t(
        "grant_emergency_aid", "先行救助", {S.ACCEPTED}, S.EMERGENCY_AIDED,
        _is_emergency, _emergency_only, _amount_within_limit, permission=Permission.APPROVE_EMERGENCY,
    ),
    _t("escalate_to_county", "报县级审核", {S.ACCEPTED}, S.AWAITING_DECISION,
       _reason("报县级审核的理由"), _county_emergency, _emergency_only),
    _t("complete_emergency_paperwork", "补办先行救助手续", {S.EMERGENCY_AIDED}, S.APPROVED,
       _documents_complete, _emergency_only),
    _t("start_deliberation", "开始民主评议", {S.INVESTIGATING}, S.DELIBERATION),
    _t("post_notice", "张榜公示", {S.INVESTIGATING, S.DELIBERATION}, S.IN_NOTICE, _township_decides,
       _investigation_complete),
    _t("object", "登记异议", {S.IN_NOTICE}, S.INVESTIGATING, _objection_text),
    _t("withdraw_notice", "撤回公示", {S.IN_NOTICE}, S.INVESTIGATING, _reason("撤回公示的理由")),
    _t("end_notice", "公示期满", {S.IN_NOTICE}, S.AWAITING_DECISION, _notice_over, _no_open_objections,
       _investigation_complete),
    _t("submit_for_decision", "提交审核确认", {S.INVESTIGATING, S.DELIBERATION}, S.AWAITING_DECISION,
       _township_decides, _investigation_complete, _notice_not_needed),
    _t("return_for_reinvestigation", "退回重新调查", {S.AWAITING_DECISION}, S.INVESTIGATING,
       _reason("退回理由")),
    Transition("approve", "批准", frozenset({S.AWAITING_DECISION}), S.APPROVED, _decidable,
               Permission.DECIDE_CASE),
    _t("refuse", "不予批准", {S.AWAITING_DECISION}, S.REFUSED, _reason("不予批准的理由"),
       permission=Permission.DECIDE_CASE),
    _t("referral_approved", "转办结果：批准", {S.REFERRED}, S.APPROVED, _referrals_concluded,
       _not_township_procedure),
    _t("referral_refused", "转办结果：不予批准", {S.REFERRED}, S.REFUSED, _reason("不予批准的理由"),
       _referrals_concluded),
    _t("referral_returned", "转办退回", {S.REFERRED}, S.ACCEPTED, _reason("退回理由")),
    _t("withdraw", "撤回申请", _NON_TERMINAL, S.WITHDRAWN, _reason("撤回理由")),
)

TRANSITIONS_BY_NAME: dict[str, Transition] = {t.name: t for t in TRANSITIONS}


# ------------------------------------------------------------------------ API

def _status(status: CaseStatus | str) -> CaseStatus:
    try:
        return CaseStatus(status)
    except ValueError:
        raise TransitionRefused("unknown_status", f"未知的案件状态：{status}") from None


def available_transitions(status: CaseStatus | str) -> list[Transition]:
    """Transitions whose source includes ``status`` (guards and roles not checked)."""
    s = _status(status)
    return [t for t in TRANSITIONS if s in t.sources]


def allowed_transitions(status: CaseStatus | str, ctx: TransitionContext) -> list[Transition]:
    """Transitions the actor may perform now from ``status``."""
    return [t for t in available_transitions(status) if not t.problems(ctx)]


def apply_transition(status: CaseStatus | str, name: str, ctx: TransitionContext) -> CaseStatus:
    """The status after transition ``name``; raise TransitionRefused (Chinese message) otherwise."""
    s = _status(status)
    t = TRANSITIONS_BY_NAME.get(name)
    if t is None:
        raise TransitionRefused("unknown_transition", f"未知的操作：{name}")
    if s not in t.sources:
        raise TransitionRefused("wrong_status", f"当前状态“{s.label}”不能执行“{t.label_zh}”")
    role = t.role_problem(ctx.actor_role)
    if role is not None:
        raise TransitionRefused("role", role, (role,))
    reasons = t.guard(ctx)
    if reasons:
        raise TransitionRefused("guard", f"不能执行“{t.label_zh}”：" + "；".join(reasons), reasons)
    return t.target
