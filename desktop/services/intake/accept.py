"""Intake: from a confirmed form to a committed case, in one transaction.

`submit_application` validates the application against the domain rules and
the policy in force on the day, then writes household, members and the case
— whose first status, categories, status change, audit event, outbox item,
clocks and referrals the workflow writes (:func:`desktop.services.workflow.
transitions.open_case`) — and its document checklist, together. Nothing is written when anything is wrong; documents
(receipt, one-time notice, refusal) are printed only from the committed
result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select

from desktop.domain.case_number import format_case_number, make_case_number
from desktop.domain.case_state import CaseStatus
from desktop.domain.household import Application, canonical_id_number, validate_application
from desktop.domain.names import name_initials
from desktop.domain.roles import Permission, PermissionDenied
from desktop.domain.text_rules import TextKind
from desktop.domain.text_rules import problem as text_problem
from desktop.services import validation
from desktop.services.deadlines import planner as clocks
from desktop.services.errors import InvalidInput
from desktop.services.intake import form as intake_form
from desktop.services.intake import snapshots
from desktop.services.session import AppSession
from desktop.services.workflow import transitions as workflow
from desktop.store.device import device_info
from desktop.store.models import Case, CaseDocument, Coverage, Household, Person, Sequence, Village, new_uuid

Outcome = Literal["accept", "missing_documents", "refuse", "township_review"]
OPEN_STATUSES = tuple(s.value for s in CaseStatus if not s.is_terminal)


@dataclass(frozen=True)
class IntakeResult:
    case_uuid: str
    case_number: str
    case_number_display: str
    status: CaseStatus
    received_at: datetime
    decision_due: date | None
    decision_working_days: int
    calendar_note: str
    documents_received: tuple[str, ...]
    documents_missing: tuple[str, ...]
    decision_provisional: bool = False   # 暂定 (see calendar_note)


@dataclass(frozen=True)
class ExistingRecord:
    """What the window must show before anything is typed twice."""

    household_uuid: str
    open_case_numbers: tuple[str, ...]
    covered_categories: tuple[str, ...]


def existing_records(session: AppSession, id_number: str) -> list[ExistingRecord]:
    """Households holding this ID number, with their open cases and current coverage."""
    session.require(Permission.INTAKE)
    h = session.db.id_hash(canonical_id_number(id_number))
    out = []
    with session.db.read() as s:
        found = s.scalars(select(Person.household_uuid).where(Person.id_hash == h).distinct()).all()
        for hh in _in_scope(session, s, found):
            cases = s.scalars(select(Case.case_number).where(Case.household_uuid == hh,
                                                              Case.status.in_(OPEN_STATUSES))).all()
            cov = s.scalars(select(Coverage.category).where(Coverage.household_uuid == hh,
                                                            Coverage.until.is_(None))).all()
            out.append(ExistingRecord(hh, tuple(cases), tuple(cov)))
    return out


def _in_scope(session: AppSession, s, household_uuids: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """These households, but a village assistant's only when they live in one of its villages."""
    if session.village_scope is None:
        return list(household_uuids)
    codes = {u: code for u, code in s.execute(select(Household.uuid, Household.division_code)
                                               .where(Household.uuid.in_(household_uuids)))}
    return [u for u in household_uuids if session.in_scope(codes.get(u))]


def submit_application(session: AppSession, app: Application, outcome: Outcome, *,
                       refusal_reason: str = "", review_note: str = "", household_uuid: str | None = None,
                       now: datetime | None = None, planner: clocks.DeadlinePlanner | None = None) -> IntakeResult:
    session.require(Permission.INTAKE)
    session.require_village(app.household.division_code)
    if outcome == "refuse" and not session.can(Permission.TRANSITION_CASE):
        raise PermissionDenied(session.user.role, Permission.TRANSITION_CASE,
                               "不予受理是乡镇的决定，村协理员不能作出：请选择“提交乡镇审查”，写明情况，由乡镇决定是否受理。")
    now = now or session.clock.now()
    today = now.astimezone().date()
    violations = validate_application(app, today)
    if violations:
        v = violations[0]
        more = f"（另有{len(violations) - 1}处问题）" if len(violations) > 1 else ""
        raise InvalidInput(v.message + more, v.field)
    planner = planner or clocks.DeadlinePlanner.of(session)
    plan = planner.plan(app.household.division_code, today, list(app.categories))
    checklist = dict(plan.documents)
    received = tuple(app.documents_received)
    missing = tuple(app.documents_missing)
    unknown = [c for c in received + missing if c not in checklist]
    if unknown:
        raise InvalidInput(f"材料“{unknown[0]}”不在所申请类别的材料清单中。", "documents")
    both = [checklist[c] for c in received if c in missing]
    if both:
        raise InvalidInput(f"材料“{both[0]}”不能同时标为已收到和缺少。", "documents")
    unmarked = [checklist[c] for c in checklist
                if c not in received and c not in missing and c not in plan.conditional]
    if unmarked:
        raise InvalidInput(f"请标明材料“{unmarked[0]}”是已收到还是缺少。", "documents")
    if outcome == "accept" and missing and not app.emergency:   # 急难型: help first, documents with the paperwork
        raise InvalidInput("材料不齐，不能直接受理：请出具一次性告知书。", "documents")
    if outcome == "missing_documents" and not missing:
        raise InvalidInput("材料已齐全，无需出具一次性告知书。", "documents")
    if outcome == "refuse" and not refusal_reason.strip():
        raise InvalidInput("不予受理必须填写理由。", "refusal_reason")
    if outcome == "township_review":
        _check_review_note(review_note)
    if outcome == "refuse":
        bad = text_problem(refusal_reason, TextKind.NOTICE_TEXT, "不予受理的理由")
        if bad is not None:
            raise InvalidInput(bad, "refusal_reason")
        validation.printable(refusal_reason, "不予受理的理由", "refusal_reason")
    # what the documents print must be printable: refused now, never after the commit
    for field, what, value in intake_form.printed_fields(app.household):
        validation.printable(value, what, field)
    status = {"accept": CaseStatus.ACCEPTED, "missing_documents": CaseStatus.PENDING_DOCUMENTS,
              "refuse": CaseStatus.NOT_ACCEPTED, "township_review": CaseStatus.TOWNSHIP_REVIEW}.get(outcome)
    if status is None:
        raise InvalidInput(f"未知的受理结果：{outcome}", "outcome")
    applicant_canon = canonical_id_number(app.applicant_id_number)
    with session.db.write() as s:
        if s.get(Village, app.household.division_code) is None:
            raise InvalidInput("该村（社区）不属于本乡镇。", "division_code")
        dev = device_info(s)
        hh_uuid, person_uuids = _store_household(session, s, app, household_uuid, now)
        scope = f"case:{dev.device_code}:{today.year}"
        seq = s.get(Sequence, scope) or Sequence(scope=scope, value=0)
        seq.value += 1
        s.add(seq)
        number = make_case_number(dev.township_code, dev.device_code, today.year, seq.value)
        case_uuid = new_uuid()
        accepted = status is CaseStatus.ACCEPTED
        case = Case(uuid=case_uuid, case_number=number, household_uuid=hh_uuid,
                    applicant_uuid=person_uuids[applicant_canon], division_code=app.household.division_code,
                    reason=app.reason.strip(), channel=app.channel.value, emergency=app.emergency,
                    staff_relative=app.household.has_staff_relative, received_at=now,
                    accepted_on=today if accepted else None, decision_due=plan.decision_due if accepted else None,
                    decision_due_provisional=accepted and plan.decision_provisional,
                    policy_ref=plan.policy_ref, clerk=session.user.username, contact_phone=app.contact_phone)
        # the household and persons are queued (when new or changed) above; the workflow gives the case its
        # first status, history, audit and event, then its clocks and referrals (queued after the case)
        workflow.open_case(s, session, case, status, categories=list(app.categories),
                           reason=(review_note if outcome == "township_review" else refusal_reason).strip(),
                           now=now, planner=planner,
                           documents_received=received, documents_missing=missing)
        for code, name in plan.documents:
            got = code in received
            if not got and code not in missing:
                continue   # a conditional document that does not apply to this family
            s.add(CaseDocument(case_uuid=case_uuid, code=code, name=name, received=got,
                               received_at=now if got else None))
    return IntakeResult(case_uuid, number, format_case_number(number), status, now,
                        plan.decision_due if accepted else None, plan.decision_working_days, plan.calendar_note,
                        tuple(checklist[c] for c in received), tuple(checklist[c] for c in missing),
                        accepted and plan.decision_provisional)


def _check_review_note(note: str) -> None:
    """What the assistant tells the township clerk when sending an application on (required)."""
    if not note.strip():
        raise InvalidInput("提交乡镇审查须写明情况（为什么请乡镇决定是否受理）。", "review_note")
    bad = text_problem(note, TextKind.FREE_TEXT, "情况说明")
    if bad is not None:
        raise InvalidInput(bad, "review_note")


def _store_household(session: AppSession, s, app: Application, household_uuid: str | None,  # type: ignore[no-untyped-def]
                     now: datetime) -> tuple[str, dict[str, str]]:
    """Write the household and its members; queue a snapshot of each that is new or changed (parents first)."""
    hh_in = app.household
    hh_before = None
    if household_uuid:
        hh = s.get(Household, household_uuid)
        if hh is None:
            raise InvalidInput("找不到要更新的家庭记录。", "household")
        session.require_village(hh.division_code)   # nor moves another village's family into its own
        hh_before = snapshots.household_event(hh)
        hh.division_code, hh.hukou_type, hh.address, hh.updated_at = (
            hh_in.division_code, hh_in.hukou_type.value, hh_in.address.strip(), now)
    else:
        hh = Household(uuid=new_uuid(), division_code=hh_in.division_code, hukou_type=hh_in.hukou_type.value,
                       address=hh_in.address.strip(), created_at=now, updated_at=now)
        s.add(hh)
    snapshots.queue_if_changed(s, hh_before, snapshots.household_event(hh))
    existing = {p.id_hash: p for p in s.scalars(select(Person).where(Person.household_uuid == hh.uuid)).all()}
    uuids: dict[str, str] = {}
    for pos, m in enumerate(hh_in.members):
        canon = m.canonical_id
        h = session.db.id_hash(canon)
        row = existing.get(h)
        before = snapshots.person_event(row) if row is not None else None
        row = row or Person(uuid=new_uuid(), household_uuid=hh.uuid)
        row.position, row.name, row.name_initials = pos, m.name.strip(), name_initials(m.name)
        row.id_number, row.id_hash, row.id_tail = canon, h, canon[-6:]
        row.birth_date, row.sex = m.birth_date, m.sex.value
        row.ethnicity, row.relation, row.health = m.ethnicity, m.relation.value, m.health.value
        row.disability_category, row.disability_grade = m.disability_category.value, m.disability_grade.value
        row.labour_capacity, row.employment = m.labour_capacity.value, m.employment.value
        row.monthly_income_cents = m.monthly_income_cents
        row.is_obliged_supporter, row.staff_relative = m.is_obliged_supporter, m.staff_relative
        s.add(row)
        snapshots.queue_if_changed(s, before, snapshots.person_event(row))
        uuids[canon] = row.uuid
    s.flush()
    return hh.uuid, uuids
