"""Deadlines and document checklists from the policy and calendar in force.

A thin service over desktop.domain.policy / clock, on a snapshot of the database's policy
registry (:mod:`desktop.store.policy_registry`: the bundled files merged with the stored updates):
``DeadlinePlanner.of(session)`` with an :class:`AppSession` or a SQLAlchemy session opened by the
database. Something new (an application being taken in) gets the table in force for its place and
day (:meth:`DeadlinePlanner.policy_for`); an existing record gets the table it stored
(:meth:`DeadlinePlanner.policy_of` by ``policy_ref``), never a newer one. A
date in a year whose official holiday schedule is not published yet is
computed from the law's statutory holidays and marked ``provisional`` (暂定),
with `calendar_note` saying why, for the screen and the receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, object_session

from desktop.domain.categories import Category
from desktop.domain.clock import compute_due
from desktop.domain.policy import PolicyBook, PolicyNotFound, PolicyTable
from desktop.domain.provisional import provisional_note
from desktop.domain.workdays import CalendarNotCovered, Due, WorkCalendar
from desktop.services.session import AppSession
from desktop.store.policy_registry import PolicyRegistry, registry_of


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
    def of(cls, where: AppSession | Session | PolicyRegistry) -> DeadlinePlanner:
        """The planner of the registry of a signed-in session's database, of the database a
        SQLAlchemy session was opened on (``registry_of``), or of a registry."""
        if isinstance(where, AppSession):
            registry = where.db.policy
        elif isinstance(where, PolicyRegistry):
            registry = where
        else:
            registry = registry_of(where)
        state = registry.state
        return cls(state.book, state.calendar)

    @classmethod
    def of_record(cls, record: object) -> DeadlinePlanner:
        """The planner of the database a loaded record (a ``Case``…) was read from."""
        s = object_session(record)
        return cls.of(registry_of(s))

    @classmethod
    def bundled(cls) -> DeadlinePlanner:
        """The files this release ships, without any stored update (tools and tests with no database)."""
        from desktop.resources import load_bundled_calendar, load_bundled_policy_book  # noqa: PLC0415

        return cls(load_bundled_policy_book(), load_bundled_calendar())

    def policy_for(self, region_code: str, on: date) -> PolicyTable:
        """The table in force for a region on a day: for something being taken in now."""
        return self.book.policy_for(region_code, on)

    def policy_by_ref(self, ref: str) -> PolicyTable:
        """The table a record was made under; :class:`PolicyNotFound` (Chinese) if this PC does not know it."""
        for table in self.book.tables:
            if table.ref == ref:
                return table
        raise PolicyNotFound(f"找不到所依据的政策表“{ref}”，请从县级平台更新政策数据后再试")

    def policy_of(self, record: object, on: date | None = None) -> PolicyTable:
        """The table an existing record (case, notice batch…) was made under: its ``policy_ref``.
        Only a record that never stored one (release 0.1.0 rows) falls back to the table in force
        for its ``division_code`` on its ``accepted_on`` (or ``on``)."""
        ref = getattr(record, "policy_ref", "") or ""
        if ref:
            return self.policy_by_ref(ref)
        day = getattr(record, "accepted_on", None) or on
        if day is None:
            raise PolicyNotFound("记录没有保存所依据的政策表，也没有受理日期，无法确定适用的政策")
        return self.book.policy_for(str(getattr(record, "division_code", "")), day)

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

