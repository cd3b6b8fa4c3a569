"""Emergency aid (急难型临时救助): help first (先行救助), paperwork afterwards.

:func:`grant` records one grant — amount, reason code (因病/因灾/意外事故/其他),
the person, the route — and moves the case in the same transaction:

- within the township limit (policy ``emergency.township_approval_limit_cents``)
  a township supervisor approves on the spot: transition ``grant_emergency_aid``
  (permission ``approve_emergency``), which opens the ``emergency_paperwork``
  clock. A clerk at the window may have the supervisor confirm with the
  supervisor's own user name and password (:class:`SupervisorConfirmation`),
  checked through that supervisor's key slot — failures count towards the
  supervisor's lockout exactly as at sign-in; the grant then records the
  supervisor as the approver and the clerk as the one who keyed it in.
- above it the case goes to the county: transition ``escalate_to_county``
  with the amount and reason in its reason text (``county_confirm`` clock);
  the grant is recorded with no approver yet.

Same person, same reason within ``emergency.same_reason_window_days``: a
warning, not a block — the grant is refused with :class:`RepeatNotAcknowledged`
until the form says it was acknowledged; the grant then records which earlier
grant it repeats and who acknowledged. The person is matched by ``id_hash``,
so the same person in another household is found too.

:func:`complete_paperwork` applies ``complete_emergency_paperwork`` (documents
must be complete), closes the paperwork clock and stamps the grant.

Both move the case through the workflow (:func:`desktop.services.workflow.
transitions.transition_in`), which builds the guard facts (documents, the
township limit in force on the day) and writes the status, its history,
audit event, outbox item and clocks; this module adds only what it alone
knows — the amount and reason, and the supervisor who confirmed.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.case_number import format_case_number
from desktop.domain.case_state import CaseStatus, TransitionRefused
from desktop.domain.investigation import EmergencyReason, EmergencyRoute
from desktop.domain.policy import EmergencyRules
from desktop.domain.roles import Permission, Role, has_permission, parse_role
from desktop.domain.text_rules import TextKind
from desktop.domain.text_rules import clean as clean_text
from desktop.domain.text_rules import problem as text_problem
from desktop.services.errors import InvalidInput, NotFound, ServiceError
from desktop.services.session import AppSession
from desktop.services.workflow import transitions as workflow
from desktop.services.workflow.transitions import Approver, CallerFacts, TransitionInput
from desktop.store import audit, outbox
from desktop.store.errors import StoreError
from desktop.store.models import Case, Person, User
from desktop.store.models_investigation import EmergencyGrant
from sync import events as ev

__all__ = [
    "MAX_GRANT_CENTS", "EmergencyFacts", "GrantInfo", "GrantInput", "GrantResult", "PreviousGrant",
    "RepeatNotAcknowledged", "SupervisorConfirmation", "complete_paperwork", "facts", "grant", "grants",
]

MAX_GRANT_CENTS = 100_000_00   # 100,000 元: anything above is a typing error, not a township decision
MAX_NOTE = 500


@dataclass(frozen=True)
class GrantInput:
    amount_cents: int
    reason: EmergencyReason | str
    note: str = ""
    acknowledge_repeat: bool = False   # the repeat warning was shown and read


@dataclass(frozen=True)
class SupervisorConfirmation:
    """A supervisor confirming on the clerk's screen with their own password."""

    username: str
    password: str


@dataclass(frozen=True)
class PreviousGrant:
    uuid: str
    case_number_display: str
    granted_on: date
    amount_cents: int
    reason: EmergencyReason
    route_label: str


@dataclass(frozen=True)
class EmergencyFacts:
    """What the 先行救助 dialog shows before anything is entered."""

    case_uuid: str
    case_number_display: str
    person_name: str
    status: str
    can_grant_now: bool              # an emergency case in 已受理
    problem: str                     # why not, when it cannot
    limit_cents: int
    window_days: int
    relief_within_hours: int
    user_can_approve: bool           # the signed-in user is a supervisor
    previous: tuple[PreviousGrant, ...]   # this person's grants within the window, any reason

    def repeats(self, reason: EmergencyReason | str) -> tuple[PreviousGrant, ...]:
        r = EmergencyReason(reason)
        return tuple(p for p in self.previous if p.reason is r)


@dataclass(frozen=True)
class GrantResult:
    grant_uuid: str
    route: EmergencyRoute
    status: CaseStatus
    approved_by: str | None
    repeat_of: str | None


@dataclass(frozen=True)
class GrantInfo:
    uuid: str
    granted_on: date
    amount_cents: int
    reason_label: str
    note: str
    route_label: str
    approved_by: str
    recorded_by: str
    repeat_acknowledged_by: str
    paperwork_completed_at: datetime | None


class RepeatNotAcknowledged(InvalidInput):
    """The same person had aid for the same reason within the window; the form must acknowledge it."""

    def __init__(self, message: str, previous: tuple[PreviousGrant, ...]) -> None:
        super().__init__(message, "acknowledge_repeat")
        self.previous = previous


def _yuan(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _rules(case: Case, on: date) -> EmergencyRules:
    from desktop.services.deadlines.planner import DeadlinePlanner  # noqa: PLC0415 (clocks loads the policy book)

    return DeadlinePlanner.of_record(case).policy_of(case, on).emergency


def _load(s: Session, case_uuid: str) -> tuple[Case, Person]:
    case = s.get(Case, case_uuid) if case_uuid else None
    if case is None:
        raise NotFound("找不到该案件。")
    person = s.get(Person, case.applicant_uuid)
    if person is None:
        raise NotFound("找不到该案件的申请人。")
    return case, person


def _previous(s: Session, person: Person, on: date, window_days: int) -> tuple[PreviousGrant, ...]:
    since = on - timedelta(days=window_days)
    rows = s.execute(select(EmergencyGrant, Case.case_number).join(Case, Case.uuid == EmergencyGrant.case_uuid)
                     .where(EmergencyGrant.id_hash == person.id_hash, EmergencyGrant.granted_on > since,
                            EmergencyGrant.granted_on <= on)
                     .order_by(EmergencyGrant.granted_on.desc(), EmergencyGrant.id.desc())).all()
    return tuple(PreviousGrant(g.uuid, format_case_number(number), g.granted_on, g.amount_cents,
                               EmergencyReason(g.reason_code), EmergencyRoute(g.route).label) for g, number in rows)


def _problem(case: Case) -> str:
    if not case.emergency:
        return "该申请不是急难型临时救助，不能先行救助。"
    if case.status != CaseStatus.ACCEPTED.value:
        return f"案件当前状态为“{CaseStatus(case.status).label}”，只有已受理的急难型案件才能先行救助。"
    return ""


def facts(session: AppSession, case_uuid: str, *, today: date | None = None) -> EmergencyFacts:
    session.require(Permission.VIEW_CASES)
    today = today or session.clock.today()
    with session.db.read() as s:
        case, person = _load(s, case_uuid)
        rules = _rules(case, today)
        problem = _problem(case)
        return EmergencyFacts(
            case_uuid=case.uuid, case_number_display=format_case_number(case.case_number), person_name=person.name,
            status=case.status, can_grant_now=not problem, problem=problem,
            limit_cents=rules.township_approval_limit_cents, window_days=rules.same_reason_window_days,
            relief_within_hours=rules.relief_within_hours,
            user_can_approve=session.can(Permission.APPROVE_EMERGENCY),
            previous=_previous(s, person, today, rules.same_reason_window_days))


def _confirm_supervisor(session: AppSession, who: SupervisorConfirmation) -> tuple[str, Role]:
    """Check a supervisor's password through their key slot; (user name, role)."""
    username = (who.username or "").strip()
    if not username or not who.password:
        raise InvalidInput("请审核人输入本人的用户名和密码确认。", "supervisor")
    with session.db.read() as s:
        user = s.scalar(select(User).where(User.username == username))
        role = parse_role(user.role) if user is not None else None
        active = user is not None and user.active
    if role is None or not active or not has_permission(role, Permission.APPROVE_EMERGENCY):
        raise InvalidInput("该用户不是审核人，不能批准先行救助。", "supervisor")
    try:
        key = session.db.keyslots.unlock(username, who.password, session.lockout)
    except StoreError as exc:
        raise InvalidInput(f"审核人确认未通过：{exc}", "supervisor") from None
    if not hmac.compare_digest(key, session.db.key):
        raise InvalidInput("审核人的密钥与本数据库不符，请该审核人重新设置密码。", "supervisor")
    return username, role


def _validate(form: GrantInput) -> tuple[int, EmergencyReason, str]:
    amount = form.amount_cents
    if type(amount) is not int or amount <= 0:
        raise InvalidInput("请填写先行救助金额（须大于0）。", "amount_cents")
    if amount > MAX_GRANT_CENTS:
        raise InvalidInput(f"先行救助金额不能超过{MAX_GRANT_CENTS // 100}元，请核对金额。", "amount_cents")
    try:
        reason = EmergencyReason(form.reason)
    except ValueError:
        raise InvalidInput("请选择救助事由：因病、因灾、意外事故或其他。", "reason") from None
    raw = form.note if isinstance(form.note, str) else ""
    if bad := text_problem(raw, TextKind.FREE_TEXT, "情况说明", MAX_NOTE):
        raise InvalidInput(bad, "note")
    note = clean_text(raw, TextKind.FREE_TEXT)
    if reason is EmergencyReason.OTHER and not note:
        raise InvalidInput("事由为“其他”时请写明具体情况。", "note")
    return amount, reason, note


def _approver(session: AppSession, route: EmergencyRoute, rules: EmergencyRules,
              supervisor: SupervisorConfirmation | None) -> tuple[str | None, Role]:
    """Who approves (None above the limit: the county) and the role the transition is checked under."""
    if route is EmergencyRoute.COUNTY:
        return None, session.user.role
    if session.can(Permission.APPROVE_EMERGENCY):
        return session.user.username, session.user.role
    if supervisor is None:
        raise InvalidInput(f"金额在乡镇审批限额（{_yuan(rules.township_approval_limit_cents)}元）内，"
                           "须由审核人当场批准：请审核人登录办理，或由审核人输入本人密码确认。", "supervisor")
    return _confirm_supervisor(session, supervisor)


def grant(session: AppSession, case_uuid: str, form: GrantInput, *, supervisor: SupervisorConfirmation | None = None,
          today: date | None = None) -> GrantResult:
    """先行救助 for an accepted emergency case: on the spot within the township limit, else to the county."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    amount, reason, note = _validate(form)
    with session.db.read() as s:
        case, _person = _load(s, case_uuid)
        if problem := _problem(case):
            raise InvalidInput(problem, "status")
        rules = _rules(case, today)
    route = EmergencyRoute.TOWNSHIP if amount <= rules.township_approval_limit_cents else EmergencyRoute.COUNTY
    approver, approver_role = _approver(session, route, rules, supervisor)
    with session.db.write() as s:
        case, person = _load(s, case_uuid)
        if problem := _problem(case):       # moved on since the read above
            raise InvalidInput(problem, "status")
        repeats = tuple(p for p in _previous(s, person, today, rules.same_reason_window_days) if p.reason is reason)
        if repeats and not form.acknowledge_repeat:
            last = repeats[0]
            raise RepeatNotAcknowledged(
                f"提示：{person.name}于{last.granted_on:%Y-%m-%d}已因“{reason.label}”获得先行救助"
                f"{_yuan(last.amount_cents)}元（案件{last.case_number_display}），在{rules.same_reason_window_days}天内"
                "同一事由原则上救助一次。如确需再次救助，请勾选“已知悉”并写明情况。", repeats)
        now = session.clock.now()
        text = f"先行救助{_yuan(amount)}元（{reason.label}）" + (f"：{note}" if note else "")
        if route is EmergencyRoute.TOWNSHIP:
            name = "grant_emergency_aid"
        else:
            text = (f"先行救助金额{_yuan(amount)}元超过乡镇审批限额{_yuan(rules.township_approval_limit_cents)}元，"
                    f"报县级审批（{reason.label}）" + (f"：{note}" if note else ""))
            name = "escalate_to_county"
        # the approver confirmed on this screen is the guard's role (approve_emergency); the county route has none
        confirmed = Approver(approver, approver_role) if approver is not None else None
        try:
            after = workflow.transition_in(s, session, case.uuid, name, TransitionInput(reason=text, amount_cents=amount),
                                           caller=CallerFacts(approver=confirmed), now=now, on_day=today)
        except TransitionRefused as exc:
            raise ServiceError(exc.message) from None
        row = EmergencyGrant(case_uuid=case.uuid, person_uuid=person.uuid, id_hash=person.id_hash,
                             amount_cents=amount, reason_code=reason.value, reason_note=note, route=route.value,
                             granted_on=today, approved_by=approver,
                             repeat_of_uuid=repeats[0].uuid if repeats else None,
                             warning_acknowledged_by=session.user.username if repeats else None,
                             recorded_by=session.user.username, recorded_at=now)
        s.add(row)
        s.flush()
        detail = {"grant_uuid": row.uuid, "case_number": case.case_number, "amount_cents": amount,
                  "reason": reason.value, "route": route.value, "granted_on": today.isoformat(),
                  "approved_by": approver, "repeat_of": row.repeat_of_uuid}
        audit.append_event(s, actor=session.user.username, action="emergency_aid_granted" if approver
                           else "emergency_aid_escalated", entity_type="case", entity_id=case.uuid, detail=detail)
        outbox.enqueue(s, ev.EmergencyGrantCreated(
            grant_uuid=row.uuid, case_uuid=case.uuid, case_number=case.case_number, person_uuid=person.uuid,
            amount_cents=amount, reason=reason.value, route=route.value, granted_on=today, approved_by=approver,
            repeat_of=row.repeat_of_uuid))
        return GrantResult(row.uuid, route, after, approver, row.repeat_of_uuid)


def complete_paperwork(session: AppSession, case_uuid: str) -> CaseStatus:
    """补办手续 after 先行救助: documents complete → the case is concluded and the paperwork clock met."""
    session.require(Permission.TRANSITION_CASE)
    with session.db.write() as s:
        case = s.get(Case, case_uuid) if case_uuid else None
        if case is None:
            raise NotFound("找不到该案件。")
        now = session.clock.now()
        try:
            after = workflow.transition_in(s, session, case.uuid, "complete_emergency_paperwork", now=now)
        except TransitionRefused as exc:
            raise InvalidInput(exc.message, "documents") from None
        for row in s.scalars(select(EmergencyGrant).where(EmergencyGrant.case_uuid == case.uuid,
                                                          EmergencyGrant.paperwork_completed_at.is_(None))):
            row.paperwork_completed_at = now
        return after


def grants(session: AppSession, case_uuid: str) -> list[GrantInfo]:
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        names = dict(s.execute(select(User.username, User.display_name)).all())
        rows = s.scalars(select(EmergencyGrant).where(EmergencyGrant.case_uuid == case_uuid)
                         .order_by(EmergencyGrant.recorded_at, EmergencyGrant.id)).all()
        case = s.get(Case, case_uuid)
        # a county-route grant is decided with the case (the county's result keyed in as 批准/不予批准)
        county = {CaseStatus.APPROVED.value: "县级已批准", CaseStatus.REFUSED.value: "县级不予批准"}.get(
            case.status if case is not None else "", "待县级审批")
        return [GrantInfo(r.uuid, r.granted_on, r.amount_cents, EmergencyReason(r.reason_code).label, r.reason_note,
                          EmergencyRoute(r.route).label,
                          names.get(r.approved_by, r.approved_by) if r.approved_by else county,
                          names.get(r.recorded_by, r.recorded_by),
                          names.get(r.warning_acknowledged_by, r.warning_acknowledged_by)
                          if r.warning_acknowledged_by else "", r.paperwork_completed_at) for r in rows]
