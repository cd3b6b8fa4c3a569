"""What the 同步 page shows and lets the clerk do: the link, the 需处理 list, 重试.

An item the county refused (``attention``) is never sent again on its own: the
hub would refuse it again unchanged. :func:`retry` is the clerk's explicit act
(after county IT fixed the hub's side, or the clerk corrected the record):
the item goes back to the queue and the act is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from desktop.domain.roles import Permission
from desktop.services.admin.appinfo import QUEUE_KINDS
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.models import OutboxItem

from . import settings


@dataclass(frozen=True)
class LinkInfo:
    enrolled: bool
    hub_url: str


@dataclass(frozen=True)
class AttentionItem:
    outbox_id: int
    seq: int
    kind: str                  # Chinese: what the record is
    event_type: str
    reason: str                # the hub's reason, Chinese
    attempts: int
    occurred_at: datetime


def link_info(session: AppSession) -> LinkInfo:
    session.require(Permission.SYNC)
    with session.db.read() as s:
        link = settings.link(s, session.db.data_dir)
    return LinkInfo(link.enrolled, link.hub_url)


def attention_items(session: AppSession, limit: int = 500) -> list[AttentionItem]:
    """The items the county refused, oldest first, with its reason."""
    session.require(Permission.SYNC)
    labels = dict(QUEUE_KINDS)
    with session.db.read() as s:
        rows = s.scalars(select(OutboxItem).where(OutboxItem.origin == "township", OutboxItem.state == "attention")
                         .order_by(OutboxItem.seq).limit(limit)).all()
        return [AttentionItem(r.id, r.seq, labels.get(r.entity_type, "其他记录"), r.event_type,
                              r.last_error or "县级平台未说明原因", r.attempts,
                              r.occurred_at if r.occurred_at.tzinfo else r.occurred_at.replace(tzinfo=UTC))
                for r in rows]


def retry(session: AppSession, outbox_id: int) -> None:
    """Put a refused item back in the queue (sent with the next sync), audited."""
    session.require(Permission.SYNC)
    with session.db.write() as s:
        row = s.get(OutboxItem, outbox_id)
        if row is None or row.origin != "township":
            raise NotFound("找不到该待同步记录。")
        if row.state != "attention":
            raise InvalidInput("该记录不在“需处理”中，无需重试。", "state")
        row.state = "pending"
        audit.append_event(s, actor=session.user.username, action="sync_retry", entity_type="outbox",
                           entity_id=str(row.seq), detail={"event_type": row.event_type, "attempts": row.attempts})
