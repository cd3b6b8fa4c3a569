"""Outbox: changes that must reach the county, queued in the writer's transaction.

Every item carries the client UUID of the record it is about and its own
idempotency key, so the sync step (Step 6) can resend safely. States:
pending → sent → acked, or attention (the server refused it, with a reason).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import OutboxItem, new_uuid
from .timekeeping import clock_of

STATES = ("pending", "sent", "acked", "attention")


def enqueue(session: Session, *, entity_type: str, entity_uuid: str, operation: str,
            payload: dict[str, Any], idempotency_key: str | None = None) -> OutboxItem:
    item = OutboxItem(idempotency_key=idempotency_key or new_uuid(), entity_type=entity_type,
                      entity_uuid=entity_uuid, operation=operation, payload=payload, state="pending",
                      attempts=0, last_error="", created_at=clock_of(session).now())
    session.add(item)
    return item


def count_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxItem.state, func.count()).group_by(OutboxItem.state)).all()
    counts = dict.fromkeys(STATES, 0)
    counts.update({state: n for state, n in rows})
    return counts


def waiting_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxItem)
                              .where(OutboxItem.state.in_(("pending", "sent", "attention")))) or 0)
