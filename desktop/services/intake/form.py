"""What the intake wizard needs besides the transaction: plain text in, domain objects and Chinese messages out.

The window holds what the clerk typed as plain strings (:class:`MemberForm`,
:class:`HouseholdForm`, :class:`RequestForm`) and asks this module:

- ``id_preview(text)`` — while an ID number is typed: birth date, sex and age
  from it, or the Chinese reason it is wrong;
- ``parse_income("1250.5")`` — 元 with at most two decimals → cents;
- ``member_violations`` / ``household_violations`` / ``request_violations`` /
  ``document_violations`` — the domain rules, with field paths the window
  maps to its widgets (``members[1].id_number``, ``documents.hukou_book``);
- ``build_application(...)`` — the :class:`~desktop.domain.household.Application`
  that :func:`desktop.services.intake.accept.submit_application` commits;
- ``checklist``, ``villages``, option lists with Chinese labels for every
  choice, ``load_household`` (choosing a found household), ``last_contact_phone``
  (the phone of the applicant's last application, to prefill) and
  ``print_intake_document`` (the right document for the committed outcome).

No Qt here; nothing touches the database except ``villages``,
``load_household``, ``last_contact_phone`` and ``print_intake_document`` (all on the task runner).
ID numbers never go to a log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import select

from desktop.domain import household
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.household import (
    Application,
    Channel,
    DisabilityCategory,
    DisabilityGrade,
    Employment,
    Health,
    Household,
    HukouType,
    LabourCapacity,
    Person,
    Relation,
    Violation,
    canonical_id_number,
    validate_application,
    validate_household,
    validate_person,
)
from desktop.domain.labour import LabourAges, LabourDefault, default_labour_capacity
from desktop.domain.phone import mask_phone, normalize_phone, phone_problem
from desktop.domain.roles import Permission, Role
from desktop.domain.text_rules import LIMITS, TextKind, shown
from desktop.services import validation
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.documents import issue as documents
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.intake.typed import (  # noqa: F401 (re-exported: the wizard asks this module)
    MAX_MONTHLY_INCOME_CENTS,
    IdPreview,
    IdState,
    format_cents,
    id_preview,
    masked_id,
    parse_income,
)
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.device import device_info
from desktop.store.models import Case as CaseRow
from desktop.store.models import Household as HouseholdRow
from desktop.store.models import Person as PersonRow
from desktop.store.models import Village
from forms.idnumber import mask_id_short

MAX_REASON_LENGTH = LIMITS[TextKind.FREE_TEXT]


# ------------------------------------------------------------------ choices with Chinese labels

@dataclass(frozen=True)
class Option:
    code: str
    label: str


def _options(enum: Iterable[StrEnum]) -> tuple[Option, ...]:
    return tuple(Option(e.value, e.label) for e in enum)   # type: ignore[attr-defined]


HUKOU_TYPES, RELATIONS, HEALTH, CHANNELS, CATEGORIES = map(_options, (HukouType, Relation, Health, Channel, Category))
DISABILITY_CATEGORIES, DISABILITY_GRADES = _options(DisabilityCategory), _options(DisabilityGrade)
LABOUR_CAPACITIES, EMPLOYMENTS = _options(LabourCapacity), _options(Employment)
ETHNICITIES = household.ETHNICITIES   # the list lives with the rule that checks it (domain)


def default_channel(role: Role) -> str:
    """村协理员 take applications on a family's behalf; at the township window people come themselves."""
    return (Channel.ON_BEHALF if role is Role.VILLAGE_ASSISTANT else Channel.WALK_IN).value


def villages(session: AppSession) -> list[Option]:
    """The villages and communities (12-digit code, name) this user takes applications for, in code
    order: the whole township, or a village assistant's own villages."""
    session.require(Permission.INTAKE)
    with session.db.read() as s:
        rows = s.execute(select(Village.division_code, Village.name).order_by(Village.division_code)).all()
    return [Option(code, name) for code, name in rows if session.in_scope(code)]


# ------------------------------------------------------------------ the form as typed

@dataclass(frozen=True)
class MemberForm:
    """One member as typed; enum fields hold codes ("" = not chosen yet)."""

    name: str = ""
    id_number: str = field(default="", repr=False)
    relation: str = ""
    ethnicity: str = "汉族"
    health: str = Health.HEALTHY.value
    disability_category: str = DisabilityCategory.NONE.value
    disability_grade: str = DisabilityGrade.NONE.value
    labour_capacity: str = LabourCapacity.FULL.value
    employment: str = Employment.NONE.value
    monthly_income: str = ""
    is_obliged_supporter: bool = False
    staff_relative: bool = False
    id_hint: str = ""            # masked number on record ("**************002X") when the full one is hidden


@dataclass(frozen=True)
class HouseholdForm:
    division_code: str = ""
    hukou_type: str = HukouType.RURAL.value
    address: str = ""
    members: tuple[MemberForm, ...] = ()


@dataclass(frozen=True)
class RequestForm:
    categories: tuple[str, ...] = ()
    reason: str = ""
    applicant_id_number: str = field(default="", repr=False)
    channel: str = ""
    staff_relative_declared: bool | None = None   # None: the declaration was not asked
    contact_phone: str = ""      # as typed: a mobile, a fixed line with area code, or "无" (desktop.domain.phone)


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    name: str
    note: str
    conditional: bool = False    # only when it applies (残疾人证 …): may be marked 不适用


@dataclass(frozen=True)
class HouseholdDraft:
    """A found household, ready to be edited into a new application."""

    household_uuid: str
    form: HouseholdForm
    id_numbers_hidden: bool      # the role may not see full ID numbers: they must be typed from the 户口簿


_WHO = re.compile(r"^成员(“[^”]*”)?：")


def plain_message(message: str) -> str:
    """A member message without "成员“张三”：" — shown next to that member's own field."""
    return _WHO.sub("", message, count=1)


def _enum(cls: type[StrEnum], code: str) -> StrEnum | None:
    try:
        return cls(code) if code else None
    except ValueError:
        return None


_CHOICES: tuple[tuple[str, type[StrEnum], StrEnum, str], ...] = (
    ("health", Health, Health.HEALTHY, "健康状况"),
    ("disability_category", DisabilityCategory, DisabilityCategory.NONE, "残疾类别"),
    ("disability_grade", DisabilityGrade, DisabilityGrade.NONE, "残疾等级"),
    ("labour_capacity", LabourCapacity, LabourCapacity.FULL, "劳动能力"),
    ("employment", Employment, Employment.NONE, "就业状况"),
)


def _person(m: MemberForm) -> tuple[Person, list[Violation]]:
    """The domain person for a typed member, and what could not even be converted."""
    out: list[Violation] = []
    try:
        cents = parse_income(m.monthly_income)
    except InvalidInput as exc:
        out.append(Violation("monthly_income_cents", exc.message))
        cents = 0
    relation = _enum(Relation, m.relation)
    if relation is None:
        out.append(Violation("relation", "请选择与户主关系"))
        relation = Relation.OTHER
    values = {}
    for name, cls, fallback, label in _CHOICES:
        value = _enum(cls, getattr(m, name))
        if value is None:
            out.append(Violation(name, f"请选择{label}"))
            value = fallback
        values[name] = value
    person = Person(m.name, m.id_number, relation, ethnicity=m.ethnicity, monthly_income_cents=cents,  # type: ignore[arg-type]
                    is_obliged_supporter=m.is_obliged_supporter, staff_relative=m.staff_relative,
                    **values)  # type: ignore[arg-type]
    return person, out


def member_violations(m: MemberForm, on: date) -> list[Violation]:
    """Problems with one member, fields without prefix, messages without the member's name."""
    person, out = _person(m)
    taken = {v.field for v in out}
    for v in validate_person(person, on):
        if v.field not in taken:
            out.append(Violation(v.field, plain_message(v.message)))
    if not m.name.strip() and not any(v.field == "name" for v in out):
        out.append(Violation("name", "姓名不能为空"))
    if not any(v.field == "name" for v in out) and (bad := validation.unprintable(m.name, "姓名")):
        out.append(Violation("name", bad))
    return out


def _household(h: HouseholdForm) -> tuple[Household, list[Violation]]:
    persons, out = [], []
    for i, m in enumerate(h.members):
        person, problems = _person(m)
        persons.append(person)
        out += [Violation(f"members[{i}].{v.field}", _who(m) + v.message) for v in problems]
    try:
        hukou = HukouType(h.hukou_type)
    except ValueError:
        out.append(Violation("hukou_type", "请选择户口性质"))
        hukou = HukouType.RURAL
    return Household(h.division_code, hukou, h.address, tuple(persons)), out


def _who(m: MemberForm) -> str:
    name = shown(m.name)
    return f"成员“{name}”：" if name else "成员："


def household_violations(h: HouseholdForm, on: date) -> list[Violation]:
    """Everything wrong with the household and its members (fields ``members[i].name`` …)."""
    household, out = _household(h)
    taken = {v.field for v in out}
    for v in validate_household(household, on):
        if v.field in taken:
            continue
        if v.field == "division_code" and not h.division_code:
            v = Violation("division_code", "请选择所在村（社区）")
        out.append(v)
    taken = {v.field for v in out}
    for name, what, value in printed_fields(household):   # refused here, never after the commit
        if name not in taken and (bad := validation.unprintable(value, what)):
            out.append(Violation(name, bad))
    return sorted(out, key=_form_order)


def printed_fields(household: Household) -> list[tuple[str, str, str]]:
    """(field, what, text) of the household's texts that documents print: the address, every name."""
    out = [("address", "家庭住址", household.address)]
    out += [(f"members[{i}].name", f"成员“{shown(p.name)}”的姓名", p.name) for i, p in enumerate(household.members)]
    return out


def _form_order(v: Violation) -> tuple[int, int]:
    """Household fields first, then each member in register order, then rules about all members."""
    if v.field.startswith("members["):
        return 1, int(v.field[len("members["):v.field.index("]")])
    return (2, 0) if v.field == "members" else (0, 0)


def is_emergency(categories: Iterable[str]) -> bool:
    """临时救助（急难型） goes through the emergency procedure (先行救助)."""
    return Category.TEMP_EMERGENCY.value in set(categories)


def separate_filing(h: HouseholdForm) -> bool:
    """A member is a relative of staff or committee members: the case is 单独登记备案."""
    return any(m.staff_relative for m in h.members)


def _categories(codes: Sequence[str]) -> tuple[tuple[Category, ...], list[Violation]]:
    out, cats = [], []
    for code in codes:
        try:
            cats.append(Category(code))
        except ValueError:
            out.append(Violation("categories", f"未知的救助类别：{code}"))
    return tuple(cats), out


def _channel(code: str) -> tuple[Channel, list[Violation]]:
    try:
        return Channel(code), []
    except ValueError:
        return Channel.WALK_IN, [Violation("channel", "请选择申请方式")]


def request_violations(h: HouseholdForm, r: RequestForm, on: date) -> list[Violation]:
    """Problems of the "申请事项" step: categories, reason, applicant, channel, the 近亲属 declaration."""
    household, _ = _household(h)
    cats, out = _categories(r.categories)
    channel, problems = _channel(r.channel)
    out += problems
    app = Application(cats, r.reason, channel, household, r.applicant_id_number, emergency=is_emergency(r.categories))
    own = ("categories", "reason", "applicant_id_number", "emergency")
    out += [v for v in validate_application(app, on) if v.field in own]
    if (bad := phone_problem(r.contact_phone, required=True)) is not None:   # every notice: 请保持电话畅通
        out.append(Violation("contact_phone", bad))
    if len(r.reason.strip()) > MAX_REASON_LENGTH:
        out.append(Violation("reason", f"申请理由最多{MAX_REASON_LENGTH}字"))
    elif not any(v.field == "reason" for v in out) and (bad := validation.unprintable(r.reason, "申请理由")):
        out.append(Violation("reason", bad))
    flagged = separate_filing(h)
    if r.staff_relative_declared is None:
        out.append(Violation("staff_relative", "请询问并选择：本户成员与经办人员、村（居）委会成员是否有近亲属关系"))
    elif r.staff_relative_declared and not flagged:
        out.append(Violation("staff_relative", "已声明有近亲属关系：请在“家庭与成员”中勾选是近亲属的成员"))
    elif not r.staff_relative_declared and flagged:
        out.append(Violation("staff_relative", "成员中已勾选近亲属，与“无近亲属关系”的声明不符，请核对"))
    return out


def document_violations(items: Sequence[ChecklistItem], marks: Mapping[str, str]) -> list[Violation]:
    """Every document must be marked "received", "missing" (or, if conditional, "not_applicable").

    Fields are ``documents.<code>``.
    """
    out = []
    for item in items:
        mark = marks.get(item.code, "")
        if mark in ("received", "missing") or (mark == "not_applicable" and item.conditional):
            continue
        what = "已收到、缺少还是不适用" if item.conditional else "已收到还是缺少"
        out.append(Violation(f"documents.{item.code}", f"请标明材料“{item.name}”是{what}"))
    return out


def build_application(h: HouseholdForm, r: RequestForm, items: Sequence[ChecklistItem],
                      marks: Mapping[str, str], on: date) -> Application:
    """The application to submit; raises InvalidInput (with the field) for the first problem found."""
    problems = household_violations(h, on) + request_violations(h, r, on) + document_violations(items, marks)
    if problems:
        more = f"（另有{len(problems) - 1}处问题）" if len(problems) > 1 else ""
        raise InvalidInput(problems[0].message + more, problems[0].field)
    household, _ = _household(h)
    cats, _ = _categories(r.categories)
    channel, _ = _channel(r.channel)
    codes = [i.code for i in items]
    return Application(cats, r.reason.strip(), channel, household, canonical_id_number(r.applicant_id_number),
                       documents_received=tuple(c for c in codes if marks.get(c) == "received"),
                       documents_missing=tuple(c for c in codes if marks.get(c) == "missing"),
                       emergency=is_emergency(r.categories), contact_phone=normalize_phone(r.contact_phone))


# ------------------------------------------------------------------ policy, fonts, records, printing

def checklist(session: AppSession, division_code: str, categories: Sequence[str],
              on: date | None = None, planner: DeadlinePlanner | None = None) -> list[ChecklistItem]:
    """The documents policy asks for these categories in this village on that day, in checklist order."""
    session.require(Permission.INTAKE)
    session.require_village(division_code)
    cats, problems = _categories(categories)
    if problems:
        raise InvalidInput(problems[0].message, "categories")
    if not cats:
        return []
    planner = planner or DeadlinePlanner.of(session)
    table = planner.policy_for(division_code, on or session.clock.today())
    return [ChecklistItem(d.code, d.name, d.note, d.conditional) for d in table.required_documents(cats)]


def labour_ages(session: AppSession, division_code: str = "", on: date | None = None,
                planner: DeadlinePlanner | None = None) -> LabourAges:
    """The ages between which the form proposes 有劳动能力 (policy of the village, or of this township
    while no village is chosen yet), on that day."""
    session.require(Permission.INTAKE)
    planner = planner or DeadlinePlanner.of(session)
    if not division_code:
        with session.db.read() as s:
            division_code = device_info(s).township_code
    return planner.policy_for(division_code, on or session.clock.today()).labour_ages


def labour_default(id_number: str, on: date, ages: LabourAges) -> LabourDefault | None:
    """The 劳动能力 proposed for the person of this (valid) ID number on ``on``; None while it is not valid."""
    preview = id_preview(id_number, on)
    if not preview.valid or preview.birth_date is None or preview.birth_date > on:
        return None
    return default_labour_capacity(preview.birth_date, on, ages)


def glyph_warnings(names: Sequence[str]) -> list[str]:
    """Warnings for characters of names (or an address) that the bundled print fonts lack."""
    return documents.glyph_warnings([n for n in names if n.strip()])


def load_household(session: AppSession, household_uuid: str) -> HouseholdDraft:
    """A found household as a form to apply from; full ID numbers only for roles that may see them.

    Opening a household's full record is written to the audit log (no personal data in it).
    """
    session.require(Permission.INTAKE)
    full = session.can(Permission.VIEW_FULL_ID)
    with session.db.write() as s:
        hh = s.get(HouseholdRow, household_uuid)
        if hh is None:
            raise NotFound("找不到该家庭记录，可能已被修改，请重新查询。")
        session.require_village(hh.division_code)   # an assistant never opens another village's family
        rows = s.scalars(select(PersonRow).where(PersonRow.household_uuid == household_uuid)
                         .order_by(PersonRow.position)).all()
        members = tuple(MemberForm(
            name=p.name, id_number=p.id_number if full else "", relation=p.relation, ethnicity=p.ethnicity,
            health=p.health, disability_category=p.disability_category, disability_grade=p.disability_grade,
            labour_capacity=p.labour_capacity, employment=p.employment,
            monthly_income=format_cents(p.monthly_income_cents or 0),
            is_obliged_supporter=bool(p.is_obliged_supporter), staff_relative=bool(p.staff_relative),
            id_hint="" if full else mask_id_short(p.id_number or "")) for p in rows)
        audit.append_event(s, actor=session.user.username, action="household_opened_for_intake",
                           entity_type="household", entity_id=household_uuid,
                           detail={"members": len(members), "full_id_numbers": full})
        form = HouseholdForm(hh.division_code, hh.hukou_type, hh.address, members)
    return HouseholdDraft(household_uuid, form, not full)


@dataclass(frozen=True)
class KnownPhone:
    """The phone given with the applicant's last application: ``text`` to prefill, or only ``masked``
    (roles that may not see full records: the clerk asks and types it)."""

    text: str = field(default="", repr=False)
    masked: str = ""


def last_contact_phone(session: AppSession, id_number: str) -> KnownPhone:
    """The phone recorded with this person's most recent application as applicant ("无" included), if any."""
    session.require(Permission.INTAKE)
    canon = canonical_id_number(id_number)
    if not canon:
        return KnownPhone()
    with session.db.read() as s:
        phone = s.scalar(select(CaseRow.contact_phone)
                         .join(PersonRow, PersonRow.uuid == CaseRow.applicant_uuid)
                         .where(PersonRow.id_hash == session.db.id_hash(canon), CaseRow.contact_phone != "")
                         .order_by(CaseRow.received_at.desc()).limit(1))
    if not phone:
        return KnownPhone()
    if session.can(Permission.VIEW_FULL_ID):
        return KnownPhone(phone, mask_phone(phone))
    return KnownPhone("", mask_phone(phone))


def print_intake_document(session: AppSession, case_uuid: str, status: CaseStatus | str,
                          fmt: documents.ReceiptFormat = "a4", *, preview: bool = False) -> documents.PrintedDocument:
    """The document the committed intake outcome calls for: 受理通知书, 一次性告知书 or 不予受理告知书
    (a ``preview`` is recorded by ``documents.record_preview`` when printed)."""
    session.require(Permission.PRINT_RECEIPT)
    status = CaseStatus(status)
    if status is CaseStatus.TOWNSHIP_REVIEW:
        raise InvalidInput("提交乡镇审查的申请此时没有文书：乡镇经办人受理后出具受理通知书（或一次性告知书、不予受理告知书）。")
    if status is CaseStatus.PENDING_DOCUMENTS:
        return documents.print_missing_documents_notice(session, case_uuid, preview=preview)
    if status is CaseStatus.NOT_ACCEPTED:
        return documents.print_refusal(session, case_uuid, preview=preview)
    return documents.print_receipt(session, case_uuid, fmt, preview=preview)
