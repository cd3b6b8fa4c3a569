"""Referrals (转办/转介) of a case to the county departments that decide its categories.

One row per (case, department), opened 待转出 when the case is accepted and
moved by the referral service: 已转出 (sent, its clock starts) → 已接收 →
已办结 (with the department's result) or 退回 (with the reason; it may be
sent again). A case that ends before a referral was sent cancels it (已撤销).
The department's name, the categories it covers and its limit in working
days are copied from the policy in force on the acceptance day, so a later
policy change never rewrites a running referral.

The paper reply (回复函) is kept as a BLOB inside the encrypted database
(deferred: lists never load it). ``referral_events`` is the history of each
referral, one row per step, for the screen and the county.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime, new_uuid
from .models_clock import CaseClock


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (UniqueConstraint("case_uuid", "department"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    department: Mapped[str] = mapped_column(String(64))
    department_name: Mapped[str] = mapped_column(String(100))
    categories: Mapped[list] = mapped_column(JSON)
    deadline_working_days: Mapped[int] = mapped_column(Integer)
    policy_ref: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(16), default="pending")
    sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    sent_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    concluded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    result: Mapped[str | None] = mapped_column(String(16), nullable=True)
    amount_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    result_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(100), default="")       # who at the department
    concluded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)   # who keyed it in
    returned_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    returned_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reply_filename: Mapped[str] = mapped_column(String(200), default="")
    reply_mime: Mapped[str] = mapped_column(String(32), default="")
    reply_size: Mapped[int] = mapped_column(Integer, default=0)
    reply_sha256: Mapped[str] = mapped_column(String(64), default="")
    reply_data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


Index("ix_referrals_state_department", Referral.state, Referral.department)
# Lookups of running clocks by referral and by case: without these two, SQLite (no ANALYZE statistics)
# picks ix_case_clocks_state_due and scans every open clock for each referral or case — minutes
# instead of milliseconds on the 50,000-household demo.
Index("ix_case_clocks_subject_state", CaseClock.subject_uuid, CaseClock.state)
Index("ix_case_clocks_case_state_due", CaseClock.case_uuid, CaseClock.state, CaseClock.due_on)


class ReferralEvent(Base):
    __tablename__ = "referral_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_uuid: Mapped[str] = mapped_column(ForeignKey("referrals.uuid"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_state: Mapped[str] = mapped_column(String(16))
    on_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
