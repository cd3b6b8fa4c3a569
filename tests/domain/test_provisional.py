"""The provisional (暂定) calendar: weekends plus the law's statutory holidays and their 补假, for a
year whose official schedule is not published yet — 2027, seen from December 2026.

The expected days were worked out by hand: 2027-01-01 is a Friday (元旦); 除夕 is Friday 02-05,
初一–初三 Saturday 02-06 to Monday 02-08, and the two weekend days are compensated on Tuesday and
Wednesday 02-09/02-10 (第六条); 劳动节 05-01/05-02 fall on a weekend, compensated 05-03/05-04.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from desktop.domain.provisional import ProvisionalRule, load_provisional_rule
from desktop.domain.workdays import CalendarError, CalendarNotCovered, DayKind, WorkCalendar, load_calendar

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "calendar"
OFFICIAL_2027 = Path(__file__).resolve().parents[1] / "data" / "calendar_2027_official.json"


@pytest.fixture(scope="module")
def rule() -> ProvisionalRule:
    return load_provisional_rule(RESOURCES / "provisional_rule.json")


@pytest.fixture(scope="module")
def cal(rule: ProvisionalRule) -> WorkCalendar:
    return load_calendar(RESOURCES / "cn_workdays.json").with_provisional(rule)


def d(s: str) -> date:
    return date.fromisoformat(s)


def test_the_rule_is_the_law_s_list(rule: ProvisionalRule) -> None:
    assert {h.name: h.days for h in rule.holidays} == {
        "元旦": 1, "春节": 4, "清明节": 1, "劳动节": 2, "端午节": 1, "中秋节": 1, "国庆节": 3}
    assert sum(h.days for h in rule.holidays) == 13 and rule.weekend_compensation
    assert rule.effective_from_year == 2025


def test_2027_days_off_are_the_statutory_days_and_their_compensation(rule: ProvisionalRule) -> None:
    off = rule.days_off(2027)
    assert {k.isoformat(): v for k, v in off.items() if v == "春节"} == {
        "2027-02-05": "春节", "2027-02-06": "春节", "2027-02-07": "春节", "2027-02-08": "春节",
        "2027-02-09": "春节", "2027-02-10": "春节"}
    assert off[d("2027-01-01")] == "元旦"
    assert {k for k, v in off.items() if v == "劳动节"} == {d("2027-05-01"), d("2027-05-02"), d("2027-05-03"),
                                                          d("2027-05-04")}
    # no make-up workday can be predicted: every provisional day is a day off
    assert len(off) == 19


@pytest.mark.parametrize(("day", "workday", "kind"), [
    ("2027-01-01", False, DayKind.HOLIDAY), ("2027-01-04", True, DayKind.WORKDAY),
    ("2027-01-09", False, DayKind.WEEKEND), ("2027-02-04", True, DayKind.WORKDAY),
    ("2027-02-05", False, DayKind.HOLIDAY), ("2027-02-10", False, DayKind.HOLIDAY),
    ("2027-02-11", True, DayKind.WORKDAY), ("2027-10-05", False, DayKind.HOLIDAY),
    ("2027-10-06", True, DayKind.WORKDAY),
])
def test_a_provisional_year_answers_from_the_rule(cal: WorkCalendar, day: str, workday: bool, kind: DayKind) -> None:
    assert cal.is_workday(d(day)) is workday
    assert cal.describe_day(d(day)).kind is kind
    assert cal.is_provisional(d(day)) and not cal.covers(d(day))


def test_a_due_day_into_2027_is_marked_provisional(cal: WorkCalendar) -> None:
    # 12 working days left in December 2026; 元旦 skipped; 30 working days end on Wednesday 2027-01-27
    assert tuple(cal.due(d("2026-12-15"), 30)) == (d("2027-01-27"), True)
    # 45 working days cross 春节 (02-05 to 02-10 off): Tuesday 2027-02-23 (weekends only would say 02-17)
    assert tuple(cal.due(d("2026-12-15"), 45)) == (d("2027-02-23"), True)
    # entirely inside the official 2026: not provisional
    assert tuple(cal.due(d("2026-11-02"), 5)) == (d("2026-11-09"), False)
    assert cal.provisional_years(d("2026-12-15"), d("2028-01-05")) == (2027, 2028)
    # the official calendar itself is unchanged: it still covers 2024–2026 only
    assert cal.covered_years == (2024, 2025, 2026)


def test_loading_the_official_year_replaces_the_provisional_answer(cal: WorkCalendar) -> None:
    official = cal.merge(load_calendar(OFFICIAL_2027))
    assert official.covered_years == (2024, 2025, 2026, 2027)
    assert tuple(official.due(d("2026-12-15"), 30)) == (d("2027-01-26"), False)   # the make-up Saturday 01-16
    assert tuple(official.due(d("2026-12-15"), 45)) == (d("2027-02-24"), False)   # 春节 off until 02-13
    assert official.due(d("2027-12-20"), 10).provisional                          # 2028: still provisional


def test_without_a_rule_or_before_the_law_applies_nothing_is_guessed(cal: WorkCalendar) -> None:
    bare = load_calendar(RESOURCES / "cn_workdays.json")
    with pytest.raises(CalendarNotCovered, match="2027"):
        bare.due(d("2026-12-15"), 30)
    with pytest.raises(CalendarNotCovered, match="2023"):
        cal.add_working_days(d("2024-01-02"), -2)    # 2023: the amended law's rule does not apply
    assert not cal.is_provisional(d("2023-06-01"))


def test_a_year_where_the_package_and_the_law_disagree_gets_no_provisional_answer(rule: ProvisionalRule) -> None:
    wrong = ProvisionalRule(tuple(h if h.name != "春节" else type(h)(h.name, 5, h.library_names)
                                  for h in rule.holidays), 2025)
    with pytest.raises(CalendarError, match="春节的法定假日天数（4天）"):
        wrong.days_off(2027)
    cal = load_calendar(RESOURCES / "cn_workdays.json").with_provisional(wrong)
    with pytest.raises(CalendarNotCovered):
        cal.is_workday(d("2027-03-01"))


HOLIDAY_1 = "法定节假日 → 第1项"


@pytest.mark.parametrize(("change", "expected"), [
    ({"format": 2}, "格式版本（format）：不支持的格式版本 2（应为 1）"),
    ({"effective_from_year": "2025"}, '适用起始年份（effective_from_year）：应为整数，而不是 "2025"'),
    ({"holidays": []}, "法定节假日（holidays）：至少应有 1 项"),
    ({"holidays": [{"name": "元旦", "days": 0, "library_names": ["元旦"]}]},
     f"{HOLIDAY_1} → 法定放假天数（holidays[0].days）：不能小于 1（当前为 0）"),
    ({"holidays": [{"name": "元旦", "days": 1, "library_names": []}]},
     f"{HOLIDAY_1} → holidays 包中的名称（holidays[0].library_names）：至少应有 1 项"),
    ({"holidays": [{"name": " ", "days": 1, "library_names": ["元旦"]}]},
     f"{HOLIDAY_1} → 节日名称（holidays[0].name）：应为非空文字"),
    ({"weekend_compensation": "yes"}, '周末补假（weekend_compensation）：应为 true 或 false，而不是 "yes"'),
    ({"observed": True}, "observed（observed）：未知字段"),
])
def test_a_bad_rule_file_is_refused_in_chinese(change: dict, expected: str) -> None:
    raw = json.loads((RESOURCES / "provisional_rule.json").read_text(encoding="utf-8"))
    with pytest.raises(CalendarError) as exc:
        ProvisionalRule.from_dict({**raw, **change}, "暂定节假日规则文件 x.json")
    assert exc.value.message == f"暂定节假日规则文件 x.json：{expected}"
