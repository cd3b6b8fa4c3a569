"""Tables of the public notice (公示) step.

- ``notice_batches``: one notice for one village and one category, with its
  period (computed from the policy in force) and state draft → posted →
  ended | withdrawn. ``content`` keeps the masking rule (publishable fields,
  ID fragment) the batch was made under, so every output of one batch shows
  the same columns.
- ``notice_batch_cases``: the cases listed, in order, and what became of
  each (listed → moved_on | objected | withdrawn | left).
- ``notice_postings``: where, when and by whom the poster was put up (the
  first posting starts the period; more places may be added).
- ``notice_photos``: photos of the posted notice as evidence, stored as BLOBs
  inside the encrypted database (so they are encrypted with the case data
  and travel with its backups).
- ``notice_objections``: who objected (or anonymous), what, when, how; how
  it was handled and the result.
- ``notice_prints``: every poster, withdrawal notice and website export
  (SHA-256 of the bytes, copy number, who, when).
- ``notice_home_visits``: the home visits of a case (day, the staff who went,
  findings, the proposed monthly amount, the signed form as an encrypted
  attachment) — the one table of home visits, written by the investigation
  service (Step 5) and read by the notice guard and the poster's amount.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime, new_uuid


class NoticeBatch(Base):
    __tablename__ = "notice_batches"
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    batch_number: Mapped[str] = mapped_column(String(32), unique=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("villages.division_code"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    policy_ref: Mapped[str] = mapped_column(String(64))
    period_length: Mapped[int] = mapped_column(Integer)
    period_unit: Mapped[str] = mapped_column(String(16))
    start_on: Mapped[date] = mapped_column(Date)                         # the posting day (not counted)
    end_on: Mapped[date | None] = mapped_column(Date, nullable=True)     # None: beyond the calendar
    end_provisional: Mapped[bool] = mapped_column(Boolean, default=False)  # 暂定: no official schedule yet
    content: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    posted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NoticeBatchCase(Base):
    __tablename__ = "notice_batch_cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_uuid: Mapped[str] = mapped_column(ForeignKey("notice_batches.uuid"))  # indexed by the unique key
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16), default="listed")
    outcome_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    __table_args__ = (UniqueConstraint("batch_uuid", "case_uuid"),)


class NoticePosting(Base):
    __tablename__ = "notice_postings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    batch_uuid: Mapped[str] = mapped_column(ForeignKey("notice_batches.uuid"), index=True)
    posted_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(100))
    posted_by: Mapped[str] = mapped_column(String(100))      # the people who put it up
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NoticePhoto(Base):
    __tablename__ = "notice_photos"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    batch_uuid: Mapped[str] = mapped_column(ForeignKey("notice_batches.uuid"), index=True)
    posting_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    mime: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NoticeObjection(Base):
    __tablename__ = "notice_objections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    batch_uuid: Mapped[str] = mapped_column(ForeignKey("notice_batches.uuid"), index=True)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    objector_name: Mapped[str] = mapped_column(String(64), default="")
    objector_contact: Mapped[str] = mapped_column(String(64), default="")
    content: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    handling: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(String(16), default="")
    handled_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class NoticePrint(Base):
    __tablename__ = "notice_prints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    batch_uuid: Mapped[str] = mapped_column(ForeignKey("notice_batches.uuid"))  # indexed by the unique key
    kind: Mapped[str] = mapped_column(String(32))
    copy_no: Mapped[int] = mapped_column(Integer)
    fmt: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    __table_args__ = (UniqueConstraint("batch_uuid", "kind", "copy_no"),)


class NoticeHomeVisit(Base):
    __tablename__ = "notice_home_visits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    investigators: Mapped[list] = mapped_column(JSON)
    proposed_monthly_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Added by the investigation step (0006): what the visit found, and the signed visit form
    # (an investigation_attachments row).
    findings: Mapped[str] = mapped_column(Text, default="", server_default="")
    form_attachment_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
