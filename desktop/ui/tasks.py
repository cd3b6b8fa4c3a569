"""One helper for background work: database calls run on a single worker thread.

    ctx.tasks.run(search, session, text, on_done=self.show_results, on_error=self.show_error)

The function runs on the worker; `on_done(result)` / `on_error(exc)` run on
the GUI thread (delivered by a queued signal). Workers never touch widgets.
A single worker serialises database work (SQLite has one writer anyway),
so a search typed quickly cannot overtake the save before it. `run` returns
a ticket number; `latest_only=key` drops results of older calls with the
same key (typing in a search box).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    finished = Signal(int, object, object)   # ticket, result, exception


class _Job(QRunnable):
    def __init__(self, ticket: int, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                 relay: _Relay) -> None:
        super().__init__()
        self.ticket, self.fn, self.args, self.kwargs, self.relay = ticket, fn, args, kwargs, relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result, error = self.fn(*self.args, **self.kwargs), None
        except BaseException as exc:  # delivered to on_error on the GUI thread
            result, error = None, exc
        try:
            self.relay.finished.emit(self.ticket, result, error)
        except RuntimeError:
            pass    # the runner was deleted while this ran (window closing): nobody is waiting for it


class TaskRunner(QObject):
    """Runs callables on one database worker thread and hands results back to the GUI thread."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay()
        self._relay.finished.connect(self._finished)
        self._tickets = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable[[Any], None] | None, Callable[[BaseException], None] | None,
                                         str | None]] = {}
        self._latest: dict[str, int] = {}

    def run(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, latest_only: str | None = None,
            **kwargs: Any) -> int:
        ticket = next(self._tickets)
        self._callbacks[ticket] = (on_done, on_error, latest_only)
        if latest_only:
            self._latest[latest_only] = ticket
        if len(self._callbacks) == 1:
            self.busy_changed.emit(True)
        self._pool.start(_Job(ticket, fn, args, kwargs, self._relay))
        return ticket

    @Slot(int, object, object)
    def _finished(self, ticket: int, result: Any, exc: BaseException | None) -> None:
        on_done, on_error, key = self._callbacks.pop(ticket, (None, None, None))
        if not self._callbacks:
            self.busy_changed.emit(False)
        if key is not None and self._latest.get(key) != ticket:
            return   # a newer call with the same key superseded this one
        if exc is not None:
            if on_error is not None:
                on_error(exc)
            else:
                log.error("background task failed: %s", exc.__class__.__name__, exc_info=exc)
            return
        if on_done is not None:
            on_done(result)

    def pending(self) -> int:
        return len(self._callbacks)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the worker is idle (tests and shutdown only)."""
        return self._pool.waitForDone(msecs)
