from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.divisions import (
    DivisionCode,
    DivisionCodeError,
    TownshipKind,
    VillageKind,
    parse_division_code,
    township_kind,
    validate_division_code,
    village_kind,
)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("620102001201", TownshipKind.SUBDISTRICT),
        ("620102101201", TownshipKind.TOWN),
        ("620102199201", TownshipKind.TOWN),
        ("620102201201", TownshipKind.TOWNSHIP),
        ("620102399201", TownshipKind.TOWNSHIP),
        ("620102400201", TownshipKind.OTHER),
        ("620102599201", TownshipKind.OTHER),
        ("441900003001", TownshipKind.SUBDISTRICT),  # 东莞: townships directly under the city
    ],
)
def test_valid_codes_and_township_kind(code: str, kind: TownshipKind) -> None:
    assert validate_division_code(code) == []
    d = parse_division_code(code)
    assert d.code == code
    assert d.township_code == code[:9]
    assert (d.county, d.township, d.village) == (code[:6], code[6:9], code[9:])
    assert d.township_kind is kind
    assert township_kind(code) is kind
    assert township_kind(code[:9]) is kind
    assert township_kind(code[6:9]) is kind


def test_labels() -> None:
    assert TownshipKind.SUBDISTRICT.label == "街道"
    assert TownshipKind.TOWN.label == "镇"
    assert TownshipKind.TOWNSHIP.label == "乡"
    assert VillageKind.VILLAGE.label == "村委会"


@pytest.mark.parametrize(
    ("part", "kind"),
    [("001", VillageKind.COMMUNITY), ("199", VillageKind.COMMUNITY), ("200", VillageKind.VILLAGE),
     ("399", VillageKind.VILLAGE), ("400", VillageKind.OTHER)],
)
def test_village_kind(part: str, kind: VillageKind) -> None:
    assert village_kind(part) is kind
    assert DivisionCode("620102", "101", part).village_kind is kind


def test_full_width_and_spaces_accepted() -> None:
    assert validate_division_code("６２０１０２ １０１ ２０１") == []
    assert parse_division_code(" 620102 101 201 ").code == "620102101201"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("", "请填写"),
        ("62010210120", "12位"),
        ("6201021012011", "12位"),
        ("62010210120A", "数字"),
        ("020102101201", "县级代码首位"),
        ("620000101201", "省级"),
        ("620102000201", "000"),
        ("620102601201", "0—5"),
        ("620102901201", "0—5"),
        ("620102101000", "村级代码不能为000"),
    ],
)
def test_invalid_codes(code: str, fragment: str) -> None:
    problems = validate_division_code(code)
    assert problems, code
    assert any(fragment in p for p in problems)
    with pytest.raises(DivisionCodeError) as exc:
        parse_division_code(code)
    assert fragment in exc.value.message


def test_several_problems_reported_together() -> None:
    problems = validate_division_code("020102000000")
    assert len(problems) == 3


@pytest.mark.parametrize("bad", ["000", "12", "600", "abc", "6201021"])
def test_township_kind_rejects(bad: str) -> None:
    with pytest.raises(DivisionCodeError):
        township_kind(bad)


@pytest.mark.parametrize("bad", ["000", "12", "a01"])
def test_village_kind_rejects(bad: str) -> None:
    with pytest.raises(DivisionCodeError):
        village_kind(bad)


@given(st.text(max_size=20))
def test_validate_never_crashes(text: str) -> None:
    problems = validate_division_code(text)
    assert all(isinstance(p, str) and p for p in problems)
    if not problems:
        assert parse_division_code(text).code.isdigit()
