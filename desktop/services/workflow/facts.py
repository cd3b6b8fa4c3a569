"""The guard facts of a case, built once, for every transition wherever it comes from.

:func:`build` reads what the database knows about the case — documents still
missing, the home visit that counts and how many staff the policy wants on it,
what the investigation still lacks, open objections, the move that brought
the case to its status (批准 asks whether it came by 公示期满 or by the 急难型
report to the county), referrals still at a
department and answered, the categories the township carries itself, whether
any category needs a notice, the township's emergency-aid limit — and adds the
form's text and amount. A caller may add only what the database cannot know
(:class:`CallerFacts`: the notice batch says its period is over, 先行救助 says
which supervisor confirmed); it never builds a context of its own.

Everything here reads inside the caller's session and imports only lower
modules (investigation facts, referral rows, the planner), never a use case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.case_state import MIN_HOME_VISIT_INVESTIGATORS, TransitionContext
from desktop.domain.policy import PolicyNotFound
from desktop.domain.roles import Role
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.investigation import facts as investigation
from desktop.services.referrals import records as referrals
from desktop.services.session import AppSession
from desktop.store.models import Case, CaseDocument, StatusChange
from desktop.store.models_notice import NoticeObjection

__all__ = ["Approver", "CallerFacts", "TransitionInput", "build", "documents_missing", "last_transition",
           "township_limit_cents"]


@dataclass(frozen=True)
class TransitionInput:
    """What the clerk typed into the action's dialog."""

    reason: str = ""
    amount_cents: int | None = None
    objection: str = ""
    proposed_outcome: Literal["approve", "refuse"] | None = None


@dataclass(frozen=True)
class Approver:
    """A supervisor who confirmed on the clerk's screen with their own password (先行救助)."""

    username: str
    role: Role


@dataclass(frozen=True)
class CallerFacts:
    """What only the caller knows, added to the database facts (never instead of them)."""

    notice_period_ended: bool = False     # the notice batch: the period of the notice listing the case is over
    approver: Approver | None = None      # the guard's role is the approver's; the audit names both


def documents_missing(s: Session, case_uuid: str) -> tuple[str, ...]:
    return tuple(s.scalars(select(CaseDocument.name).where(CaseDocument.case_uuid == case_uuid,
                                                           CaseDocument.received.is_(False))
                           .order_by(CaseDocument.id)).all())


def open_objections(s: Session, case_uuid: str) -> int:
    return int(s.scalar(select(func.count()).select_from(NoticeObjection).where(
        NoticeObjection.case_uuid == case_uuid, NoticeObjection.status == "open")) or 0)


def last_transition(s: Session, case_uuid: str) -> str:
    """The move that brought the case to its current status (its latest history row; "" before intake)."""
    return s.scalar(select(StatusChange.transition).where(StatusChange.case_uuid == case_uuid)
                    .order_by(StatusChange.id.desc()).limit(1)) or ""


def township_limit_cents(case: Case, on: date) -> int | None:
    """The township's approval limit for emergency aid in the case's policy (None: no policy)."""
    try:
        return DeadlinePlanner.of_record(case).policy_of(case, on).emergency.township_approval_limit_cents
    except PolicyNotFound:
        return None


def _notice_required(case: Case, cats: list, today: date) -> bool:  # type: ignore[type-arg]
    """Any of the case's categories needs a public notice under its policy (unknown: it does)."""
    try:
        policy = investigation.policy_for_case(case, today)
    except PolicyNotFound:
        return True
    return any(policy.notice_required(c) for c in cats) if cats else True


def _min_investigators(case: Case, today: date) -> int:
    try:
        return investigation.required_investigators(case, today)
    except PolicyNotFound:
        return MIN_HOME_VISIT_INVESTIGATORS


def build(s: Session, session: AppSession, case: Case, form: TransitionInput, today: date,
          caller: CallerFacts | None = None) -> TransitionContext:
    """The one context every guard of this case is checked against."""
    caller = caller or CallerFacts()
    cats = investigation.categories(s, case.uuid)
    role = caller.approver.role if caller.approver is not None else session.user.role
    return TransitionContext(
        actor_role=role.value, reason=form.reason.strip(), documents_missing=documents_missing(s, case.uuid),
        emergency=case.emergency, amount_cents=form.amount_cents,
        township_limit_cents=township_limit_cents(case, today),
        home_visit_investigators=investigation.home_visit_investigators(s, case.uuid),
        min_home_visit_investigators=_min_investigators(case, today),
        notice_period_ended=caller.notice_period_ended, open_objections=open_objections(s, case.uuid),
        notice_required=_notice_required(case, cats, today),
        proposed_outcome=form.proposed_outcome, objection=form.objection.strip(),
        open_referrals=referrals.open_referral_count(s, case.uuid),
        concluded_referrals=referrals.concluded_referral_count(s, case.uuid),
        investigation_missing=investigation.missing_before_decision(s, case, today),
        township_procedure=tuple(c.label for c in referrals.township_categories(s, case)),
        last_transition=last_transition(s, case.uuid),
    )
