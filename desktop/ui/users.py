"""Accounts in the window: everyone changes their own password; administrators manage users.

- :class:`ChangePasswordDialog` — old password, new one twice (设置 → 账户, and 系统 → 修改密码…
  for the roles that do not see 设置).
- :class:`UsersPanel` — the 用户管理 tab of 设置 (``Permission.MANAGE_USERS``): the users with
  role, a village assistant's villages and lockout state, 新增用户 / 负责的村 / 重置密码 / 解除锁定 /
  删除用户. A village assistant is given its villages (at least one) from a checklist of the
  township's villages, when added and later (:class:`VillagesDialog`).

Every dialog stays open on a refusal and shows the service's Chinese message in its error
line; nothing is changed then. The services run on ``ctx.tasks`` (Argon2 takes a moment).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.roles import Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import UserAccount

from . import style
from .context import UiContext

ERROR_STYLE = style.ERROR_TEXT
OK_STYLE = style.OK_TEXT
# the order county IT thinks in: who works cases first, the special roles after
ROLE_ORDER = (Role.CLERK, Role.SUPERVISOR, Role.VILLAGE_ASSISTANT, Role.ADMIN, Role.AUDITOR)


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMinimumWidth(260)
    return field


class _ServiceDialog(QDialog):
    """A small form whose 确定 runs one service call; a refusal keeps it open with the message."""

    def __init__(self, ctx: UiContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.hint = QLabel(self.tr("密码至少8位，须同时包含字母和数字。"))
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.error = QLabel("")
        self.error.setObjectName("dialog_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("dialog_ok")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.busy = False

    def check(self) -> str | None:
        """A problem the form can see by itself (passwords differ), or None."""
        return None

    def call(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        raise NotImplementedError

    def submit(self) -> None:
        if self.busy:
            return
        problem = self.check()
        if problem:
            self.error.setText(problem)
            return
        self.error.setText(self.tr("正在保存，请稍候…"))
        self.busy = True
        self.ok_button.setEnabled(False)
        fn, args = self.call()
        self.ctx.tasks.run(fn, self.ctx.session, *args, on_done=self._done, on_error=self._failed)

    def _done(self, _result: object) -> None:
        self.busy = False
        self.ok_button.setEnabled(True)
        self.error.setText("")
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.ok_button.setEnabled(True)
        self.error.setText(self.ctx.error_text(exc))

    def _passwords_differ(self, first: QLineEdit, second: QLineEdit) -> str | None:
        if first.text() != second.text():
            second.clear()
            second.setFocus()
            return self.tr("两次输入的新密码不一致，请重新输入。")
        return None


class ChangePasswordDialog(_ServiceDialog):
    """The signed-in user changes their own password (the old one is required)."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("修改密码"), parent)
        self.setObjectName("change_password_dialog")
        user = ctx.session.user
        self.form.addRow(self.tr("用户："), QLabel(self.tr("{0}（{1}）").format(user.display_name, user.username)))
        self.old_password = _password_field("old_password")
        self.new_password = _password_field("new_password")
        self.repeat_password = _password_field("repeat_password")
        self.form.addRow(self.tr("原密码："), self.old_password)
        self.form.addRow(self.tr("新密码："), self.new_password)
        self.form.addRow(self.tr("再次输入新密码："), self.repeat_password)

    def check(self) -> str | None:
        if not self.old_password.text():
            return self.tr("请输入原密码。")
        return self._passwords_differ(self.new_password, self.repeat_password)

    def call(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return auth.change_password, (self.old_password.text(), self.new_password.text())


class VillageChecklist(QListWidget):
    """The township's villages, each with a check box (a village assistant's villages)."""

    def __init__(self, villages: list[tuple[str, str]], checked: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.setObjectName("village_checklist")
        for code, name in villages:
            item = QListWidgetItem(self.tr("{0}（{1}）").format(name, code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in checked else Qt.CheckState.Unchecked)
            self.addItem(item)
        rows = min(6, max(3, len(villages)))     # the rest by scrolling: the dialog stays on a 768-high screen
        self.setFixedHeight(rows * max(self.sizeHintForRow(0), 20) + 2 * self.frameWidth() + 2)
        self.itemActivated.connect(self._toggle)      # Enter / double-click as well as the space bar

    def _toggle(self, item: QListWidgetItem) -> None:
        item.setCheckState(Qt.CheckState.Unchecked if item.checkState() == Qt.CheckState.Checked
                           else Qt.CheckState.Checked)

    def codes(self) -> list[str]:
        return [str(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_codes(self, codes: list[str]) -> None:
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in codes
                               else Qt.CheckState.Unchecked)


class AddUserDialog(_ServiceDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None,
                 villages: list[tuple[str, str]] | None = None) -> None:
        super().__init__(ctx, self.tr("新增用户"), parent)
        self.setObjectName("add_user_dialog")
        self.username = QLineEdit()
        self.username.setObjectName("new_username")
        self.username.setPlaceholderText(self.tr("如 wangxy，登录时输入"))
        self.display_name = QLineEdit()
        self.display_name.setObjectName("new_display_name")
        self.role = QComboBox()
        self.role.setObjectName("new_role")
        for role in ROLE_ORDER:
            self.role.addItem(role.label, role.value)
        self.password = _password_field("new_password")
        self.repeat_password = _password_field("repeat_password")
        self.form.addRow(self.tr("用户名："), self.username)
        self.form.addRow(self.tr("姓名："), self.display_name)
        self.form.addRow(self.tr("角色："), self.role)
        self.villages = VillageChecklist(villages or [])
        self.villages_label = QLabel(self.tr("负责的村（社区）："))
        self.form.addRow(self.villages_label, self.villages)
        self.form.addRow(self.tr("初始密码："), self.password)
        self.form.addRow(self.tr("再次输入密码："), self.repeat_password)
        self.hint.setText(self.tr("用户名为3–32位小写字母、数字或 _ . -，以字母开头。密码至少8位，须同时包含字母和数字；"
                                  "请当面告知本人，并请其登录后在“系统”菜单的“修改密码”中修改。"
                                  "村协理员须勾选其负责的村（社区），只能受理、查询这些村的家庭。"))
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()

    def _assistant(self) -> bool:
        return self.role.currentData() == Role.VILLAGE_ASSISTANT.value

    def _role_changed(self) -> None:
        self.villages.setVisible(self._assistant())
        self.villages_label.setVisible(self._assistant())
        self.adjustSize()       # room for the checklist (or none), never rows drawn over each other

    def check(self) -> str | None:
        return self._passwords_differ(self.password, self.repeat_password)

    def call(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        codes = self.villages.codes() if self._assistant() else []

        def add(session, username, display_name, role, password):  # type: ignore[no-untyped-def]
            return auth.add_user(session, username, display_name, role, password, villages=codes)

        return add, (self.username.text().strip(), self.display_name.text(),
                     self.role.currentData(), self.password.text())


class VillagesDialog(_ServiceDialog):
    """Change which villages a village assistant works for (at least one)."""

    def __init__(self, ctx: UiContext, account: UserAccount, villages: list[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("负责的村（社区）"), parent)
        self.setObjectName("villages_dialog")
        self.account = account
        self.form.addRow(self.tr("村协理员："), QLabel(self.tr("{0}（{1}）").format(account.display_name,
                                                                                 account.username)))
        self.villages = VillageChecklist(villages, tuple(code for code, _name in account.villages))
        self.form.addRow(self.tr("负责的村（社区）："), self.villages)
        self.hint.setText(self.tr("至少勾选一个。村协理员只能查询、受理所勾选村的家庭，并只为这些村的申请打印文书；"
                                  "本人下次登录时生效。"))

    def call(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return auth.set_villages, (self.account.username, self.villages.codes())


class ResetPasswordDialog(_ServiceDialog):
    def __init__(self, ctx: UiContext, account: UserAccount, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("重置密码"), parent)
        self.setObjectName("reset_password_dialog")
        self.account = account
        self.form.addRow(self.tr("用户："), QLabel(self.tr("{0}（{1}）").format(account.display_name, account.username)))
        self.password = _password_field("new_password")
        self.repeat_password = _password_field("repeat_password")
        self.form.addRow(self.tr("新密码："), self.password)
        self.form.addRow(self.tr("再次输入新密码："), self.repeat_password)
        self.hint.setText(self.tr("密码至少8位，须同时包含字母和数字。重置后原密码失效，锁定同时解除；"
                                  "请当面告知本人，并请其登录后在“系统”菜单的“修改密码”中修改。"))

    def check(self) -> str | None:
        return self._passwords_differ(self.password, self.repeat_password)

    def call(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return auth.reset_password, (self.account.username, self.password.text())


class UsersPanel(QWidget):
    """用户管理: the table of users and what an administrator can do to one of them."""

    changed = Signal()   # a user was added, reset, unlocked or removed

    COLUMNS = ("username", "name", "role", "villages", "state", "password_changed")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("users_panel")
        self.accounts: list[UserAccount] = []
        self.villages: list[tuple[str, str]] | None = None    # the township's, for the checklists
        self.loaded = False
        self.dialog: QDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        policy = ctx.session.lockout or auth.LockoutPolicy()
        intro = QLabel(self.tr("每位工作人员使用自己的账户登录，经办记录和审计日志按账户记录。"
                               "密码连续输错{0}次账户锁定{1}分钟，可在此提前解除锁定。").format(
                                   policy.max_failures, policy.lock_minutes))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("新增用户…"))
        self.add_button.setObjectName("add_user")
        self.add_button.clicked.connect(self.add_user)
        self.villages_button = QPushButton(self.tr("负责的村…"))
        self.villages_button.setObjectName("edit_villages")
        self.villages_button.setToolTip(self.tr("更改村协理员负责的村（社区）"))
        self.villages_button.clicked.connect(self.edit_villages)
        self.reset_button = QPushButton(self.tr("重置密码…"))
        self.reset_button.setObjectName("reset_password")
        self.reset_button.clicked.connect(self.reset_password)
        self.unlock_button = QPushButton(self.tr("解除锁定"))
        self.unlock_button.setObjectName("unlock_account")
        self.unlock_button.clicked.connect(self.unlock_account)
        self.remove_button = QPushButton(self.tr("删除用户…"))
        self.remove_button.setObjectName("remove_user")
        self.remove_button.clicked.connect(self.remove_user)
        for b in (self.add_button, self.villages_button, self.reset_button, self.unlock_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("users_table")
        self.table.setHorizontalHeaderLabels([self.tr("用户名"), self.tr("姓名"), self.tr("角色"),
                                              self.tr("负责村（社区）"), self.tr("状态"), self.tr("密码修改于")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.reset_password())
        layout.addWidget(self.table, 1)
        self.message = QLabel("")
        self.message.setObjectName("users_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self._update_buttons()

    # ----- loading -----------------------------------------------------------------------
    def refresh(self) -> None:
        if self.villages is None:
            self.ctx.tasks.run(auth.village_choices, self.ctx.session, on_done=self._villages_loaded,
                               on_error=self._failed, latest_only="settings.villages")
        self.ctx.tasks.run(auth.list_accounts, self.ctx.session, on_done=self.show_accounts,
                           on_error=self._failed, latest_only="settings.users")

    def _villages_loaded(self, villages: list[tuple[str, str]]) -> None:
        self.villages = list(villages)

    def show_accounts(self, accounts: list[UserAccount]) -> None:
        selected = self.selected()
        self.accounts = list(accounts)
        self.table.setRowCount(len(self.accounts))
        me = self.ctx.session.user.username
        for row, a in enumerate(self.accounts):
            name = a.display_name + (self.tr("（当前登录）") if a.username == me else "")
            changed = a.password_changed_at.astimezone().strftime("%Y-%m-%d %H:%M") if a.password_changed_at else ""
            villages = self.tr("、").join(n for _c, n in a.villages)
            for col, text in enumerate((a.username, name, a.role_label, villages, self.state_text(a), changed)):
                item = QTableWidgetItem(text)
                if col == 4 and (a.locked or not a.has_key_slot):
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, col, item)
        if selected is not None:
            self.select(selected.username)
        self.loaded = True
        self._update_buttons()

    def state_text(self, a: UserAccount) -> str:
        if not a.has_key_slot:
            return self.tr("无法登录（没有密码，请重置密码）")
        if a.locked_until is not None:
            return self.tr("已锁定（至 {0}）").format(a.locked_until.astimezone().strftime("%H:%M"))
        if a.failed_attempts:
            return self.tr("正常（密码已连续输错 {0} 次）").format(a.failed_attempts)
        return self.tr("正常")

    def selected(self) -> UserAccount | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.accounts):
            return None
        return self.accounts[rows[0].row()]

    def select(self, username: str) -> None:
        for row, a in enumerate(self.accounts):
            if a.username == username:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        a = self.selected()
        self.villages_button.setEnabled(a is not None and a.role is Role.VILLAGE_ASSISTANT)
        self.reset_button.setEnabled(a is not None)
        self.unlock_button.setEnabled(a is not None and (a.locked or a.failed_attempts > 0))
        self.remove_button.setEnabled(a is not None)

    # ----- actions -----------------------------------------------------------------------
    def _say(self, text: str, ok: bool = True) -> None:
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.message.setText(text)

    def _failed(self, exc: BaseException) -> None:
        self._say(self.ctx.error_text(exc), ok=False)

    def _open(self, dialog: QDialog, done: Callable[[], None]) -> None:
        self.dialog = dialog
        dialog.accepted.connect(done)
        dialog.accepted.connect(self._changed)
        dialog.open()

    def _changed(self) -> None:
        self.ctx.events.data_changed.emit()
        self.changed.emit()
        self.refresh()

    def add_user(self) -> None:
        dialog = AddUserDialog(self.ctx, self, self.villages)
        self._open(dialog, lambda: self._say(self.tr("已新增用户：{0}（{1}）。").format(
            dialog.display_name.text().strip(), dialog.username.text().strip())))

    def edit_villages(self) -> None:
        a = self.selected()
        if a is None or a.role is not Role.VILLAGE_ASSISTANT:
            return
        self._open(VillagesDialog(self.ctx, a, self.villages or [], self),
                   lambda: self._say(self.tr("已更改 {0} 负责的村（社区），本人下次登录时生效。").format(a.display_name)))

    def reset_password(self) -> None:
        a = self.selected()
        if a is None:
            return
        self._open(ResetPasswordDialog(self.ctx, a, self),
                   lambda: self._say(self.tr("已重置 {0} 的密码；原密码已失效。").format(a.display_name)))

    def unlock_account(self) -> None:
        a = self.selected()
        if a is None:
            return
        self.ctx.tasks.run(auth.unlock_account, self.ctx.session, a.username,
                           on_done=lambda _r: (self._say(self.tr("已解除 {0} 的锁定。").format(a.display_name)),
                                               self._changed()),
                           on_error=self._failed)

    def ask(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("删除用户"), text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def remove_user(self) -> None:
        a = self.selected()
        if a is None:
            return
        if not self.ask(self.tr("删除用户 {0}（{1}，{2}）？删除后该账户不能再登录；"
                                "其经办记录和审计日志保留。").format(a.display_name, a.username, a.role_label)):
            return
        self.ctx.tasks.run(auth.remove_user, self.ctx.session, a.username,
                           on_done=lambda _r: (self._say(self.tr("已删除用户：{0}（{1}）。").format(
                               a.display_name, a.username)), self._changed()),
                           on_error=self._failed)
