"""Unlock / login: the user's password opens their key slot of the encrypted database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from desktop.services import appinfo
from desktop.services.auth import AppSession, sign_in
from desktop.services.errors import ServiceError
from desktop.store.errors import StoreError


class LoginWindow(QDialog):
    signed_in = Signal(object)

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.session: AppSession | None = None
        self.setWindowTitle(self.tr("一门受理 — 登录"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("乡镇社会救助“一门受理”窗口"))
        title.setStyleSheet("font-size: 20px; font-weight: bold;")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("用户名："), self.username)
        form.addRow(self.tr("密码："), self.password)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.button = QPushButton(self.tr("登录"))
        self.button.setDefault(True)
        self.button.clicked.connect(self.try_sign_in)
        self.password.returnPressed.connect(self.try_sign_in)
        layout.addWidget(self.button)
        if not appinfo.database_present(data_dir):
            self.error.setText(self.tr("找不到数据库：{0}\n如有备份，请用“yimen restore”从备份恢复；"
                                       "新安装请由县级信息管理员初始化。").format(data_dir))
        demo = appinfo.demo_accounts(data_dir)
        if demo:
            layout.addWidget(QLabel(self.tr("演示账户（仅演示数据库）：")))
            table = QTableWidget(len(demo), 3)
            table.setHorizontalHeaderLabels([self.tr("角色"), self.tr("用户名"), self.tr("密码")])
            for r, (user, role, pw) in enumerate(demo):
                for c, value in enumerate((role, user, pw)):
                    table.setItem(r, c, QTableWidgetItem(value))
            table.verticalHeader().setVisible(False)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.cellDoubleClicked.connect(lambda r, _c: self._fill(demo[r][0], demo[r][2]))
            table.setFixedHeight(34 + 30 * len(demo))
            layout.addWidget(table)
            layout.addWidget(QLabel(self.tr("双击一行可自动填入。")))
        self.username.setFocus()

    def _fill(self, user: str, password: str) -> None:
        self.username.setText(user)
        self.password.setText(password)

    def try_sign_in(self) -> None:
        user, pw = self.username.text().strip(), self.password.text()
        if not user or not pw:
            self.error.setText(self.tr("请输入用户名和密码。"))
            return
        try:
            self.session = sign_in(self.data_dir, user, pw)
        except (StoreError, ServiceError) as exc:
            self.error.setText(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        self.error.setText("")
        self.signed_in.emit(self.session)
        self.accept()
