"""End of the notice period: close due batches at start and once a day, and tell the clerk what moved.

    watch_notice_periods(ctx, window)      # the main window, once it is up

:class:`NoticePeriodWatcher` is one per signed-in context (a child of
``ctx.events``, found again with :meth:`NoticePeriodWatcher.of`). It runs
``notices.close_due_batches`` on the task runner when started and again
whenever the local date has changed (checked every few minutes while the
window is open), so a window left running overnight ends yesterday's
notices in the morning. What moved is kept for the session and announced by
``closed``; the 公示 page lists it and the home page shows one line
(:class:`NoticeEndedLine`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from desktop.domain.roles import Permission
from desktop.services.notices import batches as notices
from desktop.services.notices.batches import ClosedBatch

from .. import style
from ..context import UiContext

log = logging.getLogger(__name__)

CHECK_EVERY_MS = 5 * 60_000
NOTICE_STYLE = style.OK_BANNER


class NoticePeriodWatcher(QObject):
    """Ends due notices (``close_due_batches``) at start and when the day changes."""

    closed = Signal(object)      # list[ClosedBatch] that just ended (never empty)
    checked = Signal()           # a check finished (whether or not anything ended)

    def __init__(self, ctx: UiContext, today: Callable[[], date] | None = None) -> None:
        super().__init__(ctx.events)
        self.setObjectName("notice_period_watcher")
        self.ctx = ctx
        self.today = today or ctx.session.clock.today
        self.ended: list[ClosedBatch] = []     # everything ended during this session, oldest first
        self.last_day: date | None = None
        self.running = False
        self.active: Callable[[], bool] = lambda: True    # checks only while the window is open
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self._tick)

    @classmethod
    def of(cls, ctx: UiContext) -> NoticePeriodWatcher:
        found = ctx.events.findChild(NoticePeriodWatcher, "notice_period_watcher")
        return found if isinstance(found, NoticePeriodWatcher) else cls(ctx)

    def start(self) -> None:
        if not self.timer.isActive():
            self.timer.start()
        self.check_now()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        if self.active() and self.today() != self.last_day:
            self.check_now()

    def check_now(self) -> None:
        if not self.ctx.session.can(Permission.TRANSITION_CASE):   # this role moves no case
            self.checked.emit()
            return
        if self.running:
            return
        self.running = True
        day = self.today()
        self.ctx.tasks.run(notices.close_due_batches, self.ctx.session, day,
                           on_done=lambda result: self._done(day, result), on_error=self._failed)

    def _done(self, day: date, result: list[ClosedBatch]) -> None:
        self.running = False
        self.last_day = day
        if result:
            self.ended.extend(result)
            self.ctx.events.data_changed.emit()
            self.closed.emit(list(result))
        self.checked.emit()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        log.warning("closing due notices failed: %s", exc.__class__.__name__, exc_info=exc)
        self.checked.emit()

    def moved_count(self) -> int:
        return sum(len(b.moved) for b in self.ended)


def ended_sentence(batches: list[ClosedBatch]) -> str:
    moved = sum(len(b.moved) for b in batches)
    held = sum(len(b.not_moved) for b in batches)
    text = QCoreApplication.translate("NoticePeriodEnd", "{0}批公示期满，{1}件案件已转入待审核确认").format(
        len(batches), moved)
    if held:
        text += QCoreApplication.translate("NoticePeriodEnd", "，{0}件未转入（有异议或状态已变更）").format(held)
    return text


def watch_notice_periods(ctx: UiContext, window: QMainWindow) -> NoticePeriodWatcher:
    """Start the watcher for this window's session (the home page and the 公示 page show the result;
    a status-bar message would cover the calendar warning and the signed-in user)."""
    watcher = NoticePeriodWatcher.of(ctx)
    watcher.active = window.isVisible
    window.destroyed.connect(watcher.stop)
    watcher.start()
    return watcher


class NoticeEndedLine(QLabel):
    """One line for the home page: which notices ended this session and how many cases moved on."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("notice_ended_line")
        self.setWordWrap(True)
        self.setStyleSheet(NOTICE_STYLE)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                     | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.linkActivated.connect(lambda _link: ctx.navigate("notices"))
        self.watcher = NoticePeriodWatcher.of(ctx)
        self.watcher.closed.connect(lambda _b: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        batches = self.watcher.ended
        if not batches:
            self.hide()
            return
        self.setText(self.tr("公示期满：{0}。<a href=\"notices\">查看</a>（Alt+5）").format(
            ended_sentence(batches)))
        self.show()
