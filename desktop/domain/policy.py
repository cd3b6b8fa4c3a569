"""Dated regional policy tables (政策表): deadlines, notice periods, documents, referrals.

One JSON file per table under ``resources/policy/``, named ``{region}-{effective_from}.json``
(e.g. ``620102-2026-07-01.json``). ``region`` is a division code: ``000000`` (national default),
a 6-digit province ``620000`` / prefecture ``620100`` / county ``620102``, a 9-digit township or a
12-digit village. Each table is complete on its own (not a patch over a less specific one) and
is validated as a whole on load, so a county-pushed update is rejected before it can be used.

Which table applies (:meth:`PolicyBook.policy_for`): try the regions from most to least
specific (village 12, township 9, county 6, prefecture ``xxxx00``, province ``xx0000``,
``000000``); the first region with a table in force on the date wins, and within it the table
with the latest ``effective_from`` not after the date. A more specific region keeps winning
over a newer national table: a county whose rules change pushes a new table of its own.

Deadlines are in working days, the starting day not counted (:mod:`desktop.domain.workdays`);
notice periods are ``days`` or ``working_days``; money is in cents (分).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any

from .categories import Category
from .notice_content import NoticeContent, NoticeContentError, NoticeContentRule

__all__ = [
    "ComplaintPhone", "DeadlineKind", "DeadlineRule", "Department", "DocumentRequirement", "EmergencyRules",
    "NoticeRule", "PeriodUnit", "PolicyBook", "PolicyError", "PolicyNotFound", "PolicyTable", "RecheckClass",
    "load_policy_file", "load_policy_tables", "parse_policy_table", "region_candidates",
]

FORMAT = 1
NATIONAL = "000000"


class _ChineseMessage(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PolicyError(_ChineseMessage, ValueError):
    """A policy table that fails validation. ``.message`` names the file and field."""


class PolicyNotFound(_ChineseMessage, LookupError):
    """No table applies to a region on a date (or the region code is malformed)."""


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


@dataclass(frozen=True)
class DocumentRequirement:
    code: str
    name_zh: str
    note: str = ""
    conditional: bool = False   # needed only in the situation the note describes

    @property
    def name(self) -> str:
        return self.name_zh


@dataclass(frozen=True)
class Department:
    code: str
    name_zh: str
    deadline_working_days: int


@dataclass(frozen=True)
class NoticeRule:
    required: bool
    length: int
    unit: PeriodUnit

    @property
    def label(self) -> str:
        return f"{self.length}个{'工作日' if self.unit is PeriodUnit.WORKING_DAYS else '自然日'}"


@dataclass(frozen=True)
class DeadlineRule:
    default: int
    by_category: Mapping[Category, int]

    def for_category(self, category: Category | None) -> int:
        return self.by_category.get(category, self.default) if category is not None else self.default


@dataclass(frozen=True)
class EmergencyRules:
    township_approval_limit_cents: int   # 乡镇（街道）审批额度上限
    same_reason_window_days: int         # 同一事由原则上一次的期间
    relief_within_hours: int             # 先行救助时限


@dataclass(frozen=True)
class ComplaintPhone:
    label: str
    number: str


@dataclass(frozen=True)
class PolicyTable:
    region: str
    effective_from: date
    title: str
    source: str
    note: str
    deadlines: Mapping[DeadlineKind, DeadlineRule]
    notices: Mapping[Category, NoticeRule]
    deliberation: Mapping[Category, bool]
    recheck: Mapping[RecheckClass, int]
    emergency: EmergencyRules
    documents: Mapping[Category, tuple[DocumentRequirement, ...]]
    departments: Mapping[str, Department]
    referrals: Mapping[Category, str]
    complaint_phones: tuple[ComplaintPhone, ...]
    dibao_standard: Mapping[str, int] | None = None   # {"urban": cents, "rural": cents}; None = not set
    calendar_day_periods_end_on_workday: bool = True  # 民法典第二百零三条
    origin: str = ""                                  # file name, for messages
    notice_content: NoticeContent | NoticeContentRule | None = None   # None = the default content
    economic_check: Mapping[Category, bool] | None = None   # investigation_requirements; None = none required
    township_procedure: frozenset[Category] = frozenset()   # 初审 here, 审核确认 by the county: never referred
    home_visit_min_investigators: int = 2   # 入户调查须由几名以上工作人员（every shipped table says 2）

    @property
    def ref(self) -> str:
        """Stable reference stored with a case: ``620102@2026-07-01``."""
        return f"{self.region}@{self.effective_from.isoformat()}"

    def deadline(self, kind: DeadlineKind | str, category: Category | str | None = None) -> int:
        """Working days allowed for ``kind`` (for ``category`` where it differs)."""
        try:
            k = DeadlineKind(kind)
        except ValueError:
            raise ValueError(f"未知的时限类型：{kind}") from None
        cat = Category(category) if category is not None else None
        if k is DeadlineKind.REFERRAL:
            if cat is None:
                raise ValueError("转办时限须指明救助类别")
            return self.department_for(cat).deadline_working_days
        return self.deadlines[k].for_category(cat)

    def notice_period(self, category: Category | str) -> NoticeRule:
        return self.notices[Category(category)]

    def notice_required(self, category: Category | str) -> bool:
        return self.notices[Category(category)].required

    def democratic_deliberation_required(self, category: Category | str) -> bool:
        return self.deliberation[Category(category)]

    def economic_check_required(self, category: Category | str) -> bool:
        """Whether a household economic-check result (核对报告) must be recorded before notice/decision."""
        return bool(self.economic_check and self.economic_check[Category(category)])

    def recheck_months(self, kind: RecheckClass | str) -> int:
        return self.recheck[RecheckClass(kind)]

    def dibao_standard_cents(self, area: str) -> int | None:
        """Monthly 低保 standard per person for ``"urban"`` or ``"rural"``; None if not set here."""
        if area not in ("urban", "rural"):
            raise ValueError(f"低保标准的区域应为 urban 或 rural，而不是 {area!r}")
        return None if self.dibao_standard is None else self.dibao_standard[area]

    def required_documents(self, categories: Iterable[Category | str]) -> list[DocumentRequirement]:
        """One checklist for several categories: de-duplicated by code, in first-seen order.

        A document conditional for one category but required for another is required.
        """
        merged: dict[str, DocumentRequirement] = {}
        for cat in categories:
            for doc in self.documents[Category(cat)]:
                seen = merged.get(doc.code)
                if seen is None or (seen.conditional and not doc.conditional):
                    merged[doc.code] = doc
        return list(merged.values())

    def department_for(self, category: Category | str) -> Department:
        """The department ``referrals`` names for the category (also for a township-procedure one)."""
        return self.departments[self.referrals[Category(category)]]

    def is_township_procedure(self, category: Category | str) -> bool:
        """Carried by the township's own procedure (初审, then the county's 审核确认), not referred."""
        return Category(category) in self.township_procedure

    def township_categories(self, categories: Iterable[Category | str]) -> list[Category]:
        """The given categories carried by the township procedure, de-duplicated, in first-seen order."""
        return list(dict.fromkeys(c for c in map(Category, categories) if c in self.township_procedure))

    def referral_departments(self, categories: Iterable[Category | str]) -> dict[str, list[Category]]:
        """Department code → the given categories it decides, in first-seen order. Categories carried
        by the township procedure (``township_procedure``) are left out: they are not referred."""
        out: dict[str, list[Category]] = {}
        for cat in categories:
            c = Category(cat)
            if c in self.township_procedure:
                continue
            bucket = out.setdefault(self.referrals[c], [])
            if c not in bucket:
                bucket.append(c)
        return out

    def complaint_phone_text(self) -> str:
        return "；".join(f"{p.label} {p.number}" for p in self.complaint_phones)


def region_candidates(region_code: str) -> list[str]:
    """Regions to try, most specific first: ``620102101201`` → 12, 9, 6, 4+00, 2+0000, 000000."""
    code = region_code.strip()
    if not (code.isascii() and code.isdigit() and len(code) in (6, 9, 12)):
        raise PolicyNotFound(f"区划代码“{region_code}”格式不正确（应为6、9或12位数字），无法确定适用的政策表")
    parts = (code if len(code) == 12 else "", code[:9] if len(code) >= 9 else "",
             code[:6], code[:4] + "00", code[:2] + "0000", NATIONAL)
    return list(dict.fromkeys(p for p in parts if p))


@dataclass(frozen=True)
class PolicyBook:
    tables: tuple[PolicyTable, ...]

    def __post_init__(self) -> None:
        seen: dict[tuple[str, date], PolicyTable] = {}
        for t in self.tables:
            if (dup := seen.get((t.region, t.effective_from))) is not None:
                raise PolicyError(f"政策表重复：{dup.origin or dup.ref} 与 {t.origin or t.ref} 是同一地区同一生效日期")
            seen[(t.region, t.effective_from)] = t
        ordered = tuple(sorted(self.tables, key=lambda t: (t.region, t.effective_from)))
        object.__setattr__(self, "tables", ordered)

    def policy_for(self, region_code: str, on: date) -> PolicyTable:
        for region in region_candidates(region_code):
            in_force = [t for t in self.tables if t.region == region and t.effective_from <= on]
            if in_force:
                return max(in_force, key=lambda t: t.effective_from)
        raise PolicyNotFound(f"没有适用于区划“{region_code.strip()}”在{on.isoformat()}的政策表，"
                             "请从县级平台更新政策数据")

    def merge(self, other: PolicyBook | Iterable[PolicyTable]) -> PolicyBook:
        """Add tables (a county update); a table with the same region and date replaces the old one."""
        incoming = other.tables if isinstance(other, PolicyBook) else tuple(other)
        keys = {(t.region, t.effective_from) for t in incoming}
        kept = tuple(t for t in self.tables if (t.region, t.effective_from) not in keys)
        return PolicyBook(kept + tuple(incoming))


def load_policy_file(path: Path | str) -> PolicyTable:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"无法读取政策表 {p.name}：{exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PolicyError(f"政策表 {p.name} 不是有效的 JSON：{exc}") from exc
    table = parse_policy_table(data, p.name)
    if p.stem != f"{table.region}-{table.effective_from.isoformat()}":
        raise PolicyError(f"政策表 {p.name} 的文件名应为 {table.region}-{table.effective_from.isoformat()}.json"
                          "（与 region、effective_from 一致）")
    return table


def load_policy_tables(directory: Path | str) -> PolicyBook:
    d = Path(directory)
    if not d.is_dir():
        raise PolicyError(f"政策表目录不存在：{d}")
    return PolicyBook(tuple(load_policy_file(p) for p in sorted(d.glob("*.json"))))


# --------------------------------------------------------------------- parsing

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_PHONE = re.compile(r"^[0-9][0-9-]{2,19}$")
_TOP_KEYS = {"format", "region", "effective_from", "title", "source", "note", "deadlines", "notice",
             "calendar_day_periods_end_on_workday", "democratic_deliberation_required", "recheck_months",
             "emergency", "dibao_standard_cents", "complaint_phones", "departments", "referrals", "documents",
             "notice_content", "investigation_requirements", "township_procedure", "home_visit_min_investigators"}
_OPTIONAL_KEYS = {"note", "calendar_day_periods_end_on_workday", "notice_content", "investigation_requirements",
                  "township_procedure", "home_visit_min_investigators"}


class _Reader:
    """Typed access to raw JSON with errors that name the file and the field."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, why: str) -> PolicyError:
        field = f" 字段 {where}" if where else ""
        return PolicyError(f"政策表 {self.origin}{field}：{why}")

    def obj(self, v: Any, where: str, allowed: set[str] | None = None, required: Iterable[str] = ()) -> dict:
        if not isinstance(v, Mapping):
            raise self.fail(where, "应为 JSON 对象")
        for k in required:
            if k not in v:
                raise self.fail(f"{where}.{k}" if where else k, "缺少此字段")
        if allowed is not None:
            extra = sorted(set(v) - allowed)
            if extra:
                raise self.fail(f"{where}.{extra[0]}" if where else extra[0], "未知字段")
        return dict(v)

    def text(self, v: Any, where: str, *, empty_ok: bool = False) -> str:
        if not isinstance(v, str) or (not empty_ok and not v.strip()):
            raise self.fail(where, "应为非空文字")
        return v.strip()

    def int_(self, v: Any, where: str, minimum: int = 0) -> int:
        if type(v) is not int:
            raise self.fail(where, f"应为整数，而不是 {v!r}")
        if v < minimum:
            raise self.fail(where, f"不能小于 {minimum}（当前为 {v}）")
        return v

    def bool_(self, v: Any, where: str) -> bool:
        if type(v) is not bool:
            raise self.fail(where, f"应为 true 或 false，而不是 {v!r}")
        return v

    def category(self, v: Any, where: str) -> Category:
        try:
            return Category(v)
        except ValueError:
            raise self.fail(where, f"未知的救助类别 {v!r}") from None

    def per_category(self, v: Any, where: str) -> dict[Category, Any]:
        raw = self.obj(v, where)
        return {self.category(k, f"{where}.{k}"): val for k, val in raw.items()}

    def complete(self, m: Mapping[Category, Any], where: str, what: str) -> None:
        if missing := [c for c in Category if c not in m]:
            raise self.fail(where, f"缺少救助类别 {missing[0].value}（{missing[0].label}）的{what}")


def parse_policy_table(data: Any, origin: str = "（未命名）") -> PolicyTable:
    """Validate raw JSON and build a :class:`PolicyTable`; any problem raises :class:`PolicyError`."""
    r = _Reader(origin)
    top = r.obj(data, "", _TOP_KEYS, required=_TOP_KEYS - _OPTIONAL_KEYS)
    if type(top["format"]) is not int or top["format"] != FORMAT:
        raise r.fail("format", f"不支持的格式版本 {top['format']!r}（应为 {FORMAT}）")
    region = r.text(top["region"], "region")
    if not (region.isascii() and region.isdigit() and len(region) in (6, 9, 12)):
        raise r.fail("region", f"区划代码应为6、9或12位数字，而不是 {region!r}")
    try:
        effective = date.fromisoformat(r.text(top["effective_from"], "effective_from"))
    except ValueError:
        raise r.fail("effective_from", f"无效日期 {top['effective_from']!r}（应为 YYYY-MM-DD）") from None

    departments = _departments(r, top["departments"])
    referrals: dict[Category, str] = {}
    for cat, code in r.per_category(top["referrals"], "referrals").items():
        if code not in departments:
            raise r.fail(f"referrals.{cat.value}", f"部门 {code!r} 未在 departments 中定义")
        referrals[cat] = code
    r.complete(referrals, "referrals", "转办部门")

    return PolicyTable(
        region=region, effective_from=effective,
        title=r.text(top["title"], "title"),
        source=r.text(top["source"], "source", empty_ok=True),
        note=r.text(top.get("note", ""), "note", empty_ok=True),
        deadlines=_deadlines(r, top["deadlines"]),
        notices=_notices(r, top["notice"]),
        deliberation=_deliberation(r, top["democratic_deliberation_required"]),
        recheck=_recheck(r, top["recheck_months"]),
        emergency=_emergency(r, top["emergency"]),
        documents=_documents(r, top["documents"]),
        departments=departments, referrals=referrals,
        complaint_phones=_phones(r, top["complaint_phones"]),
        dibao_standard=_standard(r, top["dibao_standard_cents"]),
        calendar_day_periods_end_on_workday=r.bool_(
            top.get("calendar_day_periods_end_on_workday", True), "calendar_day_periods_end_on_workday"),
        origin=origin,
        notice_content=_notice_content(r, top.get("notice_content")),
        economic_check=_investigation(r, top.get("investigation_requirements")),
        township_procedure=_township_procedure(r, top.get("township_procedure", [])),
        home_visit_min_investigators=r.int_(top.get("home_visit_min_investigators", 2),
                                            "home_visit_min_investigators", 1),
    )


def _township_procedure(r: _Reader, v: Any) -> frozenset[Category]:
    """``["dibao", "tekun", …]``: categories the township carries itself (初审, then 审核确认); absent = none."""
    if not isinstance(v, list):
        raise r.fail("township_procedure", "应为救助类别代码的列表（如 [\"dibao\", \"tekun\"]）")
    out: list[Category] = []
    for i, code in enumerate(v):
        c = r.category(code, f"township_procedure[{i}]")
        if c in out:
            raise r.fail(f"township_procedure[{i}]", f"救助类别 {c.value}（{c.label}）重复")
        out.append(c)
    return frozenset(out)


def _notice_content(r: _Reader, v: Any) -> NoticeContent | NoticeContentRule | None:
    """``{"fields": [...], "id_fragment": {"head": 0–6, "tail": 0–4}}`` or
    ``{"default": {...}, "by_category": {category: {...}}}``; absent = the default content."""
    if v is None:
        return None
    try:
        return NoticeContentRule.from_dict(v)
    except NoticeContentError as exc:
        raise r.fail("notice_content", exc.message) from None


def _default_by_category(r: _Reader, v: Any, where: str, read: Any) -> tuple[Any, dict[Category, Any]]:
    """``{"default": x, "by_category": {category: x}}`` with each x checked by ``read(value, where)``."""
    s = r.obj(v, where, {"default", "by_category"}, required=["default"])
    overrides = r.per_category(s.get("by_category", {}), f"{where}.by_category")
    return read(s["default"], f"{where}.default"), {
        c: read(x, f"{where}.by_category.{c.value}") for c, x in overrides.items()}


def _deadlines(r: _Reader, v: Any) -> dict[DeadlineKind, DeadlineRule]:
    kinds = {k.value for k in DeadlineKind} - {DeadlineKind.REFERRAL.value}
    raw = r.obj(v, "deadlines", kinds, required=sorted(kinds))
    positive = partial(r.int_, minimum=1)
    return {DeadlineKind(k): DeadlineRule(*_default_by_category(r, spec, f"deadlines.{k}", positive))
            for k, spec in raw.items()}


def _notice_rule(r: _Reader, v: Any, where: str, base: NoticeRule | None) -> NoticeRule:
    keys = {"required", "length", "unit"}
    s = r.obj(v, where, keys, required=sorted(keys) if base is None else ())
    if base is None:  # the default rule: all three keys are present, so each field is replaced below
        base = NoticeRule(True, 1, PeriodUnit.DAYS)
    unit = base.unit
    if "unit" in s:
        try:
            unit = PeriodUnit(s["unit"])
        except ValueError:
            raise r.fail(f"{where}.unit", f"单位应为 days 或 working_days，而不是 {s['unit']!r}") from None
    return NoticeRule(
        r.bool_(s["required"], f"{where}.required") if "required" in s else base.required,
        r.int_(s["length"], f"{where}.length", 1) if "length" in s else base.length,
        unit,
    )


def _notices(r: _Reader, v: Any) -> dict[Category, NoticeRule]:
    s = r.obj(v, "notice", {"default", "by_category"}, required=["default"])
    default = _notice_rule(r, s["default"], "notice.default", None)
    overrides = r.per_category(s.get("by_category", {}), "notice.by_category")
    return {c: _notice_rule(r, overrides[c], f"notice.by_category.{c.value}", default) if c in overrides
            else default for c in Category}


def _investigation(r: _Reader, v: Any) -> dict[Category, bool] | None:
    """``{"economic_check": {"default": bool, "by_category": {category: bool}}}``; absent = none required."""
    if v is None:
        return None
    s = r.obj(v, "investigation_requirements", {"economic_check"}, required=["economic_check"])
    where = "investigation_requirements.economic_check"
    default, overrides = _default_by_category(r, s["economic_check"], where, r.bool_)
    return {c: overrides.get(c, default) for c in Category}


def _deliberation(r: _Reader, v: Any) -> dict[Category, bool]:
    default, overrides = _default_by_category(r, v, "democratic_deliberation_required", r.bool_)
    return {c: overrides.get(c, default) for c in Category}


def _recheck(r: _Reader, v: Any) -> dict[RecheckClass, int]:
    keys = {k.value for k in RecheckClass}
    s = r.obj(v, "recheck_months", keys, required=sorted(keys))
    return {RecheckClass(k): r.int_(n, f"recheck_months.{k}", 1) for k, n in s.items()}


def _emergency(r: _Reader, v: Any) -> EmergencyRules:
    minimum = {"township_approval_limit_cents": 0, "same_reason_window_days": 0, "relief_within_hours": 1}
    s = r.obj(v, "emergency", set(minimum), required=sorted(minimum))
    return EmergencyRules(**{k: r.int_(s[k], f"emergency.{k}", m) for k, m in minimum.items()})


def _standard(r: _Reader, v: Any) -> dict[str, int] | None:
    s = None if v is None else r.obj(v, "dibao_standard_cents", {"urban", "rural"}, required=["urban", "rural"])
    return None if s is None else {k: r.int_(n, f"dibao_standard_cents.{k}", 0) for k, n in s.items()}


def _phones(r: _Reader, v: Any) -> tuple[ComplaintPhone, ...]:
    if not isinstance(v, list) or not v:
        raise r.fail("complaint_phones", "应为非空列表")
    out = []
    for i, p in enumerate(v):
        where = f"complaint_phones[{i}]"
        s = r.obj(p, where, {"label", "number"}, required=["label", "number"])
        number = r.text(s["number"], f"{where}.number")
        if not _PHONE.match(number):
            raise r.fail(f"{where}.number", f"电话号码只能包含数字和“-”：{number!r}")
        out.append(ComplaintPhone(r.text(s["label"], f"{where}.label"), number))
    return tuple(out)


def _departments(r: _Reader, v: Any) -> dict[str, Department]:
    raw = r.obj(v, "departments")
    if not raw:
        raise r.fail("departments", "至少应定义一个部门")
    out = {}
    for code, spec in raw.items():
        where = f"departments.{code}"
        if not _CODE.match(code):
            raise r.fail(where, "部门代码只能由小写字母、数字和下划线组成")
        s = r.obj(spec, where, {"name_zh", "deadline_working_days"}, required=["name_zh", "deadline_working_days"])
        out[code] = Department(code, r.text(s["name_zh"], f"{where}.name_zh"),
                               r.int_(s["deadline_working_days"], f"{where}.deadline_working_days", 1))
    return out


def _documents(r: _Reader, v: Any) -> dict[Category, tuple[DocumentRequirement, ...]]:
    names: dict[str, str] = {}
    out: dict[Category, tuple[DocumentRequirement, ...]] = {}
    for cat, items in r.per_category(v, "documents").items():
        where = f"documents.{cat.value}"
        if not isinstance(items, list) or not items:
            raise r.fail(where, "应为非空的要件列表")
        docs: list[DocumentRequirement] = []
        for i, item in enumerate(items):
            w = f"{where}[{i}]"
            s = r.obj(item, w, {"code", "name_zh", "note", "conditional"}, required=["code", "name_zh"])
            code, name = r.text(s["code"], f"{w}.code"), r.text(s["name_zh"], f"{w}.name_zh")
            if not _CODE.match(code):
                raise r.fail(f"{w}.code", "要件代码只能由小写字母、数字和下划线组成")
            if any(d.code == code for d in docs):
                raise r.fail(f"{w}.code", f"要件 {code} 重复")
            if names.setdefault(code, name) != name:
                raise r.fail(f"{w}.name_zh", f"要件 {code} 的名称与其他类别中的“{names[code]}”不一致")
            docs.append(DocumentRequirement(code, name, r.text(s.get("note", ""), f"{w}.note", empty_ok=True),
                                            r.bool_(s.get("conditional", False), f"{w}.conditional")))
        out[cat] = tuple(docs)
    r.complete(out, "documents", "要件清单")
    return out
