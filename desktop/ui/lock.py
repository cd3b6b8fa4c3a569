"""Idle auto-lock and the lock screen.

An application-wide event filter restarts a timer on every key press, click,
mouse move or wheel turn. When the timer runs out (the per-PC setting, 10
minutes by default, 0 = never) — or on Ctrl+L — a full-screen, application-
modal lock screen covers the window and any dialog open on it. Only the
same user's password unlocks it (checked through their key slot on the task
runner, failures counted and locked out as at sign-in); "切换用户" signs out.
Nothing behind the lock screen is rebuilt: unlocking returns to the same
section, the same half-filled form, the same focused field.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop.services.admin import accounts as auth

from . import style
from .context import DEFAULT_IDLE_LOCK_MINUTES, SETTING_IDLE_LOCK_MINUTES, UiContext, setting_int
from .typography import set_font_scale

log = logging.getLogger(__name__)

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})


class LockScreen(QWidget):
    """The full-screen cover: the signed-in user's password, or switch user."""

    unlock_requested = Signal(str)
    switch_user_requested = Signal()

    def __init__(self, display_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("lock_screen")
        self.setWindowTitle(self.tr("一门受理 — 已锁定"))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setAutoFillBackground(True)
        self._allow_close = False
        self.setStyleSheet("#lock_screen { background: #243447; }"
                           "#lock_card { background: #ffffff; border-radius: 6px; }")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self._build_card(display_name))
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def _build_card(self, display_name: str) -> QFrame:
        card = QFrame()
        card.setObjectName("lock_card")
        card.setMinimumWidth(480)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(12)
        self.prompt = QLabel(self.tr("已锁定 — 请输入 {0} 的密码解锁").format(display_name))
        self.prompt.setObjectName("lock_prompt")
        self.prompt.setWordWrap(True)
        set_font_scale(self.prompt, 1.4, bold=True)
        layout.addWidget(self.prompt)
        self.since = QLabel("")
        self.since.setWordWrap(True)
        self.since.setStyleSheet("color: #666;")
        layout.addWidget(self.since)
        self.password = QLineEdit()
        self.password.setObjectName("unlock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("密码"))
        self.password.returnPressed.connect(self._submit)
        layout.addWidget(self.password)
        self.error = QLabel("")
        self.error.setObjectName("unlock_error")
        self.error.setStyleSheet(style.ERROR_TEXT)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(100)
        self.progress.hide()
        buttons.addWidget(self.progress)
        buttons.addStretch(1)
        self.switch_button = QPushButton(self.tr("切换用户"))
        self.switch_button.setObjectName("switch_user")
        self.switch_button.clicked.connect(self.switch_user_requested)
        self.unlock_button = QPushButton(self.tr("解锁"))
        self.unlock_button.setObjectName("unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._submit)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)
        QWidget.setTabOrder(self.password, self.unlock_button)
        QWidget.setTabOrder(self.unlock_button, self.switch_button)
        return card

    def _submit(self) -> None:
        if self.progress.isVisible():
            return
        if not self.password.text():
            self.show_error(self.tr("请输入密码。"))
            return
        self.unlock_requested.emit(self.password.text())

    def set_busy(self, busy: bool) -> None:
        for w in (self.password, self.unlock_button, self.switch_button):
            w.setEnabled(not busy)
        self.progress.setVisible(busy)
        if busy:
            self.show_error("")

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def present(self, cover: QWidget, since: datetime) -> None:
        """Cover the screen the window is on, and take the keyboard; ``since``: when it locked."""
        self.password.clear()
        self.show_error("")
        self.set_busy(False)
        self.since.setText(self.tr("锁定时间：{0}。输入密码后按回车解锁；离开的同事可点“切换用户”。").format(
            since.astimezone().strftime("%H:%M")))
        screen = cover.screen()
        if screen is not None:
            self.setGeometry(screen.geometry())
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        self.password.setFocus()

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if not self._allow_close:
            event.ignore()      # Alt+F4 does not unlock
            return
        super().closeEvent(event)

    def dismiss(self) -> None:
        self.hide()

    def release(self) -> None:
        """Close for good (the session ended)."""
        self._allow_close = True
        self.close()


class LockController(QObject):
    """Watches for input, locks after the idle time or on request, unlocks with the same password.

    ``window`` must offer ``set_covered(bool)`` (hide its content while locked).
    """

    locked = Signal()
    unlocked = Signal()
    switch_user = Signal()

    def __init__(self, ctx: UiContext, window: QWidget) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self._locked = False
        self._focus: QWidget | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)   # Qt rounds long coarse timers to seconds
        self._timer.timeout.connect(lambda: self.lock("idle"))
        self.screen = LockScreen(ctx.session.user.display_name, window)
        self.screen.unlock_requested.connect(self._verify)
        self.screen.switch_user_requested.connect(self.switch_user)
        ctx.events.setting_changed.connect(self._setting_changed)
        self.set_minutes(setting_int(ctx.settings, SETTING_IDLE_LOCK_MINUTES, DEFAULT_IDLE_LOCK_MINUTES))
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # ----- idle timer --------------------------------------------------------------------
    def set_minutes(self, minutes: int) -> None:
        self.set_timeout_ms(max(0, minutes) * 60_000)

    def set_timeout_ms(self, msecs: int) -> None:
        """0 = never lock when idle (tests set a few milliseconds)."""
        self._timer.setInterval(max(0, msecs))
        if msecs > 0 and not self._locked:
            self._timer.start()
        else:
            self._timer.stop()

    def timeout_ms(self) -> int:
        return self._timer.interval() if self._timer.interval() > 0 else 0

    def _setting_changed(self, key: str) -> None:
        if key == SETTING_IDLE_LOCK_MINUTES:
            self.set_minutes(setting_int(self.ctx.settings, key, DEFAULT_IDLE_LOCK_MINUTES))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._locked and event.type() in _INPUT_EVENTS and self._timer.interval() > 0:
            self._timer.start()
        return False

    # ----- locking ----------------------------------------------------------------------
    def is_locked(self) -> bool:
        return self._locked

    def lock(self, reason: str = "manual") -> None:
        if self._locked:
            return
        self._locked = True
        self._timer.stop()
        focus = QApplication.focusWidget()
        self._focus = focus if focus is not None and focus is not self.screen.password else None
        self.window.set_covered(True)   # type: ignore[attr-defined]
        self.screen.present(self.window, self.ctx.session.clock.now())
        self.ctx.tasks.run(auth.record_screen_locked, self.ctx.session, reason, on_error=self._audit_failed)
        self.locked.emit()

    def _audit_failed(self, exc: BaseException) -> None:
        log.error("could not record screen lock: %s", exc.__class__.__name__, exc_info=exc)

    def _verify(self, password: str) -> None:
        self.screen.set_busy(True)
        self.ctx.tasks.run(auth.verify_password, self.ctx.session, password,
                           on_done=self._unlocked, on_error=self._refused)

    def _refused(self, exc: BaseException) -> None:
        self.screen.set_busy(False)
        self.screen.password.clear()
        self.screen.show_error(self.ctx.error_text(exc))
        self.screen.password.setFocus()

    def _unlocked(self, _result: object = None) -> None:
        self._locked = False
        self.screen.password.clear()
        self.screen.dismiss()
        self.window.set_covered(False)   # type: ignore[attr-defined]
        self.window.activateWindow()
        if self._focus is not None and isValid(self._focus):
            self._focus.setFocus()
        self._focus = None
        if self._timer.interval() > 0:
            self._timer.start()
        self.unlocked.emit()

    def stop(self) -> None:
        """Stop watching (the session ends)."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.screen.release()
