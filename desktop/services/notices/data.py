"""Reading side of the public notice: facts about cases, batch summaries, the masked rows.

Everything here reads inside a session the caller opened. Which home visit
counts is the investigation's fact (:mod:`desktop.services.investigation.facts`,
re-exported here); cases move only through the workflow
(:func:`desktop.services.workflow.transitions.transition_in`), inside the
batch's write transaction, so a batch and all its cases move together or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.case_number import format_case_number
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.household import Health, Relation
from desktop.domain.notice import (
    BatchStatus,
    CandidateFacts,
    NoticeContent,
    NoticePeriod,
    NoticeSource,
    PeriodUnit,
    SourceMember,
    compute_notice_period,
    notice_category,
)
from desktop.domain.policy import PolicyTable
from desktop.domain.provisional import provisional_note
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.errors import NotFound, ServiceError
from desktop.services.investigation import facts as investigation
from desktop.services.investigation.facts import RESET_TRANSITIONS as RESET_TRANSITIONS  # re-exported
from desktop.services.investigation.facts import WITHDRAWAL_PREFIX as WITHDRAWAL_PREFIX
from desktop.services.investigation.facts import VisitFacts as VisitFacts
from desktop.services.investigation.facts import chunks, visit_facts
from desktop.services.session import AppSession
from desktop.store import audit, outbox
from desktop.store.models import Case, CaseCategory, Household, Person, Village
from desktop.store.models_notice import NoticeBatch, NoticeBatchCase, NoticeObjection, NoticePrint
from desktop.store.timekeeping import clock_of
from forms.idnumber import age_on
from sync import events as ev

ACTIVE = (BatchStatus.DRAFT.value, BatchStatus.POSTED.value)
OUTCOME_LABELS = {"listed": "公示中", "moved_on": "期满转入审核", "objected": "有异议，已退回调查",
                  "withdrawn": "公示已撤回", "left": "已不在公示中（状态另有变更）"}


class NoticeRefused(ServiceError):
    """This notice cannot be printed, posted or changed now; the message says why (Chinese)."""


# ------------------------------------------------------------------ facts about cases

def open_objections(s: Session, case_uuids: Iterable[str]) -> dict[str, int]:
    ids = list(dict.fromkeys(case_uuids))
    out = dict.fromkeys(ids, 0)
    for chunk in chunks(ids):
        for case_uuid, n in s.execute(select(NoticeObjection.case_uuid, func.count())
                                      .where(NoticeObjection.case_uuid.in_(chunk),
                                             NoticeObjection.status == "open")
                                      .group_by(NoticeObjection.case_uuid)).all():
            out[case_uuid] = n
    return out


def active_batches(s: Session, case_uuids: Iterable[str], exclude: str = "") -> dict[str, str]:
    """case → number of the draft/posted batch that lists it (still ``listed``)."""
    ids = list(dict.fromkeys(case_uuids))
    out: dict[str, str] = {}
    for chunk in chunks(ids):
        rows = s.execute(select(NoticeBatchCase.case_uuid, NoticeBatch.batch_number)
                         .join(NoticeBatch, NoticeBatch.uuid == NoticeBatchCase.batch_uuid)
                         .where(NoticeBatchCase.case_uuid.in_(chunk), NoticeBatch.status.in_(ACTIVE),
                                NoticeBatchCase.outcome == "listed", NoticeBatch.uuid != exclude)).all()
        out.update(dict(rows))
    return out


def case_categories(s: Session, case_uuids: Iterable[str]) -> dict[str, list[Category]]:
    ids = list(dict.fromkeys(case_uuids))
    out: dict[str, list[Category]] = defaultdict(list)
    for chunk in chunks(ids):
        for case_uuid, cat in s.execute(select(CaseCategory.case_uuid, CaseCategory.category)
                                        .where(CaseCategory.case_uuid.in_(chunk))).all():
            out[case_uuid].append(Category(cat))
    return out


def holder_age(person: Person | None, on: date) -> int | None:
    if person is None or person.birth_date is None:
        return None
    try:
        return age_on(person.birth_date, on)
    except ValueError:
        return None


def case_facts(s: Session, cases: list[Case], planner: DeadlinePlanner, on: date, *,
               exclude_batch: str = "") -> dict[str, tuple[CandidateFacts, Category | None, VisitFacts]]:
    """For each case: the facts deciding whether it may join a notice posted on ``on``."""
    ids = [c.uuid for c in cases]
    cats = case_categories(s, ids)
    visits = visit_facts(s, ids)
    objections = open_objections(s, ids)
    batches = active_batches(s, ids, exclude_batch)
    holders = {p.uuid: p for chunk in chunks([c.applicant_uuid for c in cases])
               for p in s.scalars(select(Person).where(Person.uuid.in_(chunk))).all()}
    out = {}
    for c in cases:
        policy = planner.policy_of(c, on)
        cat = notice_category(cats.get(c.uuid, []), policy)
        facts = CandidateFacts(
            status=CaseStatus(c.status), notice_category=cat, investigators=visits[c.uuid].investigators,
            min_investigators=policy.home_visit_min_investigators,
            open_objections=objections[c.uuid],
            deliberation_required=cat is not None and policy.democratic_deliberation_required(cat),
            active_batch=batches.get(c.uuid, ""), holder_age=holder_age(holders.get(c.applicant_uuid), on))
        out[c.uuid] = (facts, cat, visits[c.uuid])
    return out


def investigation_gaps(s: Session, case: Case, facts: CandidateFacts) -> tuple[str, ...]:
    """What the investigation record still lacks that the ``post_notice`` guard also checks (the
    economic-check report, the deliberation record), so a case the 公示 page offers as ready can
    really be posted. The home visit is already counted in ``facts.investigators``; a deliberation
    still to be held is already said by :func:`candidate_problems`. (A draft may still be made
    without them: posting refuses, naming the case.)"""
    skip_deliberation = facts.deliberation_required and facts.status is CaseStatus.INVESTIGATING
    gaps = []
    for item in investigation.missing_before_decision(s, case, clock_of(s).today()):
        if item.startswith("入户调查") or (skip_deliberation and item.startswith("民主评议")):
            continue
        gaps.append(f"调查材料不全：{item}")
    return tuple(gaps)


# ------------------------------------------------------------------ batches

def load_batch(s: Session, batch_uuid: str) -> NoticeBatch:
    batch = s.get(NoticeBatch, batch_uuid) if batch_uuid else None
    if batch is None:
        raise NotFound("找不到该公示批次。")
    return batch


def members(s: Session, batch: NoticeBatch) -> list[NoticeBatchCase]:
    return list(s.scalars(select(NoticeBatchCase).where(NoticeBatchCase.batch_uuid == batch.uuid)
                          .order_by(NoticeBatchCase.position, NoticeBatchCase.id)).all())


def batch_policy(planner: DeadlinePlanner, batch: NoticeBatch) -> PolicyTable:
    """The table the batch was made under (its ``policy_ref``)."""
    return planner.policy_of(batch, batch.start_on)


def batch_period(batch: NoticeBatch) -> NoticePeriod:
    note = ("" if batch.end_on is None else provisional_note(batch.end_on.year)) if batch.end_provisional \
        else ("" if batch.end_on is not None else "期满日待县级下发节假日安排后确定")
    return NoticePeriod(batch.start_on, batch.end_on, batch.period_length, PeriodUnit(batch.period_unit),
                        note, batch.end_provisional and batch.end_on is not None)


def refresh_period(planner: DeadlinePlanner, batch: NoticeBatch) -> NoticePeriod:
    """Recompute the period (the calendar may have been updated since)."""
    period = compute_notice_period(batch.start_on, batch_policy(planner, batch), batch.category, planner.calendar)
    batch.end_on, batch.period_length, batch.period_unit = period.end_on, period.length, period.unit.value
    batch.end_provisional = period.provisional
    return period


def village_name(s: Session, code: str) -> str:
    return s.scalar(select(Village.name).where(Village.division_code == code)) or code


def last_print(s: Session, batch: NoticeBatch, kind: str) -> NoticePrint | None:
    return s.scalar(select(NoticePrint).where(NoticePrint.batch_uuid == batch.uuid, NoticePrint.kind == kind)
                    .order_by(NoticePrint.copy_no.desc()).limit(1))


def content_of(batch: NoticeBatch) -> NoticeContent:
    return NoticeContent.from_dict(batch.content)


# ------------------------------------------------------------------ the full record, for masking

def sources(s: Session, batch: NoticeBatch, member_rows: list[NoticeBatchCase]) -> list[tuple[Case, NoticeSource]]:
    """The full private record of every listed case — handed only to the masking rule."""
    case_ids = [m.case_uuid for m in member_rows]
    cases = {c.uuid: c for chunk in chunks(case_ids)
             for c in s.scalars(select(Case).where(Case.uuid.in_(chunk))).all()}
    hh_ids = list({c.household_uuid for c in cases.values()})
    households = {h.uuid: h for chunk in chunks(hh_ids)
                  for h in s.scalars(select(Household).where(Household.uuid.in_(chunk))).all()}
    people: dict[str, list[Person]] = defaultdict(list)
    for chunk in chunks(hh_ids):
        for p in s.scalars(select(Person).where(Person.household_uuid.in_(chunk)).order_by(Person.position)):
            people[p.household_uuid].append(p)
    visits = visit_facts(s, case_ids)
    village = village_name(s, batch.division_code)
    out = []
    for m in member_rows:
        c = cases[m.case_uuid]
        members_ = [_member(p) for p in people[c.household_uuid]]
        holder = next((_member(p) for p in people[c.household_uuid] if p.uuid == c.applicant_uuid), None)
        if holder is None:
            raise NoticeRefused(f"案件 {format_case_number(c.case_number)} 缺少申请人记录，不能公示。")
        hh = households.get(c.household_uuid)
        out.append((c, NoticeSource(
            case_ref=c.uuid, holder=holder, members=tuple(members_), village_name=village,
            category=Category(batch.category), proposed_monthly_cents=visits[c.uuid].proposed_monthly_cents,
            address=hh.address if hh is not None else "", reason=c.reason)))
    return out


def _member(p: Person) -> SourceMember:
    disability = "" if p.disability_category == "none" else f"{p.disability_category}:{p.disability_grade}"
    return SourceMember(name=p.name, id_number=p.id_number, birth_date=p.birth_date,
                        relation=Relation(p.relation).label if p.relation in Relation._value2member_map_ else "",
                        is_obliged_supporter=p.is_obliged_supporter,
                        health=Health(p.health).label if p.health in Health._value2member_map_ else "",
                        disability=disability, monthly_income_cents=p.monthly_income_cents)


def batch_event(s: Session, session: AppSession, batch: NoticeBatch, action: str, detail: dict | None = None,
                *, event: dict[str, Any] | None = None) -> None:
    """Audit a change of a batch (codes, dates and case numbers only) and, given the ``event`` fields of
    ``notice_batch.<action>``, queue it for the county with the batch's own fields (a draft's changes
    stay local: the county sees a batch from its posting)."""
    info = {"batch_number": batch.batch_number, "status": batch.status, **(detail or {})}
    audit.append_event(s, actor=session.user.username, action=action, entity_type="notice_batch",
                       entity_id=batch.uuid, detail=info)
    if event is not None:
        cls = ev.EVENT_TYPES[f"notice_batch.{action.removeprefix('notice_')}"]
        outbox.enqueue(s, cls(batch_uuid=batch.uuid, batch_number=batch.batch_number, status=batch.status,
                              division_code=batch.division_code, category=batch.category, start_on=batch.start_on,
                              end_on=batch.end_on, policy_ref=batch.policy_ref, **event))
