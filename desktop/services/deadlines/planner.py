"""Deadlines and document checklists from the policy and calendar in force.

A thin service over desktop.domain.policy / clock: it loads the bundled (or
county-updated) tables once and answers "what is due when" for a case. A
date beyond the working-day calendar is never guessed: the deadline is left
open and `calendar_note` says why, for the screen and the receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from desktop.domain.categories import Category
from desktop.domain.clock import compute_deadline
from desktop.domain.policy import PolicyBook, PolicyTable
from desktop.domain.workdays import CalendarNotCovered, WorkCalendar


@dataclass(frozen=True)
class CasePlan:
    decision_due: date | None
    decision_working_days: int
    calendar_note: str                          # "" when the deadline is known
    documents: tuple[tuple[str, str], ...]      # (code, Chinese name) in checklist order
    policy_ref: str
    conditional: frozenset[str] = frozenset()   # codes needed only when they apply (残疾人证…)


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
        try:
            self.calendar.is_workday(on)
        except CalendarNotCovered as exc:
            return exc.message
        return None

    def plan(self, division_code: str, accepted_on: date, categories: list[Category]) -> CasePlan:
        table = self.book.policy_for(division_code, accepted_on)
        reqs = table.required_documents(categories)
        docs = tuple((d.code, d.name) for d in reqs)
        conditional = frozenset(d.code for d in reqs if d.conditional)
        main = primary_category(categories)
        days = table.deadline("decision_total", main)
        try:
            due: date | None = compute_deadline("decision_total", accepted_on, table, self.calendar, main)
            note = ""
        except CalendarNotCovered as exc:
            due, note = None, exc.message
        return CasePlan(due, days, note, docs, table.ref, conditional)


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
