"""The wire's and the hub's one clock (``sync`` imports nothing of ``desktop``, so not the township's
``desktop.store.timekeeping``): everything else in ``sync`` receives ``now`` from here or is handed one."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)
