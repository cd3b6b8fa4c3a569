"""Deadlines and document checklists from the policy and calendar in force.

A thin service over desktop.domain.policy / clock: it loads the bundled (or
county-updated) tables once and answers "what is due when" for a case. A
date in a year whose official holiday schedule is not published yet is
computed from the law's statutory holidays and marked ``provisional`` (暂定),
with `calendar_note` saying why, for the screen and the receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from desktop.domain.categories import Category
from desktop.domain.clock import compute_due
from desktop.domain.policy import PolicyBook, PolicyTable
from desktop.domain.provisional import provisional_note
from desktop.domain.workdays import CalendarNotCovered, Due, WorkCalendar


@dataclass(frozen=True)
class CasePlan:
    decision_due: date | None
    decision_working_days: int
    calendar_note: str                          # "" when the deadline is official, else why it is not
    documents: tuple[tuple[str, str], ...]      # (code, Chinese name) in checklist order
    policy_ref: str
    conditional: frozenset[str] = frozenset()   # codes needed only when they apply (残疾人证…)
    decision_provisional: bool = False          # 暂定: counted through a year without an official schedule


class DeadlinePlanner:
    def __init__(self, book: PolicyBook, calendar: WorkCalendar) -> None:
        self.book = book
        self.calendar = calendar

    @classmethod
    def default(cls) -> DeadlinePlanner:
        return _default_planner()

    def policy_for(self, region_code: str, on: date) -> PolicyTable:
        return self.book.policy_for(region_code, on)

    def calendar_problem(self, on: date) -> str | None:
        """Why deadlines around ``on`` are not official (暂定 or not computable), or None."""
        if self.calendar.covers(on):
            return None
        if self.calendar.is_provisional(on):
            return provisional_note(on.year) + "，请从县级平台更新节假日安排"
        return CalendarNotCovered(on.year).message

    def due(self, start: date, working_days: int) -> tuple[date | None, bool, str]:
        """(due day, provisional, note) for ``working_days`` after ``start``; the day is None only
        when the calendar has no answer at all (no provisional rule for that year)."""
        try:
            d = self.calendar.due(start, working_days)
        except CalendarNotCovered as exc:
            return None, False, exc.message
        return d.day, d.provisional, due_note(self.calendar, start, d)

    def plan(self, division_code: str, accepted_on: date, categories: list[Category]) -> CasePlan:
        table = self.book.policy_for(division_code, accepted_on)
        reqs = table.required_documents(categories)
        docs = tuple((d.code, d.name) for d in reqs)
        conditional = frozenset(d.code for d in reqs if d.conditional)
        main = primary_category(categories)
        days = table.deadline("decision_total", main)
        try:
            d = compute_due("decision_total", accepted_on, table, self.calendar, main)
        except CalendarNotCovered as exc:
            return CasePlan(None, days, exc.message, docs, table.ref, conditional)
        return CasePlan(d.day, days, due_note(self.calendar, accepted_on, d), docs, table.ref, conditional,
                        d.provisional)


def due_note(calendar: WorkCalendar, start: date, d: Due) -> str:
    """"" for an official due day, else why it is 暂定 (naming the first year without a schedule)."""
    years = calendar.provisional_years(start, d.day) if d.provisional else ()
    return provisional_note(years[0]) if years else ""


def primary_category(categories: list[Category]) -> Category:
    """The category whose decision limit is the case's: the first in the catalogue order
    (basic living before special aid), so the order the clerk ticked them does not matter."""
    if not categories:
        raise ValueError("至少需要一个救助类别。")
    order = list(Category)
    return min(categories, key=order.index)


@lru_cache(maxsize=1)
def _default_planner() -> DeadlinePlanner:
    from desktop.resources import default_calendar, default_policy_book

    return DeadlinePlanner(default_policy_book(), default_calendar())
