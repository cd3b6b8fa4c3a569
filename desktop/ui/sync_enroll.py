"""The 同步 page's enrollment block: register this PC at the county hub (系统管理员 only), or say who can.

The administrator types what county IT handed over — the hub's address, the CA file (picked with
the window's Chinese file dialog; its SHA-256 fingerprint is shown at once, in groups of four to
read aloud against the paper), the fingerprint county IT printed and the one-time enrollment
code. The township and device codes are this database's, fixed at setup, and only shown. 注册
runs on the sync runner's own thread (:meth:`SyncRunner.enroll`), through
:func:`desktop.services.sync.enrollment.enroll` as ``yimen enroll`` does; a refusal (wrong
fingerprint, used or expired code, hub unreachable, another township's code) is shown in Chinese
and nothing is kept. Once enrolled the block says 已注册 (county, address, device); 重新注册 opens
the form again (a replaced PC's token, a new county CA).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import YimenError
from desktop.domain.roles import Permission
from desktop.services.sync import enrollment
from desktop.services.sync.enrollment import Enrolled, EnrollStatus

from . import files, style
from .context import UiContext
from .typography import set_font_scale

MAX_CA_BYTES = 256 * 1024


def grouped(fingerprint: str) -> str:
    """``AB:CD:EF:01:…`` as ``ABCD EF01 …`` (16 groups of four, two lines), to read aloud."""
    digits = "".join(c for c in fingerprint.upper() if c in "0123456789ABCDEF")
    groups = [digits[i:i + 4] for i in range(0, len(digits), 4)]
    return "  ".join(groups[:8]) + ("\n" + "  ".join(groups[8:]) if len(groups) > 8 else "")


class EnrollBlock(QWidget):
    """Shown on the 同步 page: the form (admin, not enrolled or 重新注册), 已注册, or who to ask."""

    enrolled = Signal()

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("sync_enroll")
        self.is_admin = ctx.session.can(Permission.MANAGE_SETTINGS)
        self.status: EnrollStatus | None = None
        self.ca_pem: bytes | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.info = QLabel("")
        self.info.setObjectName("sync_enroll_info")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_font_scale(self.info, 1.1)
        layout.addWidget(self.info)
        self.reenroll_button = QPushButton(self.tr("重新注册(&N)…"))
        self.reenroll_button.setObjectName("sync_reenroll")
        self.reenroll_button.clicked.connect(self.open_form)
        row = QHBoxLayout()
        row.addWidget(self.reenroll_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.form_box = self._build_form()
        layout.addWidget(self.form_box)
        self.reenroll_button.hide()
        self.form_box.hide()
        runner = ctx.sync_runner
        if runner is not None:
            runner.enrollment_done.connect(self._done)

    # ----- building ----------------------------------------------------------------------
    def _build_form(self) -> QGroupBox:
        box = QGroupBox(self.tr("在县级平台注册本机"))
        box.setObjectName("sync_enroll_form")
        outer = QVBoxLayout(box)
        help_text = QLabel(self.tr("请照县级信息管理员给出的材料填写：县级平台地址、CA 证书文件及其指纹、一次性注册码。"
                                   "注册码只能用一次，并有有效期。"))
        help_text.setWordWrap(True)
        outer.addWidget(help_text)
        form = QFormLayout()
        self.hub_url = QLineEdit()
        self.hub_url.setObjectName("enroll_hub_url")
        self.hub_url.setPlaceholderText("https://hub.example.gov.cn:8443")
        form.addRow(self.tr("县级平台地址(&U)："), self.hub_url)
        self.ca_path = QLineEdit()
        self.ca_path.setObjectName("enroll_ca_path")
        self.ca_path.setReadOnly(True)
        self.ca_path.setPlaceholderText(self.tr("尚未选择"))
        self.pick_button = QPushButton(self.tr("选择文件(&F)…"))
        self.pick_button.setObjectName("enroll_pick_ca")
        self.pick_button.clicked.connect(self.pick_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_path, 1)
        ca_row.addWidget(self.pick_button)
        form.addRow(self.tr("CA 证书文件："), ca_row)
        self.file_fingerprint = QLabel(self.tr("选择文件后在此显示它的指纹，请与县级信息管理员给出的逐组核对。"))
        self.file_fingerprint.setObjectName("enroll_file_fingerprint")
        self.file_fingerprint.setWordWrap(True)
        self.file_fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("该文件的指纹："), self.file_fingerprint)
        self.pin = QLineEdit()
        self.pin.setObjectName("enroll_pin")
        self.pin.setPlaceholderText(self.tr("县级信息管理员给出的 SHA-256 指纹（64 位，可带冒号或空格）"))
        self.pin.textChanged.connect(self._compare)
        form.addRow(self.tr("县级给出的指纹(&P)："), self.pin)
        self.match = QLabel("")
        self.match.setObjectName("enroll_match")
        form.addRow("", self.match)
        self.identity = QLabel("")
        self.identity.setObjectName("enroll_identity")
        self.identity.setWordWrap(True)
        form.addRow(self.tr("本机："), self.identity)
        self.code = QLineEdit()
        self.code.setObjectName("enroll_code")
        self.code.setPlaceholderText(self.tr("一次性注册码"))
        form.addRow(self.tr("注册码(&C)："), self.code)
        outer.addLayout(form)
        buttons = QHBoxLayout()
        self.submit = QPushButton(self.tr("注册(&E)"))
        self.submit.setObjectName("enroll_submit")
        self.submit.clicked.connect(self.submit_form)
        buttons.addWidget(self.submit)
        self.cancel = QPushButton(self.tr("取消"))
        self.cancel.setObjectName("enroll_cancel")
        self.cancel.clicked.connect(self._cancel)
        buttons.addWidget(self.cancel)
        self.message = QLabel("")
        self.message.setObjectName("enroll_message")
        self.message.setWordWrap(True)
        buttons.addWidget(self.message, 1)
        outer.addLayout(buttons)
        for edit in (self.hub_url, self.pin, self.code):     # an old refusal is not about what is typed now
            edit.textEdited.connect(lambda _t: self._say("", error=False))
        return box

    # ----- what is shown -----------------------------------------------------------------
    def refresh(self) -> None:
        self.ctx.tasks.run(enrollment.status, self.ctx.session, on_done=self.show_status,
                           on_error=lambda exc: self.info.setText(self.ctx.error_text(exc)),
                           latest_only="sync_enroll_status")

    def show_status(self, st: EnrollStatus) -> None:
        self.status = st
        self.identity.setText(self.tr("{0}（乡镇代码 {1}），设备编号 {2}。设备编号在本机初始化时确定，不能在此更改。")
                              .format(st.township_name, st.township_code, st.device_code))
        if st.enrolled:
            self.info.setText(self.tr("已注册到县级平台（{0}）：{1}；本机为{2} {3} 号设备。")
                              .format(st.county_name, st.hub_url, st.township_name, st.device_code))
            self.info.setStyleSheet(style.OK_TEXT)
            self.reenroll_button.setVisible(self.is_admin and not self.form_box.isVisible())
            if not self.form_box.isVisible():
                self.form_box.hide()
        elif self.is_admin:
            self.info.setText(self.tr("注册前本机照常办理业务，记录都保存在待同步队列中。"))
            self.info.setStyleSheet("")
            self.reenroll_button.hide()
            self.open_form()
        else:
            self.info.setText(self.tr("本机尚未注册，请县级信息管理员与本乡镇系统管理员一起办理注册"
                                      "（系统管理员登录后在本页填写注册信息）。注册前本机照常办理业务，记录都保存在待同步队列中。"))
            self.info.setStyleSheet("")
            self.reenroll_button.hide()
            self.form_box.hide()

    def open_form(self) -> None:
        if not self.is_admin:
            return
        self.form_box.show()
        self.reenroll_button.hide()
        self.cancel.setVisible(bool(self.status and self.status.enrolled))
        if self.status is not None and self.status.enrolled and not self.hub_url.text():
            self.hub_url.setText(self.status.hub_url)
        self.hub_url.setFocus()

    def _cancel(self) -> None:
        self.form_box.hide()
        self.message.setText("")
        self.reenroll_button.setVisible(self.is_admin and bool(self.status and self.status.enrolled))

    # ----- the CA file -------------------------------------------------------------------
    def pick_ca(self) -> None:
        path = files.ask_open_file(self, self.ctx.settings, "county_ca", self.tr("选择县级平台 CA 证书"),
                                   self.tr("CA 证书 (*.pem *.crt *.cer);;所有文件 (*)"))
        if path is not None:
            self.load_ca(path)

    def load_ca(self, path: Path) -> None:
        self.ca_pem = None
        self.ca_path.setText(str(path))
        try:
            if path.stat().st_size > MAX_CA_BYTES:
                raise OSError("too large")
            pem = path.read_bytes()
        except OSError:
            self._file_problem(self.tr("读不到该文件，或它不是 CA 证书。"))
            return
        try:
            fingerprint = enrollment.ca_file_fingerprint(pem)
        except YimenError as exc:
            self._file_problem(exc.message)
            return
        self.ca_pem = pem
        self._say("", error=False)
        self.file_fingerprint.setText(grouped(fingerprint))
        self.file_fingerprint.setStyleSheet("font-family: monospace; font-weight: bold;")
        self._compare()

    def _file_problem(self, text: str) -> None:
        self.file_fingerprint.setText(text)
        self.file_fingerprint.setStyleSheet(style.ERROR_TEXT)
        self._compare()

    def _compare(self) -> None:
        typed = "".join(c for c in self.pin.text().upper() if c in "0123456789ABCDEF")
        if self.ca_pem is None or not typed:
            self.match.setText("")
            return
        have = "".join(c for c in enrollment.ca_file_fingerprint(self.ca_pem).upper() if c in "0123456789ABCDEF")
        if typed == have:
            self.match.setText(self.tr("✓ 与所选文件的指纹一致"))
            self.match.setStyleSheet(style.OK_TEXT_BOLD)
        elif len(typed) < len(have) and have.startswith(typed):
            self.match.setText(self.tr("已核对的部分一致，请填完"))
            self.match.setStyleSheet("")
        else:
            self.match.setText(self.tr("✗ 与所选文件的指纹不一致：请核对，不一致时不要注册"))
            self.match.setStyleSheet(style.ERROR_TEXT_BOLD)

    # ----- 注册 ---------------------------------------------------------------------------
    def submit_form(self) -> None:
        runner = self.ctx.sync_runner
        if runner is None:
            return
        if self.ca_pem is None:
            self._say(self.tr("请先选择县级平台的 CA 证书文件。"), error=True)
            return
        if not runner.enroll(self.hub_url.text(), self.ca_pem, self.pin.text(), self.code.text()):
            self._say(self.tr("正在同步或注册，请稍候再试。"), error=True)
            return
        self.submit.setEnabled(False)
        self._say(self.tr("正在连接县级平台注册…"), error=False)

    def _done(self, result: object) -> None:
        self.submit.setEnabled(True)
        if isinstance(result, Enrolled):
            self.code.clear()
            self.form_box.hide()
            self._say("", error=False)
            self.info.setText(self.tr("注册成功（{0}）：乡镇 {1}，{2} 号设备。正在进行首次同步…")
                              .format(result.county_name, result.township_code, result.device_code))
            self.info.setStyleSheet(style.OK_TEXT_BOLD)
            self.enrolled.emit()
        elif isinstance(result, BaseException):
            self._say(self.ctx.error_text(result), error=True)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(style.ERROR_TEXT_BOLD if error else "")
