"""Every output of a notice — poster PDF, CSV, HTML, the on-screen preview — through one masking rule.

    doc = notices.print_poster(session, batch_uuid, "A3", "landscape")   # → NoticeDocument
    preview_and_print(doc.data)                                          # the UI, only now

Each output reads the listed cases' full records, passes every one through
:func:`desktop.domain.notice.mask_for_notice` and builds the table with
:func:`desktop.domain.notice.notice_table`; nothing else reaches the
renderers. A case the rule holds back (an applicant under 18, an unknown age)
stops the print with the reason: it must be taken out of the batch first,
never silently dropped from a paper that says "these are all".

Like the case documents (Step 2), each print/export is rendered inside one
write transaction together with a ``notice_prints`` row (SHA-256, copy
number, format) and a ``document_printed`` audit event; the bytes are handed
out only after the commit. A preview is not a print: ``print_poster(…,
preview=True)`` (and the withdrawal notice) renders without recording, and
:func:`record_print` records exactly those bytes when the clerk really
prints or saves them — refused if the batch changed after the preview.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.case_number import format_case_number
from desktop.domain.categories import Category
from desktop.domain.notice import BatchStatus, HeldBack, NoticeRow, fmt_date_cn, mask_for_notice, notice_table
from desktop.domain.roles import Permission
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.documents import data as docdata
from desktop.services.errors import InvalidInput
from desktop.services.notices import data as nd
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store import device as device_store
from desktop.store.models import new_uuid
from desktop.store.models_notice import NoticeBatch, NoticePosting, NoticePrint
from forms import fonts
from forms.documents._common import FullIdNumberError
from forms.documents.notice_export import notice_csv, notice_html
from forms.documents.notice_poster import (
    NoticeText,
    UnmaskedNumberError,
    WithdrawalText,
    render_notice_poster,
    render_notice_withdrawal,
)
from forms.errors import FormsError

TITLES: dict[Category, str] = {
    Category.DIBAO: "最低生活保障拟保障对象公示",
    Category.TEKUN: "特困人员拟认定对象公示",
    Category.TEMP_EMERGENCY: "临时救助拟救助对象公示",
    Category.TEMP_EXPENSE: "临时救助拟救助对象公示",
    Category.LOW_INCOME_EDGE: "低保边缘家庭拟认定对象公示",
    Category.RIGID_EXPENSE: "刚性支出困难家庭拟认定对象公示",
    Category.POVERTY_MONITORING: "防止返贫监测拟纳入对象公示",
    Category.DISABILITY_SUBSIDY: "残疾人两项补贴拟享受对象公示",
}
SIZES = ("A4", "A3")
ORIENTATIONS = ("portrait", "landscape")


def notice_title(category: Category | str) -> str:
    cat = Category(category)
    return TITLES.get(cat, f"{cat.label}拟救助对象公示")


@dataclass(frozen=True)
class NoticeDocument:
    """A printed or exported notice: ``data`` is PDF, CSV or HTML bytes."""

    data: bytes
    kind: str            # "poster" | "withdrawal" | "csv" | "html"
    fmt: str             # "A4-portrait", "A3-landscape", "csv", "html"
    copy_no: int
    record_uuid: str
    filename: str        # suggested file name
    rows: int
    batch_version: datetime | None = None   # a preview: the batch's updated_at when it was rendered

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class NoticePreview:
    """The masked table exactly as printed, for the screen; and the cases that cannot be published."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    held_back: tuple[tuple[str, str], ...]     # (case number, why) — for the clerk only


# ------------------------------------------------------------------ masked rows

def masked(s: Session, batch: NoticeBatch) -> tuple[list[NoticeRow], list[tuple[str, str]]]:
    """The published rows of the batch (the masking rule applied to every listed case), and the
    cases held back with the reason."""
    content = nd.content_of(batch)
    period = nd.batch_period(batch)
    listed = nd.members(s, batch)   # a replacement poster lists what the first one listed
    rows: list[NoticeRow] = []
    held: list[tuple[str, str]] = []
    for case, source in nd.sources(s, batch, listed):
        result = mask_for_notice(source, content, period)
        if isinstance(result, HeldBack):
            held.append((format_case_number(case.case_number), result.reason))
        else:
            rows.append(result)
    return rows, held


def _texts(s: Session, batch: NoticeBatch, planner: DeadlinePlanner, *, period_column: bool) -> NoticeText:
    rows, held = masked(s, batch)
    if held:
        number, why = held[0]
        more = f"（另有{len(held) - 1}件）" if len(held) > 1 else ""
        raise nd.NoticeRefused(f"案件 {number} 不能公示：{why}。请先将其移出本批次{more}。")
    table = notice_table(rows, nd.content_of(batch), batch.category, period_column=period_column)
    policy = nd.batch_policy(planner, batch)
    dev = device_store.device_info(s)
    issuer = docdata.issuer(dev)
    village = nd.village_name(s, batch.division_code)
    title = notice_title(batch.category)
    contact = docdata.window_contact(s)
    where = contact.address or docdata.window_label(dev)
    return NoticeText(
        issuer=issuer, title=title, subtitle=f"{village}　公示编号 {batch.batch_number}",
        intro=(f"根据社会救助有关规定，经本人申请、入户调查，现将{village}{title.removesuffix('公示')}名单予以公示。"
               f"公示期内，任何单位和个人如有异议，可以通过来访、来电、来信等方式向{issuer}反映。"
               "反映情况应当实事求是，我们将依法为反映人保密。"),
        period_text=nd.batch_period(batch).text, complaint_phone=policy.complaint_phone_text(),
        contact=f"异议受理：{where}" + (f"；电话 {contact.phone}" if contact.phone else ""),
        issued_on=batch.start_on, reference=batch.batch_number, headers=table.headers, rows=table.rows,
        weights=table.weights)


def preview(session: AppSession, batch_uuid: str) -> NoticePreview:
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        batch = nd.load_batch(s, batch_uuid)
        rows, held = masked(s, batch)
        table = notice_table(rows, nd.content_of(batch), batch.category, period_column=False)
        return NoticePreview(table.headers, table.rows, tuple(held))


# ------------------------------------------------------------------ recording

def _render(fn: Callable[[], bytes]) -> bytes:
    try:
        return fn()
    except fonts.MissingGlyphError as exc:
        chars = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in exc.characters)
        raise nd.NoticeRefused(f"无法输出：打印字体中没有字符 {chars}。请核对姓名、村名等的写法。") from exc
    except (FullIdNumberError, UnmaskedNumberError) as exc:
        raise nd.NoticeRefused("公示内容中含有完整身份证号码或疑似电话、银行卡号码，为保护个人信息不能输出。"
                               "请检查撤回理由、村名等文字后再试。") from exc
    except FormsError as exc:       # the forms boundary: any other refusal of forms, in its own words
        raise nd.NoticeRefused.from_forms(exc) from exc


def _record(session: AppSession, s: Session, batch: NoticeBatch, kind: str, fmt: str, rows: int,
            render: Callable[[], bytes], ext: str, preview: bool = False) -> NoticeDocument:
    data = _render(render)
    if preview:
        return NoticeDocument(data, kind, fmt, 0, "", _file_name(s, batch, kind, ext), rows, batch.updated_at)
    return _store(session, s, batch, kind, fmt, rows, data, ext)


def _file_name(s: Session, batch: NoticeBatch, kind: str, ext: str) -> str:
    name = {"poster": "公示", "withdrawal": "撤回公示的说明", "csv": "公示", "html": "公示"}[kind]
    return f"{batch.batch_number}-{nd.village_name(s, batch.division_code)}{name}.{ext}"


def _store(session: AppSession, s: Session, batch: NoticeBatch, kind: str, fmt: str, rows: int, data: bytes,
           ext: str) -> NoticeDocument:
    last = s.scalar(select(func.max(NoticePrint.copy_no)).where(NoticePrint.batch_uuid == batch.uuid,
                                                                NoticePrint.kind == kind))
    copy_no = (last or 0) + 1
    digest = hashlib.sha256(data).hexdigest()
    record = NoticePrint(uuid=new_uuid(), batch_uuid=batch.uuid, kind=kind, copy_no=copy_no, fmt=fmt, rows=rows,
                         sha256=digest, actor=session.user.username, at=session.clock.now())
    s.add(record)
    audit.append_event(s, actor=session.user.username, action="document_printed", entity_type="notice_batch",
                       entity_id=batch.uuid,
                       detail={"kind": f"notice_{kind}", "copy_no": copy_no, "record": record.uuid, "fmt": fmt,
                               "sha256": digest, "batch_number": batch.batch_number, "rows": rows})
    return NoticeDocument(data, kind, fmt, copy_no, record.uuid, _file_name(s, batch, kind, ext), rows)


def record_print(session: AppSession, batch_uuid: str, doc: NoticeDocument) -> NoticeDocument:
    """Record a previewed poster or withdrawal notice now that it is printed or saved (the same bytes);
    refused, nothing recorded, if the batch changed after the preview."""
    session.require(Permission.VIEW_CASES)
    session.require(Permission.PRINT_RECEIPT)
    if doc.kind not in ("poster", "withdrawal") or doc.batch_version is None:
        raise InvalidInput("只有预览的海报或撤回说明需要在打印时登记。", "doc")
    with session.db.write() as s:
        batch = nd.load_batch(s, batch_uuid)
        if doc.kind == "poster":
            _printable(batch, "打印公示海报")
        if batch.updated_at != doc.batch_version:
            raise nd.NoticeRefused("本批公示在预览之后有变动：请关闭预览、重新打开后再打印。")
        return _store(session, s, batch, doc.kind, doc.fmt, doc.rows, doc.data, "pdf")


def _check_format(size: str, orientation: str) -> None:
    if size not in SIZES:
        raise InvalidInput("纸张应为 A4 或 A3。", "size")
    if orientation not in ORIENTATIONS:
        raise InvalidInput("方向应为纵向（portrait）或横向（landscape）。", "orientation")


def _printable(batch: NoticeBatch, what: str) -> None:
    if batch.status not in nd.ACTIVE:
        raise nd.NoticeRefused(f"该公示当前为“{BatchStatus(batch.status).label}”，不再{what}。")


def print_poster(session: AppSession, batch_uuid: str, size: str = "A4", orientation: str = "portrait", *,
                 planner: DeadlinePlanner | None = None, preview: bool = False) -> NoticeDocument:
    """The poster for the board (draft: to be posted; posted: a replacement copy). ``preview``: not
    recorded (:func:`record_print` records it when printed)."""
    session.require(Permission.VIEW_CASES)
    session.require(Permission.PRINT_RECEIPT)
    _check_format(size, orientation)
    planner = planner or DeadlinePlanner.of(session)
    with session.db.write() as s:
        batch = nd.load_batch(s, batch_uuid)
        _printable(batch, "打印公示海报")
        texts = _texts(s, batch, planner, period_column=False)
        return _record(session, s, batch, "poster", f"{size}-{orientation}", len(texts.rows),
                       lambda: render_notice_poster(texts, size, orientation), "pdf", preview)


def export_csv(session: AppSession, batch_uuid: str, *, planner: DeadlinePlanner | None = None) -> NoticeDocument:
    """The notice table for the county website, as CSV (UTF-8 with BOM, opens in Excel)."""
    session.require(Permission.VIEW_CASES)
    session.require(Permission.PRINT_RECEIPT)
    return _export(session, batch_uuid, "csv", notice_csv, planner)


def export_html(session: AppSession, batch_uuid: str, *, planner: DeadlinePlanner | None = None) -> NoticeDocument:
    """The notice as one self-contained HTML page for the county website."""
    session.require(Permission.VIEW_CASES)
    session.require(Permission.PRINT_RECEIPT)
    return _export(session, batch_uuid, "html", notice_html, planner)


def _export(session: AppSession, batch_uuid: str, kind: str, render: Callable[[NoticeText], bytes],
            planner: DeadlinePlanner | None) -> NoticeDocument:
    session.require(Permission.VIEW_CASES)
    session.require(Permission.PRINT_RECEIPT)
    planner = planner or DeadlinePlanner.of(session)
    with session.db.write() as s:
        batch = nd.load_batch(s, batch_uuid)
        _printable(batch, "导出公示")
        texts = _texts(s, batch, planner, period_column=True)
        return _record(session, s, batch, kind, kind, len(texts.rows), lambda: render(texts), kind)


def print_withdrawal_notice(session: AppSession, batch_uuid: str, size: str = "A4", orientation: str = "portrait",
                            *, planner: DeadlinePlanner | None = None, preview: bool = False) -> NoticeDocument:
    """撤回公示的说明, for a notice withdrawn after it was posted (``preview``: as for the poster)."""
    session.require(Permission.VIEW_CASES)
    session.require(Permission.PRINT_RECEIPT)
    _check_format(size, orientation)
    planner = planner or DeadlinePlanner.of(session)
    with session.db.write() as s:
        batch = nd.load_batch(s, batch_uuid)
        if batch.status != BatchStatus.WITHDRAWN.value or batch.posted_at is None:
            raise nd.NoticeRefused("只有张贴后撤回的公示才打印撤回公示的说明。")
        first = s.scalar(select(NoticePosting).where(NoticePosting.batch_uuid == batch.uuid)
                         .order_by(NoticePosting.posted_on, NoticePosting.id).limit(1))
        posted = nd.batch_period(batch).posted_on
        place = first.place if first is not None else nd.village_name(s, batch.division_code)
        dev = device_store.device_info(s)
        policy = nd.batch_policy(planner, batch)
        withdrawn_on = docdata.local(batch.withdrawn_at).date() if batch.withdrawn_at else session.clock.today()
        text = WithdrawalText(
            issuer=docdata.issuer(dev), notice_title=notice_title(batch.category), reference=batch.batch_number,
            posted_text=f"{fmt_date_cn(posted)}在{place}张贴", period_text=nd.batch_period(batch).text,
            reason=batch.withdraw_reason, follow_up="公示所列申请将在核实后依规重新公示，撤回前已反映的意见继续有效。",
            complaint_phone=policy.complaint_phone_text(), issued_on=withdrawn_on)
        return _record(session, s, batch, "withdrawal", f"{size}-{orientation}", 0,
                       lambda: render_notice_withdrawal(text, size, orientation), "pdf", preview)
