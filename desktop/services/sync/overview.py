"""What the 同步 page shows and lets the clerk do: the link, the 需处理 list, 重试, 已知悉, 导出给县级 IT.

需处理 holds two kinds of item. **Refused pushes** (``outbox`` rows in state
``attention``): a record of this PC the county refused, with its reason. It is
never sent again on its own — the hub would refuse it again unchanged;
:func:`retry` is the clerk's explicit act (after county IT fixed the hub's
side, or the clerk corrected the record): the item goes back to the queue and
the act is audited. **Pulled conflicts** (``pulled_items`` with outcome
``conflict``): something the county (or another device of the township)
decided that no longer fits the case here; nothing was changed here and the
county's decision stands at the county, so there is no retry: the clerk takes
note (:func:`acknowledge_conflict`, 已知悉) and settles it with county IT. The
acknowledgement is the audit event itself (``sync_conflict_acknowledged``,
entity the item's idempotency key): an acknowledged conflict leaves 需处理.

:func:`export_attention` writes every item of 需处理 (and the acknowledged
conflicts) to a CSV file for county IT: UTF-8 with BOM so Excel opens it, a
Chinese header, each envelope with ID and phone numbers masked
(:func:`desktop.domain.redaction.redact`).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.case_number import format_case_number
from desktop.domain.redaction import redact, redact_text
from desktop.domain.roles import Permission
from desktop.services.admin.appinfo import QUEUE_KINDS
from desktop.services.errors import InvalidInput, NotFound, ServiceError
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.device import device_info
from desktop.store.keyslots import atomic_write_bytes
from desktop.store.models import AuditEvent, Case, OutboxItem
from desktop.store.models_referral import Referral
from desktop.store.models_sync import PulledItem

from . import settings
from .labels import SOURCE_LABELS, event_label

ACK_ACTION = "sync_conflict_acknowledged"


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
    case_number: str = ""      # display form, "" when the record is not about one case


@dataclass(frozen=True)
class PulledConflict:
    key: str                   # the item's idempotency key
    feed_seq: int
    source: str                # Chinese: 县级 / 本乡镇其他设备
    device_code: str
    what: str                  # Chinese: what it was (县级审核确认…)
    case_number: str
    reason: str                # why it does not fit here, Chinese
    pulled_at: datetime
    acknowledged: bool = False


@dataclass(frozen=True)
class Exported:
    path: Path
    refused: int               # refused pushes written
    conflicts: int             # pulled conflicts written


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def link_info(session: AppSession) -> LinkInfo:
    session.require(Permission.SYNC)
    with session.db.read() as s:
        link = settings.link(s, session.db.data_dir)
    return LinkInfo(link.enrolled, link.hub_url)


def _display(number: str) -> str:
    try:
        return format_case_number(number)
    except ValueError:
        return number


def _case_numbers(s: Session, uuids: set[str]) -> dict[str, str]:
    if not uuids:
        return {}
    return {u: _display(n) for u, n in s.execute(select(Case.uuid, Case.case_number).where(Case.uuid.in_(uuids)))}


def _case_number_of(row: OutboxItem, numbers: dict[str, str]) -> str:
    raw = row.payload.get("case_number") if isinstance(row.payload, dict) else None
    if isinstance(raw, str) and raw:
        return _display(raw)
    return numbers.get(row.entity_uuid, "") if row.entity_type == "case" else ""


def _refused_rows(s: Session, limit: int | None) -> list[OutboxItem]:
    q = (select(OutboxItem).where(OutboxItem.origin == "township", OutboxItem.state == "attention")
         .order_by(OutboxItem.seq))
    return list(s.scalars(q.limit(limit) if limit else q))


def _attention(s: Session, rows: list[OutboxItem]) -> list[AttentionItem]:
    labels = dict(QUEUE_KINDS)
    numbers = _case_numbers(s, {r.entity_uuid for r in rows if r.entity_type == "case"})
    return [AttentionItem(r.id, r.seq, labels.get(r.entity_type, "其他记录"), r.event_type,
                          r.last_error or "县级平台未说明原因", r.attempts, _utc(r.occurred_at),
                          _case_number_of(r, numbers)) for r in rows]


def attention_items(session: AppSession, limit: int = 500) -> list[AttentionItem]:
    """The items the county refused, oldest first, with its reason."""
    session.require(Permission.SYNC)
    with session.db.read() as s:
        return _attention(s, _refused_rows(s, limit))


# what a county event's entity_uuid names (its entity_type is "county")
_SUBJECTS = {"county.case_decided": "case", "county.referral_concluded": "referral"}


def _conflicts(s: Session, *, include_acknowledged: bool) -> list[PulledConflict]:
    rows = list(s.scalars(select(PulledItem).where(PulledItem.outcome == "conflict")
                          .order_by(PulledItem.feed_seq)))
    if not rows:
        return []
    seen = set(s.scalars(select(AuditEvent.entity_id).where(
        AuditEvent.action == ACK_ACTION, AuditEvent.entity_id.in_([r.idempotency_key for r in rows]))))
    kinds = {r.idempotency_key: _SUBJECTS.get(r.event_type, r.entity_type) for r in rows}
    case_of = {r.entity_uuid: r.entity_uuid for r in rows if kinds[r.idempotency_key] == "case"}
    referrals = [r.entity_uuid for r in rows if kinds[r.idempotency_key] == "referral"]
    if referrals:
        case_of.update(dict(s.execute(select(Referral.uuid, Referral.case_uuid).where(Referral.uuid.in_(referrals)))))
    numbers = _case_numbers(s, set(case_of.values()))
    out = []
    for r in rows:
        acknowledged = r.idempotency_key in seen
        if acknowledged and not include_acknowledged:
            continue
        out.append(PulledConflict(r.idempotency_key, r.feed_seq, SOURCE_LABELS.get(r.source, r.source),
                                  r.device_code, event_label(r.event_type),
                                  numbers.get(case_of.get(r.entity_uuid, ""), ""),
                                  r.reason or "与本机记录不符", _utc(r.pulled_at), acknowledged))
    return out


def pulled_conflicts(session: AppSession) -> list[PulledConflict]:
    """What was pulled and no longer fits the case here, not yet 已知悉, oldest first."""
    session.require(Permission.SYNC)
    with session.db.read() as s:
        return _conflicts(s, include_acknowledged=False)


@dataclass(frozen=True)
class Attention:
    refused: list[AttentionItem]
    conflicts: list[PulledConflict]

    def __len__(self) -> int:
        return len(self.refused) + len(self.conflicts)


def attention(session: AppSession, limit: int = 500) -> Attention:
    """需处理, both kinds: the county's refusals of this PC's records and the pulled conflicts not yet 已知悉."""
    session.require(Permission.SYNC)
    with session.db.read() as s:
        return Attention(_attention(s, _refused_rows(s, limit)), _conflicts(s, include_acknowledged=False))


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


def acknowledge_conflict(session: AppSession, key: str) -> None:
    """已知悉: the clerk has taken note of a pulled conflict (audited); it leaves 需处理. Nothing else changes:
    the county's decision stands at the county, and nothing is sent again."""
    session.require(Permission.SYNC)
    with session.db.write() as s:
        row = s.get(PulledItem, key)
        if row is None or row.outcome != "conflict":
            raise NotFound("找不到该条与本机记录不符的县级结果。")
        if s.scalar(select(AuditEvent.seq).where(AuditEvent.action == ACK_ACTION, AuditEvent.entity_id == key)):
            raise InvalidInput("该条已标为“已知悉”。", "state")
        audit.append_event(s, actor=session.user.username, action=ACK_ACTION, entity_type="pulled_item",
                           entity_id=key, detail={"event_type": row.event_type, "feed_seq": row.feed_seq,
                                                  "source": row.source})


# ------------------------------------------------------------------ 导出给县级 IT

EXPORT_HEADER = ("类别", "序号", "事件类型", "案件编号", "原因", "状态", "记于", "报送次数或接收于", "来源",
                 "设备编号", "幂等键", "内容（身份证号、电话已遮蔽）")
_FORMULA_START = ("=", "+", "-", "@")


def _when(at: datetime) -> str:
    return _utc(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _cell(value: Any) -> str:
    text = redact_text(str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text    # never a formula in Excel


def _export_rows(s: Session, device_code: str) -> tuple[list[list[str]], int, int]:
    refused = _refused_rows(s, None)
    rows: list[list[str]] = []
    for item, row in zip(_attention(s, refused), refused, strict=True):
        envelope = {"seq": row.seq, "idempotency_key": row.idempotency_key, "event_type": row.event_type,
                    "schema_version": row.schema_version, "township_code": row.township_code,
                    "device_code": row.device_code, "entity_type": row.entity_type,
                    "entity_uuid": row.entity_uuid, "occurred_at": _utc(row.occurred_at).isoformat(),
                    "audit_seq": row.audit_seq, "payload": redact(row.payload)}
        rows.append(["退回的报送", str(row.seq), event_label(row.event_type), item.case_number, item.reason,
                     "需处理", _when(row.occurred_at), str(row.attempts), "本机", row.device_code,
                     row.idempotency_key, json.dumps(envelope, ensure_ascii=False, sort_keys=True)])
    conflicts = _conflicts(s, include_acknowledged=True)
    pulled = {r.idempotency_key: r for r in s.scalars(select(PulledItem).where(
        PulledItem.idempotency_key.in_([c.key for c in conflicts])))} if conflicts else {}
    for c in conflicts:
        p = pulled[c.key]
        envelope = {"feed_seq": p.feed_seq, "idempotency_key": p.idempotency_key, "source": p.source,
                    "device_code": p.device_code, "event_type": p.event_type, "entity_type": p.entity_type,
                    "entity_uuid": p.entity_uuid, "outcome": p.outcome, "pulled_at": _utc(p.pulled_at).isoformat(),
                    "pulled_by_device": device_code}
        rows.append(["县级结果与本机记录不符", str(c.feed_seq), c.what, c.case_number, c.reason,
                     "已知悉" if c.acknowledged else "需处理", "", _when(c.pulled_at), c.source, c.device_code,
                     c.key, json.dumps(redact(envelope), ensure_ascii=False, sort_keys=True)])
    return rows, len(refused), len(conflicts)


def export_attention(session: AppSession, path: Path) -> Exported:
    """Write 需处理 to ``path`` (CSV, UTF-8 with BOM) for county IT, audited. ID numbers and phones are
    masked; nothing is written (and nothing audited) when the file cannot be written."""
    session.require(Permission.SYNC)
    session.require(Permission.VIEW_CASES)
    path = Path(path)
    if not path.parent.is_dir():
        raise InvalidInput(f"保存位置不存在：{path.parent}", "path")
    with session.db.write() as s:
        device = device_info(s).device_code
        rows, refused, conflicts = _export_rows(s, device)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(EXPORT_HEADER)
        writer.writerows([[_cell(v) for v in r] for r in rows])
        audit.append_event(s, actor=session.user.username, action="sync_attention_exported",
                           entity_type="outbox", detail={"refused": refused, "conflicts": conflicts,
                                                         "file": path.name})
        try:
            atomic_write_bytes(path, "\ufeff".encode() + buf.getvalue().encode("utf-8"))
        except OSError as exc:
            raise ServiceError(f"无法写入文件 {path.name}：{exc.strerror or exc}") from None
    return Exported(path, refused, conflicts)
