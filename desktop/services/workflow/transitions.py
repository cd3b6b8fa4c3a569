"""The one place that changes a case's status: every transition named, guarded and recorded.

Two entry points write ``Case.status`` — nothing else in the application does
(``tests/services/test_single_status_writer.py`` fails otherwise):

- :func:`open_case` — intake: the case's first status (已受理 / 待补正 / 不予受理);
- :func:`transition_in` — every later move, inside the caller's write
  transaction: a clerk's action (:func:`transition`), the notice batch
  (post/end/withdraw, objections), 先行救助, a referral sent, and later the sync
  applier when a county decision arrives (``origin="county"``).

Each builds the guard facts once (:func:`desktop.services.workflow.facts.build`),
applies the domain state machine (:mod:`desktop.domain.case_state`) and writes,
together: the status, a :class:`~desktop.store.models.StatusChange` row, one
audit event, one outbox item, then what the move implies — the statutory clocks
(:func:`desktop.services.deadlines.clocks.on_transition`), the referrals
opened on acceptance and cancelled when the case ends, the coverage and first
re-check of an approved 低保/特困 case (:func:`desktop.services.coverage.rechecks.
on_case_approved`). The case's own item is queued before those of its
referrals and coverage. A refused transition raises ``TransitionRefused`` with
the Chinese reason before anything is written.

Callers add what only they know (:class:`CallerFacts`) and extra fields for
the audit event and outbox item (``detail``, e.g. the notice batch number);
they never build a context of their own.

``origin="county"`` (the Step-8 hook): a change the county decided, applied
through the same guards and writes; its event is written with
``origin="county"`` (already acknowledged: the county has it, it never echoes
back, see :func:`desktop.store.outbox.pending_for_push`) and the audit event
says ``origin: county``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.case_state import (
    INITIAL_STATUSES,
    CaseStatus,
    allowed_transitions,
    apply_transition,
    available_transitions,
)
from desktop.domain.categories import Category
from desktop.domain.roles import Permission
from desktop.domain.text_rules import TextKind, characters_problem
from desktop.services.coverage import rechecks
from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.referrals import records as referrals
from desktop.services.session import AppSession
from desktop.services.workflow import facts
from desktop.services.workflow.facts import Approver, CallerFacts, TransitionInput
from desktop.store import audit, outbox
from desktop.store.models import Case, CaseCategory, CaseDocument, StatusChange
from sync import events as ev

__all__ = [
    "Approver", "CallerFacts", "Origin", "TransitionInput", "TransitionOption", "mark_documents_received",
    "open_case", "options", "transition", "transition_in",
]

Origin = Literal["township", "county"]


@dataclass(frozen=True)
class TransitionOption:
    name: str
    label: str
    target_label: str
    enabled: bool          # False: allowed for this role but a guard needs more (e.g. missing documents)
    blocked_by: str = ""   # why it cannot be done now even with its dialog filled in ("" = only needs input)


# What a dialog will supply (a reason, an amount…), assumed given when asking what else blocks an action.
_FILLED_IN = TransitionInput(reason="…", amount_cents=1, objection="…", proposed_outcome="refuse")




def _load(s: Session, case_uuid: str) -> Case:
    case = s.get(Case, case_uuid) if case_uuid else None
    if case is None:
        raise NotFound("找不到该案件。")
    return case


def options(session: AppSession, case_uuid: str, *, today: date | None = None) -> list[TransitionOption]:
    """The actions this user may take on this case now (for the case detail screen): ``enabled``
    when possible as the case stands, else ``blocked_by`` says what the database still lacks
    (empty when only the dialog's input — a reason, an amount — is missing). Only what a case viewer
    may see: a role that moves no case gets no options."""
    session.require(Permission.VIEW_CASES)
    today = today or session.clock.today()
    with session.db.read() as s:
        case = _load(s, case_uuid)
        ctx = facts.build(s, session, case, TransitionInput(), today)
        probe = facts.build(s, session, case, _FILLED_IN, today)
        status = CaseStatus(case.status)
    allowed = {t.name for t in allowed_transitions(status, ctx)}
    out = []
    for t in available_transitions(status):
        if t.role_problem(session.user.role.value) is not None:
            continue
        out.append(TransitionOption(t.name, t.label_zh, t.target.label, t.name in allowed,
                                    "" if t.name in allowed else "；".join(t.problems(probe))))
    return out


def transition(session: AppSession, case_uuid: str, name: str, form: TransitionInput | None = None, *,
               on_day: date | None = None) -> CaseStatus:
    """A clerk's or supervisor's action on one case, in its own write transaction."""
    session.require(Permission.TRANSITION_CASE)
    with session.db.write() as s:
        return transition_in(s, session, case_uuid, name, form, on_day=on_day)


def transition_in(s: Session, session: AppSession, case_uuid: str, name: str, form: TransitionInput | None = None,
                  *, caller: CallerFacts | None = None, detail: Mapping[str, Any] | None = None,
                  now: datetime | None = None, on_day: date | None = None,
                  origin: Origin = "township") -> CaseStatus:
    """Transition ``name`` inside the caller's write transaction (see the module docstring).

    ``now`` is the instant recorded, ``on_day`` the business day (clocks start on it, policy limits
    are those in force on it; default: the local date of ``now``)."""
    session.require(Permission.TRANSITION_CASE)
    form = form or TransitionInput()
    for value, what, field in ((form.reason, "理由", "reason"), (form.objection, "异议内容", "objection")):
        bad = characters_problem(value if isinstance(value, str) else "", TextKind.FREE_TEXT, what)
        if bad is not None:   # a lone surrogate reached SQLite's UTF-8 encoder as an exception
            raise InvalidInput(bad, field)
    now = now or session.clock.now()
    day = on_day or now.astimezone().date()
    case = _load(s, case_uuid)
    before = CaseStatus(case.status)
    ctx = facts.build(s, session, case, form, day, caller)
    after = apply_transition(before, name, ctx)   # TransitionRefused: nothing written
    extra = dict(detail or {})
    approver = caller.approver if caller is not None else None
    if approver is not None and approver.username != session.user.username:
        extra["approved_by"] = approver.username
    _record(s, session, case, name, before, after, reason=ctx.reason or ctx.objection,
            amount_cents=form.amount_cents, now=now, detail=extra, origin=origin)
    _consequences(s, session, case, name, after, amount_cents=form.amount_cents, day=day)
    return after


def open_case(s: Session, session: AppSession, case: Case, status: CaseStatus, *, categories: Sequence[Category],
              reason: str, documents_received: Sequence[str], documents_missing: Sequence[str], now: datetime,
              planner: DeadlinePlanner | None = None) -> None:
    """Intake: give a new case (not yet added) its first status, categories and history row, its
    ``case_created`` audit event and ``case.created`` event (after the household and persons the
    caller queued), then — accepted — its clocks and referrals, queued after the case."""
    session.require(Permission.INTAKE)
    if status not in INITIAL_STATUSES:
        raise InvalidInput(f"新受理的案件不能直接为“{status.label}”。", "status")
    actor = session.user.username
    case.status = status.value
    case.updated_at = now
    s.add(case)
    s.flush()
    for c in dict.fromkeys(categories):
        s.add(CaseCategory(case_uuid=case.uuid, category=c.value))
    s.add(StatusChange(case_uuid=case.uuid, transition="intake", from_status=None, to_status=status.value,
                       actor=actor, reason=reason, at=now))
    cats = [c.value for c in dict.fromkeys(categories)]
    audit.append_event(s, actor=actor, action="case_created", entity_type="case", entity_id=case.uuid,
                       detail={"case_number": case.case_number, "status": status.value, "categories": cats})
    outbox.enqueue(s, ev.CaseCreated(
        case_uuid=case.uuid, case_number=case.case_number, household_uuid=case.household_uuid,
        applicant_uuid=case.applicant_uuid, division_code=case.division_code, categories=cats, status=status.value,
        reason=case.reason, channel=case.channel, emergency=case.emergency, staff_relative=case.staff_relative,
        received_at=case.received_at, accepted_on=case.accepted_on, policy_ref=case.policy_ref,
        documents_received=list(documents_received), documents_missing=list(documents_missing),
        refusal_reason=reason if status is CaseStatus.NOT_ACCEPTED else "", contact_phone=case.contact_phone or ""))
    s.flush()
    if status is CaseStatus.ACCEPTED:
        deadlines.on_accepted(s, case, actor=actor, planner=planner)
        referrals.create_for_case(s, case, actor=actor)


def _record(s: Session, session: AppSession, case: Case, name: str, before: CaseStatus, after: CaseStatus, *,
            reason: str, amount_cents: int | None, now: datetime, detail: dict[str, Any], origin: Origin) -> None:
    """The status and its three records: history row, audit event, event (county changes marked so)."""
    actor = session.user.username
    case.status = after.value
    case.updated_at = now
    s.add(StatusChange(case_uuid=case.uuid, transition=name, from_status=before.value, to_status=after.value,
                       actor=actor, reason=reason, at=now))
    info = {"from": before.value, "to": after.value, "case_number": case.case_number, **detail}
    if origin != "township":
        info["origin"] = origin
    audit.append_event(s, actor=actor, action=f"case.{name}", entity_type="case", entity_id=case.uuid, detail=info)
    outbox.enqueue(s, ev.CaseStatusChanged(
        case_uuid=case.uuid, case_number=case.case_number, transition=name, from_status=before.value,
        to_status=after.value, reason=reason, amount_cents=amount_cents, at=now, **detail), origin=origin)
    s.flush()


def _consequences(s: Session, session: AppSession, case: Case, name: str, after: CaseStatus, *,
                  amount_cents: int | None, day: date) -> None:
    """What a move implies beyond the case row: clocks, referrals, coverage and its re-check."""
    actor = session.user.username
    if after is CaseStatus.ACCEPTED and case.accepted_on is None:   # accepted after 补正: from that day
        _accept(s, case, day, actor)
    deadlines.on_transition(s, case, name, after, actor=actor, on_day=day)
    if after.is_terminal:
        referrals.on_case_ended(s, case, name, actor=actor, deciding=name in deadlines.DECIDING_TRANSITIONS)
    if after is CaseStatus.APPROVED:   # 低保/特困 approved: the household is covered and re-checked from now
        rechecks.on_case_approved(s, case, actor=actor, amount_cents=amount_cents, on_day=day)


def _accept(s: Session, case: Case, day: date, actor: str) -> None:
    """A case accepted after 补正 is accepted on the day the documents were completed."""
    categories = [Category(c) for c in s.scalars(select(CaseCategory.category)
                                                 .where(CaseCategory.case_uuid == case.uuid)).all()]
    plan = DeadlinePlanner.of(s).plan(case.division_code, day, categories)
    case.accepted_on = day
    case.policy_ref = plan.policy_ref      # taken in under the table in force on the day it is accepted
    case.decision_due, case.decision_due_provisional = plan.decision_due, plan.decision_provisional
    deadlines.on_accepted(s, case, actor=actor)
    referrals.create_for_case(s, case, actor=actor)


def mark_documents_received(session: AppSession, case_uuid: str, codes: list[str]) -> tuple[str, ...]:
    """Record documents brought in after the one-time notice; returns what is still missing."""
    session.require(Permission.INTAKE)
    if not codes:
        raise InvalidInput("请选择已收到的材料。", "documents")
    with session.db.write() as s:
        case = _load(s, case_uuid)
        session.require_village(case.division_code)
        # 已先行救助: the documents of an emergency case may follow with its paperwork
        if case.status not in (CaseStatus.PENDING_DOCUMENTS.value, CaseStatus.EMERGENCY_AIDED.value):
            raise InvalidInput(f"案件当前状态为“{CaseStatus(case.status).label}”，无需补正材料。", "status")
        rows = {d.code: d for d in s.scalars(select(CaseDocument).where(CaseDocument.case_uuid == case_uuid)).all()}
        unknown = [c for c in codes if c not in rows]
        if unknown:
            raise InvalidInput("所选材料不在本案件的材料清单中。", "documents")
        now = session.clock.now()
        for code in codes:
            rows[code].received, rows[code].received_at = True, now
        audit.append_event(s, actor=session.user.username, action="documents_received", entity_type="case",
                           entity_id=case.uuid, detail={"codes": sorted(codes)})
        outbox.enqueue(s, ev.CaseDocumentsReceived(case_uuid=case.uuid, case_number=case.case_number,
                                                   codes=sorted(codes), at=now))
        return tuple(d.name for d in rows.values() if not d.received)
