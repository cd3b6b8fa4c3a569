"""Dynamic management (动态管理): who is covered gets re-checked on a schedule, and the outcome is recorded.

A coverage row (``coverage``: household, category, since, amount, re-check
class) is "who receives what". Each open coverage has exactly one open
re-check (``rechecks`` row with ``done_on`` None) once scheduled:

- :func:`schedule_missing` gives every open coverage without one its first
  re-check. A coverage that starts now is due ``months`` after ``since``; one
  that predates this system (bulk-loaded, demo) is assumed checked on its
  last anniversary before today, so its first re-check is the next
  anniversary (``since`` + k·months, the first one not before today) — the
  list does not open with every old family overdue.
- :func:`record_outcome` fills the open row (continue / adjust / stop, with
  the reason) and, unless the assistance stops, adds the next one, due
  ``months`` after the day of the re-check. Adjust changes the coverage's
  monthly amount; stop ends the coverage (``until``) so it leaves the list.
- :func:`on_case_approved` is the hook ``cases.transition`` calls when a
  case is approved: a 低保/特困 approval opens the household's coverage
  (if it has none of that category) and its first re-check.

The months come from the policy table in force for the household's village
on the day the re-check is scheduled (``PolicyTable.recheck_months``).
Every change is audited and queued for the county in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from desktop.domain.categories import Category
from desktop.domain.clock import add_months
from desktop.domain.policy import RecheckClass
from desktop.domain.roles import Permission
from desktop.domain.text_rules import TextKind
from desktop.domain.text_rules import clean as clean_text
from desktop.domain.text_rules import problem as text_problem
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.session import AppSession
from desktop.store import audit, outbox
from desktop.store.models import Case, CaseCategory, Coverage, Household, Person, Village
from desktop.store.models_notice import NoticeHomeVisit
from desktop.store.models_recheck import Recheck
from desktop.store.timekeeping import clock_of
from sync import events as ev

__all__ = [
    "COVERED_ON_APPROVAL", "MAX_MONTHLY_CENTS", "OUTCOME_LABELS", "RECHECK_CLASS_LABELS", "DueGroup",
    "DueRecheck", "Outcome", "OutcomeInput", "RecordedRecheck", "due_counts", "first_due", "list_due",
    "on_case_approved", "record_outcome", "recheck_class_for", "schedule_missing", "village_choices",
]

# Categories that pay monthly and are managed dynamically: their approval creates a coverage.
COVERED_ON_APPROVAL: tuple[Category, ...] = (Category.DIBAO, Category.TEKUN)
MAX_MONTHLY_CENTS = 10_000_000   # 100,000 元 a month: a typo, not an amount


class Outcome(StrEnum):
    CONTINUE = "continue"
    ADJUST = "adjust"
    STOP = "stop"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.CONTINUE: "继续享受",
    Outcome.ADJUST: "调整金额",
    Outcome.STOP: "停止救助",
}

RECHECK_CLASS_LABELS: dict[RecheckClass, str] = {
    RecheckClass.STABLE: "收入稳定",
    RecheckClass.IRREGULAR_INCOME: "收入不固定",
    RecheckClass.CLASS_C_URBAN: "C类（城市）",
    RecheckClass.CLASS_C_RURAL: "C类（农村）",
    RecheckClass.TEKUN: "特困人员",
}


class DueGroup(StrEnum):
    OVERDUE = "overdue"
    THIS_MONTH = "this_month"
    NEXT_MONTH = "next_month"


def _month_end(d: date) -> date:
    return add_months(d.replace(day=1), 1) - timedelta(days=1)


# ------------------------------------------------------------------------------ scheduling

def first_due(since: date, months: int, today: date) -> date:
    """The first re-check of a coverage that began on ``since``: ``since`` + k·months for the
    smallest k ≥ 1 that is not before ``today`` (so a new coverage is due ``months`` after it began)."""
    k = 1
    if since < today:
        elapsed = (today.year - since.year) * 12 + today.month - since.month
        k = max(1, elapsed // months)
    due = add_months(since, k * months)
    while due < today:
        k += 1
        due = add_months(since, k * months)
    return due


def recheck_class_for(category: Category | str, members: list[tuple[str, str]]) -> RecheckClass:
    """The class a newly approved coverage is re-checked under. ``members``: (labour capacity,
    employment) of each household member. 特困 are re-checked as 特困; a 低保 family with a
    member able to work on an irregular income every half year; other families yearly."""
    if Category(category) is Category.TEKUN:
        return RecheckClass.TEKUN
    irregular = {"flexible", "farming", "unemployed"}
    if any(cap in ("full", "partial") and job in irregular for cap, job in members):
        return RecheckClass.IRREGULAR_INCOME
    return RecheckClass.STABLE


def _new_recheck(s: Session, cov: Coverage, division_code: str, due_from: date, *, actor: str,
                 planner: DeadlinePlanner, today: date, first: bool) -> Recheck:
    policy = planner.policy_for(division_code, today)
    months = policy.recheck_months(cov.recheck_class)
    due = first_due(due_from, months, today) if first else add_months(due_from, months)
    row = Recheck(coverage_id=cov.id, due_on=due, recheck_class=cov.recheck_class, policy_ref=policy.ref,
                  scheduled_by=actor, scheduled_at=clock_of(s).now(), reason="")
    s.add(row)
    return row


def _unscheduled(today: date):  # type: ignore[no-untyped-def]
    """Open coverages with no open re-check (and not stopped by one)."""
    has_open = select(Recheck.id).where(Recheck.coverage_id == Coverage.id, Recheck.done_on.is_(None)).exists()
    stopped = select(Recheck.id).where(Recheck.coverage_id == Coverage.id,
                                       Recheck.outcome == Outcome.STOP.value).exists()
    return and_(or_(Coverage.until.is_(None), Coverage.until >= today), ~has_open, ~stopped)


def _schedule_in(s: Session, *, actor: str, today: date, planner: DeadlinePlanner) -> int:
    q = (select(Coverage, Household.division_code).join(Household, Household.uuid == Coverage.household_uuid)
         .where(_unscheduled(today)))
    n = 0
    for cov, division in s.execute(q):
        _new_recheck(s, cov, division, cov.since, actor=actor, planner=planner, today=today, first=True)
        n += 1
    if n:
        s.flush()
        audit.append_event(s, actor=actor, action="recheck.scheduled", entity_type="recheck",
                           detail={"coverages": n, "on": today.isoformat()})
    return n


def schedule_unscheduled(s: Session, *, actor: str, today: date, planner: DeadlinePlanner | None = None) -> int:
    """Inside the caller's write transaction (the post-upgrade step): as :func:`schedule_missing`."""
    return _schedule_in(s, actor=actor, today=today, planner=planner or DeadlinePlanner.of(s))


def schedule_missing(session: AppSession, today: date | None = None, planner: DeadlinePlanner | None = None) -> int:
    """Give every open coverage without an open re-check its first one; returns how many were added.
    Idempotent (run when the re-check list opens and after the demo is made)."""
    session.require(Permission.VIEW_CASES)
    today = today or session.clock.today()
    planner = planner or DeadlinePlanner.of(session)
    with session.db.read() as s:
        missing = s.scalar(select(func.count()).select_from(Coverage).where(_unscheduled(today)))
    if not missing:
        return 0     # the usual case: no write lock taken
    with session.db.write() as s:
        return _schedule_in(s, actor=session.user.username, today=today, planner=planner)


def on_case_approved(s: Session, case: Case, *, actor: str, amount_cents: int | None, on_day: date,
                     planner: DeadlinePlanner | None = None) -> list[int]:
    """Inside the approving transaction: open the household's coverage for each approved 低保/特困
    category it does not already receive, with its first re-check. Returns the new coverage ids."""
    planner = planner or DeadlinePlanner.of(s)
    cats = set(s.scalars(select(CaseCategory.category).where(CaseCategory.case_uuid == case.uuid)))
    members = [(p.labour_capacity, p.employment)
               for p in s.scalars(select(Person).where(Person.household_uuid == case.household_uuid))]
    if amount_cents is None:    # the amount proposed at the home visit, when the decision gave none
        amount_cents = s.scalar(select(NoticeHomeVisit.proposed_monthly_cents)
                                .where(NoticeHomeVisit.case_uuid == case.uuid)
                                .order_by(NoticeHomeVisit.visited_on.desc(), NoticeHomeVisit.id.desc()).limit(1))
    created = []
    for cat in COVERED_ON_APPROVAL:
        if cat.value not in cats:
            continue
        existing = s.scalar(select(Coverage.id).where(
            Coverage.household_uuid == case.household_uuid, Coverage.category == cat.value,
            or_(Coverage.until.is_(None), Coverage.until >= on_day)))
        if existing is not None:
            continue
        cov = Coverage(household_uuid=case.household_uuid, category=cat.value, since=on_day, until=None,
                       monthly_amount_cents=amount_cents or 0,
                       recheck_class=recheck_class_for(cat, members).value, case_uuid=case.uuid)
        s.add(cov)
        s.flush()
        row = _new_recheck(s, cov, case.division_code, on_day, actor=actor, planner=planner, today=on_day,
                           first=True)
        s.flush()
        audit.append_event(s, actor=actor, action="coverage.created", entity_type="coverage",
                           entity_id=str(cov.id), detail={"case_uuid": case.uuid, "category": cat.value,
                                                          "recheck_due": row.due_on.isoformat()})
        outbox.enqueue(s, ev.CoverageCreated(
            coverage_uuid=cov.uuid, household_uuid=cov.household_uuid, case_uuid=case.uuid,
            case_number=case.case_number, category=cat.value, since=on_day,
            monthly_amount_cents=cov.monthly_amount_cents, recheck_class=cov.recheck_class, recheck_due=row.due_on))
        created.append(cov.id)
    return created


# ------------------------------------------------------------------------------ the due list

@dataclass(frozen=True)
class DueRecheck:
    uuid: str
    coverage_id: int
    holder: str                 # the household's head (户主), for the clerk to find the family
    village: str
    division_code: str
    category: Category
    recheck_class: RecheckClass
    monthly_amount_cents: int
    since: date
    due_on: date
    group: DueGroup

    @property
    def category_label(self) -> str:
        return self.category.label

    @property
    def class_label(self) -> str:
        return RECHECK_CLASS_LABELS[self.recheck_class]


def _group(due: date, today: date) -> DueGroup:
    if due < today:
        return DueGroup.OVERDUE
    return DueGroup.THIS_MONTH if due <= _month_end(today) else DueGroup.NEXT_MONTH


def _holder_name():  # type: ignore[no-untyped-def]
    return (select(Person.name).where(Person.household_uuid == Household.uuid)
            .order_by((Person.relation != "self"), Person.position).limit(1).scalar_subquery())


def list_due(session: AppSession, today: date | None = None, group: DueGroup | str | None = None,
             village: str | None = None, limit: int = 2000) -> list[DueRecheck]:
    """Open re-checks overdue, due this month or next month (``group`` picks one), oldest first,
    optionally for one village (division code)."""
    session.require(Permission.VIEW_CASES)
    today = today or session.clock.today()
    next_end = _month_end(add_months(today.replace(day=1), 1))
    lo, hi = date.min, next_end
    if group is not None:
        g = DueGroup(group)
        if g is DueGroup.OVERDUE:
            hi = today - timedelta(days=1)
        elif g is DueGroup.THIS_MONTH:
            lo, hi = today, _month_end(today)
        else:
            lo = _month_end(today) + timedelta(days=1)
    q = (select(Recheck.uuid, Recheck.coverage_id, Recheck.due_on, Recheck.recheck_class, Coverage.category,
                Coverage.monthly_amount_cents, Coverage.since, Household.division_code, Village.name,
                _holder_name().label("holder"))
         .join(Coverage, Coverage.id == Recheck.coverage_id)
         .join(Household, Household.uuid == Coverage.household_uuid)
         .join(Village, Village.division_code == Household.division_code, isouter=True)
         .where(Recheck.done_on.is_(None), Recheck.due_on >= lo, Recheck.due_on <= hi,
                or_(Coverage.until.is_(None), Coverage.until >= today))
         .order_by(Recheck.due_on, Recheck.id).limit(limit))
    if village:
        q = q.where(Household.division_code == village)
    with session.db.read() as s:
        rows = s.execute(q).all()
    return [DueRecheck(r.uuid, r.coverage_id, r.holder or "", r.name or "", r.division_code, Category(r.category),
                       RecheckClass(r.recheck_class), int(r.monthly_amount_cents or 0), r.since, r.due_on,
                       _group(r.due_on, today)) for r in rows]


def due_counts(session: AppSession, today: date | None = None) -> dict[DueGroup, int]:
    """How many open re-checks are overdue, due this month and due next month."""
    session.require(Permission.VIEW_CASES)
    today = today or session.clock.today()
    this_end = _month_end(today)
    next_end = _month_end(this_end + timedelta(days=1))
    with session.db.read() as s:
        base = (select(func.count()).select_from(Recheck).join(Coverage, Coverage.id == Recheck.coverage_id)
                .where(Recheck.done_on.is_(None), or_(Coverage.until.is_(None), Coverage.until >= today)))
        return {
            DueGroup.OVERDUE: s.scalar(base.where(Recheck.due_on < today)) or 0,
            DueGroup.THIS_MONTH: s.scalar(base.where(and_(Recheck.due_on >= today, Recheck.due_on <= this_end))) or 0,
            DueGroup.NEXT_MONTH: s.scalar(base.where(and_(Recheck.due_on > this_end,
                                                          Recheck.due_on <= next_end))) or 0,
        }


def village_choices(session: AppSession) -> list[tuple[str, str]]:
    """(division code, name) of the township's villages, for the list's filter."""
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        return [(c, n) for c, n in s.execute(select(Village.division_code, Village.name)
                                            .order_by(Village.division_code))]


# ------------------------------------------------------------------------------ recording

@dataclass(frozen=True)
class OutcomeInput:
    outcome: Literal["continue", "adjust", "stop"] | str
    done_on: date
    reason: str = ""
    new_amount_cents: int | None = None


@dataclass(frozen=True)
class RecordedRecheck:
    uuid: str
    outcome: Outcome
    done_on: date
    next_due_on: date | None        # None when the assistance stopped
    monthly_amount_cents: int       # after the re-check


def _validate(form: OutcomeInput, today: date, due_row: Recheck, cov: Coverage) -> tuple[Outcome, str]:
    try:
        outcome = Outcome(form.outcome)
    except ValueError:
        raise InvalidInput("请选择复核结果：继续享受、调整金额或停止救助。", "outcome") from None
    if not isinstance(form.done_on, date):
        raise InvalidInput("请填写复核日期。", "done_on")
    if form.done_on > today:
        raise InvalidInput("复核日期不能晚于今天。", "done_on")
    if form.done_on < cov.since:
        raise InvalidInput(f"复核日期不能早于开始享受救助的日期（{cov.since.isoformat()}）。", "done_on")
    raw = form.reason if isinstance(form.reason, str) else ""
    if bad := text_problem(raw, TextKind.FREE_TEXT, "复核理由"):   # a lone surrogate would crash SQLite's encoder
        raise InvalidInput(bad, "reason")
    reason = clean_text(raw, TextKind.FREE_TEXT)
    if outcome is not Outcome.CONTINUE and not reason:
        raise InvalidInput(f"“{outcome.label}”须填写理由。", "reason")
    if outcome is Outcome.ADJUST:
        amount = form.new_amount_cents
        if amount is None or type(amount) is not int or amount <= 0:
            raise InvalidInput("调整金额须填写大于0的新月救助金额。", "new_amount_cents")
        if amount > MAX_MONTHLY_CENTS:
            raise InvalidInput("新月救助金额过大，请核对。", "new_amount_cents")
        if amount == cov.monthly_amount_cents:
            raise InvalidInput("新月救助金额与原金额相同；金额不变请选择“继续享受”。", "new_amount_cents")
    elif form.new_amount_cents is not None:
        raise InvalidInput("只有“调整金额”才填写新的月救助金额。", "new_amount_cents")
    return outcome, reason


def record_outcome(session: AppSession, recheck_uuid: str, form: OutcomeInput, today: date | None = None,
                   planner: DeadlinePlanner | None = None) -> RecordedRecheck:
    """Record the outcome of an open re-check (clerk or supervisor). Bad input raises InvalidInput
    with the Chinese reason and changes nothing."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    planner = planner or DeadlinePlanner.of(session)
    with session.db.write() as s:
        row = s.scalar(select(Recheck).where(Recheck.uuid == recheck_uuid))
        if row is None:
            raise NotFound("找不到该复核记录。")
        if row.done_on is not None:
            raise InvalidInput("该复核已录入结果，不能重复录入。", "recheck")
        cov = s.get(Coverage, row.coverage_id)
        assert cov is not None
        if cov.until is not None and cov.until < today:
            raise InvalidInput("该户的救助已经停止，无需复核。", "recheck")
        outcome, reason = _validate(form, today, row, cov)
        division = s.scalar(select(Household.division_code).where(Household.uuid == cov.household_uuid)) or ""
        now = session.clock.now()
        before = cov.monthly_amount_cents
        row.done_on, row.outcome, row.reason = form.done_on, outcome.value, reason
        row.amount_before_cents, row.recorded_by, row.recorded_at = before, session.user.username, now
        nxt: Recheck | None = None
        if outcome is Outcome.STOP:
            cov.until = form.done_on
        else:
            if outcome is Outcome.ADJUST:
                row.new_amount_cents = form.new_amount_cents
                cov.monthly_amount_cents = int(form.new_amount_cents or 0)
            nxt = _new_recheck(s, cov, division, form.done_on, actor=session.user.username, planner=planner,
                               today=form.done_on, first=False)
            row.next_due_on = nxt.due_on
        s.flush()
        detail = {"coverage_id": cov.id, "category": cov.category, "outcome": outcome.value,
                  "done_on": form.done_on.isoformat(), "amount_before_cents": before,
                  "amount_after_cents": cov.monthly_amount_cents,
                  "next_due_on": row.next_due_on.isoformat() if row.next_due_on else None}
        audit.append_event(s, actor=session.user.username, action="recheck.recorded", entity_type="recheck",
                           entity_id=row.uuid, detail=detail)
        outbox.enqueue(s, ev.RecheckRecorded(
            recheck_uuid=row.uuid, coverage_uuid=cov.uuid, household_uuid=cov.household_uuid, category=cov.category,
            outcome=outcome.value, done_on=form.done_on, reason=reason, amount_before_cents=before,
            amount_after_cents=cov.monthly_amount_cents, next_due_on=row.next_due_on, at=now))
        return RecordedRecheck(row.uuid, outcome, form.done_on, row.next_due_on, cov.monthly_amount_cents)
