"""Append-only audit log with a hash chain.

Each event's hash covers its own fields and the previous event's hash, so an
edited, deleted or reordered event breaks the chain at a findable place. The
head (last sequence number and hash) is also kept in `meta`, updated in the
same transaction, so truncating the tail is detected too.

Details must never contain an ID number or a name together with an ID: pass
record ids (UUIDs, case numbers) instead.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEvent, Meta
from .timekeeping import clock_of

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def event_hash(seq: int, at: str, actor: str, action: str, entity_type: str, entity_id: str,
               outcome: str, detail: str, prev_hash: str) -> str:
    body = _canonical({"seq": seq, "at": at, "actor": actor, "action": action, "entity_type": entity_type,
                       "entity_id": entity_id, "outcome": outcome, "detail": detail, "prev": prev_hash})
    return hashlib.sha256(body).hexdigest()


def _head(session: Session) -> tuple[int, str]:
    row = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def append_event(session: Session, *, actor: str, action: str, entity_type: str = "", entity_id: str = "",
                 outcome: str = "ok", detail: dict[str, Any] | None = None,
                 at: datetime | None = None) -> AuditEvent:
    """Add one event inside the caller's (write) transaction."""
    last_seq, prev = _head(session)
    seq = last_seq + 1
    when = (at or clock_of(session).now()).isoformat(timespec="microseconds")
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    h = event_hash(seq, when, actor, action, entity_type, entity_id, outcome, detail_text, prev)
    ev = AuditEvent(seq=seq, at=when, actor=actor, action=action, entity_type=entity_type,
                    entity_id=entity_id, outcome=outcome, detail=detail_text, prev_hash=prev, hash=h)
    session.add(ev)
    session.merge(Meta(key=HEAD_KEY, value=f"{seq}:{h}"))
    session.flush()
    return ev


def chain_rows(session: Session, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Hash a batch of prepared events after the current head (bulk loaders, e.g. the demo)."""
    last_seq, prev = _head(session)
    out = []
    for at, actor, action, entity_type, entity_id, outcome, detail in rows:
        last_seq += 1
        detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        h = event_hash(last_seq, at, actor, action, entity_type, entity_id, outcome, detail_text, prev)
        out.append({"seq": last_seq, "at": at, "actor": actor, "action": action, "entity_type": entity_type,
                    "entity_id": entity_id, "outcome": outcome, "detail": detail_text, "prev_hash": prev,
                    "hash": h})
        prev = h
    return out


def set_head(session: Session, seq: int, h: str) -> None:
    session.merge(Meta(key=HEAD_KEY, value=f"{seq}:{h}"))


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_broken_seq: int | None = None
    problem: str = ""

    @property
    def message(self) -> str:
        if self.ok:
            return f"审计日志完整：共 {self.events} 条记录，哈希链校验通过。"
        return f"审计日志校验失败：第 {self.first_broken_seq} 条 — {self.problem}"


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the whole chain; report the first broken link.

    Detects an edited event (its hash no longer matches), a deleted event (a
    gap in sequence numbers, or a prev-hash that does not match), a reordered
    pair (prev-hash mismatch) and a truncated tail (head in meta disagrees).
    """
    prev = GENESIS
    expected_seq = 1
    count = 0
    last_seq = 0
    while True:
        rows = session.execute(
            select(AuditEvent).where(AuditEvent.seq >= expected_seq).order_by(AuditEvent.seq).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected_seq:
                return ChainReport(False, count, expected_seq, f"缺少第 {expected_seq} 条记录（可能被删除）")
            if ev.prev_hash != prev:
                return ChainReport(False, count, ev.seq, "与前一条记录的哈希不衔接（记录被删除或顺序被调换）")
            h = event_hash(ev.seq, ev.at, ev.actor, ev.action, ev.entity_type, ev.entity_id, ev.outcome,
                           ev.detail, ev.prev_hash)
            if h != ev.hash:
                return ChainReport(False, count, ev.seq, "记录内容与其哈希不符（记录被修改）")
            prev = ev.hash
            last_seq = ev.seq
            expected_seq += 1
            count += 1
        session.expunge_all()
    head = session.get(Meta, HEAD_KEY)
    if head is not None:
        head_seq, _, head_hash = head.value.partition(":")
        if int(head_seq) != last_seq or head_hash != prev:
            return ChainReport(False, count, last_seq + 1, "链尾与记录的链头不符（末尾记录被删除）")
    elif count:
        return ChainReport(False, count, 1, "缺少链头记录")
    return ChainReport(True, count)


def chain_head(session: Session) -> tuple[int, str]:
    return _head(session)
