"""Policy and calendar files round-trip: file → domain → file → domain is equal, and the dumped file says
what the shipped file says (compared in a normal form written from the file format, not from the parser)."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.categories import Category
from desktop.domain.notice_content import NoticeContent, NoticeContentRule, NoticeField
from desktop.domain.policy import (
    NoticeRule,
    PeriodUnit,
    PolicyTable,
    dump_policy_table,
    load_policy_file,
    parse_policy_table,
)
from desktop.domain.workdays import HolidayBlock, WorkCalendar, YearCalendar, dump_calendar, load_calendar

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
POLICY_FILES = sorted((RESOURCES / "policy").glob("*.json"))
CALENDAR_FILE = RESOURCES / "calendar" / "cn_workdays.json"
CATS = [c.value for c in Category]


def _per_category(spec: dict) -> dict[str, Any]:
    return {c: spec.get("by_category", {}).get(c, spec["default"]) for c in CATS}


def _content(c: dict) -> dict:
    frag = c.get("id_fragment", {})
    return {"fields": c.get("fields", [f.value for f in NoticeField]),
            "head": frag.get("head", 0), "tail": frag.get("tail", 0)}


def normal_policy(raw: dict) -> dict:
    """A policy file with every default filled in and every default/by_category pair expanded per category."""
    r = copy.deepcopy(raw)
    r.setdefault("note", "")
    r.setdefault("calendar_day_periods_end_on_workday", True)
    r.setdefault("home_visit_min_investigators", 2)
    r["labour_capacity_ages"] = {"working_from": 16, "working_until": 60, **r.get("labour_capacity_ages", {})}
    r["township_procedure"] = sorted(r.get("township_procedure", []))
    r["deadlines"] = {k: _per_category(v) for k, v in r["deadlines"].items()}
    default = r["notice"]["default"]
    r["notice"] = {c: {**default, **r["notice"].get("by_category", {}).get(c, {})} for c in CATS}
    r["democratic_deliberation_required"] = _per_category(r["democratic_deliberation_required"])
    if r.get("investigation_requirements") is not None:
        r["investigation_requirements"] = _per_category(r["investigation_requirements"]["economic_check"])
    else:
        r["investigation_requirements"] = None
    nc = r.get("notice_content")
    if nc is not None:
        if "default" in nc:
            r["notice_content"] = {c: _content(nc.get("by_category", {}).get(c, nc["default"])) for c in CATS}
        else:
            r["notice_content"] = {c: _content(nc) for c in CATS}
    else:
        r["notice_content"] = None
    r["documents"] = {c: [{"note": "", "conditional": False, **d} for d in docs] for c, docs in r["documents"].items()}
    return r


def normal_calendar(raw: dict) -> dict:
    r = copy.deepcopy(raw)
    r.pop("note", None)   # a comment for people; the program keeps no note
    r.setdefault("source", "")
    for y in r["years"].values():
        y.setdefault("announced", None)
        y["makeup_workdays"] = sorted(y.get("makeup_workdays", []))
        for h in y["holidays"]:
            h["off"] = sorted(set(h["off"]))
            h["makeup"] = sorted(set(h.get("makeup", [])))
    return r


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_every_bundled_policy_table_round_trips(path: Path, tmp_path: Path) -> None:
    table = load_policy_file(path)
    dumped = dump_policy_table(table)
    assert parse_policy_table(dumped, path.name) == table
    assert normal_policy(dumped) == normal_policy(json.loads(path.read_text(encoding="utf-8")))
    # the dump is a file the loader accepts as it is (JSON text, the name from its content)
    (tmp_path / path.name).write_text(json.dumps(dumped, ensure_ascii=False, indent=2), encoding="utf-8")
    assert load_policy_file(tmp_path / path.name) == table


def test_a_dumped_table_writes_each_exception_only_once() -> None:
    table = load_policy_file(RESOURCES / "policy" / "620102-2026-07-01.json")
    dumped = dump_policy_table(table)
    notice = dumped["notice"]
    # the commonest rule is the default; an exception names only what differs from it
    assert notice["default"] == {"required": False, "length": 7, "unit": "days"}
    assert "temp_emergency" not in notice["by_category"]
    assert notice["by_category"]["dibao"] == {"required": True}
    assert notice["by_category"]["temp_expense"] == {"required": True, "length": 3, "unit": "working_days"}
    assert dumped["democratic_deliberation_required"] == {"default": False, "by_category": {"temp_expense": True}}
    assert "by_category" not in dumped["deadlines"]["county_confirm"]
    assert all("note" not in d or d["note"] for docs in dumped["documents"].values() for d in docs)


def test_the_bundled_calendar_round_trips() -> None:
    cal = load_calendar(CALENDAR_FILE)
    dumped = dump_calendar(cal)
    again = WorkCalendar.from_dict(dumped)
    assert again == cal and dumped == cal.to_dict()
    assert normal_calendar(dumped) == normal_calendar(json.loads(CALENDAR_FILE.read_text(encoding="utf-8")))
    assert all(again.describe_day(d) == cal.describe_day(d)
               for d in (date(2024, 1, 1) + timedelta(days=i) for i in range(3 * 365)))


# ------------------------------------------------------------------ generated tables and calendars

BASE = load_policy_file(POLICY_FILES[0])
per_category = st.fixed_dictionaries
notice_rules = st.builds(NoticeRule, st.booleans(), st.integers(1, 60), st.sampled_from(PeriodUnit))
contents = st.builds(
    NoticeContent,
    st.lists(st.sampled_from([f for f in NoticeField if f is not NoticeField.HOLDER_NAME]), unique=True)
    .map(lambda fs: (NoticeField.HOLDER_NAME, *fs)),
    st.integers(0, 6), st.integers(0, 4))
notice_contents = st.none() | contents | st.builds(
    NoticeContentRule, contents, st.dictionaries(st.sampled_from(Category), contents, max_size=3))


@st.composite
def tables(draw: st.DrawFn) -> PolicyTable:
    flags = per_category({c: st.booleans() for c in Category})
    deadlines = {k: dataclasses.replace(
        r, default=draw(st.integers(1, 90)),
        by_category=draw(st.dictionaries(st.sampled_from(Category), st.integers(1, 90), max_size=4)))
        for k, r in BASE.deadlines.items()}
    return dataclasses.replace(
        BASE, origin="generated.json",
        note=draw(st.sampled_from(["", "说明"])),
        deadlines=deadlines,
        notices=draw(per_category({c: notice_rules for c in Category})),
        deliberation=draw(flags),
        economic_check=draw(st.none() | flags),
        township_procedure=frozenset(draw(st.sets(st.sampled_from(Category)))),
        notice_content=draw(notice_contents),
        dibao_standard=draw(st.none() | st.fixed_dictionaries({"urban": st.integers(0, 10**6),
                                                                "rural": st.integers(0, 10**6)})),
        calendar_day_periods_end_on_workday=draw(st.booleans()),
        home_visit_min_investigators=draw(st.integers(1, 4)),
    )


@settings(max_examples=40)
@given(tables())
def test_generated_tables_round_trip(table: PolicyTable) -> None:
    dumped = dump_policy_table(table)
    assert parse_policy_table(json.loads(json.dumps(dumped)), "generated.json") == table


@st.composite
def years(draw: st.DrawFn, year: int) -> YearCalendar:
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(365)]
    weekends = [d for d in days if d.weekday() >= 5]
    blocks = []
    used: set[date] = set()
    for i in range(draw(st.integers(0, 4))):
        off = draw(st.sets(st.sampled_from(days), min_size=1, max_size=8)) - used
        makeup = draw(st.sets(st.sampled_from(weekends), max_size=2)) - used - off
        if off:
            used |= off | makeup
            blocks.append(HolidayBlock(f"假日{i}", tuple(sorted(off)), tuple(sorted(makeup))))
    extra = tuple(sorted(draw(st.sets(st.sampled_from(weekends), max_size=2)) - used))
    announced = draw(st.none() | st.just(date(year - 1, 11, 1)))
    return YearCalendar(year, tuple(blocks), extra, announced)


@settings(max_examples=40)
@given(st.sets(st.integers(2020, 2040), min_size=1, max_size=3).flatmap(
    lambda ys: st.tuples(*(years(y) for y in sorted(ys)))), st.sampled_from(["", "国办通知"]))
def test_generated_calendars_round_trip(year_list: tuple[YearCalendar, ...], source: str) -> None:
    cal = WorkCalendar({y.year: y for y in year_list}, source)
    assert WorkCalendar.from_dict(json.loads(json.dumps(dump_calendar(cal)))) == cal
