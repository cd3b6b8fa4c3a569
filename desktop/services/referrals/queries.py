"""Reading referrals for the screen: the list (by state, department, overdue), one case's referrals,
a referral's history and its reply document. Frozen rows, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.case_number import format_case_number
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.roles import Permission
from desktop.domain.workdays import CalendarNotCovered
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.referrals.lifecycle import RESULT_LABELS, ReferralState
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.models import Case, Person, Village
from desktop.store.models_clock import CaseClock
from desktop.store.models_referral import Referral, ReferralEvent

__all__ = ["ReferralFilter", "ReferralHistoryRow", "ReferralRow", "case_referrals", "count_referrals",
           "department_choices",
           "list_referrals", "referral", "referral_history", "reply_document"]

MAX_ROWS = 2000


@dataclass(frozen=True)
class ReferralFilter:
    state: str | None = None
    department: str | None = None
    overdue_only: bool = False
    case_uuid: str | None = None


@dataclass(frozen=True)
class ReferralRow:
    uuid: str
    case_uuid: str
    case_number_display: str
    applicant_name: str
    village_name: str
    case_status_label: str
    department: str
    department_name: str
    categories_label: str
    state: ReferralState
    deadline_working_days: int
    sent_on: date | None
    received_on: date | None
    concluded_on: date | None
    result: str | None
    result_label: str
    amount_cents: int | None
    result_reason: str
    decided_by: str
    returned_on: date | None
    return_reason: str
    due_on: date | None               # of the running clock (sent / received)
    calendar_note: str
    working_days_left: int | None     # negative: overdue
    reply_filename: str
    reply_mime: str
    reply_size: int
    case_status: str = ""             # the case's status code (已转办 = "referred": decided by the results)
    due_provisional: bool = False     # 暂定 due day (calendar_note says why)

    @property
    def state_label(self) -> str:
        return self.state.label

    @property
    def overdue(self) -> bool:
        return self.working_days_left is not None and self.working_days_left < 0

    @property
    def has_reply(self) -> bool:
        return self.reply_size > 0


@dataclass(frozen=True)
class ReferralHistoryRow:
    action: str
    from_label: str
    to_label: str
    on_day: date | None
    note: str
    actor: str
    at: datetime


def _today(session: AppSession, today: date | None) -> date:
    return today or session.clock.today()


def _labels(codes: list[str]) -> str:
    out = []
    for c in codes:
        try:
            out.append(Category(c).label)
        except ValueError:
            out.append(c)
    return "、".join(out)


def _left(planner: DeadlinePlanner, due: date | None, today: date) -> int | None:
    if due is None:
        return None
    try:
        return planner.calendar.working_days_between(today, due)
    except CalendarNotCovered:
        return None


def _query(f: ReferralFilter, today: date):  # type: ignore[no-untyped-def]
    # the running clock of each referral, looked up by its index (a join here made SQLite scan)
    running = (CaseClock.subject_uuid == Referral.uuid) & (CaseClock.state == "open")
    due = select(CaseClock.due_on).where(running).limit(1).scalar_subquery()
    note = select(CaseClock.calendar_note).where(running).limit(1).scalar_subquery()
    provisional = select(CaseClock.provisional).where(running).limit(1).scalar_subquery()
    q = (select(Referral, Case.case_number, Case.status, Person.name, Village.name, due.label("due"),
                note.label("note"), provisional.label("provisional"))
         .join(Case, Case.uuid == Referral.case_uuid)
         .join(Person, Person.uuid == Case.applicant_uuid)
         .outerjoin(Village, Village.division_code == Case.division_code))
    if f.state:
        if f.state not in {s.value for s in ReferralState}:
            raise InvalidInput(f"未知的转办状态：{f.state}", "state")
        q = q.where(Referral.state == f.state)
    if f.department:
        q = q.where(Referral.department == f.department)
    if f.case_uuid:
        q = q.where(Referral.case_uuid == f.case_uuid)
    if f.overdue_only:
        q = q.where(due < today)
    return q.order_by(due.is_(None), due, Referral.created_at.desc(), Referral.id)


def _rows(s: Session, f: ReferralFilter, today: date, limit: int) -> list[ReferralRow]:
    planner = DeadlinePlanner.of(s)
    out = []
    for ref, number, status, applicant, village, due, note, provisional in s.execute(_query(f, today).limit(limit)):
        out.append(ReferralRow(
            uuid=ref.uuid, case_uuid=ref.case_uuid, case_number_display=format_case_number(number),
            applicant_name=applicant, village_name=village or "", case_status_label=CaseStatus(status).label,
            case_status=status,
            department=ref.department, department_name=ref.department_name,
            categories_label=_labels(list(ref.categories)), state=ReferralState(ref.state),
            deadline_working_days=ref.deadline_working_days, sent_on=ref.sent_on, received_on=ref.received_on,
            concluded_on=ref.concluded_on, result=ref.result, result_label=RESULT_LABELS.get(ref.result or "", ""),
            amount_cents=ref.amount_cents, result_reason=ref.result_reason, decided_by=ref.decided_by,
            returned_on=ref.returned_on, return_reason=ref.return_reason, due_on=due, calendar_note=note or "",
            working_days_left=_left(planner, due, today), reply_filename=ref.reply_filename,
            reply_mime=ref.reply_mime, reply_size=ref.reply_size, due_provisional=bool(provisional)))
    return out


def list_referrals(session: AppSession, f: ReferralFilter | None = None, *, today: date | None = None,
                   limit: int = 500) -> list[ReferralRow]:
    """Referrals matching ``f``: those with a running clock first, soonest due first."""
    session.require(Permission.VIEW_CASES)
    if not 0 < limit <= MAX_ROWS:
        raise InvalidInput(f"每次最多显示{MAX_ROWS}条。", "limit")
    with session.db.read() as s:
        return _rows(s, f or ReferralFilter(), _today(session, today), limit)


def count_referrals(session: AppSession, f: ReferralFilter | None = None, *, today: date | None = None) -> int:
    """How many referrals match ``f`` (the list shows at most its ``limit``)."""
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        inner = _query(f or ReferralFilter(), _today(session, today)).order_by(None).with_only_columns(Referral.id)
        return int(s.scalar(select(func.count()).select_from(inner.subquery())) or 0)


def case_referrals(session: AppSession, case_uuid: str, *, today: date | None = None) -> list[ReferralRow]:
    session.require(Permission.VIEW_CASES)
    return list_referrals(session, ReferralFilter(case_uuid=case_uuid), today=today)


def referral(session: AppSession, referral_uuid: str, *, today: date | None = None) -> ReferralRow:
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        case_uuid = s.scalar(select(Referral.case_uuid).where(Referral.uuid == referral_uuid))
        if case_uuid is None:
            raise NotFound("找不到该转办记录。")
        rows = _rows(s, ReferralFilter(case_uuid=case_uuid), _today(session, today), MAX_ROWS)
    return next(r for r in rows if r.uuid == referral_uuid)


def department_choices(session: AppSession) -> list[tuple[str, str]]:
    """(code, name) of every department referrals went to, for the filter."""
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        rows = s.execute(select(Referral.department, Referral.department_name).distinct()
                         .order_by(Referral.department)).all()
    seen: dict[str, str] = {}
    for code, name in rows:
        seen.setdefault(code, name)
    return sorted(seen.items(), key=lambda kv: kv[1])


def referral_history(session: AppSession, referral_uuid: str) -> list[ReferralHistoryRow]:
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        rows = s.scalars(select(ReferralEvent).where(ReferralEvent.referral_uuid == referral_uuid)
                         .order_by(ReferralEvent.id)).all()
        return [ReferralHistoryRow(r.action, ReferralState(r.from_state).label if r.from_state else "",
                                   ReferralState(r.to_state).label, r.on_day, r.note, r.actor, r.at) for r in rows]


def reply_document(session: AppSession, referral_uuid: str) -> tuple[str, str, bytes]:
    """(MIME type, file name, bytes) of the reply attached to a referral. The reply is a full record
    of the family's case at a department: every read is an audit event."""
    session.require(Permission.VIEW_CASES)
    with session.db.write() as s:
        ref = s.scalar(select(Referral).where(Referral.uuid == referral_uuid))
        if ref is None:
            raise NotFound("找不到该转办记录。")
        if not ref.reply_data:
            raise NotFound("该转办没有附加回复材料。")
        audit.append_event(s, actor=session.user.username, action="referral.reply_read", entity_type="referral",
                           entity_id=ref.uuid, detail={"case": ref.case_uuid, "sha256": ref.reply_sha256})
        return ref.reply_mime, ref.reply_filename, bytes(ref.reply_data)
