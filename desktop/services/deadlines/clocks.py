"""Statutory clocks of every case, and the due/overdue dashboard.

A clock is a row of ``case_clocks``: opened when a stage with a time limit
starts, closed when the stage is done (``met``) or no longer applies
(``cancelled``). The number of working days comes from the policy table in
force on the day the case was accepted (so a policy change never moves the
deadline of a case already running); the days are counted on the working-day
calendar from the day the stage started (not counted). A due day counted
through a year whose official holiday schedule is not published yet is
computed from the law's statutory holidays and stored with ``provisional``
(暂定) and the reason in ``calendar_note``; it is recomputed when the official
schedule arrives (:mod:`desktop.services.deadlines.recompute`).

Which clocks a case transition opens and closes is one table
(:data:`TRANSITION_CLOCKS`), applied by :func:`on_transition` from the one
place that moves a case (:mod:`desktop.services.workflow.transitions`), which
also calls :func:`on_accepted` when a case is accepted. Referrals open their own clocks (kind
``referral``, one per referral, ``subject_uuid`` = the referral) through
:func:`open_clock` / :func:`close_clocks`.

The functions taking ``s`` work inside the caller's write transaction; the
ones taking an :class:`AppSession` open their own read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from desktop.domain.case_number import format_case_number
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.policy import DeadlineKind
from desktop.domain.roles import Permission
from desktop.domain.workdays import CalendarNotCovered
from desktop.services.deadlines.planner import DeadlinePlanner, primary_category
from desktop.services.session import AppSession
from desktop.store.models import Case, CaseCategory, Person, Village
from desktop.store.models_clock import CaseClock
from desktop.store.timekeeping import clock_of

__all__ = [
    "CLOCK_LABELS", "TRANSITION_CLOCKS", "ClockInfo", "ClockKind", "ClockState", "Dashboard", "DueItem",
    "case_clocks", "close_clocks", "dashboard", "on_accepted", "on_transition", "open_clock",
    "overdue_case_uuids",
]


class ClockKind(StrEnum):
    INVESTIGATION_START = DeadlineKind.INVESTIGATION_START.value
    INVESTIGATION = DeadlineKind.INVESTIGATION.value
    DECISION_TOTAL = DeadlineKind.DECISION_TOTAL.value
    COUNTY_CONFIRM = DeadlineKind.COUNTY_CONFIRM.value
    REFUSAL_NOTICE = DeadlineKind.REFUSAL_NOTICE.value
    EMERGENCY_PAPERWORK = DeadlineKind.EMERGENCY_PAPERWORK.value
    REFERRAL = DeadlineKind.REFERRAL.value


class ClockState(StrEnum):
    OPEN = "open"
    MET = "met"
    CANCELLED = "cancelled"


CLOCK_LABELS: dict[ClockKind, str] = {
    ClockKind.INVESTIGATION_START: "启动入户调查",
    ClockKind.INVESTIGATION: "完成调查核实",
    ClockKind.DECISION_TOTAL: "作出审批决定",
    ClockKind.COUNTY_CONFIRM: "县级审核确认",
    ClockKind.REFUSAL_NOTICE: "书面告知不予批准理由",
    ClockKind.EMERGENCY_PAPERWORK: "先行救助后补办手续",
    ClockKind.REFERRAL: "转办部门办结",
}

K = ClockKind
# transition name -> (kinds to close as met, kinds to open). Terminal statuses close everything
# still open (the decision as met, the rest cancelled) except the refusal notice that a refusal opens.
TRANSITION_CLOCKS: dict[str, tuple[tuple[ClockKind, ...], tuple[ClockKind, ...]]] = {
    "start_investigation": ((K.INVESTIGATION_START,), (K.INVESTIGATION,)),
    "post_notice": ((K.INVESTIGATION_START, K.INVESTIGATION), ()),
    "submit_for_decision": ((K.INVESTIGATION_START, K.INVESTIGATION), ()),
    "start_deliberation": ((K.INVESTIGATION_START, K.INVESTIGATION), ()),
    "escalate_to_county": ((K.INVESTIGATION_START, K.INVESTIGATION), (K.COUNTY_CONFIRM,)),
    "grant_emergency_aid": ((K.INVESTIGATION_START,), (K.EMERGENCY_PAPERWORK,)),
    "complete_emergency_paperwork": ((K.EMERGENCY_PAPERWORK,), ()),
    "refer": ((K.INVESTIGATION_START,), ()),
    "object": ((), (K.INVESTIGATION,)),
    "withdraw_notice": ((), (K.INVESTIGATION,)),
    "return_for_reinvestigation": ((), (K.INVESTIGATION,)),
    "refuse": ((), (K.REFUSAL_NOTICE,)),
    "referral_refused": ((), (K.REFUSAL_NOTICE,)),
}

# transitions that decide a case: they meet its decision clock (a withdrawal only cancels it)
DECIDING_TRANSITIONS = frozenset({"approve", "refuse", "referral_approved", "referral_refused",
                                  "complete_emergency_paperwork"})


def _main_category(s: Session, case_uuid: str) -> Category | None:
    cats = [Category(c) for c in s.scalars(select(CaseCategory.category)
                                           .where(CaseCategory.case_uuid == case_uuid)).all()]
    return primary_category(cats) if cats else None


def open_clock(s: Session, case: Case, kind: ClockKind | str, *, actor: str, started_on: date,
               category: Category | str | None = None, subject_uuid: str | None = None,
               label: str | None = None, working_days: int | None = None,
               planner: DeadlinePlanner | None = None) -> CaseClock:
    """Open a clock for ``case`` (inside the caller's transaction) and return it.

    The length comes from ``working_days`` if given (a referral's department
    limit), else from the policy in force on the case's acceptance day for
    ``kind`` and ``category`` (default: the case's primary category). Opening
    a kind that is already open for the same subject closes the old one as
    cancelled first: a stage restarted (re-investigation) runs a fresh clock.
    """
    k = ClockKind(kind)
    planner = planner or DeadlinePlanner.of(s)
    policy = planner.policy_of(case, started_on)
    cat = Category(category) if category is not None else _main_category(s, case.uuid)
    days = working_days if working_days is not None else policy.deadline(k.value, cat)
    due, provisional, note = planner.due(started_on, days)
    now = clock_of(s).now()
    close_clocks(s, case.uuid, (k,), actor=actor, subject_uuid=subject_uuid, state=ClockState.CANCELLED,
                 note="重新计时")
    clock = CaseClock(case_uuid=case.uuid, kind=k.value, subject_uuid=subject_uuid,
                      label=label or CLOCK_LABELS[k], started_on=started_on, working_days=days, due_on=due,
                      calendar_note=note, provisional=provisional, policy_ref=policy.ref, state=ClockState.OPEN.value, opened_by=actor,
                      opened_at=now, close_note="")
    s.add(clock)
    s.flush()
    return clock


def close_clocks(s: Session, case_uuid: str, kinds: Iterable[ClockKind | str] | None = None, *, actor: str,
                 subject_uuid: str | None = None, state: ClockState | str = ClockState.MET,
                 note: str = "") -> int:
    """Close the open clocks of ``case_uuid`` of ``kinds`` (all kinds when None; one subject when
    given). Returns how many were closed."""
    st = ClockState(state)
    q = select(CaseClock).where(CaseClock.case_uuid == case_uuid, CaseClock.state == ClockState.OPEN.value)
    if kinds is not None:
        q = q.where(CaseClock.kind.in_([ClockKind(k).value for k in kinds]))
    if subject_uuid is not None:
        q = q.where(CaseClock.subject_uuid == subject_uuid)
    rows = list(s.scalars(q))
    now = clock_of(s).now()
    for c in rows:
        c.state, c.closed_by, c.closed_at, c.close_note = st.value, actor, now, note
    return len(rows)


def on_accepted(s: Session, case: Case, *, actor: str, planner: DeadlinePlanner | None = None) -> None:
    """A case has just been accepted (at intake or after 补正): start its investigation and
    decision clocks from its acceptance day."""
    assert case.accepted_on is not None
    for k in (K.INVESTIGATION_START, K.DECISION_TOTAL):
        open_clock(s, case, k, actor=actor, started_on=case.accepted_on, planner=planner)


def on_transition(s: Session, case: Case, name: str, after: CaseStatus | str, *, actor: str,
                  on_day: date | None = None, planner: DeadlinePlanner | None = None) -> None:
    """Open and close the clocks a just-applied transition implies (see :data:`TRANSITION_CLOCKS`)."""
    day = on_day or clock_of(s).today()
    close, open_ = TRANSITION_CLOCKS.get(name, ((), ()))
    if close:
        close_clocks(s, case.uuid, close, actor=actor, note=name)
    if CaseStatus(after).is_terminal:
        if name in DECIDING_TRANSITIONS:
            close_clocks(s, case.uuid, (K.DECISION_TOTAL, K.COUNTY_CONFIRM), actor=actor, note=name)
        keep = {K.REFUSAL_NOTICE} if K.REFUSAL_NOTICE in open_ else set()
        # a referral's clock belongs to its referral: the workflow then calls referrals.records.on_case_ended,
        # which decides whether it stops (this module stays below the referrals: no import back)
        others = [k for k in ClockKind if k not in keep and k is not K.REFERRAL]
        close_clocks(s, case.uuid, others, actor=actor, state=ClockState.CANCELLED, note=name)
    for k in open_:
        if case.accepted_on is None:
            continue   # never accepted: no statutory clock runs
        open_clock(s, case, k, actor=actor, started_on=day, planner=planner)


# ------------------------------------------------------------------------------ reading

@dataclass(frozen=True)
class ClockInfo:
    uuid: str
    kind: ClockKind
    label: str
    started_on: date
    working_days: int
    due_on: date | None
    calendar_note: str
    state: ClockState
    subject_uuid: str | None
    closed_at: datetime | None
    working_days_left: int | None       # None when closed or beyond the calendar; negative = overdue
    provisional: bool = False           # 暂定: the due day rests on a year without an official schedule

    @property
    def overdue(self) -> bool:
        return self.state is ClockState.OPEN and self.working_days_left is not None and self.working_days_left < 0


def _left(planner: DeadlinePlanner, due: date | None, today: date) -> int | None:
    if due is None:
        return None
    try:
        return planner.calendar.working_days_between(today, due)
    except CalendarNotCovered:
        return None


def _info(c: CaseClock, today: date, planner: DeadlinePlanner) -> ClockInfo:
    st = ClockState(c.state)
    return ClockInfo(c.uuid, ClockKind(c.kind), c.label, c.started_on, c.working_days, c.due_on, c.calendar_note,
                     st, c.subject_uuid, c.closed_at,
                     _left(planner, c.due_on, today) if st is ClockState.OPEN else None, c.provisional)


def case_clocks(session: AppSession, case_uuid: str, today: date | None = None,
                planner: DeadlinePlanner | None = None) -> list[ClockInfo]:
    """Every clock of a case, open ones first by due day, then closed ones as they were opened."""
    session.require(Permission.VIEW_CASES)
    today = today or session.clock.today()
    planner = planner or DeadlinePlanner.of(session)
    with session.db.read() as s:
        rows = list(s.scalars(select(CaseClock).where(CaseClock.case_uuid == case_uuid).order_by(CaseClock.id)))
        infos = [_info(c, today, planner) for c in rows]
    return sorted(infos, key=lambda i: (i.state is not ClockState.OPEN, i.due_on or date.max if
                                        i.state is ClockState.OPEN else date.min))


@dataclass(frozen=True)
class DueItem:
    clock_uuid: str
    case_uuid: str
    case_number: str            # formatted for display
    applicant: str
    village: str
    kind: ClockKind
    label: str
    due_on: date | None
    calendar_note: str
    working_days_left: int | None
    subject_uuid: str | None = None     # the referral of a referral clock
    provisional: bool = False           # 暂定 due day


@dataclass(frozen=True)
class Dashboard:
    today: date
    overdue: tuple[DueItem, ...]
    due_today: tuple[DueItem, ...]
    due_this_week: tuple[DueItem, ...]       # after today, up to the end of this calendar week (Sunday)
    open_beyond_calendar: tuple[DueItem, ...]
    # how many in each group (overdue, today, this week, beyond), even past ``limit``
    totals: tuple[int, int, int, int] = (0, 0, 0, 0)
    # the cases those overdue time limits belong to, counted as the case list's 仅显示超期 and 统计's 逾期 count
    # them (a running time limit or the decision day passed): one case may have several overdue limits
    overdue_cases: int = 0

    @property
    def attention(self) -> int:
        return self.totals[0] + self.totals[1] if any(self.totals) else len(self.overdue) + len(self.due_today)


def dashboard(session: AppSession, today: date | None = None, planner: DeadlinePlanner | None = None,
              limit: int = 500) -> Dashboard:
    """What is overdue, due today and due this week, across all open clocks (``limit`` per group)."""
    session.require(Permission.VIEW_CASES)
    today = today or session.clock.today()
    planner = planner or DeadlinePlanner.of(session)
    week_end = today + timedelta(days=6 - today.weekday())
    is_open = CaseClock.state == ClockState.OPEN.value
    conditions = {"overdue": CaseClock.due_on < today, "today": CaseClock.due_on == today,
                  "week": (CaseClock.due_on > today) & (CaseClock.due_on <= week_end),
                  "open": CaseClock.due_on.is_(None)}
    groups: dict[str, tuple[DueItem, ...]] = {}
    totals: dict[str, int] = {}
    with session.db.read() as s:
        for group, cond in conditions.items():   # counted in SQL, only ``limit`` rows fetched per group
            totals[group] = int(s.scalar(select(func.count()).select_from(CaseClock).where(is_open, cond)) or 0)
            q = (select(CaseClock, Case.case_number, Person.name, Village.name)
                 .join(Case, Case.uuid == CaseClock.case_uuid)
                 .join(Person, Person.uuid == Case.applicant_uuid)
                 .join(Village, Village.division_code == Case.division_code, isouter=True)
                 .where(is_open, cond).order_by(CaseClock.due_on, CaseClock.id).limit(limit))
            groups[group] = tuple(
                DueItem(clock.uuid, clock.case_uuid, format_case_number(number), applicant, village or "",
                        ClockKind(clock.kind), clock.label, clock.due_on, clock.calendar_note,
                        _left(planner, clock.due_on, today), clock.subject_uuid, clock.provisional)
                for clock, number, applicant, village in s.execute(q))
        late_cases = int(s.scalar(select(func.count()).select_from(Case).where(overdue_case_condition(today))) or 0)
    return Dashboard(today, groups["overdue"], groups["today"], groups["week"], groups["open"],
                     (totals["overdue"], totals["today"], totals["week"], totals["open"]), late_cases)


def overdue_case_condition(today: date):  # type: ignore[no-untyped-def]
    """A case is overdue when its decision day passed before it was decided, or any of its running time
    limits (investigation, a referral…) passed: the one rule of the case list, 首页 and 统计 (at its cut day)."""
    open_statuses = [st.value for st in CaseStatus if not st.is_terminal]
    running_late = exists().where(CaseClock.case_uuid == Case.uuid, CaseClock.state == ClockState.OPEN.value,
                                  CaseClock.due_on < today)
    return or_(and_(Case.decision_due < today, Case.status.in_(open_statuses)), running_late)


def overdue_case_uuids(s: Session, today: date) -> set[str]:
    """Cases with at least one open clock past its due day (for the case list's highlighting)."""
    return set(s.scalars(select(CaseClock.case_uuid).where(CaseClock.state == ClockState.OPEN.value,
                                                           CaseClock.due_on < today).distinct()))
