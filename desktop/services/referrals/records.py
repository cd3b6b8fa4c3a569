"""The referral rows of a case, inside the caller's transaction (below the workflow).

What the workflow needs of referrals when a case moves — open them when the
case is accepted (:func:`create_for_case`), cancel them when it ends
(:func:`on_case_ended`), count the open and answered ones and say which of its
categories the township carries itself (guard facts) — plus the history row,
audit event and outbox item of one referral change (:func:`changed`). This
module imports nothing of the workflow or the referral steps
(:mod:`desktop.services.referrals.lifecycle`), which call the workflow: the
import graph stays one-way.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.categories import Category
from desktop.domain.policy import PolicyNotFound
from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.store import audit, outbox
from desktop.store.models import Case, CaseCategory
from desktop.store.models_referral import Referral, ReferralEvent
from desktop.store.timekeeping import clock_of
from sync import events as ev

__all__ = [
    "AT_DEPARTMENT", "OPEN_STATES", "RESULT_LABELS", "STATE_LABELS", "ReferralState", "changed",
    "concluded_referral_count", "create_for_case", "referral_event", "on_case_ended", "open_referral_count", "township_categories",
]




class ReferralState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    RECEIVED = "received"
    CONCLUDED = "concluded"
    RETURNED = "returned"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[ReferralState, str] = {
    ReferralState.PENDING: "待转出",
    ReferralState.SENT: "已转出",
    ReferralState.RECEIVED: "已接收",
    ReferralState.CONCLUDED: "已办结",
    ReferralState.RETURNED: "退回",
    ReferralState.CANCELLED: "已撤销",
}
RESULT_LABELS = {"approve": "批准", "refuse": "不予批准"}
# still waiting for the department (a returned referral is back with the window)
OPEN_STATES = (ReferralState.PENDING.value, ReferralState.SENT.value, ReferralState.RECEIVED.value)
AT_DEPARTMENT = (ReferralState.SENT.value, ReferralState.RECEIVED.value)


def create_for_case(s: Session, case: Case, *, actor: str, planner: DeadlinePlanner | None = None) -> None:
    """A case was just accepted: open its referrals (one per responsible department, none for the
    township-procedure categories), 待转出."""
    if case.accepted_on is None:
        return
    planner = planner or DeadlinePlanner.of(s)
    table = planner.policy_of(case)
    cats = [Category(c) for c in s.scalars(select(CaseCategory.category)
                                           .where(CaseCategory.case_uuid == case.uuid)).all()]
    have = set(s.scalars(select(Referral.department).where(Referral.case_uuid == case.uuid)))
    now = clock_of(s).now()
    for code, covered in table.referral_departments(cats).items():
        if code in have:
            continue
        dept = table.departments[code]
        ref = Referral(case_uuid=case.uuid, department=code, department_name=dept.name_zh,
                       categories=[c.value for c in covered], deadline_working_days=dept.deadline_working_days,
                       policy_ref=table.ref, state=ReferralState.PENDING.value, result_reason="", decided_by="",
                       return_reason="", reply_filename="", reply_mime="", reply_size=0, reply_sha256="",
                       created_by=actor, created_at=now, updated_at=now)
        s.add(ref)
        s.flush()
        changed(s, ref, case, "created", None, actor, None, "")


def township_categories(s: Session, case: Case, planner: DeadlinePlanner | None = None) -> list[Category]:
    """The case's categories carried by the township procedure (not referred), under the policy in force
    on its acceptance day (as :func:`create_for_case`); none before acceptance or without a policy."""
    if case.accepted_on is None:
        return []
    planner = planner or DeadlinePlanner.of(s)
    try:
        table = planner.policy_of(case)
    except PolicyNotFound:
        return []
    cats = s.scalars(select(CaseCategory.category).where(CaseCategory.case_uuid == case.uuid)).all()
    return table.township_categories(cats)


def concluded_referral_count(s: Session, case_uuid: str) -> int:
    """Referrals of the case a department has answered (the case may be closed on their results)."""
    return int(s.scalar(select(func.count()).select_from(Referral).where(
        Referral.case_uuid == case_uuid, Referral.state == ReferralState.CONCLUDED.value)) or 0)


def open_referral_count(s: Session, case_uuid: str) -> int:
    """Referrals of the case still waiting for a department's result (guards the case decision)."""
    return int(s.scalar(select(func.count()).select_from(Referral).where(
        Referral.case_uuid == case_uuid, Referral.state.in_(OPEN_STATES))) or 0)


def on_case_ended(s: Session, case: Case, transition: str, *, actor: str, deciding: bool) -> None:
    """The case reached a terminal status: referrals never sent are cancelled; when the case did not
    end by a decision (withdrawn, not accepted) the ones at a department are cancelled too, with their
    clocks. A decided case keeps its referrals at departments open: their results may still come."""
    states = [ReferralState.PENDING.value] + ([] if deciding else list(AT_DEPARTMENT))
    rows = list(s.scalars(select(Referral).where(Referral.case_uuid == case.uuid, Referral.state.in_(states))))
    for ref in rows:
        before = ref.state
        ref.state, ref.updated_at = ReferralState.CANCELLED.value, clock_of(s).now()
        if before in AT_DEPARTMENT:
            deadlines.close_clocks(s, case.uuid, (deadlines.ClockKind.REFERRAL,), actor=actor,
                                   subject_uuid=ref.uuid, state=deadlines.ClockState.CANCELLED, note=transition)
        changed(s, ref, case, "cancelled", before, actor, None, transition)


def changed(s: Session, ref: Referral, case: Case, action: str, before: str | None, actor: str,
             on_day: date | None, note: str, extra: dict[str, Any] | None = None, *,
             origin: outbox.Origin = "township") -> None:
    """History row, audit event and outbox item of one referral change (same transaction). A change
    the county decided (``origin="county"``) is queued as already acknowledged: it never echoes back."""
    now = clock_of(s).now()
    s.add(ReferralEvent(referral_uuid=ref.uuid, action=action, from_state=before, to_state=ref.state,
                        on_day=on_day, note=note, actor=actor, at=now))
    detail: dict[str, Any] = {"case": case.uuid, "department": ref.department, "from": before, "to": ref.state}
    if origin != "township":
        detail["origin"] = origin
    audit.append_event(s, actor=actor, action=f"referral.{action}", entity_type="referral", entity_id=ref.uuid,
                       detail=detail)
    outbox.enqueue(s, referral_event(action, ref.uuid, case.uuid, case.case_number, ref.department,
                                     ref.department_name, list(ref.categories), ref.state, ref.deadline_working_days,
                                     on_day, note, now, extra), origin=origin)


def referral_event(action: str, referral_uuid: str, case_uuid: str, case_number: str, department: str,
                   department_name: str, categories: list[str], state: str, deadline_working_days: int,
                   on_day: date | None, note: str, at: datetime, extra: dict[str, Any] | None = None) -> ev.Event:
    """The typed event of one referral step (``referral.<action>``), the referral's state whole."""
    cls = ev.EVENT_TYPES[f"referral.{action}"]
    return cls(referral_uuid=referral_uuid, case_uuid=case_uuid, case_number=case_number, department=department,
               department_name=department_name, categories=categories, state=state,
               deadline_working_days=deadline_working_days, on_day=on_day, note=note, at=at, **(extra or {}))
