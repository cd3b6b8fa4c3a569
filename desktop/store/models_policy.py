"""Policy and calendar updates kept inside the encrypted database (``policy_updates``).

The bundled files under ``resources/`` are what a release ships; an update — a policy table for a
region from a date, or a year's official holiday schedule — arrives later (``yimen policy import``
now, the county push in Step 9) and is kept here, as the JSON the existing loaders accept, with its
sha256 and who brought it in. The registry (:mod:`desktop.services.policy.registry`) merges both:
a stored update wins over the bundled file of the same policy ``ref`` or calendar ``year``.
Rows are never edited; importing a newer version of the same ref/year adds a row and the newest wins.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime


class PolicyUpdate(Base):
    __tablename__ = "policy_updates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))           # "policy" | "calendar"
    ref: Mapped[str] = mapped_column(String(64))            # policy table ref, or the calendar year ("2027")
    content: Mapped[dict] = mapped_column(JSON)             # what the loader parses (one table / one year's file)
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text, default="")   # file name, or the county push that brought it
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    imported_by: Mapped[str] = mapped_column(String(64))


Index("ix_policy_updates_kind_ref", PolicyUpdate.kind, PolicyUpdate.ref)
