"""Recompute the 暂定 (provisional) due days once a year's official holiday schedule is known.

A due day counted through a year without an official schedule was computed from the law's
statutory holidays and stored with ``provisional`` (``case_clocks``, ``cases.decision_due_provisional``,
``notice_batches.end_provisional``). When the official schedule arrives — a calendar imported
(:mod:`desktop.services.policy.updates`) or a release that bundles it (the post-upgrade step in
:mod:`desktop.services.admin.upgrade`) — every one still running is counted again on the new
calendar, inside the caller's write transaction, and one audit event records the counts. Days still
in a year without a schedule stay provisional (recomputed on the same rule: unchanged). Open clocks
an older release left without any due day ("beyond the calendar") get one now.

Only the calendar changes the answer: the number of working days stays the one stored with the
clock (the policy the case was taken in under), so no policy update moves a running deadline.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.domain.case_state import CaseStatus
from desktop.domain.notice import BatchStatus, compute_notice_period
from desktop.store import audit
from desktop.store.models import Case
from desktop.store.models_clock import CaseClock
from desktop.store.models_notice import NoticeBatch
from desktop.store.policy_registry import PolicyState

from .planner import DeadlinePlanner

__all__ = ["Recomputed", "recompute_due_days"]

_OPEN_CASE = [s.value for s in CaseStatus if not s.is_terminal]
_OPEN_BATCH = [BatchStatus.DRAFT.value, BatchStatus.POSTED.value]


@dataclass(frozen=True)
class Recomputed:
    clocks: int          # open clocks counted again
    cases: int           # open cases whose decision_due was counted again
    batches: int         # notice batches (draft / posted) whose last day was counted again
    confirmed: int       # of all of them, how many are no longer 暂定

    @property
    def total(self) -> int:
        return self.clocks + self.cases + self.batches


def recompute_due_days(s: Session, state: PolicyState, *, actor: str, reason: str) -> Recomputed:
    """Count every running provisional (or open-ended) due day again on ``state``'s calendar."""
    planner = DeadlinePlanner(state.book, state.calendar)
    cal = state.calendar
    confirmed = 0
    clocks = list(s.scalars(select(CaseClock).where(
        CaseClock.state == "open", or_(CaseClock.provisional.is_(True), CaseClock.due_on.is_(None)))))
    for c in clocks:
        due, provisional, note = planner.due(c.started_on, c.working_days)
        confirmed += (c.provisional or c.due_on is None) and due is not None and not provisional
        c.due_on, c.provisional, c.calendar_note = due, provisional, note
    cases = list(s.scalars(select(Case).where(
        Case.status.in_(_OPEN_CASE), Case.accepted_on.is_not(None),
        or_(Case.decision_due_provisional.is_(True), Case.decision_due.is_(None)))))
    done_cases = 0
    for case in cases:
        days = _decision_days(s, case)
        if days is None or case.accepted_on is None:
            continue
        due, provisional, _note = planner.due(case.accepted_on, days)
        confirmed += due is not None and not provisional
        case.decision_due, case.decision_due_provisional = due, provisional
        done_cases += 1
    batches = list(s.scalars(select(NoticeBatch).where(
        NoticeBatch.status.in_(_OPEN_BATCH),
        or_(NoticeBatch.end_provisional.is_(True), NoticeBatch.end_on.is_(None)))))
    done_batches = 0
    for b in batches:
        try:
            period = compute_notice_period(b.start_on, state.policy_by_ref(b.policy_ref), b.category, cal)
        except (LookupError, ValueError):
            continue       # a table no longer known, or a category without notice: left as it was
        confirmed += period.end_on is not None and not period.provisional
        b.end_on, b.end_provisional = period.end_on, period.provisional
        done_batches += 1
    result = Recomputed(len(clocks), done_cases, done_batches, confirmed)
    if result.total:
        audit.append_event(s, actor=actor, action="due_days_recomputed", entity_type="calendar",
                           detail={"reason": reason, "clocks": result.clocks, "cases": result.cases,
                                   "batches": result.batches, "confirmed": result.confirmed,
                                   "covered_years": list(cal.covered_years)})
    return result


def _decision_days(s: Session, case: Case) -> int | None:
    """The working days of the case's decision limit: those its decision clock was opened with."""
    return s.scalar(select(CaseClock.working_days).where(CaseClock.case_uuid == case.uuid,
                                                         CaseClock.kind == "decision_total")
                    .order_by(CaseClock.id.desc()).limit(1))
