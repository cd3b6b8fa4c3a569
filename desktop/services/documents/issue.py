"""Printing the documents of a case, and the record of every print, reprint and void.

    doc = documents.print_receipt(session, case_uuid, "a4")   # → PrintedDocument
    preview_and_print(doc.pdf)                                # the UI, only now

Rules every print follows:

- Only a committed case prints: each print reads the case in its own write
  transaction, so an intake that rolled back (or is still open elsewhere)
  is simply not found.
- The PDF is rendered inside that transaction, its SHA-256 stored in a
  ``PrintRecord`` together with a ``document_printed`` audit event (codes
  and hashes only, no personal data), and the bytes are returned only after
  the commit. A print that cannot be recorded is never handed out.
- A preview is not a print: ``print_*(…, preview=True)`` renders the next
  copy from a read transaction and records nothing; ``record_preview`` records
  it when the clerk prints or saves it, refusing (nothing recorded) if its
  copy number was taken meanwhile, so two papers never share a number.
- The first print of a document is the original; every later one is a
  reprint marked 副本 with the next copy number. Both receipt formats are
  one document (one original between them); referral slips count per
  department. Voiding (reason required) marks the record and never frees
  its number.
- Permissions at this layer: the intake documents (receipt, one-time
  notice, refusal, authorization) need ``print_receipt`` — village
  assistants print them too; referral slips are case work
  (``transition_case``); voiding and the history need ``view_cases``.

The QR code on receipts is built and checked by the pure
:mod:`desktop.services.documents.qr` (re-exported here).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.case_state import CaseStatus
from desktop.domain.roles import Permission
from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.documents import data
from desktop.services.documents.data import DocumentRefused, WindowContact, sign_receipt_payload
from desktop.services.documents.qr import (
    InvalidReceipt,
    VerifiedReceipt,
    receipt_payload,
    signed_receipt_payload,
    verify_receipt_payload,
)
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.models import Case, PrintRecord, User, new_uuid
from forms import fonts
from forms.documents._common import FullIdNumberError
from forms.documents.authorization import render_authorization
from forms.documents.missing_documents import render_missing_documents
from forms.documents.receipt import render_receipt_a4, render_receipt_roll80
from forms.documents.referral_slip import render_referral_slip
from forms.documents.refusal import render_refusal
from forms.errors import FormsError

__all__ = [
    "COPY_LABEL", "DocumentKind", "DocumentRefused", "InvalidReceipt", "PrintHistoryRow", "PrintedDocument",
    "VerifiedReceipt", "WindowContact", "glyph_warnings", "print_authorization", "print_history",
    "print_decision_refusal", "record_preview", "print_missing_documents_notice", "print_receipt", "print_referral_slips",
    "print_refusal",
    "receipt_payload", "set_window_contact", "sign_receipt_payload", "signed_receipt_payload",
    "verify_receipt_payload", "void_print", "window_contact",
]

COPY_LABEL = "副本"
MAX_VOID_REASON = 200
ReceiptFormat = Literal["a4", "roll80"]


class DocumentKind(StrEnum):
    RECEIPT_A4 = "receipt_a4"
    RECEIPT_ROLL80 = "receipt_roll80"
    MISSING_DOCUMENTS = "missing_documents"
    REFUSAL = "refusal"
    AUTHORIZATION = "authorization"
    REFERRAL_SLIP = "referral_slip"
    DECISION_REFUSAL = "decision_refusal"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[DocumentKind, str] = {
    DocumentKind.RECEIPT_A4: "受理通知书（A4）",
    DocumentKind.RECEIPT_ROLL80: "受理通知书（80毫米小票）",
    DocumentKind.MISSING_DOCUMENTS: "一次性告知书",
    DocumentKind.REFUSAL: "不予受理告知书",
    DocumentKind.AUTHORIZATION: "家庭经济状况核对授权书",
    DocumentKind.REFERRAL_SLIP: "转办单",
    DocumentKind.DECISION_REFUSAL: "不予批准通知书",
}
RECEIPT_SERIES = "receipt"


@dataclass(frozen=True)
class PrintedDocument:
    pdf: bytes
    kind: DocumentKind
    copy_no: int          # 1 = the original
    is_copy: bool         # True: marked 副本
    record_uuid: str              # "" for a preview not recorded yet (see :func:`record_preview`)
    department: str = ""          # referral slips: department code
    department_name: str = ""
    series: str = ""
    fmt: str = ""

    @property
    def recorded(self) -> bool:
        return bool(self.record_uuid)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


@dataclass(frozen=True)
class PrintHistoryRow:
    """One line of a case's print history (case detail screen)."""

    record_uuid: str
    kind: DocumentKind
    kind_label: str
    copy_no: int
    is_copy: bool
    fmt: str
    department_name: str
    at: datetime            # UTC
    actor: str
    actor_name: str
    sha256: str
    voided: bool
    void_reason: str
    voided_by: str
    voided_at: datetime | None


# ----------------------------------------------------------------------- recording

def _render(render: Callable[[str | None], bytes], copy_label: str | None) -> bytes:
    try:
        return render(copy_label)
    except fonts.MissingGlyphError as exc:
        chars = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in exc.characters)
        raise DocumentRefused(f"无法打印：打印字体中没有字符 {chars}。请核对姓名、地址等的写法。") from exc
    except FullIdNumberError as exc:
        raise DocumentRefused("文书内容中含有完整的身份证号码（例如写在理由或地址里），为保护个人信息不能打印。"
                              "请修改后再打印。") from exc
    except FormsError as exc:       # the forms boundary: any other refusal of forms, in its own words
        raise DocumentRefused.from_forms(exc) from exc


def _load_case(session: AppSession, s: Session, case_uuid: str) -> Case:
    """The case to print for — a village assistant's only when it is of one of its villages."""
    case = data.load_case(s, case_uuid)
    session.require_village(case.division_code)
    return case


def _next_copy(s: Session, case_uuid: str, series: str) -> int:
    last = s.scalar(select(func.max(PrintRecord.copy_no)).where(PrintRecord.case_uuid == case_uuid,
                                                                PrintRecord.series == series))
    return (last or 0) + 1


def _record(session: AppSession, s: Session, case: Case, kind: DocumentKind, fmt: str, series: str,
            render: Callable[[str | None], bytes], detail: dict[str, str] | None = None, *,
            preview: bool = False) -> PrintedDocument:
    """Render the next copy of ``series`` and record it, inside the caller's write transaction —
    or, for a ``preview``, only render it (the record is made by :func:`record_preview` when the
    clerk really prints or saves it)."""
    copy_no = _next_copy(s, case.uuid, series)
    is_copy = copy_no > 1
    pdf = _render(render, COPY_LABEL if is_copy else None)
    detail = dict(detail or {})
    doc = PrintedDocument(pdf, kind, copy_no, is_copy, "", detail.get("department", ""),
                          detail.get("department_name", ""), series, fmt)
    if preview:
        return doc
    return _store(session, s, case, doc)


def _store(session: AppSession, s: Session, case: Case, doc: PrintedDocument) -> PrintedDocument:
    detail = {k: v for k, v in (("department", doc.department), ("department_name", doc.department_name)) if v}
    record = PrintRecord(uuid=new_uuid(), case_uuid=case.uuid, kind=doc.kind.value, series=doc.series,
                         copy_no=doc.copy_no, is_copy=doc.is_copy, fmt=doc.fmt, sha256=doc.sha256,
                         actor=session.user.username, at=session.clock.now(), voided=False, void_reason="",
                         detail=detail)
    s.add(record)
    audit.append_event(s, actor=session.user.username, action="document_printed", entity_type="case",
                       entity_id=case.uuid,
                       detail={"kind": doc.kind.value, "copy_no": doc.copy_no, "record": record.uuid, "fmt": doc.fmt,
                               "sha256": doc.sha256, "case_number": case.case_number,
                               **{k: v for k, v in detail.items() if k == "department"}})
    if doc.kind is DocumentKind.DECISION_REFUSAL:
        deadlines.close_clocks(s, case.uuid, (deadlines.ClockKind.REFUSAL_NOTICE,), actor=session.user.username,
                               note="不予批准通知书已打印")
    return replace(doc, record_uuid=record.uuid)


def record_preview(session: AppSession, case_uuid: str,
                   docs: PrintedDocument | list[PrintedDocument]) -> list[PrintedDocument]:
    """Record previewed documents now that the clerk prints or saves them: the same bytes, the copy
    numbers they show. If someone printed the same document since the preview was made, the
    numbers would clash: refused with a message to preview again (nothing recorded)."""
    session.require(Permission.PRINT_RECEIPT)
    items = [docs] if isinstance(docs, PrintedDocument) else list(docs)
    if not items:
        raise InvalidInput("没有要登记的文书。")
    if any(d.kind in (DocumentKind.REFERRAL_SLIP, DocumentKind.DECISION_REFUSAL) for d in items):
        session.require(Permission.TRANSITION_CASE)
    out = []
    with session.db.write() as s:
        case = _load_case(session, s, case_uuid)
        for d in items:
            if d.recorded:
                out.append(d)
                continue
            if not d.series:
                raise InvalidInput("该文书不是本系统生成的预览，不能登记。")
            now_next = _next_copy(s, case.uuid, d.series)
            if now_next != d.copy_no:
                raise DocumentRefused(f"预览生成后，该{d.kind.label}已被打印过（已到第{now_next - 1}份）。"
                                      "为免出现编号相同的两份文书，请关闭预览后重新打开再打印。")
            out.append(_store(session, s, case, d))
    return out


@contextmanager
def _txn(session: AppSession, preview: bool) -> Iterator[Session]:
    """A preview only reads; a print writes its record in the transaction that read the case."""
    with (session.db.read() if preview else session.db.write()) as s:
        yield s


def _status(case: Case) -> CaseStatus:
    return CaseStatus(case.status)


def _accepted(s: Session, case: Case, what: str) -> datetime:
    status = _status(case)
    if status is CaseStatus.PENDING_DOCUMENTS:
        raise DocumentRefused(f"该申请材料不齐，尚未受理（待补正），不能出具{what}：请打印一次性告知书。")
    if status is CaseStatus.NOT_ACCEPTED:
        raise DocumentRefused(f"该申请不予受理，不能出具{what}：请打印不予受理告知书。")
    when = data.accepted_at(s, case)
    if when is None:
        raise DocumentRefused(f"该申请未经受理（当前状态：{status.label}），不能出具{what}。")
    return when


# ----------------------------------------------------------------------- the documents

def print_receipt(session: AppSession, case_uuid: str, fmt: ReceiptFormat = "a4", *,
                  planner: DeadlinePlanner | None = None, preview: bool = False) -> PrintedDocument:
    """受理通知书 for an accepted case (or one that went on from acceptance), A4 or 80 mm roll."""
    session.require(Permission.PRINT_RECEIPT)
    renderers = {"a4": (DocumentKind.RECEIPT_A4, render_receipt_a4),
                 "roll80": (DocumentKind.RECEIPT_ROLL80, render_receipt_roll80)}
    if fmt not in renderers:
        raise InvalidInput("受理通知书的打印格式应为 a4（A4纸）或 roll80（80毫米小票）。", "fmt")
    kind, render = renderers[fmt]
    planner = planner or DeadlinePlanner.of(session)
    with _txn(session, preview) as s:
        case = _load_case(session, s, case_uuid)
        when = _accepted(s, case, "受理通知书")
        doc = _record(session, s, case, kind, fmt, RECEIPT_SERIES,
                      lambda label: render(data.receipt_data(s, case, planner, when, label)), preview=preview)
    return doc


def print_missing_documents_notice(session: AppSession, case_uuid: str, *,
                                   planner: DeadlinePlanner | None = None, preview: bool = False) -> PrintedDocument:
    """一次性告知书 for a case waiting for documents (待补正)."""
    session.require(Permission.PRINT_RECEIPT)
    planner = planner or DeadlinePlanner.of(session)
    with _txn(session, preview) as s:
        case = _load_case(session, s, case_uuid)
        if _status(case) is not CaseStatus.PENDING_DOCUMENTS:
            raise DocumentRefused(f"只有待补正的申请才打印一次性告知书，该申请当前状态为“{_status(case).label}”。")
        kind = DocumentKind.MISSING_DOCUMENTS
        doc = _record(session, s, case, kind, "a4", kind.value,
                      lambda label: render_missing_documents(data.missing_documents_data(s, case, planner, label)),
                      preview=preview)
    return doc


def print_refusal(session: AppSession, case_uuid: str, *, planner: DeadlinePlanner | None = None,
                  preview: bool = False) -> PrintedDocument:
    """不予受理告知书 for a case refused at the window, with the recorded reason."""
    session.require(Permission.PRINT_RECEIPT)
    planner = planner or DeadlinePlanner.of(session)
    with _txn(session, preview) as s:
        case = _load_case(session, s, case_uuid)
        if _status(case) is not CaseStatus.NOT_ACCEPTED:
            raise DocumentRefused(f"只有不予受理的申请才打印不予受理告知书，该申请当前状态为“{_status(case).label}”。")
        kind = DocumentKind.REFUSAL
        doc = _record(session, s, case, kind, "a4", kind.value,
                      lambda label: render_refusal(data.refusal_data(s, case, planner, label)), preview=preview)
    return doc


def print_decision_refusal(session: AppSession, case_uuid: str, *,
                           planner: DeadlinePlanner | None = None, preview: bool = False) -> PrintedDocument:
    """不予批准通知书 for a case refused after investigation (or by a department), with the reason.

    Handing it out is what the refusal-notice clock waits for: the first print closes it (met)."""
    session.require(Permission.PRINT_RECEIPT)
    session.require(Permission.TRANSITION_CASE)
    planner = planner or DeadlinePlanner.of(session)
    with _txn(session, preview) as s:
        case = _load_case(session, s, case_uuid)
        if _status(case) is not CaseStatus.REFUSED:
            raise DocumentRefused(f"只有不予批准的申请才打印不予批准通知书，该申请当前状态为“{_status(case).label}”。")
        kind = DocumentKind.DECISION_REFUSAL
        doc = _record(session, s, case, kind, "a4", kind.value,
                      lambda label: render_refusal(data.refusal_data(s, case, planner, label, stage="decision")),
                      preview=preview)
    return doc


def print_authorization(session: AppSession, case_uuid: str, *, preview: bool = False) -> PrintedDocument:
    """家庭经济状况核对授权书: every adult member on the case's date and every obliged supporter."""
    session.require(Permission.PRINT_RECEIPT)
    with _txn(session, preview) as s:
        case = _load_case(session, s, case_uuid)
        if _status(case).is_terminal:
            raise DocumentRefused(f"该申请当前状态为“{_status(case).label}”，不再打印核对授权书。")
        kind = DocumentKind.AUTHORIZATION
        doc = _record(session, s, case, kind, "a4", kind.value,
                      lambda label: render_authorization(data.authorization_data(s, case, label)),
                      preview=preview)
    return doc


def print_referral_slips(session: AppSession, case_uuid: str, *, planner: DeadlinePlanner | None = None,
                         preview: bool = False, department: str | None = None) -> list[PrintedDocument]:
    """转办单, one per department deciding the case's categories (only ``department``'s when given), none
    for the categories the township carries itself (refused when that is all of them); all recorded in one
    transaction (or none, for a ``preview``)."""
    session.require(Permission.PRINT_RECEIPT)
    session.require(Permission.TRANSITION_CASE)
    planner = planner or DeadlinePlanner.of(session)
    out = []
    with _txn(session, preview) as s:
        case = _load_case(session, s, case_uuid)
        when = _accepted(s, case, "转办单")
        if _status(case).is_terminal:
            raise DocumentRefused(f"该申请当前状态为“{_status(case).label}”，不再转办。")
        departments, township = data.referral_plan(s, case, planner, when)
        if not departments:
            labels = "、".join(c.label for c in township) or "救助类别"
            raise DocumentRefused(f"该申请的{labels}由乡镇初审、县级审核确认，不转办，没有转办单可打印。")
        kind = DocumentKind.REFERRAL_SLIP
        refs = [r for r in data.referrals(s, case, planner, when) if department is None or r.department == department]
        if not refs:
            raise DocumentRefused("该申请的转办部门中没有所选部门。")
        for ref in refs:
            out.append(_record(
                session, s, case, kind, "a4", f"{kind.value}:{ref.department}",
                lambda label, ref=ref: render_referral_slip(replace(ref.data, copy_label=label)),
                {"department": ref.department, "department_name": ref.department_name}, preview=preview))
    return out


# ----------------------------------------------------------------------- void and history

def void_print(session: AppSession, record_uuid: str, reason: str) -> PrintHistoryRow:
    """Mark a print as void (misprint, spoiled paper…): the reason is required; the number stays used."""
    session.require(Permission.PRINT_RECEIPT)
    session.require(Permission.VIEW_CASES)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("作废打印件必须填写作废原因。", "reason")
    if len(reason) > MAX_VOID_REASON:
        raise InvalidInput(f"作废原因最多{MAX_VOID_REASON}字。", "reason")
    with session.db.write() as s:
        record = s.scalar(select(PrintRecord).where(PrintRecord.uuid == record_uuid))
        if record is None:
            raise NotFound("找不到该打印记录。")
        if record.voided:
            raise InvalidInput("该打印件已经作废。")
        record.voided, record.void_reason = True, reason
        record.voided_by, record.voided_at = session.user.username, session.clock.now()
        audit.append_event(s, actor=session.user.username, action="document_voided", entity_type="case",
                           entity_id=record.case_uuid,
                           detail={"kind": record.kind, "copy_no": record.copy_no, "record": record.uuid,
                                   "reason_sha256": hashlib.sha256(reason.encode("utf-8")).hexdigest()})
        s.flush()
        return _row(s, record)


def print_history(session: AppSession, case_uuid: str) -> list[PrintHistoryRow]:
    """Every print of the case, oldest first, voided ones included."""
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        _load_case(session, s, case_uuid)
        records = s.scalars(select(PrintRecord).where(PrintRecord.case_uuid == case_uuid)
                            .order_by(PrintRecord.at, PrintRecord.id)).all()
        return [_row(s, r) for r in records]


def _row(s: Session, r: PrintRecord) -> PrintHistoryRow:
    rows = s.execute(select(User.username, User.display_name).where(User.username == r.actor)).all()
    names = {username: name for username, name in rows}
    kind = DocumentKind(r.kind)
    return PrintHistoryRow(
        record_uuid=r.uuid, kind=kind, kind_label=kind.label, copy_no=r.copy_no, is_copy=r.is_copy, fmt=r.fmt,
        department_name=str((r.detail or {}).get("department_name", "")), at=data.utc(r.at), actor=r.actor,
        actor_name=names.get(r.actor, r.actor), sha256=r.sha256, voided=r.voided, void_reason=r.void_reason,
        voided_by=r.voided_by or "", voided_at=data.utc(r.voided_at) if r.voided_at is not None else None,
    )


# ----------------------------------------------------------------------- intake helpers

def glyph_warnings(names: list[str]) -> list[str]:
    """Chinese warnings for characters no bundled font can print — shown at intake, before any print."""
    out = []
    for name in dict.fromkeys(n.strip() for n in names):
        missing = sorted(fonts.missing_glyphs(name))
        if missing:
            chars = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in missing)
            out.append(f"“{name}”中的 {chars} 在打印字体中没有，文书将无法打印。"
                       "请核对户口簿上的写法；确为生僻字的，请联系县级信息管理员更新字库。")
    return out


def window_contact(session: AppSession) -> WindowContact:
    """The window's address, hours and phone printed on notices and slips ("" where not set): what the
    administrator's settings form shows (the documents read it inside their own transaction)."""
    session.require(Permission.MANAGE_SETTINGS)
    with session.db.read() as s:
        return data.window_contact(s)


def set_window_contact(session: AppSession, contact: WindowContact) -> None:
    session.require(Permission.MANAGE_SETTINGS)
    with session.db.write() as s:
        data.store_window_contact(s, contact)
        audit.append_event(s, actor=session.user.username, action="window_contact_changed",
                           entity_type="device", entity_id="window")
