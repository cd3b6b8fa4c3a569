"""One case on the screen: household and members (IDs masked), documents, actions, timeline, prints.

The contact phone given with the application is shown in full to roles that may see full records
(``view_full_id``), masked (``139****5678``) to the others.

    detail = case_detail(session, case_uuid)                # needs view_cases
    number = reveal_id(session, member.person_uuid)          # needs view_full_id; audited every time
    apply_action(session, case_uuid, "withdraw", TransitionInput(reason="申请人书面撤回"))

ID numbers leave this module masked (last four characters) except through
:func:`reveal_id`, which writes an ``id_revealed`` audit event (the person's
record id, never the number) for every reveal — and a ``refused`` one when a
role without the right tries. The timeline merges the case's status changes
with its audit events (prints, voids, documents received, reveals of its
members), each told in Chinese: who, when, what.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import literal_column, or_, select
from sqlalchemy.orm import Session

from desktop.domain.case_number import format_case_number
from desktop.domain.case_state import TRANSITIONS_BY_NAME, CaseStatus
from desktop.domain.categories import Category
from desktop.domain.household import Channel, Health, HukouType, LabourCapacity, Relation, Sex
from desktop.domain.phone import mask_phone
from desktop.domain.policy import PolicyNotFound
from desktop.domain.roles import Permission, PermissionDenied
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.documents import data as docdata
from desktop.services.documents import issue as documents
from desktop.services.documents.issue import DocumentKind, PrintHistoryRow
from desktop.services.errors import NotFound
from desktop.services.masking import masked_id
from desktop.services.session import AppSession
from desktop.services.workflow import transitions as cases
from desktop.services.workflow.transitions import TransitionInput
from desktop.store import audit
from desktop.store.models import (
    AuditEvent,
    Case,
    CaseCategory,
    CaseDocument,
    Household,
    Person,
    StatusChange,
    User,
    Village,
)
from forms.idnumber import age_on, normalize_id

# Printable documents of a case (what the detail screen offers buttons for).
PRINT_RECEIPT = "receipt"
PRINT_MISSING = "missing_documents"
PRINT_REFUSAL = "refusal"
PRINT_AUTHORIZATION = "authorization"
PRINT_REFERRAL = "referral_slips"
PRINT_DECISION_REFUSAL = "decision_refusal"

# What an action asks for before it is applied: (input kind, Chinese label). Others take an optional note.
ACTION_INPUTS: dict[str, tuple[str, str]] = {
    "reject_intake": ("reason", "不予受理的理由"),
    "review_refuse": ("reason", "不予受理的理由"),
    "escalate_to_county": ("reason", "报县级审核的理由"),
    "return_for_reinvestigation": ("reason", "退回理由"),
    "refuse": ("reason", "不予批准的理由"),
    "referral_refused": ("reason", "不予批准的理由"),
    "referral_returned": ("reason", "退回理由"),
    "withdraw": ("reason", "撤回理由"),
    "grant_emergency_aid": ("amount", "先行救助金额（元）"),
    "object": ("objection", "异议内容"),
    "submit_for_decision": ("proposed_outcome", "拟办意见"),
}


@dataclass(frozen=True)
class MemberRow:
    person_uuid: str
    name: str
    masked_id: str                 # "**************002X"
    relation_label: str
    sex_label: str
    birth_date: date | None
    age: int | None
    health_label: str
    labour_label: str
    monthly_income_cents: int
    is_applicant: bool
    is_obliged_supporter: bool


@dataclass(frozen=True)
class DocumentRow:
    code: str
    name: str
    received: bool
    received_at: datetime | None   # UTC


@dataclass(frozen=True)
class ActionOption:
    name: str
    label: str
    target_label: str
    enabled: bool
    problem: str                   # why not now (Chinese), "" when enabled
    input_kind: str = ""           # "", "reason", "amount", "objection", "proposed_outcome"
    input_label: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime                   # UTC
    actor: str
    actor_name: str
    what: str
    detail: str = ""


@dataclass(frozen=True)
class CaseDetail:
    case_uuid: str
    case_number: str
    case_number_display: str
    status: str
    status_label: str
    overdue: bool
    days_overdue: int
    received_at: datetime          # UTC
    accepted_on: date | None
    decision_due: date | None
    clerk: str
    clerk_name: str
    channel_label: str
    emergency: bool
    reason: str
    categories: tuple[str, ...]    # labels, in the order applied for
    category_codes: tuple[str, ...]
    village_name: str
    address: str
    hukou_label: str
    members: tuple[MemberRow, ...]
    documents: tuple[DocumentRow, ...]
    actions: tuple[ActionOption, ...]
    timeline: tuple[TimelineEntry, ...]      # oldest first
    print_history: tuple[PrintHistoryRow, ...]
    printable: tuple[str, ...]               # PRINT_* the user may print for this case now
    can_reveal: bool
    township_limit_cents: int | None
    due_provisional: bool = False            # 暂定 decision_due (no official holiday schedule for its year yet)
    contact_phone: str = ""                  # as given with the application; masked for roles without view_full_id

    @property
    def missing_documents(self) -> tuple[DocumentRow, ...]:
        return tuple(d for d in self.documents if not d.received)


# ------------------------------------------------------------------------------------ reading

def _label(enum: type, code: str) -> str:
    try:
        return str(enum(code).label)
    except ValueError:
        return code


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _load_case(s: Session, case_uuid: str) -> Case:
    case = s.get(Case, case_uuid) if case_uuid else None
    if case is None:
        raise NotFound("找不到该案件。")
    return case


def township_limit_cents(session: AppSession, case_uuid: str, today: date | None = None) -> int | None:
    """The township's approval limit for emergency aid, from the policy the case was taken in under."""
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        case = _load_case(s, case_uuid)
        return DeadlinePlanner.of(s).policy_of(case, today or session.clock.today()).emergency \
            .township_approval_limit_cents


def case_detail(session: AppSession, case_uuid: str, *, today: date | None = None) -> CaseDetail:
    session.require(Permission.VIEW_CASES)
    today = today or session.clock.today()
    with session.db.read() as s:
        case = _load_case(s, case_uuid)
        household = s.get(Household, case.household_uuid)
        persons = s.scalars(select(Person).where(Person.household_uuid == case.household_uuid)
                            .order_by(Person.position)).all()
        members = tuple(_member(p, case, today) for p in persons)
        docs = tuple(DocumentRow(d.code, d.name, d.received, _utc(d.received_at) if d.received_at else None)
                     for d in s.scalars(select(CaseDocument).where(CaseDocument.case_uuid == case.uuid)
                                        .order_by(CaseDocument.id)))
        codes = tuple(s.scalars(select(CaseCategory.category).where(CaseCategory.case_uuid == case.uuid)
                                .order_by(literal_column("case_categories.rowid"))))
        village = s.get(Village, case.division_code)
        names = dict(s.execute(select(User.username, User.display_name)).all())
        timeline = _timeline(s, case, {p.uuid: p.name for p in persons}, names)
        printable = _printable(session, s, case)
        status = CaseStatus(case.status)
        snapshot = (case.uuid, case.case_number, case.received_at, case.accepted_on, case.decision_due,
                    case.clerk, case.channel, case.emergency, case.reason, case.division_code,
                    case.decision_due_provisional, case.contact_phone or "")
        limit = DeadlinePlanner.of(s).policy_of(case, today).emergency.township_approval_limit_cents
    actions = _actions(session, case_uuid, today)
    history = tuple(documents.print_history(session, case_uuid))
    due = snapshot[4]
    overdue = due is not None and due < today and not status.is_terminal
    return CaseDetail(
        case_uuid=snapshot[0], case_number=snapshot[1], case_number_display=format_case_number(snapshot[1]),
        status=status.value, status_label=status.label, overdue=overdue,
        days_overdue=(today - due).days if overdue and due is not None else 0,
        received_at=_utc(snapshot[2]), accepted_on=snapshot[3], decision_due=due, clerk=snapshot[5],
        clerk_name=names.get(snapshot[5], snapshot[5]), channel_label=_label(Channel, snapshot[6]),
        emergency=bool(snapshot[7]), reason=snapshot[8], categories=tuple(_label(Category, c) for c in codes),
        category_codes=codes,
        village_name=village.name if village is not None else "",
        address=household.address if household is not None else "",
        hukou_label=_label(HukouType, household.hukou_type) if household is not None else "",
        members=members, documents=docs, actions=actions, timeline=timeline, print_history=history,
        printable=printable, can_reveal=session.can(Permission.VIEW_FULL_ID), township_limit_cents=limit,
        due_provisional=bool(snapshot[10]) and due is not None,
        contact_phone=snapshot[11] if session.can(Permission.VIEW_FULL_ID) else mask_phone(snapshot[11]),
    )


def _member(p: Person, case: Case, today: date) -> MemberRow:
    return MemberRow(
        person_uuid=p.uuid, name=p.name, masked_id=masked_id(p.id_number), relation_label=_label(Relation, p.relation),
        sex_label=_label(Sex, p.sex), birth_date=p.birth_date,
        age=age_on(p.birth_date, today) if p.birth_date is not None else None,
        health_label=_label(Health, p.health), labour_label=_label(LabourCapacity, p.labour_capacity),
        monthly_income_cents=p.monthly_income_cents, is_applicant=p.uuid == case.applicant_uuid,
        is_obliged_supporter=p.is_obliged_supporter,
    )


def _printable(session: AppSession, s: Session, case: Case) -> tuple[str, ...]:
    if not session.can(Permission.PRINT_RECEIPT):
        return ()
    status = CaseStatus(case.status)
    out = []
    receipt = status not in (CaseStatus.PENDING_DOCUMENTS, CaseStatus.NOT_ACCEPTED) \
        and docdata.accepted_at(s, case) is not None
    if receipt:
        out.append(PRINT_RECEIPT)
    if status is CaseStatus.PENDING_DOCUMENTS:
        out.append(PRINT_MISSING)
    if status is CaseStatus.NOT_ACCEPTED:
        out.append(PRINT_REFUSAL)
    if status is CaseStatus.REFUSED and session.can(Permission.TRANSITION_CASE):
        out.append(PRINT_DECISION_REFUSAL)
    if not status.is_terminal:
        out.append(PRINT_AUTHORIZATION)
        if receipt and session.can(Permission.TRANSITION_CASE) and _has_referral_department(s, case):
            out.append(PRINT_REFERRAL)
    return tuple(out)


def _has_referral_department(s: Session, case: Case) -> bool:
    """A 转办单 only when a category is referred (not all carried by the township: 低保, 特困…)."""
    when = docdata.accepted_at(s, case)
    if when is None:
        return False
    try:
        departments, _township = docdata.referral_plan(s, case, DeadlinePlanner.of(s), when)
    except PolicyNotFound:
        return False
    return bool(departments)


def _actions(session: AppSession, case_uuid: str, today: date) -> tuple[ActionOption, ...]:
    """cases.options(), with an action that only lacks what its dialog asks for (a reason…) enabled,
    and the reason why an action cannot be taken now for the others."""
    out = []
    for opt in cases.options(session, case_uuid, today=today):
        kind, label = ACTION_INPUTS.get(opt.name, ("", ""))
        problem = "" if opt.enabled else opt.blocked_by
        out.append(ActionOption(opt.name, opt.label, opt.target_label, not problem, problem, kind, label))
    return tuple(out)


# ------------------------------------------------------------------------------------ the timeline

_TRANSITION_WORDS = {"intake": "窗口受理登记", "demo_history": "办理（演示数据）"}


def _status_label(code: str | None) -> str:
    return _label(CaseStatus, code) if code else ""


def _timeline(s: Session, case: Case, person_names: dict[str, str],
              names: dict[str, str]) -> tuple[TimelineEntry, ...]:
    entries: list[tuple[datetime, int, TimelineEntry]] = []
    for ch in s.scalars(select(StatusChange).where(StatusChange.case_uuid == case.uuid)):
        t = TRANSITIONS_BY_NAME.get(ch.transition)
        label = t.label_zh if t is not None else _TRANSITION_WORDS.get(ch.transition, ch.transition)
        if ch.transition == "intake" and ch.to_status == CaseStatus.TOWNSHIP_REVIEW.value:
            label = "村协理员代为申请，提交乡镇审查"
        what = f"{label}：{_status_label(ch.from_status)} → {_status_label(ch.to_status)}" if ch.from_status \
            else f"{label}，状态为“{_status_label(ch.to_status)}”"
        entries.append((_utc(ch.at), 0, TimelineEntry(_utc(ch.at), ch.actor, names.get(ch.actor, ch.actor), what,
                                                      ch.reason or "")))
    ids = [case.uuid, *person_names]
    events = s.scalars(select(AuditEvent).where(AuditEvent.entity_id.in_(ids),
                                                or_(AuditEvent.entity_type == "case",
                                                    AuditEvent.action == "id_revealed"))
                       .order_by(AuditEvent.seq))
    for ev in events:
        text = _describe(ev, person_names)
        if text is None:
            continue
        at = _utc(datetime.fromisoformat(ev.at))
        entries.append((at, 1, TimelineEntry(at, ev.actor, names.get(ev.actor, ev.actor), *text)))
    entries.sort(key=lambda e: (e[0], e[1]))
    return tuple(e[2] for e in entries)


def _kind_label(code: Any) -> str:
    try:
        return DocumentKind(str(code)).label
    except ValueError:
        return str(code)


def _describe(ev: AuditEvent, person_names: dict[str, str]) -> tuple[str, str] | None:
    """(what, detail) in Chinese; None for events the status changes already tell."""
    if ev.action == "case_created" or ev.action.startswith("case."):
        return None
    try:
        detail: dict[str, Any] = json.loads(ev.detail or "{}")
    except ValueError:
        detail = {}
    refused = ev.outcome != "ok"
    if ev.action == "document_printed":
        n = detail.get("copy_no", 1)
        copy = f"副本（第{n}份）" if isinstance(n, int) and n > 1 else "原件"
        return f"打印{_kind_label(detail.get('kind'))}", copy
    if ev.action == "document_voided":
        return f"作废{_kind_label(detail.get('kind'))}（第{detail.get('copy_no', '?')}份）", ""
    if ev.action == "documents_received":
        return "登记补正材料", f"共{len(detail.get('codes', []))}项"
    if ev.action == "id_revealed":
        who = person_names.get(ev.entity_id, "")
        return ("查看完整身份证号码（被拒绝：无权限）" if refused else "查看完整身份证号码"), who
    return f"其他操作（{ev.action}）", ""


# ------------------------------------------------------------------------------------ reveal and act

def reveal_id(session: AppSession, person_uuid: str) -> str:
    """The full ID number of one person, for this user's eyes now; every reveal is audited."""
    allowed = session.can(Permission.VIEW_CASES) and session.can(Permission.VIEW_FULL_ID)
    with session.db.write() as s:
        person = s.get(Person, person_uuid) if person_uuid else None
        if person is None:
            raise NotFound("找不到该人员。")
        audit.append_event(s, actor=session.user.username, action="id_revealed", entity_type="person",
                           entity_id=person.uuid, outcome="ok" if allowed else "refused",
                           detail={"household": person.household_uuid})
        number = person.id_number
    if not allowed:   # the refused attempt is on record (committed above); nothing is handed out
        session.require(Permission.VIEW_FULL_ID)
        session.require(Permission.VIEW_CASES)
        raise PermissionDenied(session.user.role, Permission.VIEW_FULL_ID, "无权查看完整身份证号码。")
    return normalize_id(number)


def apply_action(session: AppSession, case_uuid: str, name: str, form: TransitionInput | None = None, *,
                 today: date | None = None) -> CaseStatus:
    """The workflow's transition (which reads the township's emergency-aid limit in force itself)."""
    session.require(Permission.TRANSITION_CASE)
    return cases.transition(session, case_uuid, name, form or TransitionInput(), on_day=today)
