"""One sync run, as the window's background worker and ``yimen sync`` do it.

:func:`sync_once`: ``hello`` first (a captive portal, a hub that is down, or
version gating — 426 ``client_too_old`` — end the run with the Chinese reason
and change nothing: the window keeps working offline), then the queue is
pushed one batch at a time so a long run reports progress with counts, then
what the county has for this township is pulled (once the pull engine is on
main, see ``desktop/services/sync/pull.py``). Never raises for the wire.

How often the window runs it on its own: ``sync.interval_minutes`` in the
database's settings (``meta``), default :data:`DEFAULT_INTERVAL_MINUTES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select

from desktop.domain.roles import Permission
from desktop.services.session import AppSession
from desktop.store.models import OutboxItem
from sync.errors import SyncError

from . import settings
from .port import HubPort
from .push import push_pending

Progress = Callable[[int, int, str], None]      # (done, total, what is happening — Chinese)
LinkState = Literal["ok", "down", "too_old", "failed"]

INTERVAL_META = "sync.interval_minutes"
DEFAULT_INTERVAL_MINUTES = 10
MAX_ROUNDS = 200                                 # batches per run; the rest goes next run


@dataclass(frozen=True)
class SyncReport:
    link: LinkState            # ok: the hub answered; down: not reachable now; too_old: upgrade needed
    message: str               # Chinese, for the clerk
    pushed: int = 0
    attention: int = 0
    at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.link == "ok"


def interval_minutes(session: AppSession) -> int:
    """How often the window syncs on its own (settings row, else the default; at least 1)."""
    session.require(Permission.SYNC)
    with session.db.read() as s:
        raw = settings.get(s, INTERVAL_META, "")
    try:
        return max(1, int(raw)) if raw else DEFAULT_INTERVAL_MINUTES
    except ValueError:
        return DEFAULT_INTERVAL_MINUTES


def _pending(session: AppSession) -> int:
    with session.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(OutboxItem).where(
            OutboxItem.origin == "township", OutboxItem.state == "pending")) or 0)


def sync_once(session: AppSession, port: HubPort, *, progress: Progress | None = None) -> SyncReport:
    session.require(Permission.SYNC)
    report = progress or (lambda done, total, what: None)
    now = session.clock.now
    try:
        port.hello()
    except SyncError as exc:
        return SyncReport("too_old" if exc.code == "client_too_old" else "down", exc.message, at=now())
    total = _pending(session)
    report(0, total, "正在向县级平台报送…")
    pushed = attention = 0
    for _ in range(MAX_ROUNDS):
        r = push_pending(session, port, max_batches=1)
        pushed, attention = pushed + r.acked, attention + r.attention
        if r.error:
            state: LinkState = "down" if r.retryable else "failed"
            return SyncReport(state, f"已报送 {pushed} 项；{r.error}", pushed, attention, now())
        report(min(pushed + attention, total), total, f"已报送 {pushed} 项，共 {total} 项")
        if r.batches == 0 or (r.acked == 0 and r.attention == 0 and r.resent == 0):
            break
    parts = [f"已报送 {pushed} 项" if pushed else "没有需要报送的记录"]
    if attention:
        parts.append(f"{attention} 项被县级平台退回，需处理")
    left = _pending(session)
    if left:
        parts.append(f"还有 {left} 项下次继续报送")
    return SyncReport("ok", "；".join(parts), pushed, attention, now())
