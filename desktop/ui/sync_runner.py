"""Background sync for the window: its own thread, never the UI's database worker.

:class:`SyncRunner` runs :func:`desktop.services.sync.run.sync_once` on a
thread pool of its own (one thread, so never two runs at once), with its own
connection from the database's pool — a search or a save on the UI's worker
is never queued behind a slow link. It runs at start-up, every
``sync.interval_minutes`` (the database's setting, default 10) and when the
clerk presses 立即同步. Between batches it checks whether the window is
closing: sign-out and close wait for the current batch only, never for the
rest of the queue (what was not sent goes next time, with the same keys).

This module is one of the window's composition roots: it hands the real
client of the wire (``sync.client.HubClient``) to the use cases, which only
know their port.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, QTimer, Signal

from desktop import __version__
from desktop.domain.errors import YimenError
from desktop.domain.roles import Permission
from desktop.services.sync import enrollment
from desktop.services.sync import run as sync_run
from desktop.services.sync.run import SyncReport

from .context import UiContext

log = logging.getLogger(__name__)

START_DELAY_MS = 3_000
STOP_WAIT_MS = 30_000


class _Cancelled(YimenError):
    """The window is closing: the run stops between batches (never seen by the clerk)."""


class _Relay(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)          # SyncReport, None (not enrolled) or the exception
    enrolled = Signal(object)          # enrollment.Enrolled or the exception


def _connect(url: str, ca_file: Path, pin: str):  # type: ignore[no-untyped-def]
    """The window's transport for enrollment: the real client of the wire, as ``yimen enroll`` builds it."""
    from sync.client import HubClient

    return HubClient(url, ca_file, client_version=__version__, pin_sha256=pin)


class _EnrollJob(QRunnable):
    """Enrollment on the runner's pool: the hub may be slow or away, the window stays responsive."""

    def __init__(self, ctx: UiContext, relay: _Relay, args: tuple[str, bytes, str, str]) -> None:
        super().__init__()
        self.ctx, self.relay, self.args = ctx, relay, args
        self.setAutoDelete(True)

    def run(self) -> None:
        result: Any
        try:
            result = enrollment.enroll(self.ctx.session, _connect, *self.args)
        except BaseException as exc:   # delivered to the GUI thread, shown in Chinese
            result = exc
        try:
            self.relay.enrolled.emit(result)
        except RuntimeError:
            pass


class _Job(QRunnable):
    def __init__(self, ctx: UiContext, cancel: threading.Event, relay: _Relay) -> None:
        super().__init__()
        self.ctx, self.cancel, self.relay = ctx, cancel, relay
        self.setAutoDelete(True)

    def _progress(self, done: int, total: int, what: str) -> None:
        if self.cancel.is_set():
            raise _Cancelled(QCoreApplication.translate("SyncRunner", "同步已中止"))
        self.relay.progress.emit(done, total, what)

    def run(self) -> None:
        result: Any
        try:
            result = self._sync()
        except _Cancelled:
            result = SyncReport("down", QCoreApplication.translate(
                "SyncRunner", "同步已中止（窗口正在关闭），未报送的记录下次继续报送。"))
        except BaseException as exc:   # delivered to the GUI thread, shown in Chinese
            result = exc
        try:
            self.relay.finished.emit(result)
        except RuntimeError:
            pass                       # the window is gone

    def _sync(self) -> SyncReport | None:
        from sync.client import HubClient

        session = self.ctx.session
        link = enrollment.link(session)
        if not link.enrolled:
            return None
        client = HubClient(link.hub_url, link.ca_file, client_version=__version__, token=link.token,
                           pin_sha256=link.ca_pin)
        try:
            return sync_run.sync_once(session, client, progress=self._progress)
        finally:
            client.close()


class SyncRunner(QObject):
    """One per signed-in window. Signals arrive on the GUI thread."""

    started = Signal()
    progress = Signal(int, int, str)
    finished = Signal(object)          # SyncReport | None | BaseException
    enrollment_done = Signal(object)   # enrollment.Enrolled | BaseException

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._cancel = threading.Event()
        self._relay = _Relay()
        self._relay.progress.connect(self.progress)
        self._relay.finished.connect(self._finished)
        self._relay.enrolled.connect(self._enrolled)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.run_now)
        self.running = False
        self.enrolling = False
        self.stopped = False
        self.last: SyncReport | None = None
        self.enrolled: bool | None = None   # None: not known yet

    @property
    def allowed(self) -> bool:
        return self.ctx.session.can(Permission.SYNC)

    def start(self) -> None:
        """Automatic sync: soon after sign-in, then every ``sync.interval_minutes``."""
        if not self.allowed or self.stopped:
            return
        self.ctx.tasks.run(sync_run.interval_minutes, self.ctx.session, on_done=self._set_interval,
                           on_error=lambda exc: log.warning("sync interval: %s", exc.__class__.__name__))
        QTimer.singleShot(START_DELAY_MS, self.run_now)

    def _set_interval(self, minutes: int) -> None:
        if not self.stopped:
            self._timer.start(minutes * 60_000)

    def run_now(self) -> bool:
        """Start a run unless one is running (or the window is closing). True when started."""
        if self.running or self.enrolling or self.stopped or not self.allowed:
            return False
        self.running = True
        self.started.emit()
        self._pool.start(_Job(self.ctx, self._cancel, self._relay))
        return True

    def enroll(self, hub_url: str, ca_pem: bytes, ca_pin: str, code: str) -> bool:
        """Enroll this PC (admin) on the runner's own thread, never while a sync runs; ``enrollment_done``
        tells the outcome, and a first sync starts after success. True when started."""
        if self.running or self.enrolling or self.stopped:
            return False
        self.enrolling = True
        self._pool.start(_EnrollJob(self.ctx, self._relay, (hub_url, ca_pem, ca_pin, code)))
        return True

    def _enrolled(self, result: object) -> None:
        self.enrolling = False
        if isinstance(result, BaseException) and not isinstance(result, YimenError):
            log.error("enrollment failed: %s", result.__class__.__name__, exc_info=result)
        self.enrollment_done.emit(result)
        if not isinstance(result, BaseException):
            self.enrolled = True
            self.run_now()

    def _finished(self, result: object) -> None:
        self.running = False
        if isinstance(result, SyncReport):
            self.last, self.enrolled = result, True
        elif result is None:
            self.enrolled = False
        elif isinstance(result, BaseException):
            log.error("sync run failed: %s", result.__class__.__name__, exc_info=result)
        self.finished.emit(result)

    def stop(self) -> None:
        """Sign-out or close: no new run; the current one stops after its batch."""
        self.stopped = True
        self._timer.stop()
        self._cancel.set()
        self._pool.waitForDone(STOP_WAIT_MS)
