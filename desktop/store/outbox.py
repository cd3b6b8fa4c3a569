"""Outbox: the township's event log, queued in the writer's transaction.

:func:`enqueue` is the only writer. It takes a typed event of
:mod:`sync.events` and writes one row with its envelope: this device's
township and device code, ``seq`` — the next value of the ``outbox``
counter in ``sequences``, incremented in the same transaction, so a number is
never given twice even after rows are deleted (the hub detects gaps) — the
instant from the session's clock, the idempotency key, the origin, and the
audit chain's recorded head at that moment (``audit_seq``/``audit_hash``: an
anchor of the chain outside this database once the county has it;
:func:`audit_anchor` gives the newest one to local verification too).

Events the county decided (``origin="county"``, applied here through the
workflow) are written for the record as ``acked``: the county already has
them, :func:`pending_for_push` never returns them, so they never echo back.
Files an event names by sha256 are queued once each in ``outbox_blobs``
(:func:`queue_blob`).

States: pending → sent → acked, or attention (the server refused it, with a reason).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.events import Event, payload_of

from . import audit
from .models import Device, OutboxBlob, OutboxItem, Sequence, new_uuid
from .timekeeping import clock_of

STATES = ("pending", "sent", "acked", "attention")
SEQ_SCOPE = "outbox"
Origin = Literal["township", "county"]


def enqueue(session: Session, event: Event, *, entity_uuid: str | None = None, origin: Origin = "township",
            idempotency_key: str | None = None) -> OutboxItem:
    """Queue ``event`` (about the record ``entity_uuid``, default the event's own subject)."""
    subject = event.subject()
    if entity_uuid is not None and entity_uuid != subject:
        raise ValueError(f"{event.TYPE}: entity_uuid {entity_uuid} is not the event's subject {subject}")
    if origin not in ("township", "county"):
        raise ValueError(f"unknown origin {origin!r}")
    device = session.get(Device, 1)
    if device is None:
        raise LookupError("数据库中没有设备身份，不能记录待同步事项。")
    audit_seq, audit_hash = audit.recorded_head(session)
    item = OutboxItem(seq=next_seq(session), idempotency_key=idempotency_key or new_uuid(),
                      event_type=event.TYPE, schema_version=event.SCHEMA_VERSION,
                      township_code=device.township_code, device_code=device.device_code, origin=origin,
                      entity_type=event.entity, entity_uuid=subject, payload=payload_of(event),
                      state="pending" if origin == "township" else "acked", attempts=0, last_error="",
                      occurred_at=clock_of(session).now(), audit_seq=audit_seq, audit_hash=audit_hash)
    session.add(item)
    return item


def audit_anchor(session: Session) -> audit.Anchor | None:
    """The newest audit head an envelope recorded (None before any: rows older than revision 0010 have none)."""
    row = session.execute(select(OutboxItem.seq, OutboxItem.audit_seq, OutboxItem.audit_hash)
                          .where(OutboxItem.audit_seq > 0)
                          .order_by(OutboxItem.audit_seq.desc(), OutboxItem.seq.desc()).limit(1)).first()
    if row is None:
        return None
    return audit.Anchor(row.audit_seq, row.audit_hash, f"第 {row.seq} 号待同步事项入队")


def next_seq(session: Session) -> int:
    """The next number of this device's event log (the counter row is created at 0 on first use)."""
    counter = session.get(Sequence, SEQ_SCOPE)
    if counter is None:
        counter = Sequence(scope=SEQ_SCOPE, value=0)
        session.add(counter)
    counter.value += 1
    return counter.value


def queue_blob(session: Session, sha256: str, size: int, media_type: str) -> None:
    """The county needs the file with this sha256 (once, however many events name it)."""
    if session.get(OutboxBlob, sha256) is None:
        session.add(OutboxBlob(sha256=sha256, size=size, media_type=media_type, state="pending",
                               created_at=clock_of(session).now()))


def pending_for_push(session: Session, limit: int = 100) -> list[OutboxItem]:
    """The next township events to push, in log order (county-originated ones never)."""
    return list(session.scalars(select(OutboxItem).where(OutboxItem.state == "pending",
                                                         OutboxItem.origin == "township")
                                .order_by(OutboxItem.seq).limit(limit)))


def count_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxItem.state, func.count()).where(OutboxItem.origin == "township")
                           .group_by(OutboxItem.state)).all()
    counts = dict.fromkeys(STATES, 0)
    counts.update({state: n for state, n in rows})
    return counts


def waiting_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxItem)
                              .where(OutboxItem.origin == "township",
                                     OutboxItem.state.in_(("pending", "sent", "attention")))) or 0)
