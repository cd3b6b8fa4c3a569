"""What the township pulled from the county hub: one row per feed item it has taken.

``pulled_items`` is written in the same transaction as the item's effect and
the new cursor (``meta`` ``sync.pull_cursor``): an item whose key is here
changes nothing when it comes again. ``outcome`` is ``applied`` or ``conflict``
(a county item that no longer fits the case here: nothing was changed, the
Chinese ``reason`` is shown in 需处理).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime


class PulledItem(Base):
    __tablename__ = "pulled_items"
    idempotency_key: Mapped[str] = mapped_column(String(36), primary_key=True)
    feed_seq: Mapped[int] = mapped_column(Integer, index=True)
    source: Mapped[str] = mapped_column(String(16))            # county | township
    device_code: Mapped[str] = mapped_column(String(3), default="")
    event_type: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_uuid: Mapped[str] = mapped_column(String(36))
    outcome: Mapped[str] = mapped_column(String(16))           # applied | conflict
    reason: Mapped[str] = mapped_column(Text, default="")
    pulled_at: Mapped[datetime] = mapped_column(UtcDateTime())
