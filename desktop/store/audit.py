"""Append-only audit log with a hash chain.

Each event's hash covers its own fields and the previous event's hash, so an
edited, deleted or reordered event breaks the chain at a findable place. The
head (last sequence number and hash) is also kept in `meta`, updated in the
same transaction, so truncating the tail is detected too — and a new event
chains onto that recorded head: when the last row and the head disagree (the
tail was deleted, or the head removed) nothing more is appended, so a deletion
cannot be covered by the next event. A database with cases but no events is
not sound either (a wiped log).

Anyone holding the database key can still rewrite the whole log consistently.
Against that, anchors outside the database: each backup's manifest records the
head at that moment, and verification checks the log still holds exactly those
events (:class:`Anchor`), and every event queued for the county carries the
head of that moment in its envelope (``outbox.audit_seq``/``audit_hash``): the
newest one is an anchor here too, and once pushed the county holds it. What
only the county can detect: a rewrite of the log together with the outbox
and every backup.

Details must never contain an ID number or a name together with an ID: pass
record ids (UUIDs, case numbers) instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import AuditChainBroken
from .models import AuditEvent, Case, Meta
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


def _recorded_head(session: Session) -> tuple[int, str] | None:
    head = session.get(Meta, HEAD_KEY)
    if head is None:
        return None
    seq, _, h = head.value.partition(":")
    return int(seq), h


def recorded_head(session: Session) -> tuple[int, str]:
    """The head recorded in ``meta`` — what the next event chains onto — or (0, "") before the first event."""
    return _recorded_head(session) or (0, "")


CHAIN_BROKEN = ("审计日志的末尾与记录的链头不符（可能有记录被删除），为保护证据已停止写入。"
                "请运行“yimen verify-audit”，并联系县级信息管理员。")


def _append_point(session: Session) -> tuple[int, str]:
    """Where the next event chains on: the recorded head, which must be the last row."""
    last = _head(session)
    recorded = _recorded_head(session)
    if recorded is None:
        if last != (0, GENESIS):    # events but no head: the head was removed
            raise AuditChainBroken(CHAIN_BROKEN)
        return last
    if recorded != last:
        raise AuditChainBroken(CHAIN_BROKEN)
    return recorded


def append_event(session: Session, *, actor: str, action: str, entity_type: str = "", entity_id: str = "",
                 outcome: str = "ok", detail: dict[str, Any] | None = None,
                 at: datetime | None = None) -> AuditEvent:
    """Add one event inside the caller's (write) transaction, chained onto the recorded head
    (raises :class:`AuditChainBroken` when the log's tail and that head disagree)."""
    last_seq, prev = _append_point(session)
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
    """Hash a batch of prepared events after the recorded head (bulk loaders, e.g. the demo)."""
    last_seq, prev = _append_point(session)
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


@dataclass(frozen=True)
class Anchor:
    """The head of the chain as seen from outside the database (a backup's manifest, later the
    county): the log must still hold event ``seq`` with this ``hash``."""

    seq: int
    hash: str
    source: str      # where it was seen, for the message ("备份 20261201T…-auto")


def verify_chain(session: Session, batch: int = 5000, anchors: Iterable[Anchor] = ()) -> ChainReport:
    """Walk the whole chain; report the first broken link.

    Detects an edited event (its hash no longer matches), a deleted event (a
    gap in sequence numbers, or a prev-hash that does not match), a reordered
    pair (prev-hash mismatch), a truncated tail (head in meta disagrees), a
    wiped log (no events, but cases) and — against ``anchors`` — a log
    rewritten or cut back below a head recorded outside the database.
    """
    report = _walk(session, batch)
    if not report.ok:
        return report
    if report.events == 0:
        cases = int(session.scalar(select(func.count()).select_from(Case)) or 0)
        if cases:
            return ChainReport(False, 0, 1, f"审计日志为空，但数据库中有 {cases} 件案件（日志可能已被清空）")
    for anchor in sorted(anchors, key=lambda a: a.seq, reverse=True):
        if anchor.seq == 0:
            continue
        row = session.get(AuditEvent, anchor.seq)
        if row is None:
            return ChainReport(False, report.events, report.events + 1,
                               f"日志比{anchor.source}时还短：缺少第 {anchor.seq} 条及以前的部分记录（记录被删除）")
        if row.hash != anchor.hash:
            return ChainReport(False, report.events, anchor.seq,
                               f"与{anchor.source}时记录的链头不一致（日志被改写）")
    return report


def _walk(session: Session, batch: int) -> ChainReport:
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


RESTORED_ACTION = "restored_from_backup"


def abandoned_spans(session: Session) -> list[tuple[str, str]]:
    """(restored backup's time, restore's time) of every restore in the log: backups made in between
    recorded a branch of the log that the restore gave up, so they are no anchors for it."""
    spans = []
    for at, detail in session.execute(select(AuditEvent.at, AuditEvent.detail)
                                      .where(AuditEvent.action == RESTORED_ACTION)):
        made = (json.loads(detail or "{}") or {}).get("backup_created_at")
        if made:
            spans.append((str(made), str(at)))
    return spans


def chain_head(session: Session) -> tuple[int, str]:
    return _head(session)
