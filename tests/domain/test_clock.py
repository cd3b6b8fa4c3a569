"""Deadlines and notice periods from policy + calendar.

Expected dates are counted by hand from the official calendar, e.g. 2025 国庆+中秋:
10/1–10/8 off, 9/28 (Sun) and 10/11 (Sat) worked; 2026 春节: 2/15–2/23 off, 2/14 and
2/28 (Sat) worked; 2026 国庆: 10/1–10/7 off, 9/20 (Sun) and 10/10 (Sat) worked.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from desktop.domain.categories import Category
from desktop.domain.clock import (
    NoticeNotRequired,
    add_months,
    compute_deadline,
    next_recheck,
    notice_end,
    working_days_left,
)
from desktop.domain.policy import NoticeRule, PeriodUnit, PolicyBook, PolicyTable, load_policy_tables
from desktop.domain.workdays import CalendarNotCovered, WorkCalendar, load_calendar

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return load_calendar(RESOURCES / "calendar" / "cn_workdays.json")


@pytest.fixture(scope="module")
def book() -> PolicyBook:
    return load_policy_tables(RESOURCES / "policy")


@pytest.fixture(scope="module")
def national(book: PolicyBook) -> PolicyTable:
    return book.policy_for("110105001001", date(2025, 6, 1))


@pytest.fixture(scope="module")
def county(book: PolicyBook) -> PolicyTable:
    return book.policy_for("620102101201", date(2026, 7, 1))


def with_notice(table: PolicyTable, category: Category, rule: NoticeRule, **changes) -> PolicyTable:
    return dataclasses.replace(table, notices={**table.notices, category: rule}, **changes)


# ------------------------------------------------------------------ deadlines


def test_decision_deadline_across_national_day_2025(cal: WorkCalendar, national: PolicyTable) -> None:
    # 30 working days after Fri 2025-09-26: 9/28(1) 9/29 9/30(3) 10/9 10/10 10/11(6) 10/13–17(11)
    # 10/20–24(16) 10/27–31(21) 11/3–7(26) 11/10 11/11 11/12 11/13(30)
    due = compute_deadline("decision_total", date(2025, 9, 26), national, cal, Category.DIBAO)
    assert due == date(2025, 11, 13)


def test_investigation_start_across_spring_festival_2026(cal: WorkCalendar, national: PolicyTable) -> None:
    # 3 working days after Thu 2026-02-12: 2/13(1), Sat 2/14 make-up(2), 2/24(3)
    assert compute_deadline("investigation_start", date(2026, 2, 12), national, cal) == date(2026, 2, 24)


def test_referral_deadline_uses_the_department(cal: WorkCalendar, national: PolicyTable) -> None:
    # 医保局: 10 working days after Fri 2025-01-24: Sun 1/26(1) 1/27(2) 2/5 2/6 2/7(5)
    # Sat 2/8(6) 2/10 2/11 2/12 2/13(10)
    assert compute_deadline("referral", date(2025, 1, 24), national, cal, Category.MEDICAL) == date(2025, 2, 13)


def test_county_table_changes_the_deadline(cal: WorkCalendar, county: PolicyTable) -> None:
    # county 低保 decision: 20 working days after Fri 2026-09-18: Sun 9/20(1) 9/21–24(5)
    # 9/28–30(8) 10/8 10/9 Sat 10/10(11) 10/12–16(16) 10/19–22(20)
    assert compute_deadline("decision_total", date(2026, 9, 18), county, cal, "dibao") == date(2026, 10, 22)
    # emergency paperwork: 5 working days after Wed 2026-09-30: 10/8 10/9 10/10 10/12 10/13
    assert compute_deadline("emergency_paperwork", date(2026, 9, 30), county, cal) == date(2026, 10, 13)


def test_deadline_beyond_the_calendar_is_not_guessed(cal: WorkCalendar, national: PolicyTable) -> None:
    with pytest.raises(CalendarNotCovered) as exc:
        compute_deadline("decision_total", date(2026, 12, 1), national, cal, Category.DIBAO)
    assert exc.value.message == "工作日历未覆盖2027年，请从县级平台更新节假日安排"


def test_working_days_left(cal: WorkCalendar) -> None:
    due = date(2025, 10, 9)
    assert working_days_left(due, date(2025, 9, 30), cal) == 1
    assert working_days_left(due, date(2025, 9, 26), cal) == 4   # 9/28 9/29 9/30 10/9
    assert working_days_left(due, due, cal) == 0
    assert working_days_left(due, date(2025, 10, 10), cal) == -1


# ------------------------------------------------------------------ notice periods


def test_calendar_day_notice_ending_in_a_holiday_moves_to_the_next_workday(
        cal: WorkCalendar, national: PolicyTable) -> None:
    # 7 days posted Tue 2025-09-30 → 10/7 (holiday); 10/8 also off → Thu 10/9
    assert national.notice_period(Category.DIBAO) == NoticeRule(True, 7, PeriodUnit.DAYS)
    assert notice_end(date(2025, 9, 30), national, Category.DIBAO, cal) == date(2025, 10, 9)
    plain = dataclasses.replace(national, calendar_day_periods_end_on_workday=False)
    assert notice_end(date(2025, 9, 30), plain, Category.DIBAO, cal) == date(2025, 10, 7)


def test_calendar_day_notice_on_an_ordinary_week(cal: WorkCalendar, national: PolicyTable) -> None:
    assert notice_end(date(2026, 3, 2), national, Category.DIBAO, cal) == date(2026, 3, 9)   # Mon → Mon
    # 7 days posted Fri 2026-03-06 → Fri 3/13
    assert notice_end(date(2026, 3, 6), national, "tekun", cal) == date(2026, 3, 13)
    # 7 days posted Mon 2026-03-09 → Mon 3/16; posted Sun 3/8 → Sun 3/15 → Mon 3/16
    assert notice_end(date(2026, 3, 8), national, "dibao", cal) == date(2026, 3, 16)


def test_working_day_notice_across_national_day(cal: WorkCalendar, national: PolicyTable) -> None:
    # 7 working days after Tue 2025-09-30: 10/9 10/10 Sat 10/11 10/13 10/14 10/15 10/16
    seven_wd = with_notice(national, Category.DIBAO, NoticeRule(True, 7, PeriodUnit.WORKING_DAYS))
    assert notice_end(date(2025, 9, 30), seven_wd, Category.DIBAO, cal) == date(2025, 10, 16)


def test_bundled_short_notices_2026(cal: WorkCalendar, national: PolicyTable, county: PolicyTable) -> None:
    # county 临时救助（支出型）: 3 working days after Wed 2026-09-30 → 10/8 10/9 Sat 10/10
    assert notice_end(date(2026, 9, 30), county, Category.TEMP_EXPENSE, cal) == date(2026, 10, 10)
    # national: 5 days after 2026-09-30 → 10/5 (holiday) → Thu 10/8
    assert notice_end(date(2026, 9, 30), national, Category.TEMP_EXPENSE, cal) == date(2026, 10, 8)
    # 5 days posted Mon 2026-02-09 → Sat 2/14, a make-up workday: stays
    assert notice_end(date(2026, 2, 9), national, Category.TEMP_EXPENSE, cal) == date(2026, 2, 14)
    # 5 days posted Tue 2026-02-10 → Sun 2/15, first day of the Spring Festival → Tue 2/24
    assert notice_end(date(2026, 2, 10), national, Category.TEMP_EXPENSE, cal) == date(2026, 2, 24)


def test_notice_not_required(cal: WorkCalendar, national: PolicyTable) -> None:
    with pytest.raises(NoticeNotRequired) as exc:
        notice_end(date(2025, 3, 3), national, Category.LEGAL_AID, cal)
    assert exc.value.message == "按现行政策，法律援助无需公示"


# ------------------------------------------------------------------ re-checks


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 6, 30), 12, date(2026, 6, 30)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_next_recheck(national: PolicyTable) -> None:
    assert next_recheck(date(2025, 11, 30), national, "class_c_urban") == date(2026, 2, 28)
    assert next_recheck(date(2025, 11, 30), national, "stable") == date(2026, 11, 30)
    assert next_recheck(date(2025, 8, 31), national, "irregular_income") == date(2026, 2, 28)
