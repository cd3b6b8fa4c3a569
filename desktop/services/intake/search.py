"""The clerk's one search box ("search first", 先查后录).

`search(session, text)` works out what was typed and looks it up:

- a full ID number (18 characters, or an old 15-digit one) → exact lookup by
  the keyed hash (`persons.id_hash`); a number that fails validation (wrong
  check character, impossible birth date …) is still looked up, and the
  result carries a Chinese `notice` so the clerk sees the typo. Every such
  lookup is written to the audit log (action ``search_by_id``, without the
  number);
- 4–6 trailing characters of an ID number (digits, the last may be X) →
  `persons.id_tail` (the last 6 characters, indexed). Shorter tails are
  expanded into the possible 6-character tails and looked up as `IN (…)` on
  the index instead of `LIKE '%1234'`, which would scan every row;
- Chinese characters → names: exact name first, then names starting with the
  text, then names containing it (e.g. the given name alone);
- ASCII letters → pinyin initials (`persons.name_initials`): exact first,
  then prefix ("zsm" finds 张三明);
- a case number (display form ``620102101-003-2026-000123-4`` or the 23
  canonical characters) → that case and its household.

Results are grouped by household (`HouseholdHit`), with every member, the
household's open cases and its current coverage, fetched in a fixed number
of batched queries (no query per household). ID numbers leave this module
only masked (last four characters); the query text is never logged.

A village assistant finds only the households of its own villages (the
session's ``village_scope``, applied in the SQL so that the limit counts its
households only); a case number of another village is "not found".
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, not_, or_, select
from sqlalchemy.orm import Session

from desktop.domain.case_number import CaseNumberError, format_case_number, parse_case_number
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.household import Relation, Sex, canonical_id_number
from desktop.domain.roles import Permission
from desktop.domain.text_rules import TextKind, is_cjk
from desktop.domain.text_rules import problem as text_problem
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.models import Case, CaseCategory, Coverage, Household, Person, Village
from forms.idnumber import IdNumberError, age_on, mask_id_short, normalize_id, parse_id

__all__ = [
    "HINT",
    "CaseHit",
    "CoverageHit",
    "HouseholdHit",
    "PersonHit",
    "ParsedQuery",
    "QueryKind",
    "SearchResults",
    "classify",
    "search",
]

DEFAULT_LIMIT = 50
MIN_QUERY_CHARS = 2
HINT = "请输入至少2个字符：身份证号码（完整或后4–6位）、姓名、姓名拼音首字母（如 zsm）或案件编号。"
OPEN_STATUSES: tuple[str, ...] = tuple(s.value for s in CaseStatus if not s.is_terminal)
_OPEN = frozenset(OPEN_STATUSES)

# Characters a person may type between parts of a number.
_NUMBER_SEPARATORS = re.compile(r"[\s\-_/]+")
_DIGITS_X = re.compile(r"^[0-9]+X?$")
_INITIALS = re.compile(r"^[a-z]+$")
# Name characters besides CJK ideographs: the middle dot in minority names (阿依古丽·买买提).
_NAME_EXTRA = frozenset("·•・.")
# Above every character that can follow a prefix: "张三" <= name < "张三\U0010ffff" is a prefix range.
_PREFIX_END = "\U0010ffff"
# Matched rows fetched per tier, as a multiple of the household limit (several members may match).
_ROWS_PER_HOUSEHOLD = 4


class QueryKind(StrEnum):
    EMPTY = "empty"              # nothing (or too little) typed: hint only
    ID_NUMBER = "id_number"      # full 18/15-character ID number
    ID_TAIL = "id_tail"          # last 4–6 characters of an ID number
    NAME = "name"                # Chinese characters
    INITIALS = "initials"        # pinyin initials, ASCII letters
    CASE_NUMBER = "case_number"  # 23-character case number, display or canonical
    UNKNOWN = "unknown"          # could not tell what it is: hint only

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    QueryKind.EMPTY: "",
    QueryKind.ID_NUMBER: "身份证号码",
    QueryKind.ID_TAIL: "身份证号码后几位",
    QueryKind.NAME: "姓名",
    QueryKind.INITIALS: "姓名拼音首字母",
    QueryKind.CASE_NUMBER: "案件编号",
    QueryKind.UNKNOWN: "",
}


_NOT_FOUND = {
    QueryKind.ID_NUMBER: "没有找到持该身份证号码的人员。",
    QueryKind.ID_TAIL: "没有找到身份证号码以此结尾的人员。",
    QueryKind.NAME: "没有找到该姓名的人员。",
    QueryKind.INITIALS: "没有找到拼音首字母相符的人员。",
    QueryKind.CASE_NUMBER: "没有找到该案件编号。",
}


@dataclass(frozen=True)
class PersonHit:
    person_uuid: str
    household_uuid: str
    name: str
    masked_id: str               # last four characters only, e.g. "**************002X"
    sex: str                     # label: "男" / "女"
    age: int | None              # completed years today; None if the birth date is unknown
    relation_label: str          # 户主, 配偶, 子 …
    village_name: str
    is_obliged_supporter: bool   # 户外法定义务人: listed, but not part of the household size
    matched: bool = False        # this member is the one the query found


@dataclass(frozen=True)
class CaseHit:
    case_uuid: str
    case_number_display: str
    status_label: str
    categories_labels: tuple[str, ...]
    received_on: date


@dataclass(frozen=True)
class CoverageHit:
    category_label: str
    since: date
    monthly_amount_cents: int


@dataclass(frozen=True)
class HouseholdHit:
    household_uuid: str
    village_name: str
    address: str
    head_name: str
    size: int                            # co-resident members (obliged supporters not counted)
    members: tuple[PersonHit, ...]       # every member in register order
    open_cases: tuple[CaseHit, ...]      # cases not yet closed, newest first
    coverage: tuple[CoverageHit, ...]    # assistance the household receives now


@dataclass(frozen=True)
class SearchResults:
    query_kind: QueryKind
    households: tuple[HouseholdHit, ...]
    truncated: bool                      # more matched than `limit`: ask the clerk to type more
    notice: str                          # Chinese; "" when there is nothing to say
    case: CaseHit | None = None          # the case a case-number query found (open or closed)

    @property
    def person_count(self) -> int:
        return sum(1 for h in self.households for m in h.members if m.matched)


@dataclass(frozen=True)
class ParsedQuery:
    kind: QueryKind
    value: str = field(default="", repr=False)   # normalised search value: never shown, never logged
    notice: str = ""


# ------------------------------------------------------------------ classification



def classify(text: str, today: date) -> ParsedQuery:
    """What kind of query the typed text is, and its normalised value (NFKC, x → X, spaces dropped).
    ``today``: an ID number whose birth date is after it gets a notice."""
    bad = text_problem(text or "", TextKind.SEARCH, "查询内容")   # a lone surrogate, a huge paste…
    if bad is not None:
        return ParsedQuery(QueryKind.UNKNOWN, notice=bad)
    norm = unicodedata.normalize("NFKC", text or "").strip()
    if len(norm) < MIN_QUERY_CHARS:
        return ParsedQuery(QueryKind.EMPTY, notice=HINT)
    compact = _NUMBER_SEPARATORS.sub("", norm)
    upper = compact.upper()
    if upper and _DIGITS_X.match(upper):
        n = len(upper)
        if n == 23:
            return _case_number_query(upper)
        if n in (15, 18):
            return _id_number_query(upper, today)
        if 4 <= n <= 6:
            return ParsedQuery(QueryKind.ID_TAIL, upper)
        if n < 4:
            return ParsedQuery(QueryKind.UNKNOWN, notice="号码太短：请输入身份证号码的后4–6位，或完整的18位号码。")
        return ParsedQuery(QueryKind.UNKNOWN,
                           notice=f"身份证号码应为18位（旧号码15位），案件编号应为23位，现输入了{n}位；"
                                  "也可以只输入身份证号码的后4–6位。")
    name = "".join(c for c in norm if not c.isspace())
    if any(is_cjk(c) for c in name) and all(is_cjk(c) or c in _NAME_EXTRA for c in name):
        return ParsedQuery(QueryKind.NAME, name.replace("•", "·").replace("・", "·"))
    lower = compact.lower()
    if _INITIALS.match(lower):
        return ParsedQuery(QueryKind.INITIALS, lower)
    return ParsedQuery(QueryKind.UNKNOWN, notice="无法识别的查询内容。" + HINT)


def _id_number_query(number: str, today: date) -> ParsedQuery:
    notice = ""
    try:
        parse_id(number, today=today)
    except IdNumberError as e:
        notice = e.message
    return ParsedQuery(QueryKind.ID_NUMBER, canonical_id_number(number), notice)


def _case_number_query(compact: str) -> ParsedQuery:
    try:
        return ParsedQuery(QueryKind.CASE_NUMBER, parse_case_number(compact).canonical)
    except CaseNumberError as e:
        return ParsedQuery(QueryKind.CASE_NUMBER, compact, e.message)


# ------------------------------------------------------------------ search

def search(session: AppSession, query: str, limit: int = DEFAULT_LIMIT, *,
           today: date | None = None) -> SearchResults:
    """Find households by ID number, ID tail, name, pinyin initials or case number.

    `limit` caps the number of households returned; `truncated` says more
    matched. Needs the intake or the view-cases permission.
    """
    session.require_any(Permission.INTAKE, Permission.VIEW_CASES)
    limit = max(1, int(limit))
    today = today or session.clock.today()
    q = classify(query, today)
    if q.kind in (QueryKind.EMPTY, QueryKind.UNKNOWN):
        return SearchResults(q.kind, (), False, q.notice)
    db = session.db
    id_hash = db.id_hash(q.value) if q.kind is QueryKind.ID_NUMBER else ""
    case_hit: CaseHit | None = None
    with db.read() as s:
        if q.kind is QueryKind.CASE_NUMBER:
            matches, case_hit = _match_case(s, q.value, session.village_scope)
        else:
            matches = _match_persons(s, q, id_hash, limit, session.village_scope)
        households, matched_persons, truncated = _group(matches, limit)
        hits = _load_households(s, households, matched_persons, today)
    notes = [q.notice] if q.notice else []
    if not hits and not notes:
        notes.append(_NOT_FOUND[q.kind])
    if truncated:
        notes.append(f"符合条件的记录较多，只显示前{limit}户；请输入更完整的信息。")
    notice = "".join(notes)
    if q.kind is QueryKind.ID_NUMBER:
        with db.write() as w:
            audit.append_event(w, actor=session.user.username, action="search_by_id", entity_type="household",
                               entity_id=hits[0].household_uuid if len(hits) == 1 else "",
                               detail={"households": [h.household_uuid for h in hits],
                                       "valid_number": not q.notice})
    return SearchResults(q.kind, hits, truncated, notice, case_hit)


def _group(matches: Sequence[tuple[str, str]], limit: int) -> tuple[list[str], set[str], bool]:
    """Households in match order (first `limit`), the matched person uuids, and whether more matched."""
    households: dict[str, None] = {}
    persons: set[str] = set()
    truncated = False
    for person_uuid, household_uuid in matches:
        if household_uuid not in households:
            if len(households) >= limit:
                truncated = True
                break
            households[household_uuid] = None
        if person_uuid:
            persons.add(person_uuid)
    return list(households), persons, truncated


_MATCH_COLUMNS = (Person.uuid, Person.household_uuid)


def _match_persons(s: Session, q: ParsedQuery, id_hash: str, limit: int,
                   scope: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """(person, household) matches; with a ``scope`` (a village assistant's villages) only there."""
    cap = (limit + 1) * _ROWS_PER_HOUSEHOLD

    def select_matches() -> Any:
        stmt = select(*_MATCH_COLUMNS)
        if scope is None:
            return stmt
        return stmt.join(Household, Household.uuid == Person.household_uuid) \
            .where(Household.division_code.in_(sorted(scope)))

    if q.kind is QueryKind.ID_NUMBER:
        return _rows(s, select_matches().where(Person.id_hash == id_hash)
                     .order_by(Person.household_uuid).limit(cap))
    if q.kind is QueryKind.ID_TAIL:
        return _rows(s, select_matches().where(Person.id_tail.in_(_possible_tails(q.value)))
                     .order_by(Person.id_tail, Person.household_uuid).limit(cap))
    column = Person.name if q.kind is QueryKind.NAME else Person.name_initials
    value = q.value
    in_prefix = and_(column >= value, column < value + _PREFIX_END)
    tiers: list[Any] = [
        select_matches().where(column == value).order_by(Person.household_uuid),
        select_matches().where(in_prefix, column != value).order_by(column, Person.household_uuid),
    ]
    if q.kind is QueryKind.NAME:
        tiers.append(select_matches().where(column.contains(value, autoescape=True), not_(in_prefix))
                     .order_by(column, Person.household_uuid))
    out: list[tuple[str, str]] = []
    households: set[str] = set()
    for tier in tiers:
        rows = _rows(s, tier.limit(cap - len(out)))
        out += rows
        households.update(h for _p, h in rows)
        if len(households) > limit or len(out) >= cap:
            break
    return out


def _possible_tails(tail: str) -> list[str]:
    """The stored 6-character tails ending in `tail`: 6 → itself, 5 → 10 values, 4 → 100 values.

    The characters before the last four of an 18-character number are digits
    (day of birth, sequence), so this is exactly `id_tail LIKE '%' || tail`
    but answered by index seeks.
    """
    missing = 6 - len(tail)
    if missing <= 0:
        return [tail[-6:]]
    return [f"{i:0{missing}d}{tail}" for i in range(10 ** missing)]


def _match_case(s: Session, canonical: str, scope: frozenset[str] | None = None,
                ) -> tuple[list[tuple[str, str]], CaseHit | None]:
    row = s.execute(select(Case.uuid, Case.case_number, Case.status, Case.received_at, Case.household_uuid,
                           Case.applicant_uuid, Case.division_code).where(Case.case_number == canonical)).first()
    if row is None or (scope is not None and row.division_code not in scope):   # another village's: not found
        return [], None
    cats = _categories(s, [row.uuid])
    hit = _case_hit(row.uuid, row.case_number, row.status, row.received_at, cats.get(row.uuid, ()))
    return [(row.applicant_uuid, row.household_uuid)], hit


def _rows(s: Session, stmt: Any) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in s.execute(stmt)]


# ------------------------------------------------------------------ batched loading

def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _load_households(s: Session, uuids: list[str], matched: set[str], today: date) -> tuple[HouseholdHit, ...]:
    if not uuids:
        return ()
    households: dict[str, Any] = {}
    members: dict[str, list[Any]] = defaultdict(list)
    cases: dict[str, list[Any]] = defaultdict(list)
    coverage: dict[str, list[CoverageHit]] = defaultdict(list)
    for chunk in _chunks(uuids):
        for r in s.execute(select(Household.uuid, Household.address, Village.name)
                           .outerjoin(Village, Village.division_code == Household.division_code)
                           .where(Household.uuid.in_(chunk))):
            households[r[0]] = r
        for r in s.execute(select(Person.uuid, Person.household_uuid, Person.name, Person.id_number, Person.sex,
                                  Person.birth_date, Person.relation, Person.is_obliged_supporter)
                           .where(Person.household_uuid.in_(chunk))
                           .order_by(Person.household_uuid, Person.position)):
            members[r.household_uuid].append(r)
        # Open cases are picked here rather than with `status IN (…)` in SQL: given that term, SQLite
        # walks ix_cases_status (every open case of the township) instead of the household index.
        for r in s.execute(select(Case.uuid, Case.case_number, Case.status, Case.received_at, Case.household_uuid)
                           .where(Case.household_uuid.in_(chunk))):
            if r.status in _OPEN:
                cases[r.household_uuid].append(r)
        for r in s.execute(select(Coverage.household_uuid, Coverage.category, Coverage.since,
                                  Coverage.monthly_amount_cents)
                           .where(Coverage.household_uuid.in_(chunk), Coverage.since <= today,
                                  or_(Coverage.until.is_(None), Coverage.until >= today))
                           .order_by(Coverage.household_uuid, Coverage.since)):
            coverage[r.household_uuid].append(
                CoverageHit(_category_label(r.category), r.since, int(r.monthly_amount_cents or 0)))
    cats = _categories(s, [c.uuid for rows in cases.values() for c in rows])
    out = []
    for hh_uuid in uuids:
        hh = households.get(hh_uuid)
        if hh is None:
            continue
        village = hh[2] or ""
        people = tuple(_person_hit(p, village, today, p.uuid in matched) for p in members[hh_uuid])
        heads = [p.name for p, row in zip(people, members[hh_uuid], strict=True)
                 if row.relation == Relation.SELF.value and not row.is_obliged_supporter]
        head = heads[0] if heads else (people[0].name if people else "")
        size = sum(1 for p in people if not p.is_obliged_supporter)
        open_cases = tuple(_case_hit(c.uuid, c.case_number, c.status, c.received_at, cats.get(c.uuid, ()))
                           for c in sorted(cases[hh_uuid], key=_received_key, reverse=True))
        out.append(HouseholdHit(hh_uuid, village, hh[1], head, size, people, open_cases,
                                tuple(coverage[hh_uuid])))
    return tuple(out)


def _categories(s: Session, case_uuids: list[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(case_uuids):
        for case_uuid, category in s.execute(select(CaseCategory.case_uuid, CaseCategory.category)
                                             .where(CaseCategory.case_uuid.in_(chunk))):
            found[case_uuid].append(category)
    return {k: tuple(_category_label(c) for c in sorted(v, key=_category_order)) for k, v in found.items()}


_CATEGORY_ORDER = {c.value: i for i, c in enumerate(Category)}


def _category_order(code: str) -> tuple[int, str]:
    return (_CATEGORY_ORDER.get(code, len(_CATEGORY_ORDER)), code)


def _category_label(code: str) -> str:
    try:
        return Category(code).label
    except ValueError:
        return code


def _status_label(code: str) -> str:
    try:
        return CaseStatus(code).label
    except ValueError:
        return code


def _received_key(row: Any) -> tuple[datetime, str]:
    when = row.received_at or datetime.min
    return (when.replace(tzinfo=None), row.case_number)


def _local_date(when: datetime | None) -> date:
    if when is None:
        return date.min
    if when.tzinfo is None:   # SQLite hands back naive datetimes; they were written in UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone().date()


def _case_hit(case_uuid: str, number: str, status: str, received_at: datetime | None,
              categories: tuple[str, ...]) -> CaseHit:
    try:
        display = format_case_number(number)
    except CaseNumberError:
        display = number
    return CaseHit(case_uuid, display, _status_label(status), categories, _local_date(received_at))


def _person_hit(row: Any, village: str, today: date, matched: bool) -> PersonHit:
    try:
        relation = Relation(row.relation).label
    except ValueError:
        relation = row.relation
    try:
        sex = Sex(row.sex).label
    except ValueError:
        sex = row.sex
    age = None
    if row.birth_date is not None and row.birth_date <= today:
        age = age_on(row.birth_date, today)
    return PersonHit(row.uuid, row.household_uuid, row.name, mask_id_short(normalize_id(row.id_number or "")),
                     sex, age, relation, village, bool(row.is_obliged_supporter), matched)
