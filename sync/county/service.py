"""What the hub does, on a SQLAlchemy session: enrollment, device tokens, pushes applied exactly once.

Pure of HTTP (``app.py`` maps :class:`HubError` onto responses), so the USB
bundle import (Step 9) goes through :func:`apply_push` too.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync import clock
from sync.events import COUNTY_TYPES, LEGACY_VERSION, Event, EventError, parse_event
from sync.protocol import (
    AuditLink,
    EnrollRequest,
    EnrollResponse,
    ItemResult,
    PushEvent,
    PushRequest,
    PushResponse,
)

from . import feed
from .errors import HubError
from .models import (
    AuditLinkRow,
    Conflict,
    Device,
    EnrollmentCode,
    HubAudit,
    ReceivedEvent,
    SealedValue,
    Township,
)
from .sealing import Sealer

GENESIS = "0" * 64
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I
CODE_GROUPS = 3
DEFAULT_CODE_HOURS = 72
MISSING_SHOWN = 200

Now = Callable[[], datetime]


utc_now = clock.utc_now


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _audit(s: Session, now: datetime, actor: str, action: str, **detail: object) -> None:
    s.add(HubAudit(at=now, actor=actor, action=action, detail=dict(detail)))


def _aware(value: datetime) -> datetime:
    """SQLite hands instants back naive (they were stored in UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# ------------------------------------------------------------------ townships and enrollment codes

def add_township(s: Session, code: str, name: str) -> Township:
    if len(code) != 9 or not code.isdigit():
        raise HubError(400, "bad_township", f"乡镇代码须为9位数字：{code[:20]}")
    row = s.get(Township, code)
    if row is None:
        row = Township(code=code, name=name)
        s.add(row)
    else:
        row.name = name
    return row


def issue_enrollment_code(s: Session, township_code: str, device_code: str, *, actor: str, now: datetime,
                          hours: int = DEFAULT_CODE_HOURS) -> str:
    """A new one-time code for (township, device code), valid ``hours``; only its hash is stored."""
    if s.get(Township, township_code) is None:
        raise HubError(404, "unknown_township", f"县级平台中没有乡镇代码 {township_code}，请先添加该乡镇。")
    if len(device_code) != 3 or not device_code.isdigit():
        raise HubError(400, "bad_device_code", "设备代码须为3位数字。")
    active = s.scalar(select(Device).where(Device.township_code == township_code,
                                           Device.device_code == device_code, Device.revoked_at.is_(None)))
    if active is not None:
        raise HubError(409, "device_active", f"乡镇 {township_code} 的 {device_code} 号设备仍在使用，"
                                             "请先停用它，再为替换的电脑发放注册码。")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4 * CODE_GROUPS))
    code = "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))
    s.add(EnrollmentCode(code_hash=_sha(normalize_code(code)), township_code=township_code,
                         device_code=device_code, issued_by=actor, issued_at=now,
                         expires_at=now + timedelta(hours=hours)))
    _audit(s, now, actor, "enrollment_code_issued", township=township_code, device=device_code, hours=hours)
    return code


def enroll(s: Session, req: EnrollRequest, *, client_version: str, now: datetime,
           county_name: str) -> EnrollResponse:
    """Trade a one-time code and a public key for a device token.

    The same code with the same key again (the first answer was lost on the
    way) gives the same device a new token; with another key it is refused.
    """
    refused = HubError(403, "bad_enrollment_code", "注册码无效、已过期或与该乡镇和设备代码不符，"
                                                   "请向县级信息管理员索取新的注册码。")
    row = s.scalar(select(EnrollmentCode).where(EnrollmentCode.code_hash == _sha(normalize_code(req.enrollment_code)))
                   .with_for_update())
    if row is None or row.township_code != req.township_code or row.device_code != req.device_code:
        raise refused
    key = bytes.fromhex(req.public_key)
    token = secrets.token_urlsafe(32)
    if row.device_id is not None:
        device = s.get(Device, row.device_id)
        assert device is not None
        if device.public_key != key:
            raise HubError(409, "code_used", "该注册码已被另一台电脑使用；如需替换电脑，请向县级信息管理员索取新的注册码。")
        if device.revoked_at is not None:
            raise HubError(403, "device_revoked", "本机已被县级信息管理员停用，不能再注册。")
        device.token_hash = _sha(token)
        _audit(s, now, f"device:{device.id}", "device_reenrolled", township=device.township_code,
               device=device.device_code)
    else:
        if _aware(row.expires_at) <= now:
            raise refused
        device = Device(township_code=row.township_code, device_code=row.device_code, public_key=key,
                        token_hash=_sha(token), enrolled_at=now, client_version=client_version,
                        contiguous_seq=0, max_seq=0, chain_status="none", chain_problem="")
        s.add(device)
        s.flush()
        row.device_id, row.used_at = device.id, now
        _audit(s, now, f"device:{device.id}", "device_enrolled", township=device.township_code,
               device=device.device_code)
    return EnrollResponse(device_token=token, township_code=device.township_code, device_code=device.device_code,
                          county_name=county_name, next_expected_seq=device.contiguous_seq + 1)


def device_for_token(s: Session, token: str, *, now: datetime, client_version: str = "") -> Device:
    device = s.scalar(select(Device).where(Device.token_hash == _sha(token))) if token else None
    if device is None:
        raise HubError(401, "bad_token", "本机尚未在县级平台注册，或注册已失效，请重新注册。")
    if device.revoked_at is not None:
        raise HubError(403, "device_revoked", "本机已被县级信息管理员停用，不能再与县级平台同步；"
                                              "本机数据仍完整保存，请联系县级信息管理员。")
    device.last_seen_at = now
    if client_version:
        device.client_version = client_version[:32]
    return device


def revoke_device(s: Session, township_code: str, device_code: str, *, actor: str, now: datetime) -> Device:
    device = s.scalar(select(Device).where(Device.township_code == township_code,
                                           Device.device_code == device_code, Device.revoked_at.is_(None)))
    if device is None:
        raise HubError(404, "unknown_device", f"没有在用的设备：乡镇 {township_code} {device_code} 号。")
    device.revoked_at, device.revoked_by = now, actor
    _audit(s, now, actor, "device_revoked", township=township_code, device=device_code)
    return device


# ------------------------------------------------------------------ push

def _message(ev: PushEvent) -> dict[str, object]:
    return ev.model_dump(mode="json")


def _check(ev: PushEvent) -> tuple[str, str, Event | None]:
    """(status, reason, parsed) of an event the hub has not seen: accepted, legacy or rejected."""
    if ev.schema_version == LEGACY_VERSION:
        return "legacy", "", None
    if ev.event_type in COUNTY_TYPES:
        return "rejected", "县级的审核确认和转办结果只能由县级平台录入，乡镇不能上报此类事项", None
    try:
        parsed = parse_event(ev.event_type, ev.schema_version, ev.payload)
    except EventError as exc:
        return "rejected", exc.message, None
    if parsed.entity != ev.entity_type or parsed.subject() != ev.entity_uuid:
        return "rejected", "事件信封与内容不符（记录类型或编号不一致）", None
    return "accepted", "", parsed


def _apply_one(s: Session, device: Device, ev: PushEvent, sealer: Sealer, now: datetime,
               by_key: dict[str, ReceivedEvent], by_seq: dict[int, ReceivedEvent],
               sealed_values: list[tuple[ReceivedEvent, list[tuple[str, str]]]]) -> ItemResult:
    """``by_key``/``by_seq``: what the hub holds of this batch's keys and of this device's seqs
    (read once per batch, kept up to date here); ``sealed_values``: the keyed hashes to index once
    the batch's rows have their ids (one flush per batch)."""
    mac = sealer.content_mac(_message(ev))
    existing = by_key.get(ev.idempotency_key)
    if existing is None:
        existing_seq = by_seq.get(ev.seq)
        if existing_seq is not None:
            return _conflict(s, device, ev, existing_seq, mac, sealer, now, "same_seq",
                             f"本机第 {ev.seq} 号事项在县级平台已是另一条记录（本机日志可能被恢复或改写），已交县级信息管理员核查")
    elif existing.device_id != device.id:
        return _conflict(s, device, ev, existing, mac, sealer, now, "same_key",
                         "该事项编号已由另一台设备上报，内容不同，已交县级信息管理员核查")
    elif existing.content_mac == mac:
        status = existing.status if existing.status in ("rejected", "conflict") else "duplicate"
        return ItemResult(idempotency_key=ev.idempotency_key, seq=ev.seq, status=status, reason=existing.reason)
    elif existing.status != "rejected":
        return _conflict(s, device, ev, existing, mac, sealer, now, "same_key",
                         "同一事项再次上报但内容不同，县级平台保留先收到的内容，已交县级信息管理员核查")
    status, reason, parsed = _check(ev)
    if parsed is not None:
        reason = feed.ownership_problem(s, parsed)
        status = "conflict" if reason else status
    sealed, found = sealer.seal(ev.payload)
    if existing is not None:          # a rejected item sent again, changed: judged again
        row = existing
        s.execute(SealedValue.__table__.delete().where(SealedValue.event_id == row.id))
    else:
        row = ReceivedEvent(device_id=device.id, seq=ev.seq, idempotency_key=ev.idempotency_key)
        s.add(row)
        by_key[ev.idempotency_key] = by_seq[ev.seq] = row
    row.event_type, row.schema_version = ev.event_type, ev.schema_version
    row.entity_type, row.entity_uuid, row.occurred_at, row.received_at = (ev.entity_type, ev.entity_uuid,
                                                                          ev.occurred_at, now)
    row.audit_seq, row.audit_hash, row.payload, row.content_mac = ev.audit_seq, ev.audit_hash, sealed, mac
    row.status, row.reason = status, reason
    sealed_values.append((row, found))
    if status == "conflict":          # a township outcome against the county's decision: kept, never applied
        s.flush()
        s.add(Conflict(device_id=device.id, idempotency_key=ev.idempotency_key, seq=ev.seq, kind="ownership",
                       existing_event_id=row.id, content_mac=mac, payload=sealed, received_at=now,
                       resolved=False, reason=reason))
        _audit(s, now, f"device:{device.id}", "push_conflict", kind="ownership", seq=ev.seq,
               idempotency_key=ev.idempotency_key)
    elif status == "accepted" and parsed is not None:
        feed.append(s, sealer, device.township_code, parsed, key=ev.idempotency_key, occurred_at=ev.occurred_at,
                    source="township", device=device, seq=ev.seq)
        problem = feed.project(s, device.township_code, parsed, source="township",
                               decided_by=f"乡镇 {device.device_code} 号设备", now=now)
        if problem:
            _audit(s, now, f"device:{device.id}", "projection_skipped", seq=ev.seq, problem=problem)
    return ItemResult(idempotency_key=ev.idempotency_key, seq=ev.seq,
                      status="accepted" if status in ("accepted", "legacy") else status,  # type: ignore[arg-type]
                      reason=reason)


def _conflict(s: Session, device: Device, ev: PushEvent, existing: ReceivedEvent, mac: str, sealer: Sealer,
              now: datetime, kind: str, reason: str) -> ItemResult:
    seen = s.scalar(select(Conflict).where(Conflict.idempotency_key == ev.idempotency_key,
                                           Conflict.content_mac == mac))
    if seen is None:
        sealed, _ = sealer.seal(_message(ev))
        s.add(Conflict(device_id=device.id, idempotency_key=ev.idempotency_key, seq=ev.seq, kind=kind,
                       existing_event_id=existing.id, content_mac=mac, payload=sealed, received_at=now,
                       resolved=False))
        _audit(s, now, f"device:{device.id}", "push_conflict", kind=kind, seq=ev.seq,
               idempotency_key=ev.idempotency_key)
    return ItemResult(idempotency_key=ev.idempotency_key, seq=ev.seq, status="conflict", reason=reason)


def _advance(s: Session, device: Device) -> list[int]:
    """Move the device's contiguous mark over what arrived; the gaps below its highest seq."""
    seqs = list(s.scalars(select(ReceivedEvent.seq).where(ReceivedEvent.device_id == device.id,
                                                          ReceivedEvent.seq > device.contiguous_seq)
                          .order_by(ReceivedEvent.seq)))
    mark = device.contiguous_seq
    for q in seqs:
        if q != mark + 1:
            break
        mark = q
    device.contiguous_seq = mark
    device.max_seq = max([device.max_seq, *seqs])
    have = set(seqs)
    missing: list[int] = []
    for q in range(mark + 1, device.max_seq):
        if q not in have:
            missing.append(q)
            if len(missing) >= MISSING_SHOWN:
                break
    return missing


def _chain(s: Session, device: Device, links: list[AuditLink], events: list[PushEvent],
           now: datetime) -> tuple[str, str]:
    """Check the links against the chain held for this device, then keep the new ones."""
    if not links and not any(e.audit_seq for e in events):
        return device.chain_status, device.chain_problem
    problem = ""
    for link in sorted(links, key=lambda lk: lk.seq):
        held = s.get(AuditLinkRow, (device.id, link.seq))
        if held is not None:
            if held.hash != link.hash or held.prev_hash != link.prev_hash:
                problem = f"审计日志第 {link.seq} 条与县级平台已保存的不一致（本机日志被改写或截断后重写）"
                break
            continue
        before = GENESIS if link.seq == 1 else s.get(AuditLinkRow, (device.id, link.seq - 1))
        if before is None:
            top = s.scalar(select(func.max(AuditLinkRow.seq)).where(AuditLinkRow.device_id == device.id)) or 0
            problem = f"审计日志缺少第 {top + 1}～{link.seq - 1} 条，不能接续县级平台保存的链"
            break
        before_hash = before if isinstance(before, str) else before.hash
        if link.prev_hash != before_hash:
            problem = f"审计日志第 {link.seq} 条不接续县级平台保存的第 {link.seq - 1} 条（链被分叉或改写）"
            break
        s.add(AuditLinkRow(device_id=device.id, seq=link.seq, prev_hash=link.prev_hash, hash=link.hash,
                           received_at=now))
        s.flush()
    if not problem:
        for ev in events:
            if ev.audit_seq:
                held = s.get(AuditLinkRow, (device.id, ev.audit_seq))
                if held is not None and held.hash != ev.audit_hash:
                    problem = (f"第 {ev.seq} 号事项记录的审计链头（第 {ev.audit_seq} 条）"
                               "与县级平台保存的不一致")
                    break
    if problem:
        if device.chain_status != "broken" or device.chain_problem != problem:
            _audit(s, now, f"device:{device.id}", "audit_chain_broken", problem=problem)
        device.chain_status, device.chain_problem = "broken", problem
    elif device.chain_status != "broken":
        device.chain_status, device.chain_problem = "ok", ""
    return device.chain_status, device.chain_problem


def apply_push(s: Session, device: Device, req: PushRequest, sealer: Sealer, now: datetime) -> PushResponse:
    """One batch in the caller's transaction: every event judged once, in the order sent."""
    # two queries per batch instead of two per event: on PostgreSQL the round trips were most of
    # a batch's time (py-spy, make bench)
    keys = [ev.idempotency_key for ev in req.events]
    by_key = {r.idempotency_key: r for r in s.scalars(
        select(ReceivedEvent).where(ReceivedEvent.idempotency_key.in_(keys)))} if keys else {}
    seqs = [ev.seq for ev in req.events]
    by_seq = {r.seq: r for r in s.scalars(
        select(ReceivedEvent).where(ReceivedEvent.device_id == device.id, ReceivedEvent.seq.in_(seqs)))} if seqs else {}
    sealed_values: list[tuple[ReceivedEvent, list[tuple[str, str]]]] = []
    results = [_apply_one(s, device, ev, sealer, now, by_key, by_seq, sealed_values) for ev in req.events]
    s.flush()
    s.add_all([SealedValue(event_id=row.id, field=field, value_hash=value_hash)
               for row, found in sealed_values for field, value_hash in found])
    s.flush()
    missing = _advance(s, device)
    status, problem = _chain(s, device, req.audit, req.events, now)
    return PushResponse(results=results, next_expected_seq=device.contiguous_seq + 1, missing_seqs=missing,
                        audit_status=status if status in ("ok", "broken") else "none",  # type: ignore[arg-type]
                        audit_problem=problem)
