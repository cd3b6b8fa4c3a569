"""The case list: filtered, sorted pages of cases, cheap enough for 50,000 households.

    f = CaseFilter(status="investigating", overdue_only=True)
    page = first_page(session, f, "decision_due", descending=False, limit=200)   # count + rows, one snapshot
    more = list_cases(session, f, "decision_due", False, offset=200, limit=200)

Every filter is a plain column test on ``cases`` (status, village, clerk and
the decision deadline are indexed; a category is an ``EXISTS`` on the primary
key of ``case_categories``), the applicant is joined only when the text filter
or the sort needs the name, and pages are cut with ``LIMIT/OFFSET`` under a
total order (the sort column, then the unique case number), so a row is never
shown twice or skipped between pages. Categories of the rows of one page are
read in one batched query.

"Overdue" means the decision deadline is before ``today`` and the case is
still open (not in a terminal status). The free text matches the case number
(digits, in any position), the applicant's name (characters anywhere) or
pinyin initials (a prefix, "zsm" for 张三明); it is never logged.

Case detail, reveals and actions live in :mod:`desktop.services.cases.detail`
and are re-exported here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal_column, select
from sqlalchemy.orm import Session

from desktop.domain.case_number import format_case_number
from desktop.domain.case_state import TERMINAL_STATUSES, CaseStatus
from desktop.domain.categories import Category
from desktop.domain.roles import Permission
from desktop.domain.text_rules import TextKind
from desktop.domain.text_rules import problem as text_problem
from desktop.services.cases.detail import (
    ActionOption,
    CaseDetail,
    DocumentRow,
    MemberRow,
    TimelineEntry,
    apply_action,
    case_detail,
    reveal_id,
    township_limit_cents,
)
from desktop.services.deadlines.clocks import overdue_case_condition
from desktop.services.errors import InvalidInput
from desktop.services.session import AppSession
from desktop.store.models import Case, CaseCategory, Person, User, Village
from desktop.store.models_clock import CaseClock

__all__ = [
    "OPEN_STATUSES", "SORT_KEYS", "ActionOption", "CaseDetail", "CaseFilter", "CasePage", "CaseRow", "Choice",
    "DocumentRow", "FilterChoices", "MemberRow", "TimelineEntry", "apply_action", "case_detail", "count_cases",
    "filter_choices", "first_page", "is_overdue", "list_cases", "reveal_id", "township_limit_cents",
]

MAX_PAGE = 1000
OPEN_STATUSES: tuple[str, ...] = tuple(s.value for s in CaseStatus if s not in TERMINAL_STATUSES)
_STATUS_ORDER = {s.value: i for i, s in enumerate(CaseStatus)}
_CASE_NUMBER_TEXT = re.compile(r"^[0-9Xx\-\s]+$")
_INITIALS_TEXT = re.compile(r"^[A-Za-z]+$")
_PREFIX_END = "\U0010ffff"     # above every character that can follow a prefix


@dataclass(frozen=True)
class CaseFilter:
    """What the clerk picked in the filter bar; ``None`` / ``""`` / ``False`` means "any"."""

    status: str | None = None
    category: str | None = None
    village: str | None = None         # 12-digit division code
    clerk: str | None = None           # user name
    overdue_only: bool = False
    text: str = ""


@dataclass(frozen=True)
class CaseRow:
    case_uuid: str
    case_number_display: str
    applicant_name: str
    village_name: str
    categories_label: str          # "最低生活保障、医疗救助"
    status_label: str
    status: str
    received_on: date              # local date of receipt
    decision_due: date | None
    overdue: bool
    clerk: str                     # display name ("王晓燕"); the user name is ``clerk_username``
    clerk_username: str = ""
    late_clock: bool = False       # overdue only by a running clock (investigation, a referral…), not the decision
    due_provisional: bool = False  # 暂定 decision_due (a year without an official holiday schedule)


@dataclass(frozen=True)
class CasePage:
    total: int
    rows: tuple[CaseRow, ...]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int | None = None       # statuses: how many cases are in it now


@dataclass(frozen=True)
class FilterChoices:
    statuses: tuple[Choice, ...]
    categories: tuple[Choice, ...]
    villages: tuple[Choice, ...]
    clerks: tuple[Choice, ...]


def is_overdue(status: str, decision_due: date | None, today: date) -> bool:
    return decision_due is not None and decision_due < today and status in OPEN_STATUSES


# ------------------------------------------------------------------------------------ building the query

def _status_rank() -> ColumnElement[Any]:
    """Statuses in the order of the procedure (待补正 … 已撤回), not alphabetically by code."""
    return case(_STATUS_ORDER, value=Case.status, else_=len(_STATUS_ORDER))


SORT_KEYS: tuple[str, ...] = ("case_number", "applicant_name", "village_name", "status", "received_on",
                              "decision_due", "clerk")


def _order_by(sort_key: str, descending: bool) -> list[Any]:
    """Sort column(s), then the unique case number: a total order, so pages never overlap."""
    columns: dict[str, list[Any]] = {
        "case_number": [],
        # Initials first: roughly the pinyin order a clerk expects (张 after 李), then the characters.
        "applicant_name": [Person.name_initials, Person.name],
        # Villages in their official order (the division code), as in every township list.
        "village_name": [Case.division_code],
        "status": [_status_rank()],
        "received_on": [Case.received_at],
        "decision_due": [Case.decision_due],
        "clerk": [Case.clerk],
    }
    if sort_key not in columns:
        raise InvalidInput(f"无法按“{sort_key}”排序。", "sort_key")
    out: list[Any] = []
    for col in columns[sort_key]:
        ordered = col.desc() if descending else col.asc()
        out.append(ordered.nulls_last() if sort_key == "decision_due" else ordered)
    out.append(Case.case_number.desc() if descending else Case.case_number.asc())
    return out


def _prefix_range(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as an index range (LIKE 'x%' would not use the index here)."""
    return and_(column >= prefix, column < prefix + _PREFIX_END)


def _text_condition(text: str) -> ColumnElement[bool] | None:
    """The free-text box: case number digits anywhere, or the applicant's name / initials as a prefix.

    Names are matched from the start (the surname) so that the persons index is used; the applicants
    matched are found first and the cases tested by membership, never a scan joining every applicant.
    """
    bad = text_problem(text, TextKind.SEARCH, "查找内容")   # a lone surrogate, a 16,667-character paste…
    if bad is not None:
        raise InvalidInput(bad, "text")
    text = text.strip()
    if not text:
        return None
    if _CASE_NUMBER_TEXT.match(text):
        digits = re.sub(r"[\s\-]", "", text).upper()
        if not digits:
            return None
        escaped = digits.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return Case.case_number.like(f"%{escaped}%", escape="\\")
    if _INITIALS_TEXT.match(text):
        matched = select(Person.uuid).where(_prefix_range(Person.name_initials, text.lower()))
    else:
        matched = select(Person.uuid).where(_prefix_range(Person.name, text))
    return Case.applicant_uuid.in_(matched)


def _conditions(f: CaseFilter, today: date) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.status:
        where.append(Case.status == f.status)
    if f.village:
        where.append(Case.division_code == f.village)
    if f.clerk:
        where.append(Case.clerk == f.clerk)
    if f.category:
        where.append(exists().where(CaseCategory.case_uuid == Case.uuid, CaseCategory.category == f.category))
    if f.overdue_only:
        # the case's decision deadline passed, or any of its running clocks (investigation, a referral…)
        where.append(overdue_case_condition(today))
    cond = _text_condition(f.text)
    if cond is not None:
        where.append(cond)
    return where


def _validate(f: CaseFilter) -> None:
    if f.status and f.status not in _STATUS_ORDER:
        raise InvalidInput(f"未知的案件状态：{f.status}", "status")
    if f.category and f.category not in {c.value for c in Category}:
        raise InvalidInput(f"未知的救助类别：{f.category}", "category")


def count_query(f: CaseFilter, today: date) -> Select[tuple[int]]:
    return select(func.count()).select_from(Case).where(*_conditions(f, today))


def page_query(f: CaseFilter, sort_key: str, descending: bool, offset: int, limit: int,
               today: date) -> Select[tuple[str]]:
    """The case ids of one page, in order. Only ``cases`` is read, unless the sort is by the applicant;
    the page's other columns are fetched afterwards for these rows only (a deferred join)."""
    stmt = select(Case.uuid).select_from(Case)
    if sort_key == "applicant_name":
        stmt = stmt.join(Person, Person.uuid == Case.applicant_uuid)
    return stmt.where(*_conditions(f, today)).order_by(*_order_by(sort_key, descending)).limit(limit).offset(offset)


# ------------------------------------------------------------------------------------ the API

def _today(session: AppSession, today: date | None) -> date:
    return today or session.clock.today()


def count_cases(session: AppSession, f: CaseFilter, *, today: date | None = None) -> int:
    session.require(Permission.VIEW_CASES)
    _validate(f)
    with session.db.read() as s:
        return int(s.scalar(count_query(f, _today(session, today))) or 0)


def list_cases(session: AppSession, f: CaseFilter, sort_key: str = "received_on", descending: bool = True,
               offset: int = 0, limit: int = 200, *, today: date | None = None) -> list[CaseRow]:
    session.require(Permission.VIEW_CASES)
    _validate(f)
    if offset < 0 or not 0 < limit <= MAX_PAGE:
        raise InvalidInput(f"每页应为1–{MAX_PAGE}件。", "limit")
    with session.db.read() as s:
        return _rows(s, f, sort_key, descending, offset, limit, _today(session, today))


def first_page(session: AppSession, f: CaseFilter, sort_key: str = "received_on", descending: bool = True,
               limit: int = 200, *, today: date | None = None) -> CasePage:
    """The count and the first page in one read transaction (the same snapshot)."""
    session.require(Permission.VIEW_CASES)
    _validate(f)
    day = _today(session, today)
    with session.db.read() as s:
        total = int(s.scalar(count_query(f, day)) or 0)
        rows = _rows(s, f, sort_key, descending, 0, limit, day) if total else []
    return CasePage(total, tuple(rows))


def _rows(s: Session, f: CaseFilter, sort_key: str, descending: bool, offset: int, limit: int,
          today: date) -> list[CaseRow]:
    uuids = list(s.scalars(page_query(f, sort_key, descending, offset, limit, today)))
    if not uuids:
        return []
    found = {r[0]: r for r in s.execute(
        select(Case.uuid, Case.case_number, Person.name, Village.name, Case.status, Case.received_at,
               Case.decision_due, Case.clerk, Case.decision_due_provisional)
        .join(Person, Person.uuid == Case.applicant_uuid)
        .outerjoin(Village, Village.division_code == Case.division_code)
        .where(Case.uuid.in_(uuids)))}
    labels = _category_labels(s, uuids)
    names = _display_names(s)
    late = set(s.scalars(select(CaseClock.case_uuid).where(CaseClock.case_uuid.in_(uuids), CaseClock.state == "open",
                                                           CaseClock.due_on < today)))
    out = []
    for uuid in uuids:
        _u, number, applicant, village, status, received_at, due, clerk, provisional = found[uuid]
        st = CaseStatus(status)
        received = received_at if received_at.tzinfo else received_at.replace(tzinfo=UTC)
        out.append(CaseRow(
            case_uuid=uuid, case_number_display=format_case_number(number), applicant_name=applicant,
            village_name=village or "", categories_label="、".join(labels.get(uuid, ())), status_label=st.label,
            status=st.value, received_on=received.astimezone().date(), decision_due=due,
            overdue=is_overdue(st.value, due, today) or uuid in late, clerk=names.get(clerk, clerk),
            clerk_username=clerk, late_clock=uuid in late and not is_overdue(st.value, due, today),
            due_provisional=bool(provisional) and due is not None,
        ))
    return out


def _category_labels(s: Session, case_uuids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(case_uuids), 500):   # well under SQLite's bound-parameter limit
        chunk = case_uuids[start:start + 500]
        rows = s.execute(select(CaseCategory.case_uuid, CaseCategory.category)
                         .where(CaseCategory.case_uuid.in_(chunk))
                         .order_by(CaseCategory.case_uuid, literal_column("case_categories.rowid"))).all()
        for case_uuid, code in rows:
            out[case_uuid].append(_category_label(code))
    return out


def _category_label(code: str) -> str:
    try:
        return Category(code).label
    except ValueError:
        return code


def _display_names(s: Session) -> dict[str, str]:
    return dict(s.execute(select(User.username, User.display_name)).all())


def filter_choices(session: AppSession) -> FilterChoices:
    """What the filter bar offers: every status (with its count now), category, village and clerk."""
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        counts = dict(s.execute(select(Case.status, func.count()).group_by(Case.status)).all())
        villages = s.execute(select(Village.division_code, Village.name).order_by(Village.division_code)).all()
        clerks = s.scalars(select(Case.clerk).distinct().order_by(Case.clerk)).all()
        names = _display_names(s)
    return FilterChoices(
        statuses=tuple(Choice(st.value, st.label, int(counts.get(st.value, 0))) for st in CaseStatus),
        categories=tuple(Choice(c.value, c.label) for c in Category),
        villages=tuple(Choice(code, name) for code, name in villages),
        clerks=_clerk_choices(clerks, names),
    )


def _clerk_choices(usernames: Iterable[str], names: dict[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(u, f"{names[u]}（{u}）" if u in names and names[u] != u else u) for u in usernames)
