"""Unlock / login: the user's password opens their key slot of the encrypted database.

Signing in runs on the task runner (Argon2id takes a few hundred ms), so the
window stays responsive and shows that it is busy. Every failure is told in
Chinese with the way out: wrong password (with the attempts left), locked
account, missing database, damaged database.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import logs
from desktop.domain.errors import YimenError
from desktop.services.admin import local_files

from . import style
from .tasks import TaskRunner
from .typography import set_font_scale

if TYPE_CHECKING:
    from desktop.services.admin.accounts import LockoutPolicy
    from desktop.services.admin.appinfo import Installation
    from desktop.services.session import AppSession

log = logging.getLogger(__name__)

ERROR_STYLE = style.ERROR_TEXT


def open_session(data_dir: Path, username: str, password: str,
                 lockout: LockoutPolicy | None = None) -> tuple[AppSession, Installation]:
    """Worker side of signing in: unlock, then read what the window title needs.

    The database code (SQLAlchemy, SQLCipher, Alembic) is first imported here, on the worker,
    so the login window is shown without it (see "Start-up" in docs/ARCHITECTURE.md)."""
    from desktop.services.admin import accounts as auth
    from desktop.services.admin import appinfo

    session = auth.sign_in(data_dir, username, password, lockout=lockout)
    try:
        info = appinfo.installation(session)
    except BaseException:
        session.close()
        raise
    return session, info


class LoginWindow(QWidget):
    """The first window: user name and password; emits ``signed_in(session, installation)``."""

    signed_in = Signal(object, object)

    def __init__(self, data_dir: Path, tasks: TaskRunner, lockout: LockoutPolicy | None = None) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.tasks = tasks
        self.lockout = lockout
        self._busy = False
        self._closed = False
        self.setObjectName("login")
        self.setWindowTitle(self.tr("一门受理 — 登录"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 16)
        layout.setSpacing(10)
        title = QLabel(self.tr("乡镇社会救助“一门受理”窗口"))
        set_font_scale(title, 1.6, bold=True)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        hint = QLabel(self.tr("请输入您的用户名和密码，以打开本机的加密数据库。"))
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hint)
        layout.addLayout(self._build_form())
        layout.addWidget(self._build_error())
        layout.addLayout(self._build_buttons())
        self._build_demo(layout)
        where = QLabel(self.tr("数据目录：{0}").format(self.data_dir))
        where.setObjectName("data_dir")
        where.setStyleSheet("color: #666;")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        QWidget.setTabOrder(self.username, self.password)
        QWidget.setTabOrder(self.password, self.button)
        if self.demo_table is not None:
            QWidget.setTabOrder(self.button, self.demo_table)
        if not local_files.database_present(self.data_dir):
            self.show_error(self._missing_text())
        self.username.setFocus()

    # ----- building -----------------------------------------------------------------
    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setMaxLength(32)
        self.username.returnPressed.connect(self._enter_in_username)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.try_sign_in)
        user_label = QLabel(self.tr("用户名(&U)："))
        user_label.setBuddy(self.username)
        pw_label = QLabel(self.tr("密码(&P)："))
        pw_label.setBuddy(self.password)
        form.addRow(user_label, self.username)
        form.addRow(pw_label, self.password)
        return form

    def _build_error(self) -> QLabel:
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        return self.error

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setFormat("")
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(120)
        self.progress.hide()
        self.busy_label = QLabel(self.tr("正在验证密码，请稍候…"))
        self.busy_label.hide()
        self.button = QPushButton(self.tr("登录"))
        self.button.setObjectName("sign_in")
        self.button.setMinimumWidth(120)
        self.button.clicked.connect(self.try_sign_in)
        row.addWidget(self.progress)
        row.addWidget(self.busy_label)
        row.addStretch(1)
        row.addWidget(self.button)
        return row

    def _build_demo(self, layout: QVBoxLayout) -> None:
        demo = local_files.read_demo_accounts(self.data_dir)
        self.demo_table: QTableWidget | None = None
        if not demo:
            return
        layout.addWidget(QLabel(self.tr("演示账户（仅演示数据库）：")))
        table = QTableWidget(len(demo), 3)
        table.setObjectName("demo_accounts")
        table.setHorizontalHeaderLabels([self.tr("角色"), self.tr("用户名"), self.tr("密码")])
        for r, (user, role, pw) in enumerate(demo):
            for c, value in enumerate((role, user, pw)):
                table.setItem(r, c, QTableWidgetItem(value))
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # the role column whole (村协理员 with its villages), the others share the rest
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        table.cellActivated.connect(lambda r, _c: self._fill(demo[r][0], demo[r][2]))
        table.resizeRowsToContents()
        height = table.horizontalHeader().sizeHint().height() + sum(
            table.rowHeight(r) for r in range(len(demo))) + 2 * table.frameWidth()
        table.setFixedHeight(height)
        layout.addWidget(table)
        layout.addWidget(QLabel(self.tr("双击一行（或选中后按回车）可自动填入。")))
        self.demo_table = table

    # ----- behaviour -----------------------------------------------------------------
    def _fill(self, user: str, password: str) -> None:
        self.username.setText(user)
        self.password.setText(password)
        self.password.setFocus()

    def _enter_in_username(self) -> None:
        if self.password.text():
            self.try_sign_in()
        else:
            self.password.setFocus()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def is_busy(self) -> bool:
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for w in (self.username, self.password, self.button):
            w.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.busy_label.setVisible(busy)
        if busy:
            self.show_error("")

    def try_sign_in(self) -> None:
        if self._busy:
            return
        user, pw = self.username.text().strip(), self.password.text()
        if not user:
            self.show_error(self.tr("请输入用户名。"))
            self.username.setFocus()
            return
        if not pw:
            self.show_error(self.tr("请输入密码。"))
            self.password.setFocus()
            return
        self._set_busy(True)
        self.tasks.run(open_session, self.data_dir, user, pw, lockout=self.lockout,
                       on_done=self._signed_in, on_error=self._failed)

    def _signed_in(self, result: tuple[AppSession, Installation]) -> None:
        session, info = result
        if self._closed:    # the window was closed while the password was being checked
            session.close()
            return
        self._set_busy(False)
        self.password.clear()
        self.signed_in.emit(session, info)

    def _failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self._set_busy(False)
        self.show_error(self.failure_text(exc))
        self.password.clear()
        # the same for an unknown name and a wrong password: the window never tells which it was
        self.password.setFocus()

    def _missing_text(self) -> str:
        return (self.tr("找不到数据库：{0}").format(self.data_dir) + "\n"
                + self.tr("如有备份，请使用 yimen restore 从备份恢复；新安装请由县级信息管理员初始化。"))

    def failure_text(self, exc: BaseException) -> str:
        """The message for a failed sign-in, with the way out where there is one."""
        from desktop.services.admin.accounts import SignInProblem, sign_in_problem

        way_out = self.tr("请使用 yimen restore 从备份恢复，或联系县级信息管理员。")
        problem = sign_in_problem(exc)
        message = exc.message if isinstance(exc, YimenError) else ""
        if problem in (SignInProblem.WRONG_PASSWORD, SignInProblem.UNKNOWN_USER, SignInProblem.LOCKED,
                       SignInProblem.INACTIVE):
            return str(message)
        if problem is SignInProblem.MISSING:
            return self._missing_text()
        if problem is SignInProblem.KEY_MISMATCH:
            return (self.tr("密码正确，但数据库文件与密钥槽文件不匹配（文件可能已损坏或被替换），"
                            "无法打开。文件未被改动。") + "\n" + way_out)
        if problem is SignInProblem.DAMAGED:
            detail = self.tr("数据库文件已损坏，无法打开。文件未被改动。")
            if message:
                detail = message
            return detail + "\n" + way_out
        log.error("sign-in failed: %s", exc.__class__.__name__, exc_info=exc)
        text = self.tr("打开数据库时出错，数据库可能已损坏。") + "\n" + way_out
        path = logs.log_file()
        return text if path is None else text + "\n" + self.tr("详情已写入日志文件：{0}").format(str(path))

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self._closed = True
        super().closeEvent(event)
