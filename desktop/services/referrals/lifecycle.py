"""Referrals (转办/转介) of a case to the county departments that decide it.

Accepting a case opens one referral per responsible department for its
categories (:func:`create_for_case`, from the policy in force on the
acceptance day), each 待转出. Categories the policy lists under
``township_procedure`` (低保, 特困, 临时救助…: 初审 by the township, 审核确认 by
the county) are not referred: a case of only those has no referral, and a case
that also has them stays with the township procedure (:func:`township_categories`).
Then, each step in one write transaction with
its history row, audit event and outbox item (entity ``referral``):

- :func:`mark_sent` 已转出 — starts the referral's clock (the department's
  limit in working days, from the day sent); the first referral sent moves a
  case still 已受理 to 已转办 (transition ``refer``) unless the case also has
  township-procedure categories: it then goes on with its investigation and
  is decided by 审核确认, the referral running beside it. A returned referral
  may be sent again.
- :func:`mark_received` 已接收 — the department confirmed receipt.
- :func:`record_result` 已办结 — the department's result (批准 with an
  optional amount / 不予批准 with the reason), who decided, when, and the
  paper reply attached (PDF or photo, kept inside the encrypted database);
  the clock is met.
- :func:`return_referral` 退回 — the department sent it back; the reason is
  required; the clock stops.

When every referral has come back (:func:`open_referral_count` is 0) the case
is decided with the case transitions ``referral_approved`` /
``referral_refused``. A case that ends otherwise (withdrawn, decided by the
township procedure) cancels the referrals never sent (:func:`on_case_ended`).

Dates are checked against the case and ``today`` (the PC's local date unless
given): a bad date or a missing reason raises InvalidInput and changes
nothing. Reading (lists, one referral, the reply) is in
:mod:`desktop.services.referrals.queries`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.case_state import CaseStatus
from desktop.domain.roles import Permission
from desktop.services import validation
from desktop.services.deadlines import clocks as deadlines
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.referrals.records import (  # re-exported: the referral API is this module
    AT_DEPARTMENT,
    OPEN_STATES,
    RESULT_LABELS,
    STATE_LABELS,
    ReferralState,
    changed,
    concluded_referral_count,
    create_for_case,
    on_case_ended,
    open_referral_count,
    township_categories,
)
from desktop.services.session import AppSession
from desktop.services.workflow import transitions as workflow
from desktop.store import outbox
from desktop.store.models import Case
from desktop.store.models_referral import Referral

__all__ = [
    "MAX_REPLY_BYTES", "OPEN_STATES", "RESULT_LABELS", "STATE_LABELS", "ReferralState", "ResultInput",
    "attach_reply", "concluded_referral_count", "create_for_case", "mark_received", "mark_sent", "on_case_ended",
    "open_referral_count", "record_result", "record_result_in", "reply_type", "return_referral", "township_categories",
]

MAX_REPLY_BYTES = 10 * 1024 * 1024
MAX_REASON = 500
MAX_NAME = 100




# ------------------------------------------------------------------------------ the steps

@dataclass(frozen=True)
class ResultInput:
    result: Literal["approve", "refuse"]
    decided_on: date
    decided_by: str                       # who at the department (name or office)
    reason: str = ""                      # required for a refusal
    amount_cents: int | None = None       # approvals: the amount granted, if any
    document: bytes | None = None         # the paper reply, scanned (PDF, JPG, PNG)
    document_name: str = ""


def mark_sent(session: AppSession, referral_uuid: str, sent_on: date, *, today: date | None = None) -> str:
    """转出: the referral went to its department on ``sent_on``; returns the referral's uuid."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    with session.db.write() as s:
        ref, case = _load(s, referral_uuid)
        _expect(ref, (ReferralState.PENDING.value, ReferralState.RETURNED.value), "转出")
        if CaseStatus(case.status).is_terminal:
            raise InvalidInput(f"案件当前为“{CaseStatus(case.status).label}”，不能再转出。", "state")
        _day(sent_on, "转出日期", "sent_on", today, not_before=case.accepted_on, before_what="受理日期")
        before = ref.state
        ref.state, ref.sent_on, ref.sent_by = ReferralState.SENT.value, sent_on, session.user.username
        ref.received_on = ref.received_by = None
        ref.updated_at = session.clock.now()
        deadlines.open_clock(s, case, deadlines.ClockKind.REFERRAL, actor=session.user.username,
                             started_on=sent_on, working_days=ref.deadline_working_days, subject_uuid=ref.uuid,
                             label=f"转办：{ref.department_name}")
        changed(s, ref, case, "sent", before, session.user.username, sent_on, "")
        if case.status == CaseStatus.ACCEPTED.value and not township_categories(s, case):
            workflow.transition_in(s, session, case.uuid, "refer")
        return ref.uuid


def mark_received(session: AppSession, referral_uuid: str, received_on: date, *,
                  today: date | None = None) -> str:
    """已接收: the department confirmed it has the referral."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    with session.db.write() as s:
        ref, case = _load(s, referral_uuid)
        _expect(ref, (ReferralState.SENT.value,), "登记接收")
        _day(received_on, "接收日期", "received_on", today, not_before=ref.sent_on, before_what="转出日期")
        ref.state, ref.received_on, ref.received_by = (ReferralState.RECEIVED.value, received_on,
                                                       session.user.username)
        ref.updated_at = session.clock.now()
        changed(s, ref, case, "received", ReferralState.SENT.value, session.user.username, received_on, "")
        return ref.uuid


def record_result(session: AppSession, referral_uuid: str, form: ResultInput, *,
                  today: date | None = None) -> str:
    """已办结: key in the department's result from its reply; the referral's clock is met."""
    session.require(Permission.TRANSITION_CASE)
    with session.db.write() as s:
        return record_result_in(s, session, referral_uuid, form, today=today)


def record_result_in(s: Session, session: AppSession, referral_uuid: str, form: ResultInput, *,
                     today: date | None = None, origin: outbox.Origin = "township") -> str:
    """:func:`record_result` inside the caller's write transaction. ``origin="county"``: the result
    the county entered at its hub, pulled here (its event is queued acknowledged: never echoed)."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    if form.result not in RESULT_LABELS:
        raise InvalidInput("请选择办理结果（批准或不予批准）。", "result")
    decided_by = _text(form.decided_by, "办理部门的经办人或科室", "decided_by", MAX_NAME)
    reason = _text(form.reason, "不予批准的理由", "reason", MAX_REASON, required=form.result == "refuse")
    amount = form.amount_cents
    if amount is not None and (form.result != "approve" or amount < 0):
        raise InvalidInput("救助金额只能在“批准”时填写，且不能为负数。", "amount")
    doc = _document(form.document, form.document_name) if form.document else None
    ref, case = _load(s, referral_uuid)
    _expect(ref, AT_DEPARTMENT, "录入办理结果")
    later = ref.received_on or ref.sent_on
    _day(form.decided_on, "办结日期", "decided_on", today, not_before=later,
         before_what="接收日期" if ref.received_on else "转出日期")
    before = ref.state
    ref.state, ref.result, ref.concluded_on = ReferralState.CONCLUDED.value, form.result, form.decided_on
    ref.amount_cents, ref.result_reason, ref.decided_by = amount, reason, decided_by
    ref.concluded_by, ref.updated_at = session.user.username, session.clock.now()
    if doc is not None:
        _store_reply(s, ref, *doc)
    deadlines.close_clocks(s, case.uuid, (deadlines.ClockKind.REFERRAL,), actor=session.user.username,
                           subject_uuid=ref.uuid, note=f"办结：{RESULT_LABELS[form.result]}")
    changed(s, ref, case, "concluded", before, session.user.username, form.decided_on, reason,
            {"result": form.result, "amount_cents": amount, "decided_by": decided_by,
             "reply_sha256": ref.reply_sha256 or None}, origin=origin)
    return ref.uuid


def return_referral(session: AppSession, referral_uuid: str, returned_on: date, reason: str, *,
                    today: date | None = None) -> str:
    """退回: the department sent the referral back (reason required); it may be corrected and sent again."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    reason = _text(reason, "退回理由", "reason", MAX_REASON)
    with session.db.write() as s:
        ref, case = _load(s, referral_uuid)
        _expect(ref, AT_DEPARTMENT, "登记退回")
        _day(returned_on, "退回日期", "returned_on", today, not_before=ref.sent_on, before_what="转出日期")
        before = ref.state
        ref.state, ref.returned_on, ref.return_reason = ReferralState.RETURNED.value, returned_on, reason
        ref.returned_by, ref.updated_at = session.user.username, session.clock.now()
        deadlines.close_clocks(s, case.uuid, (deadlines.ClockKind.REFERRAL,), actor=session.user.username,
                               subject_uuid=ref.uuid, state=deadlines.ClockState.CANCELLED, note="退回")
        changed(s, ref, case, "returned", before, session.user.username, returned_on, reason)
        return ref.uuid


def attach_reply(session: AppSession, referral_uuid: str, data: bytes, filename: str = "") -> str:
    """Attach (or replace) the scanned reply of a referral; kept inside the encrypted database."""
    session.require(Permission.TRANSITION_CASE)
    doc = _document(data, filename)
    with session.db.write() as s:
        ref, case = _load(s, referral_uuid)
        if ref.state == ReferralState.CANCELLED.value:
            raise InvalidInput("该转办已撤销，不能再附加回复材料。", "document")
        _store_reply(s, ref, *doc)
        ref.updated_at = session.clock.now()
        changed(s, ref, case, "reply_attached", ref.state, session.user.username, None, "",
                 {"reply_sha256": ref.reply_sha256, "size": ref.reply_size, "media_type": ref.reply_mime})
        return ref.uuid


# ------------------------------------------------------------------------------ helpers

def _load(s: Session, referral_uuid: str) -> tuple[Referral, Case]:
    ref = s.scalar(select(Referral).where(Referral.uuid == referral_uuid))
    if ref is None:
        raise NotFound("找不到该转办记录。")
    case = s.get(Case, ref.case_uuid)
    if case is None:
        raise NotFound("找不到该转办所属的案件。")
    return ref, case


def _expect(ref: Referral, states: tuple[str, ...], what: str) -> None:
    if ref.state not in states:
        allowed = "、".join(ReferralState(x).label for x in states)
        raise InvalidInput(f"该转办当前为“{ReferralState(ref.state).label}”，不能{what}"
                           f"（只有“{allowed}”的转办可以{what}）。", "state")


def _day(value: Any, what: str, field: str, today: date, *, not_before: date | None, before_what: str) -> None:
    validation.day(value, today, what, field, not_before=not_before, before_what=before_what)


def _text(value: str | None, what: str, field: str, most: int, *, required: bool = True) -> str:
    return validation.text(value, what, field, most, required=required)


def reply_type(data: bytes) -> str | None:
    """The MIME type of a scanned reply from its first bytes (PDF, JPEG, PNG); None for anything else."""
    return validation.file_type(data, (validation.PDF, validation.JPEG, validation.PNG))


def _document(data: bytes | None, filename: str) -> tuple[bytes, str, str]:
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise InvalidInput("请选择回复材料文件。", "document")
    data = bytes(data)
    if len(data) > MAX_REPLY_BYTES:
        raise InvalidInput(f"回复材料太大（{len(data) / 1024 / 1024:.1f} MB），不能超过"
                           f"{MAX_REPLY_BYTES // 1024 // 1024} MB。", "document")
    mime = reply_type(data)
    if mime is None:
        raise InvalidInput("回复材料只接受 PDF、JPG 或 PNG 文件。", "document")
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    return data, mime, name


def _store_reply(s: Session, ref: Referral, data: bytes, mime: str, name: str) -> None:
    """Keep the reply with the referral and queue its bytes for the county (the event names its sha256)."""
    ref.reply_data, ref.reply_mime, ref.reply_size = data, mime, len(data)
    ref.reply_sha256, ref.reply_filename = hashlib.sha256(data).hexdigest(), name
    outbox.queue_blob(s, ref.reply_sha256, len(data), mime)
