"""Statutory clocks: deadlines and notice periods from the policy and calendar in force.

A pure façade over :class:`~desktop.domain.policy.PolicyTable` (how long) and
:class:`~desktop.domain.workdays.WorkCalendar` (which days count), used by
receipts, notices and referrals. Conventions, the same everywhere:

- The starting day is never counted (民法典第二百零一条). A deadline of n
  working days for a case accepted on day D is the n-th working day after D.
- A notice (公示) posted on day S with a period of n days runs from S+1 and
  ends on the returned day; objections are taken until the end of that day.
  With unit ``working_days`` it is the n-th working day after S. With unit
  ``days`` it is S+n, moved to the next working day when that is a day off and
  the policy says so (民法典第二百零三条, ``calendar_day_periods_end_on_workday``).
- A date in a year without an official holiday schedule is answered from the
  calendar's provisional rule and marked: :func:`compute_due` returns
  ``Due(day, provisional=True)``. Only a calendar without a rule raises
  :class:`~desktop.domain.workdays.CalendarNotCovered`.
"""

from __future__ import annotations

import calendar as _gregorian
from datetime import date

from .categories import Category
from .errors import YimenError
from .policy import DeadlineKind, PeriodUnit, PolicyTable, RecheckClass
from .workdays import Due, WorkCalendar

__all__ = [
    "NoticeNotRequired",
    "add_months",
    "compute_deadline",
    "compute_due",
    "next_recheck",
    "notice_end",
    "working_days_left",
]


class NoticeNotRequired(YimenError, ValueError):
    def __init__(self, category: Category) -> None:
        self.category = category
        self.message = f"按现行政策，{category.label}无需公示"
        super().__init__(self.message)


def compute_deadline(kind: DeadlineKind | str, accepted_on: date, policy: PolicyTable,
                     calendar: WorkCalendar, category: Category | str | None = None) -> date:
    """The last day for ``kind`` (e.g. ``"decision_total"``, ``"referral"``) counted from ``accepted_on``."""
    return calendar.add_working_days(accepted_on, policy.deadline(kind, category))


def compute_due(kind: DeadlineKind | str, accepted_on: date, policy: PolicyTable,
                calendar: WorkCalendar, category: Category | str | None = None) -> Due:
    """:func:`compute_deadline` with its 暂定 mark (``provisional`` when a year counted has no
    official schedule)."""
    return calendar.due(accepted_on, policy.deadline(kind, category))


def notice_end(start: date, policy: PolicyTable, category: Category | str, calendar: WorkCalendar) -> date:
    """The last day of the public notice posted on ``start`` for ``category``."""
    cat = Category(category)
    rule = policy.notice_period(cat)
    if not rule.required:
        raise NoticeNotRequired(cat)
    if rule.unit is PeriodUnit.WORKING_DAYS:
        return calendar.add_working_days(start, rule.length)
    return calendar.add_calendar_days(start, rule.length,
                                      end_on_workday=policy.calendar_day_periods_end_on_workday)


def working_days_left(due: date, today: date, calendar: WorkCalendar) -> int:
    """Working days from ``today`` (not counted) to ``due``: 0 = due today, negative = overdue."""
    return calendar.working_days_between(today, due)


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (2025-01-31 + 1 → 2025-02-28)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    last = _gregorian.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def next_recheck(last_checked: date, policy: PolicyTable, recheck_class: RecheckClass | str) -> date:
    """When a family checked on ``last_checked`` is due for its next dynamic re-check (动态管理复核)."""
    return add_months(last_checked, policy.recheck_months(recheck_class))
