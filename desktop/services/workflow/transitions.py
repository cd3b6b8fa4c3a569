"""Moving a case through its procedure: every transition named, guarded and audited.

The guard facts come from the database (documents still missing, emergency
flag, the township limit in the policy in force), the free text (reason,
objection, amount) from the form. A refused transition raises
TransitionRefused with the Chinese reason and changes nothing; an applied
one writes the new status, a status-change row, an audit event and an outbox
item in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select

from desktop.domain.case_state import (
    CaseStatus,
    TransitionContext,
    allowed_transitions,
    apply_transition,
    available_transitions,
)
from desktop.domain.categories import Category
from desktop.domain.roles import Permission
from desktop.services.coverage import rechecks
from desktop.services.deadlines import clocks as deadlines
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.investigation import records as investigations
from desktop.services.referrals import lifecycle as referrals
from desktop.services.session import AppSession
from desktop.store import audit, outbox
from desktop.store.models import Case, CaseCategory, CaseDocument, StatusChange


@dataclass(frozen=True)
class TransitionInput:
    reason: str = ""
    amount_cents: int | None = None
    objection: str = ""
    proposed_outcome: Literal["approve", "refuse"] | None = None


@dataclass(frozen=True)
class TransitionOption:
    name: str
    label: str
    target_label: str
    enabled: bool          # False: allowed for this role but a guard needs more (e.g. missing documents)
    blocked_by: str = ""   # why it cannot be done now even with its dialog filled in ("" = only needs input)


# What a dialog will supply (a reason, an amount…), assumed given when asking what else blocks an action.
_FILLED_IN = TransitionInput(reason="…", amount_cents=1, objection="…", proposed_outcome="refuse")


def _context(s, session: AppSession, case: Case, missing: tuple[str, ...], form: TransitionInput,  # type: ignore[no-untyped-def]
             township_limit_cents: int | None) -> TransitionContext:
    """The guard facts: the form's text and amount, and what the database knows about the case
    (documents missing, investigators on the home visit, what the investigation still lacks,
    referrals still open, categories the township carries itself)."""
    return TransitionContext(
        actor_role=session.user.role.value, reason=form.reason.strip(), documents_missing=missing,
        emergency=case.emergency, amount_cents=form.amount_cents, township_limit_cents=township_limit_cents,
        proposed_outcome=form.proposed_outcome, objection=form.objection.strip(),
        home_visit_investigators=investigations.home_visit_investigators(s, case.uuid),
        investigation_missing=investigations.missing_before_decision(s, case),
        open_referrals=referrals.open_referral_count(s, case.uuid),
        concluded_referrals=referrals.concluded_referral_count(s, case.uuid),
        township_procedure=tuple(c.label for c in referrals.township_categories(s, case)),
    )


def _load(s, case_uuid: str) -> tuple[Case, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    case = s.get(Case, case_uuid)
    if case is None:
        raise NotFound("找不到该案件。")
    missing = tuple(s.scalars(select(CaseDocument.name).where(CaseDocument.case_uuid == case_uuid,
                                                              CaseDocument.received.is_(False))).all())
    return case, missing


def options(session: AppSession, case_uuid: str, township_limit_cents: int | None = None) -> list[TransitionOption]:
    """The actions this user may take on this case now (for the case detail screen): ``enabled``
    when possible as the case stands, else ``blocked_by`` says what the database still lacks
    (empty when only the dialog's input — a reason, an amount — is missing)."""
    with session.db.read() as s:
        case, missing = _load(s, case_uuid)
        ctx = _context(s, session, case, missing, TransitionInput(), township_limit_cents)
        probe = _context(s, session, case, missing, _FILLED_IN, township_limit_cents)
        status = CaseStatus(case.status)
    allowed = {t.name for t in allowed_transitions(status, ctx)}
    out = []
    for t in available_transitions(status):
        if t.role_problem(session.user.role.value) is not None:
            continue
        out.append(TransitionOption(t.name, t.label_zh, t.target.label, t.name in allowed,
                                    "" if t.name in allowed else "；".join(t.problems(probe))))
    return out


def _start_decision_clock(s, case: Case, now: datetime, actor: str) -> None:  # type: ignore[no-untyped-def]
    """A case accepted after 补正 is accepted on the day the documents were completed."""
    from desktop.services.deadlines.planner import DeadlinePlanner

    categories = [Category(c) for c in s.scalars(select(CaseCategory.category)
                                                 .where(CaseCategory.case_uuid == case.uuid)).all()]
    accepted_on = now.astimezone().date()
    plan = DeadlinePlanner.default().plan(case.division_code, accepted_on, categories)
    case.accepted_on = accepted_on
    case.decision_due = plan.decision_due
    deadlines.on_accepted(s, case, actor=actor)
    referrals.create_for_case(s, case, actor=actor)


def mark_documents_received(session: AppSession, case_uuid: str, codes: list[str]) -> tuple[str, ...]:
    """Record documents brought in after the one-time notice; returns what is still missing."""
    session.require(Permission.INTAKE)
    if not codes:
        raise InvalidInput("请选择已收到的材料。", "documents")
    with session.db.write() as s:
        case, _missing = _load(s, case_uuid)
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
        outbox.enqueue(s, entity_type="case", entity_uuid=case.uuid, operation="documents_received",
                       payload={"case_number": case.case_number, "codes": sorted(codes), "at": now.isoformat()})
        return tuple(d.name for d in rows.values() if not d.received)


def transition(session: AppSession, case_uuid: str, name: str, form: TransitionInput | None = None,
               township_limit_cents: int | None = None) -> CaseStatus:
    session.require(Permission.TRANSITION_CASE)
    with session.db.write() as s:
        return transition_in(s, session, case_uuid, name, form, township_limit_cents)


def transition_in(s, session: AppSession, case_uuid: str, name: str,  # type: ignore[no-untyped-def]
                  form: TransitionInput | None = None, township_limit_cents: int | None = None) -> CaseStatus:
    """:func:`transition` inside the caller's write transaction (a referral sent moves its case)."""
    session.require(Permission.TRANSITION_CASE)
    form = form or TransitionInput()
    case, missing = _load(s, case_uuid)
    before = CaseStatus(case.status)
    ctx = _context(s, session, case, missing, form, township_limit_cents)
    after = apply_transition(before, name, ctx)   # TransitionRefused: nothing written
    now = session.clock.now()
    case.status = after.value
    case.updated_at = now
    if after is CaseStatus.ACCEPTED and case.accepted_on is None:
        _start_decision_clock(s, case, now, session.user.username)
    s.add(StatusChange(case_uuid=case.uuid, transition=name, from_status=before.value, to_status=after.value,
                       actor=session.user.username, reason=ctx.reason or ctx.objection, at=now))
    audit.append_event(s, actor=session.user.username, action=f"case.{name}", entity_type="case",
                       entity_id=case.uuid, detail={"from": before.value, "to": after.value,
                                                    "case_number": case.case_number})
    outbox.enqueue(s, entity_type="case", entity_uuid=case.uuid, operation="status_changed",
                   payload={"case_number": case.case_number, "transition": name, "from": before.value,
                            "to": after.value, "reason": ctx.reason or ctx.objection,
                            "amount_cents": form.amount_cents, "at": now.isoformat()})
    deadlines.on_transition(s, case, name, after, actor=session.user.username)
    if after is CaseStatus.APPROVED:   # 低保/特困 approved: the household is covered and re-checked from now
        rechecks.on_case_approved(s, case, actor=session.user.username, amount_cents=form.amount_cents,
                                  on_day=now.astimezone().date())
    return after
