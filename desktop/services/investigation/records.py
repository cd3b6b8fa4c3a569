"""Investigation of a case (调查核实): home visits, the economic check, neighbour visits, 民主评议.

Each record is written with its audit event and outbox item in one
transaction; bad input raises :class:`~desktop.services.errors.InvalidInput`
(Chinese) and writes nothing. Dates may not be in the future nor before the
case was accepted. Attachments (the signed visit form, the check report, the
deliberation minutes) are PDF or image bytes checked by their first bytes and
stored inside the encrypted database.

:func:`record_home_visit` is the one home-visit service (the window, the
demo and the notice tests all use it): day, the staff who went — at least
the policy's ``home_visit_min_investigators``, distinct — findings, the
proposed monthly amount the notice shows, the signed form. Home visits live
in ``notice_home_visits``, the one table of home visits.

Which visit counts and what is still missing before 公示 or 审核确认 are facts
(:mod:`desktop.services.investigation.facts`), read by the workflow's guards
and by the screen's "尚缺" line (:func:`investigation`) alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.case_state import CaseStatus
from desktop.domain.investigation import AttachmentPurpose, DeliberationResult, EconomicCheckConclusion
from desktop.domain.roles import Permission
from desktop.services import validation
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.investigation import facts
from desktop.services.investigation.facts import home_visit_investigators, missing_before_decision
from desktop.services.investigation.types import (
    AttachmentInfo,
    AttachmentInput,
    CheckRequestInput,
    CheckResultInput,
    DeliberationInfo,
    DeliberationInput,
    EconomicCheckInfo,
    HomeVisitInfo,
    HomeVisitInput,
    InvestigationView,
    NeighbourVisitInfo,
    NeighbourVisitInput,
)
from desktop.services.session import AppSession
from desktop.store import audit, outbox
from desktop.store.models import Case
from desktop.store.models_investigation import (
    Deliberation,
    EconomicCheck,
    HomeVisit,
    InvestigationAttachment,
    NeighbourVisit,
)
from desktop.store.timekeeping import clock_of
from sync import events as ev

__all__ = [
    "MAX_ATTACHMENT_BYTES", "AttachmentInfo", "AttachmentInput", "CheckRequestInput", "CheckResultInput",
    "DeliberationInfo", "DeliberationInput", "EconomicCheckInfo", "HomeVisitInfo", "HomeVisitInput",
    "InvestigationView", "NeighbourVisitInfo", "NeighbourVisitInput", "attachment_data", "attachment_type",
    "home_visit_investigators", "investigation", "missing_before_decision", "record_check_result",
    "record_deliberation", "record_home_visit", "record_neighbour_visit", "request_economic_check",
]

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MIN_ATTACHMENT_BYTES = 64
MAX_TEXT = 2000
MAX_NAME = 32
MAX_INVESTIGATORS = 10
MAX_AMOUNT_CENTS = 10_000_000        # 100,000 元 a month: anything above is a typing error
MAX_PARTICIPANTS = 500

_VISIT_STATUSES = (CaseStatus.INVESTIGATING, CaseStatus.DELIBERATION)
_CHECK_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.INVESTIGATING, CaseStatus.DELIBERATION,
                   CaseStatus.IN_NOTICE, CaseStatus.AWAITING_DECISION)


# ------------------------------------------------------------------ validation helpers

def _text(value: str, what: str, field: str, limit: int = MAX_TEXT, required: bool = True) -> str:
    return validation.text(value, what, field, limit, required=required)


def _day(d: date, today: date, what: str, field: str) -> date:
    return validation.day(d, today, what, field)


def _after_acceptance(case: Case, d: date, what: str, field: str) -> None:
    if case.accepted_on is not None and d < case.accepted_on:
        raise InvalidInput(f"{what}不能早于受理日期（{case.accepted_on:%Y-%m-%d}）。", field)


def attachment_type(data: bytes) -> str | None:
    """The MIME type from the first bytes (PDF, JPEG, PNG, WebP); None for anything else."""
    return validation.file_type(data)


def _check_attachment(a: AttachmentInput | None, what: str, field: str) -> tuple[str, str, bytes] | None:
    """(file name, MIME type, bytes) of a valid attachment; None when none was given."""
    if a is None:
        return None
    data = a.data if isinstance(a.data, (bytes, bytearray)) else b""
    if not data:
        raise InvalidInput(f"{what}文件是空的，请重新选择。", field)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(f"{what}文件太大（{len(data) / 1024 / 1024:.1f} MB），不能超过"
                           f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB：请扫描为较小的 PDF 或压缩图片。", field)
    mime = attachment_type(bytes(data))
    if mime is None:
        raise InvalidInput(f"{what}只接受 PDF、JPG、PNG 或 WebP 文件（按文件内容判断）。", field)
    if len(data) < MIN_ATTACHMENT_BYTES:
        raise InvalidInput(f"{what}文件不完整（太小），请重新选择。", field)
    name = " ".join((a.file_name or "").replace("\\", "/").split("/")[-1].split())[:200] or "附件"
    return name, mime, bytes(data)


def _store_attachment(s: Session, session: AppSession, case: Case, purpose: AttachmentPurpose,
                      checked: tuple[str, str, bytes] | None) -> tuple[str | None, str | None]:
    """(uuid, sha256) of the stored attachment, queued as a blob for the county; (None, None) without one."""
    if checked is None:
        return None, None
    name, mime, data = checked
    digest = hashlib.sha256(data).hexdigest()
    row = InvestigationAttachment(case_uuid=case.uuid, purpose=purpose.value, file_name=name, mime=mime,
                                  size=len(data), sha256=digest, data=data,
                                  added_by=session.user.username, added_at=session.clock.now())
    s.add(row)
    s.flush()
    outbox.queue_blob(s, digest, len(data), mime)
    return row.uuid, digest


def _load_case(s: Session, case_uuid: str, allowed: Iterable[CaseStatus], what: str) -> Case:
    case = s.get(Case, case_uuid) if case_uuid else None
    if case is None:
        raise NotFound("找不到该案件。")
    status = CaseStatus(case.status)
    if status not in tuple(allowed):
        raise InvalidInput(f"案件当前状态为“{status.label}”，不能登记{what}。", "status")
    return case


def _record(s: Session, session: AppSession, case: Case, action: str, detail: dict, event: ev.Event) -> None:
    """Audit event and queued event of one investigation record (codes and counts, no personal data)."""
    detail = {"case_number": case.case_number, **detail}
    audit.append_event(s, actor=session.user.username, action=action, entity_type="case", entity_id=case.uuid,
                       detail=detail)
    outbox.enqueue(s, event)


def _names(values: Iterable[str], least: int) -> list[str]:
    """The staff on a home visit: at least ``least`` (policy ``home_visit_min_investigators``), distinct."""
    names = [" ".join((n or "").split()) for n in values]
    names = [n for n in names if n]
    if len(names) < least:
        raise InvalidInput(f"入户调查须由{least}名以上工作人员进行，请填写每位调查人员的姓名。",
                           "investigators")
    if len(names) > MAX_INVESTIGATORS:
        raise InvalidInput(f"调查人员最多{MAX_INVESTIGATORS}人。", "investigators")
    if any(len(n) > MAX_NAME for n in names):
        raise InvalidInput(f"工作人员姓名最多{MAX_NAME}字。", "investigators")
    if len(set(names)) != len(names):
        raise InvalidInput(f"调查人员姓名有重复：须为{least}名以上不同的工作人员。", "investigators")
    return names


# ------------------------------------------------------------------ recording

def record_home_visit(session: AppSession, case_uuid: str, form: HomeVisitInput, *,
                      today: date | None = None) -> str:
    """A home visit (入户调查) by the policy's number of staff or more, with findings and the signed form;
    its uuid. The only service that records a home visit."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    _day(form.visited_on, today, "入户调查日期", "visited_on")
    findings = _text(form.findings, "调查情况", "findings")
    amount = form.proposed_monthly_cents
    if amount is not None and (type(amount) is not int or not 0 <= amount <= MAX_AMOUNT_CENTS):
        raise InvalidInput("拟救助金额应为0至100000元之间的金额。", "proposed_monthly_cents")
    checked = _check_attachment(form.signed_form, "入户调查表", "signed_form")
    with session.db.write() as s:
        case = _load_case(s, case_uuid, _VISIT_STATUSES, "入户调查")
        names = _names(form.investigators, facts.required_investigators(case, today))
        _after_acceptance(case, form.visited_on, "入户调查日期", "visited_on")
        attachment, digest = _store_attachment(s, session, case, AttachmentPurpose.HOME_VISIT_FORM, checked)
        row = HomeVisit(case_uuid=case.uuid, visited_on=form.visited_on, investigators=names,
                        proposed_monthly_cents=amount, note="", findings=findings,
                        form_attachment_uuid=attachment, recorded_by=session.user.username, recorded_at=session.clock.now())
        s.add(row)
        s.flush()
        _record(s, session, case, "home_visit_recorded", {
            "visit_uuid": row.uuid, "visited_on": form.visited_on.isoformat(), "investigators": len(names),
            "proposed_monthly_cents": amount, "signed_form": attachment}, ev.CaseHomeVisitRecorded(
            case_uuid=case.uuid, case_number=case.case_number, visit_uuid=row.uuid, visited_on=form.visited_on,
            investigators=len(names), proposed_monthly_cents=amount, signed_form_sha256=digest))
        return row.uuid


def request_economic_check(session: AppSession, case_uuid: str, form: CheckRequestInput, *,
                           today: date | None = None) -> str:
    """The household economic-check request (核对申请): when, to whom; its uuid."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    _day(form.requested_on, today, "核对申请日期", "requested_on")
    to = _text(form.requested_to, "核对机构（向谁申请）", "requested_to", 100)
    note = _text(form.note, "备注", "note", 500, required=False)
    with session.db.write() as s:
        case = _load_case(s, case_uuid, _CHECK_STATUSES, "经济状况核对申请")
        _after_acceptance(case, form.requested_on, "核对申请日期", "requested_on")
        pending = s.scalar(select(func.count()).select_from(EconomicCheck).where(
            EconomicCheck.case_uuid == case.uuid, EconomicCheck.conclusion.is_(None)))
        if pending:
            raise InvalidInput("已有一份核对申请尚未登记结果：请先登记该申请的核对报告。", "requested_on")
        row = EconomicCheck(case_uuid=case.uuid, requested_on=form.requested_on, requested_to=to,
                            request_note=note, requested_by=session.user.username, requested_at=session.clock.now(),
                            summary="")
        s.add(row)
        s.flush()
        _record(s, session, case, "economic_check_requested",
                {"check_uuid": row.uuid, "requested_on": form.requested_on.isoformat(), "requested_to": to},
                ev.CaseEconomicCheckRequested(case_uuid=case.uuid, case_number=case.case_number, check_uuid=row.uuid,
                                              requested_on=form.requested_on, requested_to=to))
        return row.uuid


def record_check_result(session: AppSession, check_uuid: str, form: CheckResultInput, *,
                        today: date | None = None) -> None:
    """The result of a check request (核对报告): day, conclusion, summary, the report as an attachment."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    _day(form.result_on, today, "核对报告日期", "result_on")
    try:
        conclusion = EconomicCheckConclusion(form.conclusion)
    except ValueError:
        raise InvalidInput("请选择核对结论：符合、不符合或需进一步核实。", "conclusion") from None
    summary = _text(form.summary, "核对情况摘要", "summary")
    checked = _check_attachment(form.report, "核对报告", "report")
    with session.db.write() as s:
        row = s.scalar(select(EconomicCheck).where(EconomicCheck.uuid == check_uuid)) if check_uuid else None
        if row is None:
            raise NotFound("找不到该核对申请。")
        case = _load_case(s, row.case_uuid, _CHECK_STATUSES, "核对报告")
        if row.conclusion is not None:
            raise InvalidInput("该核对申请已登记过结果，如需重新核对请另行申请。", "check")
        if form.result_on < row.requested_on:
            raise InvalidInput(f"核对报告日期不能早于申请日期（{row.requested_on:%Y-%m-%d}）。", "result_on")
        attachment, digest = _store_attachment(s, session, case, AttachmentPurpose.ECONOMIC_CHECK_REPORT, checked)
        row.result_on, row.conclusion, row.summary = form.result_on, conclusion.value, summary
        row.report_attachment_uuid, row.result_by, row.result_at = attachment, session.user.username, session.clock.now()
        _record(s, session, case, "economic_check_result_recorded", {
            "check_uuid": row.uuid, "result_on": form.result_on.isoformat(), "conclusion": conclusion.value,
            "report": attachment}, ev.CaseEconomicCheckResultRecorded(
            case_uuid=case.uuid, case_number=case.case_number, check_uuid=row.uuid, result_on=form.result_on,
            conclusion=conclusion.value, report_sha256=digest))


def record_neighbour_visit(session: AppSession, case_uuid: str, form: NeighbourVisitInput, *,
                           today: date | None = None) -> str:
    """A neighbour visit (邻里访问): day, who was asked, what they said; its uuid."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    _day(form.visited_on, today, "走访日期", "visited_on")
    who = _text(form.interviewees, "走访对象", "interviewees", 200)
    summary = _text(form.summary, "走访情况", "summary")
    with session.db.write() as s:
        case = _load_case(s, case_uuid, _VISIT_STATUSES, "邻里访问")
        _after_acceptance(case, form.visited_on, "走访日期", "visited_on")
        row = NeighbourVisit(case_uuid=case.uuid, visited_on=form.visited_on, interviewees=who, summary=summary,
                             recorded_by=session.user.username, recorded_at=session.clock.now())
        s.add(row)
        s.flush()
        _record(s, session, case, "neighbour_visit_recorded",
                {"visit_uuid": row.uuid, "visited_on": form.visited_on.isoformat()},
                ev.CaseNeighbourVisitRecorded(case_uuid=case.uuid, case_number=case.case_number, visit_uuid=row.uuid,
                                              visited_on=form.visited_on))
        return row.uuid


def record_deliberation(session: AppSession, case_uuid: str, form: DeliberationInput, *,
                        today: date | None = None) -> str:
    """A democratic deliberation (民主评议): day, participants, result, minutes; its uuid."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    _day(form.held_on, today, "评议日期", "held_on")
    n = form.participants
    if type(n) is not int or not 3 <= n <= MAX_PARTICIPANTS:
        raise InvalidInput(f"参加评议人数应在3至{MAX_PARTICIPANTS}人之间。", "participants")
    try:
        result = DeliberationResult(form.result)
    except ValueError:
        raise InvalidInput("请选择评议结果。", "result") from None
    summary = _text(form.summary, "评议情况", "summary", required=False)
    checked = _check_attachment(form.minutes, "评议记录", "minutes")
    with session.db.write() as s:
        case = s.get(Case, case_uuid) if case_uuid else None
        if case is not None and case.status == CaseStatus.INVESTIGATING.value:
            raise InvalidInput("请先办理“开始民主评议”，再登记评议结果。", "status")
        case = _load_case(s, case_uuid, (CaseStatus.DELIBERATION,), "民主评议")
        _after_acceptance(case, form.held_on, "评议日期", "held_on")
        attachment, digest = _store_attachment(s, session, case, AttachmentPurpose.DELIBERATION_MINUTES, checked)
        row = Deliberation(case_uuid=case.uuid, held_on=form.held_on, participants=n, result=result.value,
                           summary=summary, minutes_attachment_uuid=attachment,
                           recorded_by=session.user.username, recorded_at=session.clock.now())
        s.add(row)
        s.flush()
        _record(s, session, case, "deliberation_recorded", {
            "deliberation_uuid": row.uuid, "held_on": form.held_on.isoformat(), "participants": n,
            "result": result.value, "minutes": attachment}, ev.CaseDeliberationRecorded(
            case_uuid=case.uuid, case_number=case.case_number, deliberation_uuid=row.uuid, held_on=form.held_on,
            participants=n, result=result.value, minutes_sha256=digest))
        return row.uuid


# ------------------------------------------------------------------ reading

def _attachments(s: Session, case_uuid: str) -> dict[str, AttachmentInfo]:
    rows = s.execute(select(InvestigationAttachment.uuid, InvestigationAttachment.purpose,
                            InvestigationAttachment.file_name, InvestigationAttachment.mime,
                            InvestigationAttachment.size, InvestigationAttachment.sha256)
                     .where(InvestigationAttachment.case_uuid == case_uuid)).all()
    return {r.uuid: AttachmentInfo(r.uuid, AttachmentPurpose(r.purpose).label, r.file_name, r.mime, r.size, r.sha256)
            for r in rows}


def investigation(session: AppSession, case_uuid: str) -> InvestigationView:
    """Everything recorded in the investigation of a case, and what is still missing."""
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        case = s.get(Case, case_uuid) if case_uuid else None
        if case is None:
            raise NotFound("找不到该案件。")
        files = _attachments(s, case.uuid)
        counting = facts.counting_visit_uuids(s, case.uuid)
        visits = tuple(
            HomeVisitInfo(v.uuid, v.visited_on, tuple(v.investigators or ()), v.findings or v.note,
                          v.proposed_monthly_cents, files.get(v.form_attachment_uuid or ""), v.uuid in counting)
            for v in s.scalars(select(HomeVisit).where(HomeVisit.case_uuid == case.uuid)
                               .order_by(HomeVisit.visited_on, HomeVisit.id)))
        checks = tuple(
            EconomicCheckInfo(c.uuid, c.requested_on, c.requested_to, c.request_note, c.result_on, c.conclusion,
                              EconomicCheckConclusion(c.conclusion).label if c.conclusion else "待反馈",
                              c.summary, files.get(c.report_attachment_uuid or ""))
            for c in s.scalars(select(EconomicCheck).where(EconomicCheck.case_uuid == case.uuid)
                               .order_by(EconomicCheck.requested_on, EconomicCheck.id)))
        neighbours = tuple(
            NeighbourVisitInfo(n.uuid, n.visited_on, n.interviewees, n.summary)
            for n in s.scalars(select(NeighbourVisit).where(NeighbourVisit.case_uuid == case.uuid)
                               .order_by(NeighbourVisit.visited_on, NeighbourVisit.id)))
        deliberations = tuple(
            DeliberationInfo(d.uuid, d.held_on, d.participants, DeliberationResult(d.result).label, d.summary,
                             files.get(d.minutes_attachment_uuid or ""))
            for d in s.scalars(select(Deliberation).where(Deliberation.case_uuid == case.uuid)
                               .order_by(Deliberation.held_on, Deliberation.id)))
        check_required, deliberation_required = facts.requirements(s, case, clock_of(s).today())
        status = CaseStatus(case.status)
        return InvestigationView(
            case_uuid=case.uuid, status=status.value,
            can_record=session.can(Permission.TRANSITION_CASE) and status in _CHECK_STATUSES,
            economic_check_required=check_required, deliberation_required=deliberation_required,
            home_visits=visits, checks=checks, neighbour_visits=neighbours, deliberations=deliberations,
            missing=facts.missing_records(s, case, clock_of(s).today()) if status in _CHECK_STATUSES else (),
            home_visit_min_investigators=facts.required_investigators(case, clock_of(s).today()))


def attachment_data(session: AppSession, attachment_uuid: str) -> tuple[AttachmentInfo, bytes]:
    """One attachment's description and bytes (to view or save); the access is audited."""
    session.require(Permission.VIEW_CASES)
    with session.db.write() as s:
        row = s.scalar(select(InvestigationAttachment).where(InvestigationAttachment.uuid == attachment_uuid)) \
            if attachment_uuid else None
        if row is None:
            raise NotFound("找不到该附件。")
        audit.append_event(s, actor=session.user.username, action="investigation_attachment_opened",
                           entity_type="case", entity_id=row.case_uuid,
                           detail={"attachment": row.uuid, "purpose": row.purpose})
        info = AttachmentInfo(row.uuid, AttachmentPurpose(row.purpose).label, row.file_name, row.mime, row.size,
                              row.sha256)
        return info, bytes(row.data)
