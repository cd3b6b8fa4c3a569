"""The working-day calendar file format (``resources/calendar/cn_workdays.json``, format 1) as pydantic models.

What the file may contain, exactly (unknown fields refused, years as integers, dates as
``YYYY-MM-DD``). Checks across fields (``covered_years`` agrees with ``years``, each date belongs
to its year, make-up days are weekends, no day both off and worked) are made where the file becomes
a :class:`~desktop.domain.workdays.WorkCalendar` (:meth:`WorkCalendar.from_dict`).
``docs/schemas/calendar.schema.json`` is :func:`CalendarFile.model_json_schema`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StrictBool, StrictInt

from .schema_base import FileModel, IsoDate, NonEmptyText, Positive, Text, format_version
from .schema_errors import Labels

__all__ = ["FORMAT", "LABELS", "PROVISIONAL_LABELS", "CalendarFile", "HolidaySpec", "ProvisionalRuleFile",
           "StatutoryHolidaySpec", "YearSpec"]

YEAR_PATTERN = r"^[0-9]{4}$"

FORMAT = 1
FormatVersion = format_version(FORMAT)


class HolidaySpec(FileModel):
    name: NonEmptyText
    off: Annotated[list[IsoDate], Field(min_length=1)]       # 放假日（含假期内的周末）
    makeup: list[IsoDate] = []                               # 调休上班日（周末上班）


class YearSpec(FileModel):
    announced: IsoDate | None = None                         # 国务院办公厅通知的发布日期
    holidays: list[HolidaySpec]
    makeup_workdays: list[IsoDate] = []                      # 不属于某个节日的调休上班日


class CalendarFile(FileModel):
    """The official holiday and make-up workday schedule (工作日历), format 1."""

    model_config = ConfigDict(title="Yimen working-day calendar (工作日历) format 1")

    format: FormatVersion
    source: Text = ""
    note: Text = ""                                          # for people; not kept by the program
    covered_years: list[StrictInt]
    years: Annotated[dict[Annotated[str, Field(pattern=YEAR_PATTERN)], YearSpec],
                     Field(min_length=1, json_schema_extra={"additionalProperties": False})]


LABELS = Labels(
    names={
        "format": "格式版本", "source": "依据", "note": "说明", "covered_years": "覆盖年份",
        "years": "各年度安排", "announced": "发布日期", "holidays": "节假日", "name": "节日名称",
        "off": "放假日", "makeup": "调休上班日", "makeup_workdays": "其他调休上班日",
    },
    keys={"years": lambda y: f"{y}年" if y.isascii() and y.isdigit() and len(y) == 4 else y},
    patterns={YEAR_PATTERN: "年份应为四位数字"},
)


# ----------------------------------------------------------------- the provisional rule
# resources/calendar/provisional_rule.json: how a year without an official schedule is counted
# (weekends + the law's statutory holidays and their 补假; desktop.domain.provisional).


class StatutoryHolidaySpec(FileModel):
    name: NonEmptyText                                       # as the law names it, e.g. 春节
    days: Positive                                           # statutory days off
    library_names: Annotated[list[NonEmptyText], Field(min_length=1)]   # its names in holidays.China (zh_CN)


class ProvisionalRuleFile(FileModel):
    """The provisional (暂定) holiday rule of the law (《全国年节及纪念日放假办法》), format 1."""

    model_config = ConfigDict(title="Yimen provisional holiday rule (暂定节假日规则) format 1")

    format: FormatVersion
    law: Text = ""
    note: Text = ""                                          # for people; not kept by the program
    effective_from_year: StrictInt
    weekend_compensation: StrictBool = True
    compensation_suffix: Text = "（补假）"
    holidays: Annotated[list[StatutoryHolidaySpec], Field(min_length=1)]


PROVISIONAL_LABELS = Labels(names={
    "format": "格式版本", "law": "法规依据", "note": "说明", "effective_from_year": "适用起始年份",
    "weekend_compensation": "周末补假", "compensation_suffix": "补假名称后缀", "holidays": "法定节假日",
    "name": "节日名称", "days": "法定放假天数", "library_names": "holidays 包中的名称",
})
