"""Public notice (公示): what may be published, the notice period, and who is ready for it.

The one rule every output obeys is :func:`mask_for_notice`. It takes
everything known about a case (:class:`NoticeSource` — address, incomes,
phones, bank cards, assets, health and disability, full ID numbers included)
and the policy's list of publishable fields (:class:`NoticeContent`) and
returns a :class:`NoticeRow` that *cannot* carry anything else: it has no
field for an address, an income or a phone. The poster PDF, the CSV and the
HTML page are all drawn from :func:`notice_table` over those rows, so no
output can reach the source data.

Minors are never published (DOMAIN.md): the only person named on a notice
is the holder (the applicant), and a holder under 18 on the posting day — or
whose age cannot be established — is not turned into a row at all: the case
is held back (:class:`HeldBack`) for the clerk to handle by hand (e.g. the
county handles a minor's 特困 case without a public list). Household size is
a count and includes children; no child's name, age or ID ever leaves here.

An ID fragment is shown only if the policy asks for it, and then at most the
first 6 and last 4 characters (:func:`forms.idnumber.mask_id` refuses more).

Notice periods follow :func:`desktop.domain.clock.notice_end` (the posting day
is not counted; calendar-day periods ending on a day off move to the next
working day when the policy says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from forms.idnumber import IdNumberError, age_on, mask_id, parse_id

from .case_state import MIN_HOME_VISIT_INVESTIGATORS, CaseStatus
from .categories import Category
from .clock import notice_end
from .household import ADULT_AGE
from .notice_content import (
    DEFAULT_NOTICE_CONTENT,
    NoticeContent,
    NoticeContentError,
    NoticeContentRule,
    NoticeField,
)
from .policy import PeriodUnit, PolicyTable
from .provisional import provisional_note
from .workdays import CalendarNotCovered, WorkCalendar

__all__ = [
    "DEFAULT_NOTICE_CONTENT", "BatchStatus", "CandidateFacts", "HeldBack", "NoticeContent",
    "NoticeContentError", "NoticeContentRule", "NoticeField", "NoticePeriod", "NoticeRow", "NoticeSource", "NoticeTable",
    "ObjectionChannel", "ObjectionResult", "SourceMember", "amount_text", "candidate_problems",
    "compute_notice_period", "fmt_date_cn", "mask_for_notice", "notice_category", "notice_content_for",
    "notice_table",
]


def fmt_date_cn(d: date) -> str:
    """``date(2026, 9, 30)`` → ``"2026年09月30日"`` (the format every printed document uses)."""
    return f"{d.year:04d}年{d.month:02d}月{d.day:02d}日"


def amount_text(cents: int | None) -> str:
    """``123450`` → ``"1234.50"``; unknown → ``"—"``."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


# ------------------------------------------------------------------ enumerations

class BatchStatus(StrEnum):
    DRAFT = "draft"
    POSTED = "posted"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "posted": "公示中", "ended": "已期满", "withdrawn": "已撤回"}[self.value]


class ObjectionChannel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    LETTER = "letter"
    HOTLINE = "hotline"
    ONLINE = "online"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"in_person": "来访", "phone": "来电", "letter": "来信", "hotline": "12345热线转办",
                "online": "网上反映", "other": "其他"}[self.value]


class ObjectionResult(StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"

    @property
    def label(self) -> str:
        return {"upheld": "异议成立", "partly_upheld": "异议部分成立", "not_upheld": "异议不成立"}[self.value]


def notice_content_for(policy: PolicyTable | None, category: Category | str | None = None) -> NoticeContent:
    """The content rule of ``policy`` — read from its ``notice_content`` if the policy tables carry
    one (a plain mapping or a :class:`NoticeContent`, optionally ``{"default": …, "by_category":
    {…}}``), else :data:`DEFAULT_NOTICE_CONTENT`."""
    raw = getattr(policy, "notice_content", None) if policy is not None else None
    if raw is None:
        return DEFAULT_NOTICE_CONTENT
    if isinstance(raw, NoticeContent):
        return raw
    if isinstance(raw, NoticeContentRule):
        return raw.for_category(category)
    if isinstance(raw, Mapping) and "default" in raw:
        by_cat = raw.get("by_category") or {}
        chosen = by_cat.get(Category(category).value) if category is not None else None
        raw = chosen if chosen is not None else raw["default"]
        if isinstance(raw, NoticeContent):
            return raw
    return NoticeContent.from_dict(raw)


# ------------------------------------------------------------------ the period

@dataclass(frozen=True)
class NoticePeriod:
    """A notice posted on ``posted_on``; objections are taken until the end of ``end_on``.

    ``provisional`` (暂定) marks an end counted through a year whose official holiday schedule is
    not published yet (``open_note`` says why); ``end_on`` is None only when the calendar has no
    answer at all."""

    posted_on: date
    end_on: date | None
    length: int
    unit: PeriodUnit
    open_note: str = ""
    provisional: bool = False

    @property
    def label(self) -> str:
        return f"{self.length}个{'工作日' if self.unit is PeriodUnit.WORKING_DAYS else '自然日'}"

    @property
    def text(self) -> str:
        """``2026年09月30日至2026年10月08日（7个自然日，张贴当日不计入）``."""
        end = fmt_date_cn(self.end_on) if self.end_on is not None else "期满日待定"
        if self.end_on is not None and self.provisional:
            end += "（暂定）"
        note = f"；{self.open_note}" if (self.end_on is None or self.provisional) and self.open_note else ""
        return f"{fmt_date_cn(self.posted_on)}至{end}（{self.label}，张贴当日不计入{note}）"

    def is_over(self, today: date) -> bool:
        """True from the day after ``end_on``."""
        return self.end_on is not None and today > self.end_on


def compute_notice_period(posted_on: date, policy: PolicyTable, category: Category | str,
                          calendar: WorkCalendar) -> NoticePeriod:
    """The period of a notice for ``category`` posted on ``posted_on``.

    Raises :class:`desktop.domain.clock.NoticeNotRequired` if the policy needs no notice."""
    rule = policy.notice_period(category)
    try:
        end: date | None = notice_end(posted_on, policy, category, calendar)
        note = ""
    except CalendarNotCovered as exc:
        end, note = None, f"期满日待县级下发{exc.year}年节假日安排后确定"
    # a calendar-day period is plain arithmetic unless its end moves off a day off (then it asks the calendar)
    asks = rule.unit is PeriodUnit.WORKING_DAYS or policy.calendar_day_periods_end_on_workday
    years = calendar.provisional_years(posted_on, end) if end is not None and asks else ()
    if years:
        note = provisional_note(years[0])
    return NoticePeriod(posted_on, end, rule.length, rule.unit, note, bool(years))


def notice_category(categories: Iterable[Category | str], policy: PolicyTable) -> Category | None:
    """The category a case is noticed under: the first, in catalogue order, whose notice the policy
    requires; None if none of them needs a notice."""
    wanted = {Category(c) for c in categories}
    for c in Category:
        if c in wanted and policy.notice_required(c):
            return c
    return None


# ------------------------------------------------------------------ masking

@dataclass(frozen=True)
class SourceMember:
    """One person as the case file knows them — much of it must never be published."""

    name: str
    id_number: str
    birth_date: date | None = None
    relation: str = ""
    is_obliged_supporter: bool = False
    health: str = ""
    illness: str = ""
    disability: str = ""
    monthly_income_cents: int = 0
    phone: str = ""
    bank_account: str = ""


@dataclass(frozen=True)
class NoticeSource:
    """Everything about one case that a notice could be built from (the full, private record)."""

    case_ref: str                                # internal reference, never printed
    holder: SourceMember                         # the applicant, who is named on the notice
    members: tuple[SourceMember, ...]            # co-resident family and obliged supporters
    village_name: str
    category: Category
    proposed_monthly_cents: int | None = None
    address: str = ""
    phones: tuple[str, ...] = ()
    bank_accounts: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    income_note: str = ""
    reason: str = ""

    @property
    def household_size(self) -> int:
        residents = [m for m in self.members if not m.is_obliged_supporter]
        return max(len(residents), 1)


@dataclass(frozen=True)
class NoticeRow:
    """One published line. A field the policy does not publish is None; there is no field for
    anything else (address, income, assets, accounts, phones, health, other members…)."""

    holder_name: str | None
    village: str | None
    household_size: int | None
    category_label: str | None
    monthly_amount_cents: int | None
    period_text: str | None
    id_fragment: str | None = None


@dataclass(frozen=True)
class HeldBack:
    """A case that must not appear on the notice, and why (for the clerk, never printed)."""

    case_ref: str
    reason: str


def _age(person: SourceMember, on: date) -> int | None:
    born = person.birth_date
    if born is None:
        try:
            born = parse_id(person.id_number, today=date.max).birth_date
        except IdNumberError:
            return None
    try:
        return age_on(born, on)
    except ValueError:
        return None


def mask_for_notice(source: NoticeSource, content: NoticeContent,
                    period: NoticePeriod) -> NoticeRow | HeldBack:
    """The published row for ``source`` under ``content`` — or why the case is held back."""
    holder = source.holder
    name = " ".join(holder.name.split())
    if not name:
        return HeldBack(source.case_ref, "申请人姓名为空，不能公示")
    age = _age(holder, period.posted_on)
    if age is None:
        return HeldBack(source.case_ref, "无法根据出生日期或身份证号码确定申请人年龄：未成年人不公示，"
                                         "请核实后再列入公示")
    if age < ADULT_AGE:
        return HeldBack(source.case_ref, f"申请人在张贴之日未满{ADULT_AGE}周岁，依规不公示未成年人信息，"
                                         "请报县级民政部门按未成年人保护有关规定处理")
    shown = set(content.fields)

    def pick(f: NoticeField, value: Any) -> Any:
        return value if f in shown else None

    return NoticeRow(
        holder_name=name,
        village=pick(NoticeField.VILLAGE, source.village_name.strip()),
        household_size=pick(NoticeField.HOUSEHOLD_SIZE, source.household_size),
        category_label=pick(NoticeField.CATEGORY, Category(source.category).label),
        monthly_amount_cents=pick(NoticeField.MONTHLY_AMOUNT, source.proposed_monthly_cents),
        period_text=pick(NoticeField.PERIOD, period.text),
        id_fragment=mask_id(holder.id_number, content.id_head, content.id_tail) if content.shows_id else None,
    )


# ------------------------------------------------------------------ the table every output draws

ONE_OFF_CATEGORIES = frozenset({Category.TEMP_EMERGENCY, Category.TEMP_EXPENSE, Category.FUNERAL,
                                Category.DISASTER, Category.HOUSING, Category.EDUCATION, Category.MEDICAL})


@dataclass(frozen=True)
class NoticeTable:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    weights: tuple[float, ...]          # relative column widths for the poster


_COLUMNS: dict[NoticeField | str, tuple[str, float]] = {
    NoticeField.HOLDER_NAME: ("申请人", 1.5),
    NoticeField.VILLAGE: ("村（社区）", 1.6),
    NoticeField.HOUSEHOLD_SIZE: ("家庭人口", 1.0),
    NoticeField.CATEGORY: ("救助类别", 2.2),
    NoticeField.MONTHLY_AMOUNT: ("月保障金额（元）", 1.6),
    NoticeField.PERIOD: ("公示期", 4.2),
    "id": ("身份证号（部分）", 2.6),
}


def notice_table(rows: Sequence[NoticeRow], content: NoticeContent, category: Category | str, *,
                 period_column: bool = True) -> NoticeTable:
    """Headers and text cells of the notice, numbered 1…n, in ``content`` order.

    The poster shows the (shared) period once above the table (``period_column=False``); the
    CSV and HTML keep it on every row."""
    cat = Category(category)
    cols: list[NoticeField | str] = [f for f in content.fields if period_column or f is not NoticeField.PERIOD]
    if content.shows_id:
        cols.insert(cols.index(NoticeField.HOLDER_NAME) + 1, "id")
    headers = ["序号"]
    weights = [0.8]
    for c in cols:
        label, w = _COLUMNS[c]
        if c is NoticeField.MONTHLY_AMOUNT and cat in ONE_OFF_CATEGORIES:
            label = "救助金额（元）"
        headers.append(label)
        weights.append(w)
    out = []
    for i, r in enumerate(rows, 1):
        cells = [str(i)]
        for c in cols:
            cells.append(_cell(r, c))
        out.append(tuple(cells))
    return NoticeTable(tuple(headers), tuple(out), tuple(weights))


def _cell(r: NoticeRow, c: NoticeField | str) -> str:
    if c == "id":
        return r.id_fragment or ""
    if c is NoticeField.HOLDER_NAME:
        return r.holder_name or ""
    if c is NoticeField.VILLAGE:
        return r.village or ""
    if c is NoticeField.HOUSEHOLD_SIZE:
        return "" if r.household_size is None else str(r.household_size)
    if c is NoticeField.CATEGORY:
        return r.category_label or ""
    if c is NoticeField.MONTHLY_AMOUNT:
        return amount_text(r.monthly_amount_cents)
    return r.period_text or ""


# ------------------------------------------------------------------ who is ready for a notice

@dataclass(frozen=True)
class CandidateFacts:
    """What decides whether a case may join a notice batch now."""

    status: CaseStatus
    notice_category: Category | None
    investigators: int                     # staff on the latest home visit that still counts
    min_investigators: int = MIN_HOME_VISIT_INVESTIGATORS   # policy home_visit_min_investigators
    open_objections: int = 0
    deliberation_required: bool = False
    active_batch: str = ""                 # number of the draft/posted batch holding it, if any
    holder_age: int | None = None          # on the planned posting day
    extra: tuple[str, ...] = field(default=())


NOTICE_SOURCES = frozenset({CaseStatus.INVESTIGATING, CaseStatus.DELIBERATION})


def candidate_problems(f: CandidateFacts) -> tuple[str, ...]:
    """Why the case cannot join a notice batch now (Chinese); empty when it can."""
    least = f.min_investigators
    out: list[str] = []
    if f.status not in NOTICE_SOURCES:
        out.append(f"案件状态为“{f.status.label}”，只有调查中或民主评议中的案件才能公示")
    if f.notice_category is None:
        out.append("按现行政策，该案件所申请的救助类别均无需公示")
    if f.investigators < least:
        out.append(f"尚未完成入户调查：须由{least}名以上工作人员入户调查（已登记{f.investigators}人）")
    if f.open_objections:
        out.append(f"尚有{f.open_objections}条异议未办结：请先登记处理结果")
    if f.deliberation_required and f.status is CaseStatus.INVESTIGATING:
        out.append("按政策须先开展民主评议")
    if f.active_batch:
        out.append(f"已列入公示批次 {f.active_batch}")
    if f.holder_age is None:
        out.append("无法确定申请人年龄，未成年人不公示：请核实身份证号码")
    elif f.holder_age < ADULT_AGE:
        out.append(f"申请人未满{ADULT_AGE}周岁，依规不公示：请报县级民政部门人工处理")
    out.extend(f.extra)
    return tuple(out)
