"""Dynamic management (动态管理): the re-check schedule of every covered household.

One row per re-check of one coverage (``coverage`` = who receives what). The
open row (``done_on`` is None) is the next re-check due; recording its
outcome (continue / adjust / stop) fills the row and, unless the assistance
stopped, adds the next open row due ``next_due_on`` (computed from the
policy's re-check months for the coverage's class on the day of recording).
So the history of a family's re-checks is the rows of its coverage, in order.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime, new_uuid


class Recheck(Base):
    __tablename__ = "rechecks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    coverage_id: Mapped[int] = mapped_column(ForeignKey("coverage.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    recheck_class: Mapped[str] = mapped_column(String(16))
    policy_ref: Mapped[str] = mapped_column(String(64), default="")
    scheduled_by: Mapped[str] = mapped_column(String(64))
    scheduled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)   # continue / adjust / stop
    amount_before_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    new_amount_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    next_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)


Index("ix_rechecks_done_due", Recheck.done_on, Recheck.due_on)
