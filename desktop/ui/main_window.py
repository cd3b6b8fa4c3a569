"""Main window: the sections a role may use, the status bar, locking and signing out.

Pages come from the registry in :mod:`desktop.ui.pages` and are built the
first time their section is shown, then kept for the whole session. Alt+N
or Ctrl+N switches to section N (the number never changes between roles).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.roles import Permission
from desktop.services.admin import accounts as auth
from desktop.services.admin import appinfo
from desktop.services.admin.appinfo import Installation, ShellStatus
from desktop.services.sync.run import SyncReport

from . import style
from .context import SETTING_LARGE_TYPE, UiContext, setting_bool
from .lock import LockController
from .notices.period_end import watch_notice_periods
from .pages import Section, build_page, visible_sections
from .sync_runner import SyncRunner
from .typography import apply_large_type, set_font_scale

log = logging.getLogger(__name__)

STATUS_REFRESH_MS = 60_000
BUSY_SHOW_DELAY_MS = 300      # quick tasks (a search keystroke) do not flash the busy indicator
WARNING_STYLE = style.WARNING_TEXT_BOLD


class MainWindow(QMainWindow):
    """The window a clerk works in all day."""

    signed_out = Signal()     # the user switched user: the shell shows the login again

    def __init__(self, ctx: UiContext, info: Installation) -> None:
        super().__init__()
        self.ctx = ctx
        self.info = info
        self.sections: list[Section] = visible_sections(ctx.session)
        self._pages: dict[str, QWidget] = {}
        self._holders: dict[str, QVBoxLayout] = {}
        self._ended = False
        self._refreshing = False
        self.status: ShellStatus | None = None
        self.setObjectName("main_window")
        name = info.window_name if info.township_name in info.window_name else \
            f"{info.township_name} {info.window_name}".strip()
        self.setWindowTitle(self.tr("一门受理 — {0}").format(name))
        self.setMinimumSize(1000, 600)
        self.sync_runner = SyncRunner(ctx, self)      # before the pages: the 同步 page uses it
        ctx.sync_runner = self.sync_runner
        self._build_body()
        self._build_menus()
        self._build_status_bar()
        self.lock = LockController(ctx, self)
        self.lock.switch_user.connect(self.switch_user)
        ctx.events.navigate_requested.connect(self.show_section)
        ctx.events.data_changed.connect(self.refresh_status)
        ctx.tasks.busy_changed.connect(self._busy_changed)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(self.refresh_status)
        self._status_timer.start()
        self.show_section(self.sections[0].id)
        self.refresh_status()
        self.notice_watch = watch_notice_periods(ctx, self)   # end due 公示 now and whenever the day changes
        self.sync_runner.started.connect(lambda: self.link_label.setText(self.tr("县级平台：正在同步…")))
        self.sync_runner.progress.connect(self._sync_progress)
        self.sync_runner.finished.connect(self._sync_finished)
        self.sync_runner.start()

    # ----- building ----------------------------------------------------------------------
    def _build_body(self) -> None:
        self.body = QStackedWidget()
        work = QWidget()
        row = QHBoxLayout(work)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(150)
        self.nav.setStyleSheet("QListWidget#nav { background: #eef2f6; border: none; }"
                               "QListWidget#nav::item { padding: 10px 14px; }"
                               "QListWidget#nav::item:selected { background: #2f6fab; color: white; }")
        set_font_scale(self.nav, 1.1)
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        for section in self.sections:
            item = QListWidgetItem(section.title())
            item.setToolTip(self.tr("快捷键：Alt+{0} 或 Ctrl+{0}").format(section.number))
            item.setData(Qt.ItemDataRole.UserRole, section.id)
            self.nav.addItem(item)
            holder = QWidget()
            holder.setObjectName(f"section_{section.id}")
            layout = QVBoxLayout(holder)
            layout.setContentsMargins(0, 0, 0, 0)
            self._holders[section.id] = layout
            self.pages.addWidget(holder)
        self.nav.currentRowChanged.connect(self._row_changed)
        self.nav.setVisible(len(self.sections) > 1)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.cover = QLabel(self.tr("已锁定"))
        self.cover.setObjectName("locked_cover")
        self.cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cover.setStyleSheet("background: #243447; color: #ffffff;")
        self.body.addWidget(work)
        self.body.addWidget(self.cover)
        self.setCentralWidget(self.body)

    def _build_menus(self) -> None:
        system = self.menuBar().addMenu(self.tr("系统(&S)"))
        self.lock_action = QAction(self.tr("锁定屏幕"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(lambda: self.lock.lock("manual"))
        system.addAction(self.lock_action)
        switch = QAction(self.tr("切换用户…"), self)
        switch.triggered.connect(self.switch_user)
        system.addAction(switch)
        # every role, including those that do not see 设置 (村协理员, 审计员)
        self.change_password_action = QAction(self.tr("修改密码…"), self)
        self.change_password_action.triggered.connect(self.change_password)
        system.addAction(self.change_password_action)
        system.addSeparator()
        self.large_type_action = QAction(self.tr("大字号"), self)
        self.large_type_action.setCheckable(True)
        self.large_type_action.setChecked(setting_bool(self.ctx.settings, SETTING_LARGE_TYPE))
        self.large_type_action.toggled.connect(self.set_large_type)
        system.addAction(self.large_type_action)
        system.addSeparator()
        leave = QAction(self.tr("退出"), self)
        leave.setShortcut(QKeySequence("Ctrl+Q"))
        leave.triggered.connect(self.close)
        system.addAction(leave)
        goto = self.menuBar().addMenu(self.tr("转到(&G)"))
        for section in self.sections:
            action = QAction(section.title(), self)
            action.setShortcuts([QKeySequence(f"Alt+{section.number}"), QKeySequence(f"Ctrl+{section.number}")])
            action.triggered.connect(lambda _=False, sid=section.id: self.show_section(sid, focus_page=True))
            goto.addAction(action)
        self.ctx.events.setting_changed.connect(self._setting_changed)

    def change_password(self) -> None:
        from .users import ChangePasswordDialog

        self.password_dialog = ChangePasswordDialog(self.ctx, self)
        self.password_dialog.accepted.connect(lambda: self.statusBar().showMessage(
            self.tr("密码已修改，下次登录和解锁屏幕请用新密码。"), 10_000))
        self.password_dialog.open()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        user = self.ctx.session.user
        self.user_label = QLabel(self.tr("当前用户：{0}（{1}）").format(user.display_name, user.role_label))
        self.user_label.setObjectName("status_user")
        bar.addWidget(self.user_label)
        self.calendar_label = QLabel("")
        self.calendar_label.setObjectName("status_calendar")
        self.calendar_label.setStyleSheet(WARNING_STYLE)
        self.calendar_label.hide()
        bar.addWidget(self.calendar_label)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedWidth(80)
        self.busy_bar.setMaximumHeight(14)
        self.busy_label = QLabel(self.tr("正在处理…"))
        self.busy_label.setObjectName("status_busy")
        for w in (self.busy_bar, self.busy_label):
            w.hide()
            bar.addPermanentWidget(w)
        self._busy_delay = QTimer(self)
        self._busy_delay.setSingleShot(True)
        self._busy_delay.setInterval(BUSY_SHOW_DELAY_MS)
        self._busy_delay.timeout.connect(lambda: self._show_busy(True))
        self.waiting_label = QLabel(self.tr("待同步：…"))
        self.waiting_label.setObjectName("status_waiting")
        self.sync_label = QLabel(self.tr("上次同步：从未同步"))
        self.sync_label.setObjectName("status_last_sync")
        self.link_label = QLabel(self.tr("县级平台：…") if self.ctx.session.can(Permission.SYNC) else "")
        self.link_label.setObjectName("status_link")
        bar.addPermanentWidget(self.link_label)
        bar.addPermanentWidget(self.waiting_label)
        bar.addPermanentWidget(self.sync_label)
        bar.setStyleSheet("QStatusBar::item { border: none; } QStatusBar QLabel { padding: 0 10px; }")

    # ----- sections ----------------------------------------------------------------------
    def section_ids(self) -> list[str]:
        return [s.id for s in self.sections]

    def current_section_id(self) -> str:
        row = self.nav.currentRow()
        return self.sections[row].id if 0 <= row < len(self.sections) else ""

    def page(self, section_id: str) -> QWidget | None:
        """The page of a section, if it was built (tests and the screenshot tool use this)."""
        return self._pages.get(section_id)

    def show_section(self, section_id: str, focus_page: bool = False) -> bool:
        ids = self.section_ids()
        if section_id not in ids or self.lock.is_locked():
            return False
        if self.nav.currentRow() != ids.index(section_id):
            self.nav.setCurrentRow(ids.index(section_id))
        if focus_page:
            self._pages[section_id].setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def _row_changed(self, row: int) -> None:
        if not 0 <= row < len(self.sections):
            return
        section = self.sections[row]
        page = self._pages.get(section.id)
        if page is None:
            page = build_page(section.id, self.ctx)
            self._pages[section.id] = page
            self._holders[section.id].addWidget(page)
        self.pages.setCurrentIndex(row)
        on_shown = getattr(page, "on_shown", None)
        if callable(on_shown):
            on_shown()

    # ----- status bar --------------------------------------------------------------------
    def refresh_status(self) -> None:
        if self._ended or self._refreshing:
            return
        self._refreshing = True
        self.ctx.tasks.run(appinfo.shell_status, self.ctx.session, on_done=self._show_status,
                           on_error=self._status_failed)

    def _show_status(self, status: ShellStatus) -> None:
        self._refreshing = False
        self.status = status
        self.waiting_label.setText(self.tr("待同步：{0} 项").format(status.outbox_waiting))
        if status.last_sync_at is None:
            self.sync_label.setText(self.tr("上次同步：从未同步"))
        else:
            when = status.last_sync_at.astimezone()
            self.sync_label.setText(self.tr("上次同步：{0}").format(when.strftime("%m-%d %H:%M")))
        problem = status.calendar_problem
        self.calendar_label.setText(self.tr("日历提醒：{0}").format(problem) if problem else "")
        self.calendar_label.setToolTip(
            self.tr("工作日历须覆盖今天和此后60天，才能计算办理期限。") if problem else "")
        self.calendar_label.setVisible(bool(problem))

    def _sync_progress(self, done: int, total: int, _what: str) -> None:
        if total:
            self.link_label.setText(self.tr("县级平台：正在同步 {0}/{1}").format(done, total))

    def _sync_finished(self, result: object) -> None:
        if self._ended:
            return
        if result is None:
            self.link_label.setText(self.tr("县级平台：本机未注册"))
        elif isinstance(result, SyncReport):
            texts = {"ok": self.tr("县级平台：已连接"), "down": self.tr("县级平台：无法连接"),
                     "too_old": self.tr("县级平台：须升级本机软件"), "failed": self.tr("县级平台：同步出错")}
            self.link_label.setText(texts[result.link])
            self.link_label.setToolTip(result.message)
        else:
            self.link_label.setText(self.tr("县级平台：同步出错"))
            self.link_label.setToolTip(self.ctx.error_text(result))  # type: ignore[arg-type]
        self.refresh_status()
        self.ctx.events.data_changed.emit()

    def _status_failed(self, exc: BaseException) -> None:
        self._refreshing = False
        log.warning("status refresh failed: %s", exc.__class__.__name__, exc_info=exc)

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            self._busy_delay.start()
            return
        self._busy_delay.stop()
        self._show_busy(False)
        # Any finished work may have queued items for sync; the refresh itself is not counted.
        if not self._refreshing:
            self.refresh_status()

    def _show_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)
        self.busy_label.setVisible(busy)

    # ----- type size ---------------------------------------------------------------------
    def set_large_type(self, large: bool) -> None:
        if setting_bool(self.ctx.settings, SETTING_LARGE_TYPE) != large:
            self.ctx.settings.setValue(SETTING_LARGE_TYPE, large)
            self.ctx.settings.sync()
            self.ctx.events.setting_changed.emit(SETTING_LARGE_TYPE)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_large_type(app, large)

    def _setting_changed(self, key: str) -> None:
        if key == SETTING_LARGE_TYPE:
            large = setting_bool(self.ctx.settings, SETTING_LARGE_TYPE)
            if self.large_type_action.isChecked() != large:
                self.large_type_action.setChecked(large)

    # ----- locking, signing out ------------------------------------------------------------
    def set_covered(self, covered: bool) -> None:
        """Hide everything behind a plain cover while the screen is locked (pages are kept)."""
        self.body.setCurrentIndex(1 if covered else 0)
        self.menuBar().setEnabled(not covered)

    def show_for_screen(self) -> None:
        screen = self.screen()
        if screen is not None:
            self.resize(screen.availableGeometry().size())
        self.showMaximized()
        self.raise_()
        self.activateWindow()

    def _unsaved_sections(self) -> list[str]:
        out = []
        for section in self.sections:
            page = self._pages.get(section.id)
            check = getattr(page, "has_unsaved_work", None)
            if callable(check) and check():
                out.append(section.title())
        return out

    def _confirm_leave(self) -> bool:
        unsaved = self._unsaved_sections()
        if not unsaved:
            return True
        answer = QMessageBox.question(
            self, self.tr("尚未保存"),
            self.tr("“{0}”中有尚未保存的内容，离开后将丢失。确定要离开吗？").format(self.tr("、").join(unsaved)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def switch_user(self) -> None:
        """Sign out and go back to the login window (from the menu or the lock screen)."""
        if self._ended:
            return
        if not self.lock.is_locked() and not self._confirm_leave():
            return
        self._end_session()
        self.signed_out.emit()
        self.close()

    def _end_session(self) -> None:
        self._ended = True
        self._status_timer.stop()
        self.lock.stop()
        self.sync_runner.stop()
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        self.ctx.tasks.run(auth.sign_out, self.ctx.session, on_error=self._sign_out_failed)
        self.ctx.tasks.wait()

    def _sign_out_failed(self, exc: BaseException) -> None:
        log.error("sign-out failed: %s", exc.__class__.__name__, exc_info=exc)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._ended:
            if self.lock.is_locked():      # unlock first, or "切换用户" on the lock screen
                event.ignore()
                return
            if not self._confirm_leave():
                event.ignore()
                return
            self._end_session()
        super().closeEvent(event)
