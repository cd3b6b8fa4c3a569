"""劳动能力 proposed by age at intake: policy ages, the one clock's day, the exact birthdays."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from desktop.domain.household import LabourCapacity
from desktop.domain.labour import LabourAges, default_labour_capacity
from desktop.domain.policy import PolicyError, parse_policy_table

TODAY = date(2026, 12, 3)
FULL, NOT_APPLICABLE = LabourCapacity.FULL, LabourCapacity.NOT_APPLICABLE


@pytest.mark.parametrize("birth, expected, reason", [
    (date(2018, 5, 1), NOT_APPLICABLE, "未满16周岁"),        # 8 years old
    (date(1950, 3, 9), NOT_APPLICABLE, "已满60周岁"),        # 76 years old
    (date(1996, 7, 20), FULL, "16至59周岁"),                 # 30 years old
    (date(2010, 12, 3), FULL, "16至59周岁"),                 # 16 today
    (date(2010, 12, 4), NOT_APPLICABLE, "未满16周岁"),       # 16 tomorrow
    (date(1966, 12, 3), NOT_APPLICABLE, "已满60周岁"),       # 60 today
    (date(1966, 12, 4), FULL, "16至59周岁"),                 # 60 tomorrow
])
def test_the_proposal_by_age(birth, expected, reason):
    d = default_labour_capacity(birth, TODAY)
    assert (d.capacity, d.reason) == (expected, reason)
    assert d.note == f"按年龄默认为“{expected.label}”（{reason}），可修改"


def test_the_ages_come_from_the_policy():
    ages = LabourAges(working_from=18, working_until=65)
    assert default_labour_capacity(date(2009, 1, 1), TODAY, ages).capacity is NOT_APPLICABLE     # 17
    assert default_labour_capacity(date(1962, 1, 1), TODAY, ages).capacity is FULL               # 64
    assert default_labour_capacity(date(1962, 1, 1), TODAY).capacity is NOT_APPLICABLE           # 64 ≥ 60


def test_a_policy_table_with_ages_the_wrong_way_round_is_refused_in_chinese():
    path = Path(__file__).resolve().parents[2] / "resources" / "policy" / "000000-2024-01-01.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert parse_policy_table(raw, path.name).labour_ages == LabourAges(16, 60)
    raw["labour_capacity_ages"] = {"working_from": 60, "working_until": 16}
    with pytest.raises(PolicyError) as err:
        parse_policy_table(raw, path.name)
    assert "劳动年龄止" in err.value.message and "应大于劳动年龄起（60周岁）" in err.value.message
    raw["labour_capacity_ages"] = {"working_from": 0, "working_until": 60}
    with pytest.raises(PolicyError):
        parse_policy_table(raw, path.name)
