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

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from . import policy_schema as ps
from .categories import Category
from .errors import YimenError
from .labour import LabourAges
from .notice_content import NoticeContent, NoticeContentRule
from .policy_schema import FORMAT, LABELS, DeadlineKind, PeriodUnit, PolicyFile, RecheckClass
from .schema_base import read_json
from .schema_errors import chinese_errors, place

__all__ = [
    "FORMAT", "ComplaintPhone", "DeadlineKind", "DeadlineRule", "Department", "DocumentRequirement",
    "EmergencyRules", "NoticeRule", "PeriodUnit", "PolicyBook", "PolicyError", "PolicyNotFound", "PolicyTable",
    "RecheckClass", "dump_policy_table", "load_policy_file", "load_policy_tables", "parse_policy_table",
    "region_candidates",
]

NATIONAL = "000000"


class PolicyError(YimenError, ValueError):
    """A policy table that fails validation. ``.message`` names the file and field."""


class PolicyNotFound(YimenError, LookupError):
    """No table applies to a region on a date (or the region code is malformed)."""


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
    labour_ages: LabourAges = LabourAges()  # 劳动能力 proposed by age at intake (desktop.domain.labour)

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
    table = parse_policy_table(read_json(p, "政策表", PolicyError), p.name)
    if p.stem != f"{table.region}-{table.effective_from.isoformat()}":
        raise PolicyError(f"政策表 {p.name} 的文件名应为 {table.region}-{table.effective_from.isoformat()}.json"
                          "（与 region、effective_from 一致）")
    return table


def load_policy_tables(directory: Path | str) -> PolicyBook:
    d = Path(directory)
    if not d.is_dir():
        raise PolicyError(f"政策表目录不存在：{d}")
    return PolicyBook(tuple(load_policy_file(p) for p in sorted(d.glob("*.json"))))


# --------------------------------------------------------------------- parsing and dumping
# The file format is :class:`desktop.domain.policy_schema.PolicyFile`; here a validated file becomes a
# PolicyTable (with the checks across fields the schema cannot say) and a PolicyTable becomes a file.

T = TypeVar("T")


def parse_policy_table(data: Any, origin: str = "（未命名）") -> PolicyTable:
    """Validate raw JSON and build a :class:`PolicyTable`; any problem raises :class:`PolicyError`
    naming the file and the field (``政策表 X：办理时限 → … （deadlines.…）：应为整数…``)."""
    try:
        spec = PolicyFile.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(chinese_errors(exc, f"政策表 {origin}", LABELS)) from None
    return _table(spec, origin)


def _fail(origin: str, loc: tuple[str | int, ...], why: str) -> PolicyError:
    return PolicyError(f"政策表 {origin}：{place(loc, LABELS)}：{why}")


def _complete(origin: str, m: Mapping[Category, Any], where: str, what: str) -> None:
    if missing := [c for c in Category if c not in m]:
        raise _fail(origin, (where,), f"缺少救助类别 {missing[0].value}（{missing[0].label}）的{what}")


def _table(spec: PolicyFile, origin: str) -> PolicyTable:
    departments = {code: Department(code, d.name_zh, d.deadline_working_days) for code, d in spec.departments.items()}
    for cat, code in spec.referrals.items():
        if code not in departments:
            raise _fail(origin, ("referrals", cat.value), f"部门 “{code}” 未在 departments 中定义")
    _complete(origin, spec.referrals, "referrals", "转办部门")
    for i, cat in enumerate(spec.township_procedure):
        if cat in spec.township_procedure[:i]:
            raise _fail(origin, ("township_procedure", i), f"救助类别 {cat.value}（{cat.label}）重复")
    default_notice = NoticeRule(spec.notice.default.required, spec.notice.default.length, spec.notice.default.unit)
    notices = {c: default_notice for c in Category}
    for c, o in spec.notice.by_category.items():
        notices[c] = NoticeRule(*(getattr(default_notice, k) if getattr(o, k) is None else getattr(o, k)
                                  for k in ("required", "length", "unit")))
    economic = spec.investigation_requirements
    return PolicyTable(
        region=spec.region, effective_from=spec.effective_from, title=spec.title, source=spec.source,
        note=spec.note,
        deadlines={DeadlineKind(k): DeadlineRule(d.default, dict(d.by_category)) for k, d in spec.deadlines},
        notices=notices,
        deliberation=_expand(spec.democratic_deliberation_required),
        recheck={RecheckClass(k): n for k, n in spec.recheck_months},
        emergency=EmergencyRules(**spec.emergency.model_dump()),
        documents=_documents(spec, origin),
        departments=departments, referrals=dict(spec.referrals),
        complaint_phones=tuple(ComplaintPhone(p.label, p.number) for p in spec.complaint_phones),
        dibao_standard=None if spec.dibao_standard_cents is None else spec.dibao_standard_cents.model_dump(),
        calendar_day_periods_end_on_workday=spec.calendar_day_periods_end_on_workday,
        origin=origin,
        notice_content=_notice_content(spec.notice_content),
        economic_check=None if economic is None else _expand(economic.economic_check),
        township_procedure=frozenset(spec.township_procedure),
        home_visit_min_investigators=spec.home_visit_min_investigators,
        labour_ages=_labour_ages(spec, origin),
    )


def _labour_ages(spec: PolicyFile, origin: str) -> LabourAges:
    a = spec.labour_capacity_ages
    if a.working_from >= a.working_until:
        raise _fail(origin, ("labour_capacity_ages", "working_until"),
                    f"应大于劳动年龄起（{a.working_from}周岁），现为{a.working_until}周岁")
    return LabourAges(a.working_from, a.working_until)


def _expand(flags: ps.FlagSpec) -> dict[Category, bool]:
    return {c: flags.by_category.get(c, flags.default) for c in Category}


def _documents(spec: PolicyFile, origin: str) -> dict[Category, tuple[DocumentRequirement, ...]]:
    names: dict[str, str] = {}
    out: dict[Category, tuple[DocumentRequirement, ...]] = {}
    for cat, items in spec.documents.items():
        docs: list[DocumentRequirement] = []
        for i, s in enumerate(items):
            if any(d.code == s.code for d in docs):
                raise _fail(origin, ("documents", cat.value, i, "code"), f"要件 {s.code} 重复")
            if names.setdefault(s.code, s.name_zh) != s.name_zh:
                raise _fail(origin, ("documents", cat.value, i, "name_zh"),
                            f"要件 {s.code} 的名称与其他类别中的“{names[s.code]}”不一致")
            docs.append(DocumentRequirement(s.code, s.name_zh, s.note, s.conditional))
        out[cat] = tuple(docs)
    _complete(origin, out, "documents", "要件清单")
    return out


def _content(s: ps.NoticeContentSpec) -> NoticeContent:
    return NoticeContent(tuple(s.fields), s.id_fragment.head, s.id_fragment.tail)


def _notice_content(s: ps.NoticeContentSpec | ps.NoticeContentByCategory | None,
                    ) -> NoticeContent | NoticeContentRule | None:
    if isinstance(s, ps.NoticeContentByCategory):
        return NoticeContentRule(_content(s.default), {c: _content(x) for c, x in s.by_category.items()})
    return None if s is None else _content(s)


def _split(values: Mapping[Category, T]) -> tuple[T, dict[Category, T]]:
    """A per-category mapping as the file writes it: the commonest value as default, the rest as exceptions."""
    default = Counter(values[c] for c in Category).most_common(1)[0][0]
    return default, {c: v for c, v in values.items() if v != default}


def _flags(values: Mapping[Category, bool]) -> ps.FlagSpec:
    default, others = _split(values)
    return ps.FlagSpec(default=default, by_category=others) if others else ps.FlagSpec(default=default)


def _content_spec(c: NoticeContent) -> ps.NoticeContentSpec:
    return ps.NoticeContentSpec(fields=list(c.fields), id_fragment=ps.IdFragment(head=c.id_head, tail=c.id_tail))


def dump_policy_table(table: PolicyTable) -> dict[str, Any]:
    """The file (JSON-ready dict) that :func:`parse_policy_table` reads back as an equal table."""
    default_notice, notice_others = _split(table.notices)
    overrides = {c: ps.NoticeOverride(**{k: getattr(r, k) for k in ("required", "length", "unit")
                                         if getattr(r, k) != getattr(default_notice, k)})
                 for c, r in notice_others.items()}
    extra: dict[str, Any] = {}
    if table.note:
        extra["note"] = table.note
    if table.economic_check is not None:
        extra["investigation_requirements"] = ps.InvestigationRequirements(economic_check=_flags(table.economic_check))
    if table.township_procedure:
        extra["township_procedure"] = [c for c in Category if c in table.township_procedure]
    if isinstance(table.notice_content, NoticeContentRule):
        extra["notice_content"] = ps.NoticeContentByCategory(
            default=_content_spec(table.notice_content.default),
            by_category={c: _content_spec(x) for c, x in table.notice_content.by_category.items()})
    elif table.notice_content is not None:
        extra["notice_content"] = _content_spec(table.notice_content)
    spec = PolicyFile(
        format=FORMAT, region=table.region, effective_from=table.effective_from, title=table.title,
        source=table.source,
        deadlines=ps.Deadlines(**{k.value: ps.DeadlineSpec(default=r.default, **(
            {"by_category": dict(r.by_category)} if r.by_category else {})) for k, r in table.deadlines.items()}),
        notice=ps.NoticeSpec(default=ps.NoticeRuleSpec(required=default_notice.required, length=default_notice.length,
                                                       unit=default_notice.unit), by_category=overrides),
        calendar_day_periods_end_on_workday=table.calendar_day_periods_end_on_workday,
        democratic_deliberation_required=_flags(table.deliberation),
        home_visit_min_investigators=table.home_visit_min_investigators,
        labour_capacity_ages=ps.LabourAgesSpec(working_from=table.labour_ages.working_from,
                                               working_until=table.labour_ages.working_until),
        recheck_months=ps.RecheckMonths(**{k.value: n for k, n in table.recheck.items()}),
        emergency=ps.EmergencySpec(**vars(table.emergency)),
        dibao_standard_cents=None if table.dibao_standard is None else ps.DibaoStandard(**table.dibao_standard),
        complaint_phones=[ps.PhoneSpec(label=p.label, number=p.number) for p in table.complaint_phones],
        departments={c: ps.DepartmentSpec(name_zh=d.name_zh, deadline_working_days=d.deadline_working_days)
                     for c, d in table.departments.items()},
        referrals=dict(table.referrals),
        documents={c: [ps.DocumentSpec(code=d.code, name_zh=d.name_zh, **({"note": d.note} if d.note else {}),
                                       **({"conditional": True} if d.conditional else {})) for d in docs]
                   for c, docs in table.documents.items()},
        **extra,
    )
    return spec.model_dump(mode="json", exclude_unset=True)
