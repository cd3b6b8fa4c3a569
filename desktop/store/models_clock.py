"""Statutory clocks (法定时限) of a case, one row per running time limit.

Every stage that has a time limit opens a clock when it starts — the start of
the investigation, the investigation, the decision, the refusal notice, the
paperwork after emergency aid, each referral to a department — and closes it
when the stage is done (``met``) or no longer applies (``cancelled``). The due
day is computed once, from the policy and the working-day calendar in force
on the day the case was accepted, and stored. ``provisional`` (暂定) marks a
due day counted through a year whose official holiday schedule is not
published yet (``calendar_note`` says why); it is recomputed when that
schedule arrives. ``due_on`` is None only for a calendar with no answer at all.

``subject_uuid`` names the record a clock belongs to when there can be
several of one kind (the referral of each department).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime, new_uuid


class CaseClock(Base):
    __tablename__ = "case_clocks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.uuid"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    label: Mapped[str] = mapped_column(String(100))
    started_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    calendar_note: Mapped[str] = mapped_column(Text, default="")
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    policy_ref: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(16), default="open")
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    close_note: Mapped[str] = mapped_column(Text, default="")


Index("ix_case_clocks_state_due", CaseClock.state, CaseClock.due_on)
