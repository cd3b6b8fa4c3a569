"""The one translator of pydantic errors into Chinese: every error type it knows, and a fallback that still
names the place."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, ValidationError

from desktop.domain.schema_base import IsoDate
from desktop.domain.schema_errors import MAX_SHOWN, Labels, chinese_errors, place


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Size(StrEnum):
    S = "s"
    M = "m"
    L = "l"
    XL = "xl"
    XXL = "xxl"


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: Annotated[StrictInt, Field(ge=0, le=6)] = 0
    weight: Annotated[StrictInt, Field(gt=0, lt=100)] = 1


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["a", "b"] = "a"
    colour: Colour = Colour.RED
    size: Size = Size.S
    tags: Annotated[list[str], Field(max_length=2)] = []
    inner: Inner = Inner()
    by_colour: dict[Colour, Inner] = {}
    day: IsoDate | None = None
    ratio: StrictFloat = 0.5
    code: Annotated[str, Field(pattern=r"^[a-z]+$")] = "x"


LABELS = Labels(names={"inner": "内层", "level": "级别", "by_colour": "按颜色", "code": "代码"},
                keys={"by_colour": lambda k: {"red": "红"}.get(k, k)},
                patterns={r"^[a-z]+$": "只能是小写字母"},
                enums=((Colour, "颜色"),))


def message(data: Any) -> str:
    with pytest.raises(ValidationError) as exc:
        Sample.model_validate(data)
    return chinese_errors(exc.value, "样例 s.json", LABELS)


@pytest.mark.parametrize(("data", "expected"), [
    ({"kind": "c"}, "kind（kind）：应为 'a' 或 'b'，而不是 \"c\""),
    ({"colour": "green"}, 'colour（colour）：未知的颜色 "green"（应为 blue 或 red）'),
    ({"size": "xs"}, 'size（size）：不是可用的取值："xs"'),
    ({"tags": ["a", "b", "c"]}, "tags（tags）：最多只能有 2 项"),
    ({"inner": {"level": 7}}, "内层 → 级别（inner.level）：不能大于 6（当前为 7）"),
    ({"inner": {"weight": 0}}, "内层 → weight（inner.weight）：应大于 0（当前为 0）"),
    ({"inner": {"weight": 100}}, "内层 → weight（inner.weight）：应小于 100（当前为 100）"),
    ({"inner": {"colour": "red"}}, "内层 → colour（inner.colour）：未知字段"),
    ({"by_colour": {"red": {"level": "1"}}}, '按颜色 → 红 → 级别（by_colour.red.level）：应为整数，而不是 "1"'),
    ({"by_colour": {"pink": {}}}, '按颜色 → pink（by_colour.pink）：未知的颜色 "pink"（应为 blue 或 red）'),
    ({"day": "2026-1-1"}, 'day（day）：无效日期 "2026-1-1"（应为 YYYY-MM-DD）'),
    ({"day": 20260101}, "day（day）：日期应写作 YYYY-MM-DD，而不是 20260101"),
    ({"code": "AB"}, '代码（code）：只能是小写字母，而不是 "AB"'),
    ({"ratio": "x"}, "ratio（ratio）：不符合要求（float_type：Input should be a valid number）"),
    ("text", '应为 JSON 对象，而不是 "text"'),
])
def test_each_error_type_reads_in_chinese(data: Any, expected: str) -> None:
    assert message(data) == f"样例 s.json：{expected}"


def test_a_long_input_is_cut_short() -> None:
    got = message({"kind": "x" * 100})
    assert got.endswith("…") and len(got) < 80


def test_more_errors_than_shown_are_counted() -> None:
    data = {"kind": "c", "colour": "c", "size": "c", "tags": ["a", "b", "c"], "code": "C", "ratio": "c"}
    got = message(data)
    assert got.count("；") == MAX_SHOWN and got.endswith("……共 6 处错误")
    assert "（code）" not in got   # the sixth is counted, not shown


def test_place_of_nested_list_items_counts_from_one_in_chinese() -> None:
    assert place(("inner", "tags", 0, "code"), LABELS) == "内层 → tags → 第1项 → 代码（inner.tags[0].code）"
    assert place((), LABELS) == ""
