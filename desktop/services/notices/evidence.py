"""Facts recorded around a notice: the home visit before it, photos of it posted, objections to it.

Home visits are recorded by the one home-visit service,
:func:`desktop.services.investigation.records.record_home_visit`; which visit
counts for the notice (the latest after any objection) is the investigation's
fact.
- :func:`add_photo` — a JPEG, PNG or WebP photo of the posted notice, checked
  by its first bytes (not its name), at most ``MAX_PHOTO_BYTES``, stored as a
  BLOB inside the encrypted database.
- :func:`record_objection` — who (or anonymous), what, when, how received;
  the case goes back to investigation (transition ``object``) in the same
  transaction. :func:`handle_objection` records how it was handled and the
  result; a case with an open objection cannot join a new notice.

Bad input raises :class:`~desktop.services.errors.InvalidInput` (Chinese) and
writes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from desktop.domain.case_number import format_case_number
from desktop.domain.case_state import CaseStatus, TransitionRefused
from desktop.domain.notice import BatchStatus, ObjectionChannel, ObjectionResult
from desktop.domain.roles import Permission
from desktop.services import validation
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.notices import data as nd
from desktop.services.session import AppSession
from desktop.services.workflow import transitions as workflow
from desktop.services.workflow.transitions import TransitionInput
from desktop.store import outbox
from desktop.store.models import Case
from desktop.store.models_notice import (
    NoticeBatchCase,
    NoticeObjection,
    NoticePhoto,
    NoticePosting,
)
from sync import events as ev

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MIN_PHOTO_BYTES = 1024
MAX_PHOTOS_PER_BATCH = 30
MAX_TEXT = 2000
MAX_NAME = 32
MAX_AMOUNT_CENTS = 10_000_000   # 100,000 元 a month: anything above is a typing error


@dataclass(frozen=True)
class ObjectionInput:
    received_on: date
    channel: ObjectionChannel | str
    content: str
    anonymous: bool = False
    objector_name: str = ""
    objector_contact: str = ""


@dataclass(frozen=True)
class ObjectionInfo:
    uuid: str
    batch_uuid: str
    case_uuid: str
    case_number_display: str
    received_on: date
    channel_label: str
    anonymous: bool
    objector_name: str
    objector_contact: str
    content: str
    recorded_by: str
    status: str                 # "open" | "handled"
    status_label: str
    handling: str
    result_label: str


@dataclass(frozen=True)
class PhotoInfo:
    uuid: str
    mime: str
    size: int
    sha256: str
    caption: str
    added_by: str


def _text(value: str, what: str, field: str, limit: int = MAX_TEXT, required: bool = True) -> str:
    return validation.text(value, what, field, limit, required=required)


def _not_future(d: date, today: date, what: str, field: str) -> None:
    validation.day(d, today, what, field)


# ------------------------------------------------------------------ photos

def image_type(data: bytes) -> str | None:
    """The MIME type from the first bytes (JPEG, PNG, WebP), None for anything else."""
    return validation.file_type(data, validation.IMAGES)


def add_photo(session: AppSession, batch_uuid: str, data: bytes, caption: str = "",
              posting_uuid: str | None = None) -> PhotoInfo:
    """Attach a photo of the posted notice (evidence); stored encrypted inside the database."""
    session.require(Permission.TRANSITION_CASE)
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise InvalidInput("请选择要上传的照片。", "photo")
    data = bytes(data)
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"照片太大（{len(data) / 1024 / 1024:.1f} MB），每张不能超过"
                           f"{MAX_PHOTO_BYTES // 1024 // 1024} MB：请压缩或调低相机分辨率后再上传。", "photo")
    mime = image_type(data)
    if mime is None:
        raise InvalidInput("所选文件不是照片：只接受 JPG、PNG 或 WebP 格式的图片。", "photo")
    if len(data) < MIN_PHOTO_BYTES:
        raise InvalidInput("照片文件不完整（太小），请重新选择。", "photo")
    caption = _text(caption, "照片说明", "caption", 200, required=False)
    with session.db.write() as s:
        batch = nd.load_batch(s, batch_uuid)
        if batch.posted_at is None:
            raise InvalidInput("公示尚未张贴，不能上传张贴照片。", "photo")
        if posting_uuid is not None and s.scalar(select(NoticePosting.id).where(
                NoticePosting.uuid == posting_uuid, NoticePosting.batch_uuid == batch.uuid)) is None:
            raise InvalidInput("找不到该张贴记录。", "posting")
        count = s.scalar(select(func.count()).select_from(NoticePhoto).where(NoticePhoto.batch_uuid == batch.uuid))
        if count >= MAX_PHOTOS_PER_BATCH:
            raise InvalidInput(f"每批公示最多上传{MAX_PHOTOS_PER_BATCH}张照片。", "photo")
        digest = hashlib.sha256(data).hexdigest()
        if s.scalar(select(NoticePhoto.id).where(NoticePhoto.batch_uuid == batch.uuid,
                                                 NoticePhoto.sha256 == digest)) is not None:
            raise InvalidInput("这张照片已经上传过了。", "photo")
        row = NoticePhoto(batch_uuid=batch.uuid, posting_uuid=posting_uuid, mime=mime, size=len(data), sha256=digest,
                          caption=caption, data=data, added_by=session.user.username, added_at=session.clock.now())
        s.add(row)
        s.flush()
        nd.batch_event(s, session, batch, "notice_photo_added",
                       {"photo": row.uuid, "sha256": digest, "size": len(data), "mime": mime})
        # posted (checked above), so the county knows the batch; the photo's bytes follow as a blob
        outbox.enqueue(s, ev.AttachmentAdded(attachment_uuid=row.uuid, owner_type="notice_batch",
                                             owner_uuid=batch.uuid, purpose="notice_photo", sha256=digest,
                                             size=len(data), media_type=mime))
        outbox.queue_blob(s, digest, len(data), mime)
        return PhotoInfo(row.uuid, mime, len(data), digest, caption, session.user.username)


def photos(session: AppSession, batch_uuid: str) -> list[PhotoInfo]:
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        nd.load_batch(s, batch_uuid)
        rows = s.scalars(select(NoticePhoto).where(NoticePhoto.batch_uuid == batch_uuid)
                         .order_by(NoticePhoto.added_at, NoticePhoto.id)).all()
        return [PhotoInfo(r.uuid, r.mime, r.size, r.sha256, r.caption, r.added_by) for r in rows]


def photo_data(session: AppSession, photo_uuid: str) -> tuple[str, bytes]:
    """(MIME type, bytes) of one photo, for the screen."""
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        row = s.scalar(select(NoticePhoto).where(NoticePhoto.uuid == photo_uuid))
        if row is None:
            raise NotFound("找不到该照片。")
        return row.mime, row.data


# ------------------------------------------------------------------ objections

def record_objection(session: AppSession, batch_uuid: str, case_uuid: str, form: ObjectionInput, *,
                     today: date | None = None) -> ObjectionInfo:
    """Log an objection against one listed case; the case goes back to investigation."""
    session.require(Permission.TRANSITION_CASE)
    today = today or session.clock.today()
    _not_future(form.received_on, today, "收到异议的日期", "received_on")
    try:
        channel = ObjectionChannel(form.channel)
    except ValueError:
        raise InvalidInput("请选择异议的反映方式。", "channel") from None
    content = _text(form.content, "异议内容", "content")
    name = _text(form.objector_name, "反映人姓名", "objector_name", 64, required=not form.anonymous)
    contact = _text(form.objector_contact, "反映人联系方式", "objector_contact", 64, required=False)
    if form.anonymous and (name or contact):
        raise InvalidInput("匿名反映不登记反映人的姓名和联系方式，请清空这两项或取消“匿名”。", "anonymous")
    with session.db.write() as s:
        batch = nd.load_batch(s, batch_uuid)
        if batch.status != BatchStatus.POSTED.value:
            raise InvalidInput(f"该公示当前为“{BatchStatus(batch.status).label}”，只有公示中的批次才能登记异议。",
                               "batch")
        member = s.scalar(select(NoticeBatchCase).where(NoticeBatchCase.batch_uuid == batch.uuid,
                                                        NoticeBatchCase.case_uuid == case_uuid))
        case = s.get(Case, case_uuid) if member is not None else None
        if case is None or member is None:
            raise InvalidInput("该案件不在本批公示名单中。", "case")
        if form.received_on < batch.start_on or (batch.end_on is not None and form.received_on > batch.end_on):
            raise InvalidInput("收到异议的日期不在公示期内：公示期外的反映请按信访或投诉渠道登记。", "received_on")
        if case.status != CaseStatus.IN_NOTICE.value:
            raise InvalidInput(f"案件当前状态为“{CaseStatus(case.status).label}”，已不在公示中。", "case")
        now = session.clock.now()
        try:
            workflow.transition_in(s, session, case.uuid, "object", TransitionInput(objection=content),
                                   detail={"notice_batch": batch.batch_number}, now=now)
        except TransitionRefused as exc:
            raise InvalidInput(exc.message, "case") from None
        member.outcome, member.outcome_at = "objected", now
        row = NoticeObjection(batch_uuid=batch.uuid, case_uuid=case.uuid, received_on=form.received_on,
                              channel=channel.value, anonymous=form.anonymous, objector_name=name,
                              objector_contact=contact, content=content, recorded_by=session.user.username,
                              recorded_at=now, status="open", handling="", result="")
        s.add(row)
        s.flush()
        detail = {"objection": row.uuid, "case_number": case.case_number, "channel": channel.value,
                  "anonymous": form.anonymous, "received_on": form.received_on.isoformat()}
        nd.batch_event(s, session, batch, "notice_objection_recorded", detail, event={
            "objection_uuid": row.uuid, "case_uuid": case.uuid, "case_number": case.case_number,
            "channel": channel.value, "anonymous": form.anonymous, "received_on": form.received_on})
        return _info(row, case)


def handle_objection(session: AppSession, objection_uuid: str, handling: str,
                     result: ObjectionResult | str) -> ObjectionInfo:
    """Record how an objection was handled (re-investigation, deliberation…) and its result."""
    session.require(Permission.TRANSITION_CASE)
    handling = _text(handling, "处理情况", "handling")
    try:
        res = ObjectionResult(result)
    except ValueError:
        raise InvalidInput("请选择处理结果：异议成立、部分成立或不成立。", "result") from None
    with session.db.write() as s:
        row = s.scalar(select(NoticeObjection).where(NoticeObjection.uuid == objection_uuid))
        if row is None:
            raise NotFound("找不到该异议记录。")
        if row.status != "open":
            raise InvalidInput("该异议已登记处理结果，不能重复办结。", "objection")
        row.status, row.handling, row.result = "handled", handling, res.value
        row.handled_by, row.handled_at = session.user.username, session.clock.now()
        case = s.get(Case, row.case_uuid)
        batch = nd.load_batch(s, row.batch_uuid)
        nd.batch_event(s, session, batch, "notice_objection_handled",
                       {"objection": row.uuid, "case_number": case.case_number if case else "", "result": res.value},
                       event={"objection_uuid": row.uuid, "case_uuid": row.case_uuid,
                              "case_number": case.case_number if case else "", "result": res.value})
        return _info(row, case)


def objections(session: AppSession, batch_uuid: str) -> list[ObjectionInfo]:
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        nd.load_batch(s, batch_uuid)
        rows = s.scalars(select(NoticeObjection).where(NoticeObjection.batch_uuid == batch_uuid)
                         .order_by(NoticeObjection.received_on, NoticeObjection.id)).all()
        return [_info(r, s.get(Case, r.case_uuid)) for r in rows]


def _info(r: NoticeObjection, case: Case | None) -> ObjectionInfo:
    return ObjectionInfo(
        uuid=r.uuid, batch_uuid=r.batch_uuid, case_uuid=r.case_uuid,
        case_number_display=format_case_number(case.case_number) if case is not None else "",
        received_on=r.received_on, channel_label=ObjectionChannel(r.channel).label, anonymous=r.anonymous,
        objector_name=r.objector_name, objector_contact=r.objector_contact, content=r.content,
        recorded_by=r.recorded_by, status=r.status, status_label="待处理" if r.status == "open" else "已办结",
        handling=r.handling, result_label=ObjectionResult(r.result).label if r.result else "")
