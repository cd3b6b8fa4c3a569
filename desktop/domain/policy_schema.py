"""The policy table file format (``resources/policy/*.json``, format 1) as pydantic models.

The models say what a file may contain, exactly: unknown fields are refused, numbers are integers
(never ``true``), texts are strings, dates are ``YYYY-MM-DD``, categories and units are the enum
values. Checks across fields (a referral names a defined department, every category has its
documents, …) are made where the file becomes a :class:`~desktop.domain.policy.PolicyTable`
(:func:`desktop.domain.policy.parse_policy_table`). ``docs/schemas/policy.schema.json`` is
:func:`PolicyFile.model_json_schema` (``tools/export_schemas.py``), for county IT to validate a
table before pushing it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, StrictBool, StrictInt
from pydantic_core import PydanticCustomError

from .categories import CATEGORY_LABELS, Category
from .notice_content import NoticeContentError, NoticeContentRule, NoticeField
from .schema_base import FileModel, IsoDate, NonEmptyText, NonNegative, Positive, Text, format_version
from .schema_errors import Labels

__all__ = ["FORMAT", "LABELS", "DeadlineKind", "PeriodUnit", "PolicyFile", "RecheckClass"]

FORMAT = 1
CODE_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
PHONE_PATTERN = r"^[0-9][0-9-]{2,19}$"
REGION_PATTERN = r"^([0-9]{6}|[0-9]{9}|[0-9]{12})$"


class DeadlineKind(StrEnum):
    INVESTIGATION_START = "investigation_start"  # 受理后开始调查
    INVESTIGATION = "investigation"              # 完成调查核实
    DECISION_TOTAL = "decision_total"            # 作出决定（总时限）
    DECISION_EXTENDED = "decision_extended"      # 情况复杂时延长后的总时限
    COUNTY_CONFIRM = "county_confirm"            # 县级审核确认
    REFUSAL_NOTICE = "refusal_notice"            # 书面告知不予批准及理由
    EMERGENCY_PAPERWORK = "emergency_paperwork"  # 急难型先行救助后补齐手续
    REFERRAL = "referral"                        # 转办部门办结（按部门，不在 deadlines 中）


class PeriodUnit(StrEnum):
    DAYS = "days"                  # 自然日
    WORKING_DAYS = "working_days"  # 工作日


class RecheckClass(StrEnum):
    STABLE = "stable"                        # 收入稳定：每年
    IRREGULAR_INCOME = "irregular_income"    # 收入不固定、有劳动能力
    CLASS_C_URBAN = "class_c_urban"          # 分类管理 C 类（城市）
    CLASS_C_RURAL = "class_c_rural"          # 分类管理 C 类（农村）
    TEKUN = "tekun"                          # 特困人员


# ----------------------------------------------------------------- field types

Code = Annotated[str, Field(strict=True, pattern=CODE_PATTERN)]
FormatVersion = format_version(FORMAT)


# ----------------------------------------------------------------- the parts


class DeadlineSpec(FileModel):
    default: Positive
    by_category: dict[Category, Positive] = {}


class Deadlines(FileModel):
    investigation_start: DeadlineSpec
    investigation: DeadlineSpec
    decision_total: DeadlineSpec
    decision_extended: DeadlineSpec
    county_confirm: DeadlineSpec
    refusal_notice: DeadlineSpec
    emergency_paperwork: DeadlineSpec


class NoticeRuleSpec(FileModel):
    required: StrictBool
    length: Positive
    unit: PeriodUnit


class NoticeOverride(FileModel):
    """A category's exception to the default notice rule: only the keys that differ."""

    required: StrictBool = None  # type: ignore[assignment]  # absent = the default's
    length: Positive = None  # type: ignore[assignment]
    unit: PeriodUnit = None  # type: ignore[assignment]


class NoticeSpec(FileModel):
    default: NoticeRuleSpec
    by_category: dict[Category, NoticeOverride] = {}


class FlagSpec(FileModel):
    default: StrictBool
    by_category: dict[Category, StrictBool] = {}


class InvestigationRequirements(FileModel):
    economic_check: FlagSpec


class RecheckMonths(FileModel):
    stable: Positive
    irregular_income: Positive
    class_c_urban: Positive
    class_c_rural: Positive
    tekun: Positive


class EmergencySpec(FileModel):
    township_approval_limit_cents: NonNegative
    same_reason_window_days: NonNegative
    relief_within_hours: Positive


class DibaoStandard(FileModel):
    urban: NonNegative
    rural: NonNegative


class LabourAgesSpec(FileModel):
    """劳动能力 proposed by age at intake: 有劳动能力 from ``working_from`` up to (not including) ``working_until``."""

    working_from: Positive = 16
    working_until: Positive = 60


class PhoneSpec(FileModel):
    label: NonEmptyText
    number: Annotated[str, Field(strict=True, pattern=PHONE_PATTERN)]


class DepartmentSpec(FileModel):
    name_zh: NonEmptyText
    deadline_working_days: Positive


class DocumentSpec(FileModel):
    code: Code
    name_zh: NonEmptyText
    note: Text = ""
    conditional: StrictBool = False


class IdFragment(FileModel):
    head: Annotated[StrictInt, Field(ge=0, le=6)] = 0
    tail: Annotated[StrictInt, Field(ge=0, le=4)] = 0


class NoticeContentSpec(FileModel):
    fields: list[NoticeField] = Field(default_factory=lambda: list(NoticeField))
    id_fragment: IdFragment = IdFragment()


class NoticeContentByCategory(FileModel):
    default: NoticeContentSpec
    by_category: dict[Category, NoticeContentSpec] = {}


def _notice_content_rules(v: Any) -> Any:
    """The publication rules (no address, no full ID, the name always…) in their own Chinese words."""
    if v is not None and not isinstance(v, FileModel):   # a model built by dump_policy_table is checked already
        try:
            NoticeContentRule.from_dict(v)
        except NoticeContentError as exc:
            raise PydanticCustomError("yimen_notice_content", "{m}", {"m": exc.message}) from None
    return v


# ----------------------------------------------------------------- the file

_ONLY_PATTERN_KEYS = {"additionalProperties": False}   # JSON Schema: a key off the pattern is refused too


class PolicyFile(FileModel):
    """One policy table file (政策表), format 1."""

    model_config = ConfigDict(title="Yimen policy table (政策表) format 1")

    format: FormatVersion
    region: Annotated[str, Field(strict=True, pattern=REGION_PATTERN)]
    effective_from: IsoDate
    title: NonEmptyText
    source: Text
    note: Text = ""
    deadlines: Deadlines
    notice: NoticeSpec
    calendar_day_periods_end_on_workday: StrictBool = True
    democratic_deliberation_required: FlagSpec
    investigation_requirements: InvestigationRequirements | None = None
    home_visit_min_investigators: Positive = 2
    labour_capacity_ages: LabourAgesSpec = LabourAgesSpec()
    recheck_months: RecheckMonths
    emergency: EmergencySpec
    dibao_standard_cents: DibaoStandard | None
    complaint_phones: Annotated[list[PhoneSpec], Field(min_length=1)]
    departments: Annotated[dict[Code, DepartmentSpec], Field(min_length=1, json_schema_extra=_ONLY_PATTERN_KEYS)]
    referrals: dict[Category, Annotated[str, Field(strict=True)]]
    township_procedure: list[Category] = []
    documents: dict[Category, Annotated[list[DocumentSpec], Field(min_length=1)]]
    notice_content: Annotated[NoticeContentSpec | NoticeContentByCategory | None,
                              BeforeValidator(_notice_content_rules)] = None


# ----------------------------------------------------------------- Chinese names


def _category(code: str) -> str:
    try:
        return CATEGORY_LABELS[Category(code)]
    except ValueError:
        return code


LABELS = Labels(
    names={
        "format": "格式版本", "region": "区划代码", "effective_from": "生效日期", "title": "标题",
        "source": "依据", "note": "说明",
        "deadlines": "办理时限", "investigation_start": "开始调查", "investigation": "调查核实",
        "decision_total": "作出决定（总时限）", "decision_extended": "延长后的总时限",
        "county_confirm": "县级审核确认", "refusal_notice": "不予批准告知", "emergency_paperwork": "急难型补齐手续",
        "default": "默认值", "by_category": "分类别",
        "notice": "公示", "required": "是否公示", "length": "公示期长度", "unit": "单位",
        "calendar_day_periods_end_on_workday": "自然日期限末日顺延",
        "democratic_deliberation_required": "民主评议",
        "investigation_requirements": "调查要求", "economic_check": "家庭经济状况核对",
        "home_visit_min_investigators": "入户调查最少人数",
        "labour_capacity_ages": "按年龄默认的劳动能力", "working_from": "劳动年龄起（周岁）",
        "working_until": "劳动年龄止（周岁，不含）",
        "recheck_months": "复核周期（月）", "stable": "收入稳定", "irregular_income": "收入不固定",
        "class_c_urban": "C 类（城市）", "class_c_rural": "C 类（农村）", "tekun": "特困人员",
        "emergency": "急难救助", "township_approval_limit_cents": "乡镇审批额度（分）",
        "same_reason_window_days": "同一事由间隔（天）", "relief_within_hours": "先行救助时限（小时）",
        "dibao_standard_cents": "低保标准（分）", "urban": "城市", "rural": "农村",
        "complaint_phones": "投诉电话", "label": "名称", "number": "号码",
        "departments": "部门", "name_zh": "名称", "deadline_working_days": "办结时限（工作日）",
        "referrals": "转办部门", "township_procedure": "乡镇办理的类别",
        "documents": "要件清单", "code": "代码", "conditional": "是否视情况提供",
        "notice_content": "公示内容", "fields": "公示项目", "id_fragment": "身份证号码片段",
        "head": "前几位", "tail": "后几位",
    },
    keys={"by_category": _category, "documents": _category, "referrals": _category},
    patterns={
        CODE_PATTERN: "只能由小写字母、数字和下划线组成（以字母开头）",
        PHONE_PATTERN: "只能包含数字和“-”",
        REGION_PATTERN: "应为6、9或12位数字",
    },
    enums=((Category, "救助类别"), (PeriodUnit, "单位"), (NoticeField, "公示项目")),
)
