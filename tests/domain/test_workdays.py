"""The working-day calendar against the State Council's notices for 2024–2026.

Every expected date below was worked out by hand from the published notices
(国办发明电〔2023〕7号, 〔2024〕12号 and the 2026 notice), not by the code.
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.workdays import (
    CalendarError,
    CalendarNotCovered,
    DayKind,
    WorkCalendar,
    load_calendar,
)

CALENDAR_FILE = Path(__file__).resolve().parents[2] / "resources" / "calendar" / "cn_workdays.json"


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return load_calendar(CALENDAR_FILE)


@pytest.fixture
def raw() -> dict:
    return json.loads(CALENDAR_FILE.read_text(encoding="utf-8"))


def d(s: str) -> date:
    return date.fromisoformat(s)


# ------------------------------------------------------------------ the data itself


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        # 2025 春节: 1/28–2/4 off, 1/26 (Sun) and 2/8 (Sat) worked
        ("2025-01-25", False), ("2025-01-26", True), ("2025-01-27", True), ("2025-01-28", False),
        ("2025-02-03", False), ("2025-02-04", False), ("2025-02-05", True), ("2025-02-08", True),
        ("2025-02-09", False),
        # 2025 国庆+中秋: 10/1–10/8 off, 9/28 (Sun) and 10/11 (Sat) worked
        ("2025-09-27", False), ("2025-09-28", True), ("2025-10-01", False), ("2025-10-06", False),
        ("2025-10-08", False), ("2025-10-09", True), ("2025-10-11", True), ("2025-10-12", False),
        # 2025 劳动节 5/1–5/5, 4/27 (Sun) worked; 元旦 1/1 only, no make-up day
        ("2025-04-27", True), ("2025-05-05", False), ("2025-05-06", True), ("2025-01-01", False),
        # 2026 元旦 1/1–1/3, 1/4 (Sun) worked
        ("2026-01-02", False), ("2026-01-04", True),
        # 2026 春节: 2/15–2/23 off, 2/14 (Sat) and 2/28 (Sat) worked
        ("2026-02-13", True), ("2026-02-14", True), ("2026-02-15", False), ("2026-02-23", False),
        ("2026-02-24", True), ("2026-02-28", True), ("2026-03-01", False),
        # 2026 劳动节 5/1–5/5, 5/9 (Sat) worked; 中秋 9/25–9/27; 国庆 10/1–10/7, 9/20 (Sun), 10/10 (Sat)
        ("2026-05-05", False), ("2026-05-09", True), ("2026-09-25", False), ("2026-09-20", True),
        ("2026-10-07", False), ("2026-10-08", True), ("2026-10-10", True), ("2026-10-11", False),
        # 2024 spot checks: 春节 2/10–2/17 with 2/4 and 2/18 worked; 国庆 with 9/29 and 10/12 worked
        ("2024-02-04", True), ("2024-02-16", False), ("2024-02-18", True), ("2024-09-29", True),
        ("2024-10-07", False), ("2024-10-12", True),
        # ordinary days
        ("2025-03-10", True), ("2025-03-08", False), ("2025-03-09", False),
    ],
)
def test_is_workday_follows_the_notices(cal: WorkCalendar, day: str, workday: bool) -> None:
    assert cal.is_workday(d(day)) is workday


def test_make_up_days_per_year(cal: WorkCalendar) -> None:
    makeup = {y: sorted(x for b in yc.holidays for x in b.makeup) + list(yc.makeup_workdays)
              for y, yc in cal.years.items()}
    assert [x.isoformat() for x in makeup[2025]] == [
        "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]
    assert [x.isoformat() for x in makeup[2026]] == [
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    assert len(makeup[2024]) == 8


def test_working_days_per_year(cal: WorkCalendar) -> None:
    # Counted over (1 Jan, 31 Dec]; 1 January is a holiday in each of these years, so these are
    # the full-year totals (cross-checked against an independent source, the chinese-calendar package).
    assert cal.working_days_between(d("2024-01-01"), d("2024-12-31")) == 251
    assert cal.working_days_between(d("2025-01-01"), d("2025-12-31")) == 248
    assert cal.working_days_between(d("2026-01-01"), d("2026-12-31")) == 248


# ------------------------------------------------------------------ counting


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-01-06", 3, "2025-01-09"),   # ordinary week
        ("2025-01-04", 3, "2025-01-08"),   # accepted on a Saturday: the Saturday does not count
        ("2025-01-06", 0, "2025-01-06"),
        # 2025 Spring Festival
        ("2025-01-24", 1, "2025-01-26"),   # Sunday make-up day
        ("2025-01-27", 1, "2025-02-05"),
        ("2025-01-27", 4, "2025-02-08"),   # Saturday make-up day
        ("2025-01-27", 5, "2025-02-10"),
        # 2026 Spring Festival (nine days off)
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-02-12", 3, "2026-02-24"),
        ("2026-02-24", 4, "2026-02-28"),
        # National Day 2025 and 2026
        ("2025-09-26", 1, "2025-09-28"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-09-30", 3, "2025-10-11"),
        ("2025-09-26", 10, "2025-10-16"),
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-30", 3, "2026-10-10"),
        ("2026-09-18", 1, "2026-09-20"),
        # year boundaries
        ("2024-12-31", 1, "2025-01-02"),
        ("2025-12-31", 1, "2026-01-04"),   # 1/1–1/3 off, Sunday 1/4 worked
        # backwards
        ("2025-10-09", -1, "2025-09-30"),
        ("2026-02-24", -2, "2026-02-13"),
    ],
)
def test_add_working_days(cal: WorkCalendar, start: str, n: int, expected: str) -> None:
    assert cal.add_working_days(d(start), n) == d(expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2025-01-27", "2025-02-10", 5),
        ("2025-12-31", "2026-01-05", 2),
        ("2025-09-30", "2025-10-08", 0),
        ("2025-09-30", "2025-10-09", 1),
        ("2025-10-09", "2025-09-30", -1),
        ("2026-02-13", "2026-02-13", 0),
    ],
)
def test_working_days_between(cal: WorkCalendar, a: str, b: str, expected: int) -> None:
    assert cal.working_days_between(d(a), d(b)) == expected


# starts from mid-January so that counting back from a day off stays inside the covered years
@given(start=st.dates(date(2024, 1, 15), date(2026, 10, 31)), n=st.integers(0, 30))
def test_counting_round_trips(cal: WorkCalendar, start: date, n: int) -> None:
    end = cal.add_working_days(start, n)
    assert end >= start
    assert cal.working_days_between(start, end) == n
    if n:
        assert cal.is_workday(end)
        assert cal.working_days_between(start, end - timedelta(days=1)) == n - 1  # the first such day
        back = cal.add_working_days(end, -n)
        assert back == start if cal.is_workday(start) else back < start


def test_add_calendar_days(cal: WorkCalendar) -> None:
    assert cal.add_calendar_days(d("2025-09-30"), 7) == d("2025-10-07")
    assert cal.add_calendar_days(d("2025-09-30"), 7, end_on_workday=True) == d("2025-10-09")
    assert cal.add_calendar_days(d("2026-02-13"), 1, end_on_workday=True) == d("2026-02-14")
    # pure arithmetic needs no calendar, even beyond coverage
    assert cal.add_calendar_days(d("2026-12-30"), 7) == d("2027-01-06")


# ------------------------------------------------------------------ coverage


def test_uncovered_year_raises_with_chinese_message(cal: WorkCalendar) -> None:
    with pytest.raises(CalendarNotCovered) as exc:
        cal.is_workday(d("2027-01-04"))
    assert exc.value.message == "工作日历未覆盖2027年，请从县级平台更新节假日安排"
    assert exc.value.year == 2027
    assert isinstance(exc.value, LookupError)


def test_no_weekend_fallback_when_counting_past_the_end(cal: WorkCalendar) -> None:
    assert cal.add_working_days(d("2026-12-30"), 1) == d("2026-12-31")
    with pytest.raises(CalendarNotCovered, match="2027"):
        cal.add_working_days(d("2026-12-31"), 1)
    with pytest.raises(CalendarNotCovered, match="2027"):
        cal.working_days_between(d("2026-12-01"), d("2027-01-10"))
    with pytest.raises(CalendarNotCovered, match="2023"):
        cal.add_working_days(d("2023-12-29"), 1)
    with pytest.raises(CalendarNotCovered):
        cal.describe_day(d("2027-06-01"))


def test_coverage_range(cal: WorkCalendar) -> None:
    assert cal.covered_years == (2024, 2025, 2026)
    assert cal.first_day_not_covered() == d("2027-01-01")
    assert cal.first_day_not_covered(d("2025-06-01")) == d("2027-01-01")
    assert cal.first_day_not_covered(d("2023-05-01")) == d("2023-05-01")
    assert cal.covers(d("2026-12-31")) and not cal.covers(d("2027-01-01"))


# ------------------------------------------------------------------ describing days


def test_describe_day(cal: WorkCalendar) -> None:
    name, workday, kind = cal.describe_day(d("2025-01-29"))
    assert (name, workday, kind) == ("春节", False, DayKind.HOLIDAY)
    assert cal.describe_day(d("2026-02-28")) == ("春节", True, DayKind.MAKEUP_WORKDAY)
    assert cal.describe_day(d("2025-10-06")).name == "国庆节、中秋节"
    assert cal.describe_day(d("2026-01-04")).label == "元旦调休（上班）"
    assert cal.describe_day(d("2025-03-08")).kind is DayKind.WEEKEND
    assert cal.describe_day(d("2025-03-10")) == ("工作日", True, DayKind.WORKDAY)


def test_days_off_listing(cal: WorkCalendar) -> None:
    off = cal.days_off(2026)
    assert (d("2026-02-15"), "春节") in off and (d("2026-02-23"), "春节") in off
    assert all(x.year == 2026 for x, _ in off)


# ------------------------------------------------------------------ updates and validation


def test_merge_extends_and_replaces_years(cal: WorkCalendar, raw: dict) -> None:
    # A made-up 2027 year (test data only) pushed by the county.
    update = WorkCalendar.from_dict({
        "format": 1, "source": "县级平台更新（测试）", "covered_years": [2027],
        "years": {"2027": {"holidays": [{"name": "测试假日", "off": ["2027-01-01"], "makeup": ["2027-01-09"]}]}},
    })
    merged = cal.merge(update)
    assert merged.covered_years == (2024, 2025, 2026, 2027)
    assert merged.first_day_not_covered() == d("2028-01-01")
    assert merged.add_working_days(d("2026-12-31"), 1) == d("2027-01-04")
    assert merged.is_workday(d("2027-01-09"))
    assert merged.is_workday(d("2026-02-28"))          # untouched years keep their data

    replacement = copy.deepcopy(raw)
    replacement["covered_years"] = [2026]
    replacement["years"] = {"2026": {"holidays": [{"name": "元旦", "off": ["2026-01-01"]}]}}
    replaced = cal.merge(WorkCalendar.from_dict(replacement))
    assert replaced.is_workday(d("2026-02-16"))        # the old 2026 holidays are gone
    assert not replaced.is_workday(d("2026-01-01"))
    assert not replaced.is_workday(d("2025-01-28"))    # 2025 untouched


def test_round_trip(cal: WorkCalendar) -> None:
    again = WorkCalendar.from_dict(cal.to_dict())
    assert again.covered_years == cal.covered_years
    for x in (d("2024-01-01") + timedelta(days=i) for i in range(0, 3 * 366, 3)):
        if cal.covers(x):
            assert again.describe_day(x) == cal.describe_day(x)


HOLIDAY_1 = "各年度安排 → 2025年 → 节假日 → 第1项"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r.update(format=2), "格式版本（format）：不支持的格式版本 2（应为 1）"),
        (lambda r: r.update(covered_years=[2024, 2025]),
         "覆盖年份（covered_years）：与 years 中的年份不一致（[2024, 2025] / [2024, 2025, 2026]）"),
        (lambda r: r.update(covered_years=[2024, 2025, 2025, 2026]),
         "覆盖年份（covered_years）：与 years 中的年份不一致（[2024, 2025, 2025, 2026] / [2024, 2025, 2026]）"),
        (lambda r: r.update(covered_years=[2024, "2025", 2026]),
         '覆盖年份 → 第2项（covered_years[1]）：应为整数，而不是 "2025"'),
        (lambda r: r["years"]["2025"]["holidays"][0].update(off=["2025-13-01"]),
         f'{HOLIDAY_1} → 放假日 → 第1项（years.2025.holidays[0].off[0]）：无效日期 "2025-13-01"（应为 YYYY-MM-DD）'),
        (lambda r: r["years"]["2025"]["holidays"][0].update(off=["2026-01-01"]),
         f"{HOLIDAY_1} → 放假日 → 第1项（years.2025.holidays[0].off[0]）：2026-01-01 不属于 2025 年的节假日安排"),
        (lambda r: r["years"]["2025"]["holidays"][0].update(off=[]),
         f"{HOLIDAY_1} → 放假日（years.2025.holidays[0].off）：至少应有 1 项"),
        (lambda r: r["years"]["2025"]["holidays"][1]["makeup"].append("2025-02-10"),
         "工作日历数据错误：调休上班日 2025-02-10 不是周末"),
        (lambda r: r["years"]["2025"]["holidays"][1]["makeup"].append("2025-02-01"),
         "工作日历数据矛盾：2025-02-01 同时被列为放假日和调休上班日"),
        (lambda r: r["years"]["2025"]["holidays"][0].pop("name"),
         f"{HOLIDAY_1} → 节日名称（years.2025.holidays[0].name）：缺少此字段"),
        (lambda r: r["years"].update({"25": r["years"]["2025"]}),
         '各年度安排 → 25（years.25）：年份应为四位数字，而不是 "25"'),
        (lambda r: r["years"]["2025"].update(annouced="2024-11-12"),
         "各年度安排 → 2025年 → annouced（years.2025.annouced）：未知字段"),
        (lambda r: r["years"]["2025"].update(announced="2024/11/12"),
         '各年度安排 → 2025年 → 发布日期（years.2025.announced）：无效日期 "2024/11/12"（应为 YYYY-MM-DD）'),
        (lambda r: r.update(years={}), "各年度安排（years）：至少应有 1 项"),
        (lambda r: r.update(source=["国办"]), '依据（source）：应为文字（字符串），而不是 ["国办"]'),
    ],
)
def test_malformed_calendar_is_rejected(raw: dict, mutate, expected: str) -> None:
    mutate(raw)
    with pytest.raises(CalendarError) as exc:
        WorkCalendar.from_dict(raw, origin="工作日历文件 update.json")
    assert exc.value.message == f"工作日历文件 update.json：{expected}"


def test_calendar_that_is_no_object() -> None:
    with pytest.raises(CalendarError) as exc:
        WorkCalendar.from_dict([2026], origin="工作日历文件 update.json")   # type: ignore[arg-type]
    assert exc.value.message == "工作日历文件 update.json：应为 JSON 对象，而不是 [2026]"


def test_load_calendar_reports_bad_json(tmp_path: Path) -> None:
    p = tmp_path / "cn_workdays.json"
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(CalendarError, match="cn_workdays.json"):
        load_calendar(p)
    with pytest.raises(CalendarError, match="无法读取"):
        load_calendar(tmp_path / "missing.json")
