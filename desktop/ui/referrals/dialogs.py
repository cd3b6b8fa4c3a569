"""The dialogs of a referral step: 转出 (with the slip), 已接收, 录入办理结果, 退回.

A dialog collects what was typed and emits ``submitted``; the page runs the
service and either closes the dialog or shows the service's Chinese message
inline (the dialog stays open with what was typed). Ctrl+Enter confirms,
Esc cancels.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.referrals.lifecycle import MAX_REASON, ResultInput
from desktop.services.referrals.queries import ReferralRow

from .. import style
from ..cases.dialogs import parse_yuan
from ..context import pc_settings
from ..files import ask_open_file
from ..typography import set_font_scale

ERROR_STYLE = style.ERROR_TEXT_BOLD
SEND, RECEIVE, RESULT, RETURN = "send", "receive", "result", "return"


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


class ReferralStepDialog(QDialog):
    """One step of one referral. ``submitted(kind, payload)``: payload is a date (send/receive),
    (date, reason) (return) or a :class:`ResultInput` (result)."""

    submitted = Signal(str, object)

    def __init__(self, kind: str, row: ReferralRow, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.row = row
        self.document: bytes | None = None
        self.document_name = ""
        self.setObjectName(f"referral_{kind}_dialog")
        titles = {SEND: self.tr("转出"), RECEIVE: self.tr("登记部门已接收"), RESULT: self.tr("录入办理结果"),
                  RETURN: self.tr("登记退回")}
        self.setWindowTitle(titles[kind])
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        heading = QLabel(titles[kind])
        set_font_scale(heading, 1.2, bold=True)
        layout.addWidget(heading)
        about = QLabel(self.tr("案件 {0}　{1}\n转办部门：{2}（{3}）").format(
            row.case_number_display, row.applicant_name, row.department_name, row.categories_label))
        about.setWordWrap(True)
        layout.addWidget(about)
        form = QFormLayout()
        self.day = QDateEdit(_qdate(today))
        self.day.setObjectName("step_date")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setMaximumDate(_qdate(today))
        date_labels = {SEND: self.tr("转出日期"), RECEIVE: self.tr("接收日期"), RESULT: self.tr("办结日期"),
                       RETURN: self.tr("退回日期")}
        self.print_slip = QCheckBox(self.tr("同时打印转办单(&P)"))
        self.print_slip.setObjectName("print_slip")
        self.result = QComboBox()
        self.result.setObjectName("result_choice")
        self.decided_by = QLineEdit()
        self.decided_by.setObjectName("decided_by")
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(90)
        self.file_label = QLabel(self.tr("未选择"))
        self.file_label.setObjectName("document_label")
        if kind == RESULT:
            self.result.addItem(self.tr("批准"), "approve")
            self.result.addItem(self.tr("不予批准"), "refuse")
            form.addRow(self.tr("办理结果"), self.result)
        form.addRow(date_labels[kind], self.day)
        if kind == SEND:
            self.print_slip.setChecked(True)
            form.addRow("", self.print_slip)
        if kind == RESULT:
            self.decided_by.setPlaceholderText(self.tr("如：医保局 王科长"))
            form.addRow(self.tr("部门经办人/科室"), self.decided_by)
            self.amount.setPlaceholderText(self.tr("批准时填写，单位：元（可不填）"))
            form.addRow(self.tr("救助金额（元）"), self.amount)
            form.addRow(self.tr("理由或说明"), self.reason)
            files = QHBoxLayout()
            choose = QPushButton(self.tr("选择回复函扫描件(&F)…"))
            choose.setObjectName("choose_document")
            choose.clicked.connect(self.choose_document)
            files.addWidget(choose)
            files.addWidget(self.file_label, 1)
            form.addRow(self.tr("回复材料"), files)
        if kind == RETURN:
            self.reason.setPlaceholderText(self.tr("部门退回的原因（必填）"))
            form.addRow(self.tr("退回理由"), self.reason)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("dialog_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        hint = QLabel(self.tr("Ctrl+Enter 确定　Esc 取消"))
        hint.setStyleSheet("color: #555;")
        buttons.addWidget(hint)
        buttons.addStretch(1)
        self.ok = QPushButton(self.tr("确定"))
        self.ok.setObjectName("dialog_ok")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.confirm)
        cancel = QPushButton(self.tr("取消"))
        cancel.clicked.connect(self.reject)
        buttons.addWidget(self.ok)
        buttons.addWidget(cancel)
        layout.addLayout(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.confirm)

    # ----- input ----------------------------------------------------------------------------
    def choose_document(self) -> None:
        chosen = ask_open_file(self, pc_settings(), "reply", self.tr("选择回复函扫描件"),
                               self.tr("PDF 或图片 (*.pdf *.jpg *.jpeg *.png)"))
        if chosen is not None:
            self.set_document_file(str(chosen))

    def set_document_file(self, path: str) -> None:
        try:
            self.document = Path(path).read_bytes()
        except OSError as exc:
            self.show_error(self.tr("无法读取该文件：{0}").format(exc.strerror or ""))
            return
        self.document_name = Path(path).name
        self.file_label.setText(self.tr("{0}（{1} KB）").format(self.document_name, max(1, len(self.document) // 1024)))

    def chosen_day(self) -> date:
        q = self.day.date()
        return date(q.year(), q.month(), q.day())

    def payload(self) -> Any:
        day = self.chosen_day()
        if self.kind in (SEND, RECEIVE):
            return day
        reason = self.reason.toPlainText().strip()
        if self.kind == RETURN:
            return day, reason
        amount = None
        if self.amount.text().strip():
            amount = parse_yuan(self.amount.text(), self.tr("元"))
            if amount is None:
                raise ValueError(self.tr("救助金额应为数字，最多两位小数。"))
        return ResultInput(self.result.currentData(), day, self.decided_by.text(), reason[:MAX_REASON + 1],
                           amount, self.document, self.document_name)

    def confirm(self) -> None:
        try:
            payload = self.payload()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.error.hide()
        self.ok.setEnabled(False)
        self.submitted.emit(self.kind, payload)

    def show_error(self, text: str) -> None:
        self.ok.setEnabled(True)
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def keyPressEvent(self, event: Any) -> None:
        # Enter in a single-line field must not close the dialog before the service has answered
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.focusNextChild()
            return
        super().keyPressEvent(event)
