"""Tables of the investigation (调查核实) and of emergency aid (先行救助), Step 5.

Home visits stay in ``notice_home_visits`` (models_notice.NoticeHomeVisit):
that table is the one source of truth the notice guard already reads; this
step added ``findings`` and ``form_attachment_uuid`` to it (migration 0006).

- ``investigation_attachments``: signed visit forms, check reports, minutes —
  PDF or image bytes as BLOBs inside the encrypted database (like
  ``notice_photos``), checked by their first bytes, SHA-256 kept.
- ``economic_checks``: the household economic-check request (核对申请: on
  which day, to whom) and, once back, its result (核对报告: day, conclusion,
  summary, the report as an attachment).
- ``neighbour_visits``: 邻里访问 — day, who was asked, what they said.
- ``deliberations``: 民主评议 — day, participants, result, minutes.
- ``emergency_grants``: each 先行救助 — case, person (and ``id_hash`` so the
  same person is found across households), amount, reason code, route
  (township/county), who approved, the repeat warning shown and who
  acknowledged it, when the paperwork was completed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime, new_uuid
from .models_notice import NoticeHomeVisit as HomeVisit

__all__ = ["Deliberation", "EconomicCheck", "EmergencyGrant", "HomeVisit", "InvestigationAttachment",
           "NeighbourVisit"]


class InvestigationAttachment(Base):
    __tablename__ = "investigation_attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EconomicCheck(Base):
    __tablename__ = "economic_checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    requested_on: Mapped[date] = mapped_column(Date)
    requested_to: Mapped[str] = mapped_column(String(100))
    request_note: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    result_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    conclusion: Mapped[str | None] = mapped_column(String(24), nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    report_attachment_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    result_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    result_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class NeighbourVisit(Base):
    __tablename__ = "neighbour_visits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    interviewees: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Deliberation(Base):
    __tablename__ = "deliberations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(24))
    summary: Mapped[str] = mapped_column(Text, default="")
    minutes_attachment_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EmergencyGrant(Base):
    __tablename__ = "emergency_grants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    person_uuid: Mapped[str] = mapped_column(ForeignKey("persons.uuid"), index=True)
    id_hash: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int] = mapped_column(Integer)
    reason_code: Mapped[str] = mapped_column(String(16))
    reason_note: Mapped[str] = mapped_column(Text, default="")
    route: Mapped[str] = mapped_column(String(16))
    granted_on: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)   # None: waiting for the county
    repeat_of_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    warning_acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    paperwork_completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


Index("ix_emergency_grants_person_reason", EmergencyGrant.id_hash, EmergencyGrant.reason_code)
