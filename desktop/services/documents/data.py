"""What each printed document says, read from the committed case (no writes here).

Builders take an open SQLAlchemy session and the case row and return the
plain data classes of :mod:`forms.documents`; :mod:`desktop.services.documents.issue`
decides original or 副本, renders, and records the print. Identity numbers
leave this module only masked (first 6 + last 4 at most).

Times: the store keeps UTC wall time (SQLite drops the offset), so a naive
value read back is UTC; documents print local time, as the window sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from desktop.domain.case_number import format_case_number
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.clock import compute_due
from desktop.domain.household import ADULT_AGE, Channel, Relation
from desktop.domain.policy import PolicyTable
from desktop.domain.workdays import CalendarNotCovered, Due
from desktop.services.deadlines.planner import DeadlinePlanner, due_note
from desktop.services.documents import qr as documents_qr
from desktop.services.errors import NotFound, ServiceError
from desktop.store import device as device_store
from desktop.store.device import DeviceInfo
from desktop.store.models import Case, CaseCategory, CaseDocument, Household, Meta, Person, StatusChange, User
from desktop.store.models_referral import Referral as ReferralRow
from forms.documents.authorization import ROLE_MEMBER, ROLE_SUPPORTER, AuthorizationData, AuthorizationPerson
from forms.documents.missing_documents import MissingDocumentsData, MissingItem
from forms.documents.receipt import ReceiptData
from forms.documents.referral_slip import ReferralSlipData
from forms.documents.refusal import RefusalData
from forms.idnumber import age_on, mask_id

GENERIC_COUNTY = "县（市、区）"
# Forms the window hands out itself: the applicant fills them in and signs.
WINDOW_FORMS = frozenset({"application_form", "income_assets_declaration", "economic_check_authorization",
                          "tekun_status_statement", "economic_hardship_statement"})
WHERE_DEFAULT = {
    "hukou_book": "本人持有；遗失的到户籍所在地派出所补办",
    "id_card": "本人持有；遗失的到户籍所在地派出所补办",
}
CONTACT_KEYS = {"address": "window.address", "hours": "window.hours", "phone": "window.phone"}
DEFAULT_HOURS = "工作日办公时间（法定节假日除外）"


class DocumentRefused(ServiceError):
    """This document cannot be printed for this case now (its status, or what it would have to say)."""


@dataclass(frozen=True)
class WindowContact:
    """Where and when the window is open, and its phone, as printed on notices and slips."""

    address: str = ""
    hours: str = ""
    phone: str = ""


# ----------------------------------------------------------------- reading the case

def utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def local(dt: datetime) -> datetime:
    return utc(dt).astimezone()


def load_case(s: Session, case_uuid: str) -> Case:
    case = s.get(Case, case_uuid) if case_uuid else None
    if case is None:
        raise NotFound("找不到该案件：案件不存在或尚未保存，不能打印文书。")
    return case


def accepted_at(s: Session, case: Case) -> datetime | None:
    """When the case was accepted (UTC), or None if it never was.

    At intake with complete documents that is the moment of receipt; after
    补正 it is the moment the documents were completed.
    """
    at = s.scalar(select(StatusChange.at).where(StatusChange.case_uuid == case.uuid,
                                                StatusChange.to_status == CaseStatus.ACCEPTED.value)
                  .order_by(StatusChange.at, StatusChange.id).limit(1))
    if at is not None:
        return utc(at)
    return utc(case.received_at) if case.accepted_on is not None else None


def status_change_to(s: Session, case: Case, status: CaseStatus) -> StatusChange | None:
    return s.scalar(select(StatusChange).where(StatusChange.case_uuid == case.uuid,
                                               StatusChange.to_status == status.value)
                    .order_by(StatusChange.at.desc(), StatusChange.id.desc()).limit(1))


def categories(s: Session, case: Case) -> list[Category]:
    """In the order applied for (insertion order): the first decides the overall deadline, as at intake."""
    rows = s.scalars(select(CaseCategory.category).where(CaseCategory.case_uuid == case.uuid)
                     .order_by(literal_column("case_categories.rowid"))).all()
    return [Category(c) for c in rows]


def documents(s: Session, case: Case, received: bool) -> list[CaseDocument]:
    return list(s.scalars(select(CaseDocument).where(CaseDocument.case_uuid == case.uuid,
                                                     CaseDocument.received.is_(received))
                          .order_by(CaseDocument.id)).all())


def display_name(s: Session, username: str) -> str:
    name = s.scalar(select(User.display_name).where(User.username == username))
    return name or username


def issuer(dev: DeviceInfo) -> str:
    """The issuing authority printed at the top: 示范县青石镇人民政府 / …街道办事处."""
    name = dev.township_name.strip()
    county = dev.county_name.strip()
    if county and not name.startswith(county):
        name = county + name
    if name.endswith(("人民政府", "办事处")):
        return name
    return name + ("办事处" if name.endswith("街道") else "人民政府")


def window_label(dev: DeviceInfo) -> str:
    w = dev.window_name.strip()
    return w if w.startswith(dev.township_name.strip()) else dev.township_name.strip() + w


def county_department(dev: DeviceInfo, name: str) -> str:
    county = dev.county_name.strip()
    return name.replace(GENERIC_COUNTY, county, 1) if county else name


def window_contact(s: Session) -> WindowContact:
    rows = {m.key: m.value for m in s.scalars(select(Meta).where(Meta.key.in_(CONTACT_KEYS.values())))}
    return WindowContact(**{field: rows.get(key, "") for field, key in CONTACT_KEYS.items()})


def store_window_contact(s: Session, contact: WindowContact) -> None:
    for field, key in CONTACT_KEYS.items():
        s.merge(Meta(key=key, value=getattr(contact, field).strip()))


def policy_for_case(planner: DeadlinePlanner, case: Case, on: date) -> PolicyTable:
    """The table the case was taken in under (its ``policy_ref``; only a case that never stored one:
    the table in force on its acceptance day or ``on``)."""
    return planner.policy_of(case, on)


def open_note(exc: CalendarNotCovered) -> str:
    return f"具体日期待县级下发{exc.year}年节假日安排后确定"


@dataclass(frozen=True)
class _Parties:
    dev: DeviceInfo
    applicant: Person
    category_labels: tuple[str, ...]
    cats: tuple[Category, ...]


def _parties(s: Session, case: Case) -> _Parties:
    applicant = s.get(Person, case.applicant_uuid)
    if applicant is None:
        raise DocumentRefused("案件缺少申请人记录，不能打印文书。请运行 yimen self-test 检查数据库。")
    cats = tuple(categories(s, case))
    if not cats:
        raise DocumentRefused("案件没有登记救助类别，不能打印文书。")
    return _Parties(device_store.device_info(s), applicant, tuple(c.label for c in cats), cats)


# ----------------------------------------------------------------- the documents

def sign_receipt_payload(s: Session, case_number: str, accepted_at: datetime, device_code: str) -> str:
    """The full QR text, signed with this device's key (which never leaves the database)."""
    message = documents_qr.receipt_payload(case_number, accepted_at, device_code)
    return documents_qr.signed_receipt_payload(message, device_store.sign(s, message.encode("utf-8")))


def receipt_data(s: Session, case: Case, planner: DeadlinePlanner, when: datetime,
                 copy_label: str | None) -> ReceiptData:
    """受理通知书, with the QR text signed by this device's key inside ``s``."""
    p = _parties(s, case)
    accepted_on = local(when).date()
    table = policy_for_case(planner, case, accepted_on)
    days = table.deadline("decision_total", p.cats[0])
    due, provisional, why = case.decision_due, case.decision_due_provisional, ""
    if due is None:  # left open by an older release (or accepted after 补正): compute it now
        try:
            d = compute_due("decision_total", accepted_on, table, planner.calendar, p.cats[0])
            due, provisional = d.day, d.provisional
        except CalendarNotCovered as exc:
            why = open_note(exc)
    if provisional and due is not None:
        why = due_note(planner.calendar, accepted_on, Due(due, True))
    payload = sign_receipt_payload(s, case.case_number, when, p.dev.device_code)
    return ReceiptData(
        township_name=issuer(p.dev), window_name=p.dev.window_name,
        case_number_display=_display(case), applicant_name=p.applicant.name,
        masked_id=mask_id(p.applicant.id_number), categories=p.category_labels,
        documents_received=tuple(d.name for d in documents(s, case, received=True)),
        accepted_at=local(when), decision_deadline=due, deadline_note=f"自受理之日起{days}个工作日内",
        deadline_open_note=why, deadline_provisional=provisional and due is not None, clerk_name=display_name(s, case.clerk),
        complaint_phone=table.complaint_phone_text(), qr_payload=payload, copy_label=copy_label,
        channel_label=Channel(case.channel).label,
        documents_to_follow=tuple(d.name for d in documents(s, case, received=False)) if case.emergency else (),
        contact_phone=case.contact_phone or "",
    )


def _missing_item(doc: CaseDocument, notes: dict[str, str]) -> MissingItem:
    note = notes.get(doc.code, "")
    if doc.code in WINDOW_FORMS:
        return MissingItem(doc.name, note or "填写完整并签字", "本窗口领取，填写签字后交回")
    what = f"{note}；原件及复印件1份" if note else "原件及复印件1份"
    return MissingItem(doc.name, what, WHERE_DEFAULT.get(doc.code, "本人持有，或到出具该材料的单位开具"))


def missing_documents_data(s: Session, case: Case, planner: DeadlinePlanner,
                           copy_label: str | None) -> MissingDocumentsData:
    """一次性告知书: every document still missing, each once."""
    p = _parties(s, case)
    received_on = local(case.received_at).date()
    table = policy_for_case(planner, case, received_on)
    notes = {d.code: d.note for d in table.required_documents(p.cats)}
    items: dict[str, MissingItem] = {}
    for doc in documents(s, case, received=False):
        items.setdefault(doc.name, _missing_item(doc, notes))
    if not items:
        raise DocumentRefused("该申请没有缺少的材料，不需要打印一次性告知书。")
    contact = window_contact(s)
    return MissingDocumentsData(
        township_name=issuer(p.dev), window_name=p.dev.window_name, case_number_display=_display(case),
        applicant_name=p.applicant.name, masked_id=mask_id(p.applicant.id_number),
        categories=p.category_labels, notified_on=received_on, items=tuple(items.values()),
        office_address=contact.address or window_label(p.dev), office_hours=contact.hours or DEFAULT_HOURS,
        phone=contact.phone or table.complaint_phone_text(), clerk_name=display_name(s, case.clerk),
        complaint_phone=table.complaint_phone_text() if contact.phone else "", copy_label=copy_label,
    )


def refusal_data(s: Session, case: Case, planner: DeadlinePlanner, copy_label: str | None,
                 stage: str = "intake") -> RefusalData:
    """不予受理告知书 (``stage="intake"``) or 不予批准通知书 (``"decision"``) with the reason
    recorded when the case was refused."""
    p = _parties(s, case)
    target = CaseStatus.REFUSED if stage == "decision" else CaseStatus.NOT_ACCEPTED
    what = "不予批准" if stage == "decision" else "不予受理"
    change = status_change_to(s, case, target)
    reason = change.reason.strip() if change is not None else ""
    if not reason:
        raise DocumentRefused(f"案件没有登记{what}的理由，不能打印{what}的书面通知。")
    applied_on = local(case.received_at).date()
    decided_on = local(change.at).date() if change is not None else applied_on
    table = policy_for_case(planner, case, applied_on)
    county = p.dev.county_name.strip() or GENERIC_COUNTY
    return RefusalData(
        township_name=issuer(p.dev), window_name=p.dev.window_name, case_number_display=_display(case),
        applicant_name=p.applicant.name, masked_id=mask_id(p.applicant.id_number),
        categories=p.category_labels, applied_on=applied_on, decided_on=decided_on, reason=reason,
        reconsideration_body=f"{county}人民政府", court=f"{county}人民法院",
        complaint_phone=table.complaint_phone_text(),
        clerk_name=display_name(s, change.actor if change is not None else case.clerk),
        copy_label=copy_label, stage=stage,
    )


def _relation_to_applicant(person: Person, applicant: Person) -> str:
    if person.uuid == applicant.uuid:
        return "本人"
    label = Relation(person.relation).label
    if applicant.relation == Relation.SELF.value:
        return label
    return label if person.relation == Relation.SELF.value else f"户主之{label}"


def signers(s: Session, case: Case, on: date) -> list[tuple[Person, bool]]:
    """(person, is obliged supporter): the applicant first, then every adult member on ``on``,
    then every legally obliged supporter. A member whose age is unknown signs too."""
    rows = s.scalars(select(Person).where(Person.household_uuid == case.household_uuid)
                     .order_by(Person.position)).all()
    members = [p for p in rows if not p.is_obliged_supporter
               and (p.birth_date is None or age_on(p.birth_date, on) >= ADULT_AGE)]
    members.sort(key=lambda p: p.uuid != case.applicant_uuid)
    return [(p, False) for p in members] + [(p, True) for p in rows if p.is_obliged_supporter]


def authorization_data(s: Session, case: Case, copy_label: str | None) -> AuthorizationData:
    """家庭经济状况核对授权书 for the adults of the household and the obliged supporters."""
    p = _parties(s, case)
    on = local(case.received_at).date()
    persons = tuple(AuthorizationPerson(x.name, _relation_to_applicant(x, p.applicant), mask_id(x.id_number),
                                        ROLE_SUPPORTER if supporter else ROLE_MEMBER)
                    for x, supporter in signers(s, case, on))
    household = s.get(Household, case.household_uuid)
    return AuthorizationData(
        township_name=issuer(p.dev), case_number_display=_display(case), applicant_name=p.applicant.name,
        categories=p.category_labels, persons=persons, issued_on=on,
        household_address=household.address if household is not None else "", copy_label=copy_label,
    )


@dataclass(frozen=True)
class Referral:
    """One department's share of a case: what the slip says, without the copy label."""

    department: str
    department_name: str
    data: ReferralSlipData


def referral_plan(s: Session, case: Case, planner: DeadlinePlanner,
                  when: datetime) -> tuple[dict[str, list[Category]], list[Category]]:
    """(department → the case's categories it is referred for, the case's categories the township carries
    itself and never refers) under the case's policy table."""
    table = policy_for_case(planner, case, local(when).date())
    cats = categories(s, case)
    return table.referral_departments(cats), table.township_categories(cats)


def referrals(s: Session, case: Case, planner: DeadlinePlanner, when: datetime) -> list[Referral]:
    """One 转办单 per department deciding any of the case's categories, except those the township carries
    itself (``township_procedure``); the clock runs from acceptance, or from the day the referral was sent
    once it was."""
    p = _parties(s, case)
    referred_on = local(when).date()
    table = policy_for_case(planner, case, referred_on)
    contact = window_contact(s)
    attachments = tuple(d.name for d in documents(s, case, received=True))
    out = []
    # a referral already sent: its slip says the day it left and the due day of its clock
    sent_on = dict(s.execute(select(ReferralRow.department, ReferralRow.sent_on).where(
        ReferralRow.case_uuid == case.uuid, ReferralRow.state.in_(("sent", "received")))).all())
    for i, (code, cats) in enumerate(table.referral_departments(p.cats).items(), 1):
        dept = table.departments[code]
        on = sent_on.get(code) or referred_on
        provisional = False
        try:
            d = compute_due("referral", on, table, planner.calendar, cats[0])
            due: date | None = d.day
            provisional, why = d.provisional, due_note(planner.calendar, on, d)
        except CalendarNotCovered as exc:
            due, why = None, open_note(exc)
        name = county_department(p.dev, dept.name_zh)
        out.append(Referral(code, name, ReferralSlipData(
            township_name=issuer(p.dev), window_name=p.dev.window_name,
            slip_number=f"ZB-{_display(case)}-{i:02d}", case_number_display=_display(case),
            applicant_name=p.applicant.name, masked_id=mask_id(p.applicant.id_number), department_name=name,
            categories=tuple(c.label for c in cats), referring_clerk=display_name(s, case.clerk),
            referred_on=on, due_date=due, working_days=dept.deadline_working_days,
            contact_phone=contact.phone or table.complaint_phone_text(), attachments=attachments,
            due_open_note=why, due_provisional=provisional,
        )))
    return out


def _display(case: Case) -> str:
    return format_case_number(case.case_number)
