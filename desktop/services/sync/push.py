"""Push the event log to the county: batches sized in bytes, results applied per item, gaps resent.

The network call happens outside any database transaction; each batch's
results are applied in one write transaction (rows acked, or 需处理 with the
hub's reason; rows the hub says it misses set pending again; the audit links
sent; the last sync instant; one audit event with counts only). A batch that
never got an answer changes nothing here: the same rows, with the same keys,
go again next time — the hub answers ``duplicate`` for what it already had.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.roles import Permission
from desktop.services.admin.appinfo import LAST_SYNC_META_KEY
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.models import AuditEvent, OutboxItem
from sync.errors import SyncError
from sync.protocol import MAX_BATCH_BYTES, MAX_BATCH_EVENTS, AuditLink, PushEvent, PushRequest, PushResponse

from . import settings
from .port import HubPort

BATCH_BYTES = MAX_BATCH_BYTES // 2       # before gzip; leaves room for the audit links and the envelope
LINKS_PER_BATCH = 2000
MAX_BATCHES = 50                         # per run; the rest goes next run


@dataclass(frozen=True)
class PushReport:
    batches: int = 0
    acked: int = 0
    attention: int = 0
    resent: int = 0                      # rows the hub said it missed, queued again
    audit_status: str = "none"
    audit_problem: str = ""
    error: str = ""                      # Chinese, when a batch got no answer
    retryable: bool = False

    @property
    def message(self) -> str:
        parts = [f"已上报 {self.acked} 项"]
        if self.attention:
            parts.append(f"{self.attention} 项需处理")
        if self.audit_status == "broken":
            parts.append("县级平台发现本机审计日志异常：" + self.audit_problem)
        if self.error:
            parts.append(self.error)
        return "；".join(parts)


def _event(row: OutboxItem) -> PushEvent:
    return PushEvent(seq=row.seq, idempotency_key=row.idempotency_key, event_type=row.event_type,
                     schema_version=row.schema_version, origin="township", entity_type=row.entity_type,
                     entity_uuid=row.entity_uuid, occurred_at=row.occurred_at, audit_seq=row.audit_seq,
                     audit_hash=row.audit_hash, payload=row.payload)


def next_batch(s: Session, max_bytes: int = BATCH_BYTES) -> PushRequest:
    """The oldest pending events that fit in ``max_bytes`` (at least one), and the audit links since
    the last ones the hub got."""
    events: list[PushEvent] = []
    size = 0
    rows = s.scalars(select(OutboxItem).where(OutboxItem.state == "pending", OutboxItem.origin == "township")
                     .order_by(OutboxItem.seq).limit(MAX_BATCH_EVENTS))
    for row in rows:
        ev = _event(row)
        n = len(ev.model_dump_json())
        if events and size + n > max_bytes:
            break
        events.append(ev)
        size += n
    pushed = int(settings.get(s, settings.AUDIT_PUSHED, "0") or 0)
    links = [AuditLink(seq=seq, prev_hash=prev, hash=h) for seq, prev, h in s.execute(
        select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash).where(AuditEvent.seq > pushed)
        .order_by(AuditEvent.seq).limit(LINKS_PER_BATCH))]
    return PushRequest(events=events, audit=links)


def _apply(s: Session, session: AppSession, req: PushRequest, answer: PushResponse) -> tuple[int, int, int]:
    now = session.clock.now()
    by_key = {r.idempotency_key: r for r in s.scalars(select(OutboxItem).where(
        OutboxItem.idempotency_key.in_([e.idempotency_key for e in req.events])))}
    acked = attention = 0
    for result in answer.results:
        row = by_key.get(result.idempotency_key)
        if row is None or row.state != "pending":
            continue
        row.attempts += 1
        if result.status in ("accepted", "duplicate"):
            row.state, row.sent_at, row.last_error = "acked", now, ""
            acked += 1
        else:
            row.state = "attention"
            row.last_error = (result.reason or ("与县级平台已有记录冲突" if result.status == "conflict"
                                                else "县级平台拒收"))[:2000]
            attention += 1
    resent = 0
    if answer.missing_seqs:
        for row in s.scalars(select(OutboxItem).where(OutboxItem.seq.in_(answer.missing_seqs),
                                                      OutboxItem.state == "acked")):
            row.state = "pending"
            resent += 1
    if req.audit:
        settings.put(s, settings.AUDIT_PUSHED, str(max(lk.seq for lk in req.audit)))
    settings.put(s, settings.HUB_CHAIN, answer.audit_status)
    settings.put(s, LAST_SYNC_META_KEY, now.isoformat())
    audit.append_event(s, actor=session.user.username, action="sync_pushed", entity_type="outbox",
                       detail={"acked": acked, "attention": attention, "resent": resent,
                               "audit_status": answer.audit_status})
    return acked, attention, resent


def push_pending(session: AppSession, port: HubPort, *, max_bytes: int = BATCH_BYTES,
                 max_batches: int = MAX_BATCHES) -> PushReport:
    """Push what is pending, batch by batch, until nothing is left, a batch gets no answer, or
    ``max_batches``. Never raises for the wire: the report carries the Chinese reason."""
    session.require(Permission.SYNC)
    batches = acked = attention = resent = 0
    status, problem = "none", ""
    while batches < max_batches:
        with session.db.read() as s:
            req = next_batch(s, max_bytes)
        if not req.events and not req.audit:
            break
        try:
            answer = port.push(req)
        except SyncError as exc:
            return PushReport(batches, acked, attention, resent, status, problem, exc.message, exc.retryable)
        with session.db.write() as s:
            a, t, r = _apply(s, session, req, answer)
        batches += 1
        acked, attention, resent = acked + a, attention + t, resent + r
        status, problem = answer.audit_status, answer.audit_problem
        if not req.events:
            break
    return PushReport(batches, acked, attention, resent, status, problem)
