"""Notice periods for calendar-day and working-day policies across official holidays.

Expected dates are counted by hand from resources/calendar/cn_workdays.json (2026):
中秋 9/25–9/27 off; 国庆 10/1–10/7 off, Sun 9/20 and Sat 10/10 worked;
春节 2/15–2/23 off, Sat 2/14 and Sat 2/28 worked. The posting day is never counted.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from desktop.domain.categories import Category
from desktop.domain.clock import NoticeNotRequired
from desktop.domain.notice import NoticePeriod, compute_notice_period
from desktop.domain.policy import NoticeRule, PeriodUnit, PolicyTable, load_policy_tables
from desktop.domain.workdays import WorkCalendar, load_calendar

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return load_calendar(RESOURCES / "calendar" / "cn_workdays.json")


@pytest.fixture(scope="module")
def county() -> PolicyTable:
    return load_policy_tables(RESOURCES / "policy").policy_for("620102101201", date(2026, 9, 30))


def rule(table: PolicyTable, length: int, unit: PeriodUnit, *, roll: bool = True) -> PolicyTable:
    return dataclasses.replace(table, notices={**table.notices, Category.DIBAO: NoticeRule(True, length, unit)},
                               calendar_day_periods_end_on_workday=roll)


DAYS, WORKING = PeriodUnit.DAYS, PeriodUnit.WORKING_DAYS


@pytest.mark.parametrize("posted, length, unit, roll, expected", [
    # posted the day before National Day: 9/30 + 7 = 10/7, a day off → the next working day, Thu 10/8
    (date(2026, 9, 30), 7, DAYS, True, date(2026, 10, 8)),
    # … unless the policy says calendar-day periods may end on a day off
    (date(2026, 9, 30), 7, DAYS, False, date(2026, 10, 7)),
    # 5 working days from 9/30: 10/8 (1), 10/9 (2), make-up Sat 10/10 (3), Mon 10/12 (4), Tue 10/13 (5)
    (date(2026, 9, 30), 5, WORKING, True, date(2026, 10, 13)),
    # 7 working days from Fri 9/18: make-up Sun 9/20 (1), 9/21–9/24 (2–5), 中秋 9/25–27 off, 9/28 (6), 9/29 (7)
    (date(2026, 9, 18), 7, WORKING, True, date(2026, 9, 29)),
    # 7 days from 9/24 end on 10/1 (National Day) → Thu 10/8
    (date(2026, 9, 24), 7, DAYS, True, date(2026, 10, 8)),
    # an ordinary week: Mon 2026-11-02 + 7 = Mon 11/9, a working day
    (date(2026, 11, 2), 7, DAYS, True, date(2026, 11, 9)),
    # Spring Festival: Thu 2/12 + 7 = 2/19 (off) → Tue 2/24
    (date(2026, 2, 12), 7, DAYS, True, date(2026, 2, 24)),
    # 5 working days from Thu 2/12: Fri 2/13 (1), make-up Sat 2/14 (2), 2/24 (3), 2/25 (4), 2/26 (5)
    (date(2026, 2, 12), 5, WORKING, True, date(2026, 2, 26)),
    # posted ON the make-up Saturday 10/10 (not counted): 3 working days → 10/12, 10/13, 10/14
    (date(2026, 10, 10), 3, WORKING, True, date(2026, 10, 14)),
])
def test_period_ends_on_the_hand_counted_day(cal, county, posted, length, unit, roll, expected):
    period = compute_notice_period(posted, rule(county, length, unit, roll=roll), Category.DIBAO, cal)
    assert period == NoticePeriod(posted, expected, length, unit)
    assert not period.is_over(expected)
    assert period.is_over(date.fromordinal(expected.toordinal() + 1))


def test_period_text_is_what_the_poster_prints(cal, county):
    p = compute_notice_period(date(2026, 9, 30), rule(county, 7, DAYS), Category.DIBAO, cal)
    assert p.text == "2026年09月30日至2026年10月08日（7个自然日，张贴当日不计入）"
    p = compute_notice_period(date(2026, 9, 30), rule(county, 5, WORKING), Category.DIBAO, cal)
    assert p.text == "2026年09月30日至2026年10月13日（5个工作日，张贴当日不计入）"


def test_shipped_county_table_periods(cal, county):
    # the demo county: 低保 7 calendar days; 支出型临时救助 3 working days; 低保边缘 5 working days
    assert compute_notice_period(date(2026, 9, 30), county, Category.DIBAO, cal).end_on == date(2026, 10, 8)
    assert compute_notice_period(date(2026, 9, 30), county, Category.TEMP_EXPENSE, cal).end_on == date(2026, 10, 10)
    assert compute_notice_period(date(2026, 9, 30), county, Category.LOW_INCOME_EDGE, cal).end_on == date(2026, 10, 13)


def test_period_beyond_the_calendar_is_left_open_never_guessed(cal, county):
    # 12/28 + 7 = 2027-01-04: whether that is a working day is not announced yet
    p = compute_notice_period(date(2026, 12, 28), rule(county, 7, DAYS), Category.DIBAO, cal)
    assert p.end_on is None and "2027" in p.open_note
    assert not p.is_over(date(2027, 3, 1))
    assert "期满日待定" in p.text and "2027年节假日安排" in p.text
    p = compute_notice_period(date(2026, 12, 28), rule(county, 5, WORKING), Category.DIBAO, cal)
    assert p.end_on is None


def test_period_into_a_year_without_official_schedule_is_provisional(cal, county):
    from desktop.domain.provisional import load_provisional_rule

    prov = cal.with_provisional(load_provisional_rule(RESOURCES / "calendar" / "provisional_rule.json"))
    # 12/28 + 7 = Mon 2027-01-04, a working day under the law's rule
    p = compute_notice_period(date(2026, 12, 28), rule(county, 7, DAYS), Category.DIBAO, prov)
    assert (p.end_on, p.provisional) == (date(2027, 1, 4), True)
    assert "2027年01月04日（暂定）" in p.text and "2027年节假日安排尚未发布" in p.text
    # 5 working days: 12/29, 12/30, 12/31, 元旦 off, 1/4, 1/5
    p = compute_notice_period(date(2026, 12, 28), rule(county, 5, WORKING), Category.DIBAO, prov)
    assert (p.end_on, p.provisional) == (date(2027, 1, 5), True)
    # a calendar-day period that may end on a day off asks no calendar: certain, not provisional
    p = compute_notice_period(date(2026, 12, 28), rule(county, 7, DAYS, roll=False), Category.DIBAO, prov)
    assert (p.end_on, p.provisional, p.open_note) == (date(2027, 1, 4), False, "")
    # inside 2026: official
    assert not compute_notice_period(date(2026, 11, 2), rule(county, 7, DAYS), Category.DIBAO, prov).provisional


def test_category_without_notice_is_refused(cal, county):
    with pytest.raises(NoticeNotRequired) as e:
        compute_notice_period(date(2026, 9, 30), county, Category.MEDICAL, cal)
    assert "医疗救助无需公示" in e.value.message
