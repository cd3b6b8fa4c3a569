"""Small dialogs of the case detail: confirm an action (with its reason or amount), void a print.

They only collect and check what was typed; the detail view calls the
service with it. Ctrl+Enter confirms (Enter inside a multi-line reason makes
a new line), Esc cancels.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
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

from desktop.services.cases.queries import ActionOption
from desktop.services.workflow.transitions import TransitionInput

from .. import style
from ..typography import set_font_scale

ERROR_STYLE = style.ERROR_TEXT_BOLD
MAX_REASON = 500


def yuan_text(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


def parse_yuan(text: str, unit: str = "") -> int | None:
    """"1,234.5" → 123450 cents (full-width digits and commas too, an optional ``unit`` after the
    number); None when it is not an amount with at most two decimals."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if unit:
        cleaned = cleaned.removesuffix(unit).strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        return None
    return int(value * 100)


class _ConfirmDialog(QDialog):
    """Title, a sentence, the fields, an inline error line and 确定/取消."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.layout_ = QVBoxLayout(self)
        heading = QLabel(title)
        set_font_scale(heading, 1.2, bold=True)
        self.layout_.addWidget(heading)
        self.form = QFormLayout()
        self.error = QLabel("")
        self.error.setObjectName("dialog_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()

    def _finish(self) -> None:
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.error)
        row = QHBoxLayout()
        hint = QLabel(self.tr("Ctrl+Enter 确定　Esc 取消"))
        hint.setStyleSheet("color: #555;")
        row.addWidget(hint)
        row.addStretch(1)
        self.ok_button = QPushButton(self.tr("确定"))
        self.ok_button.setObjectName("ok_button")
        self.ok_button.clicked.connect(self.try_accept)
        cancel = QPushButton(self.tr("取消"))
        cancel.clicked.connect(self.reject)
        row.addWidget(self.ok_button)
        row.addWidget(cancel)
        self.layout_.addLayout(row)
        for child in self.findChildren(QWidget):
            child.installEventFilter(self)

    @staticmethod
    def _is_confirm_key(event: QEvent) -> bool:
        return (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._is_confirm_key(event):     # before a multi-line box takes it as a new line
            self.try_accept()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._is_confirm_key(event):
            self.try_accept()
            return
        super().keyPressEvent(event)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def problem(self) -> str:
        return ""

    def try_accept(self) -> None:
        problem = self.problem()
        self.show_error(problem)
        if not problem:
            self.accept()


def _text_box(name: str, placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(90)
    return box


class ActionDialog(_ConfirmDialog):
    """Confirm one status action; ask for what it needs (reason, amount, objection, proposed outcome)."""

    def __init__(self, option: ActionOption, current_label: str, limit_cents: int | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(option.label, parent)
        self.option = option
        self.setObjectName("action_dialog")
        what = QLabel(self.tr("案件状态将由“{0}”变为“{1}”。").format(current_label, option.target_label))
        what.setWordWrap(True)
        self.layout_.addWidget(what)
        self.reason: QPlainTextEdit | None = None
        self.amount: QLineEdit | None = None
        self.outcome: QComboBox | None = None
        kind = option.input_kind
        if kind in ("reason", "objection"):
            self.reason = _text_box("reason", self.tr("必填"))
            self.form.addRow(self.tr("{0}：").format(option.input_label), self.reason)
        elif kind == "amount":
            self.amount = QLineEdit()
            self.amount.setObjectName("amount")
            self.amount.setPlaceholderText(self.tr("例如 1500 或 1500.00"))
            self.form.addRow(self.tr("{0}：").format(option.input_label), self.amount)
            limit = self.tr("乡镇审批限额：{0} 元").format(yuan_text(limit_cents)) if limit_cents is not None \
                else self.tr("未设置乡镇审批限额")
            self.form.addRow("", QLabel(limit))
            self.reason = _text_box("reason", self.tr("可不填"))
            self.form.addRow(self.tr("说明："), self.reason)
        elif kind == "proposed_outcome":
            self.outcome = QComboBox()
            self.outcome.setObjectName("proposed_outcome")
            self.outcome.addItem(self.tr("拟不予批准"), "refuse")
            self.outcome.addItem(self.tr("拟批准（须先公示）"), "approve")
            self.form.addRow(self.tr("{0}：").format(option.input_label), self.outcome)
            self.reason = _text_box("reason", self.tr("可不填"))
            self.form.addRow(self.tr("说明："), self.reason)
        else:
            self.reason = _text_box("reason", self.tr("可不填"))
            self.form.addRow(self.tr("备注："), self.reason)
        self._finish()
        first = self.amount or self.outcome or self.reason
        if first is not None:
            first.setFocus()

    def _reason_text(self) -> str:
        return self.reason.toPlainText().strip() if self.reason is not None else ""

    def problem(self) -> str:
        kind = self.option.input_kind
        text = self._reason_text()
        if kind in ("reason", "objection") and not text:
            return self.tr("请填写{0}。").format(self.option.input_label)
        if len(text) > MAX_REASON:
            return self.tr("最多{0}字。").format(MAX_REASON)
        if self.amount is not None:
            cents = parse_yuan(self.amount.text(), self.tr("元"))
            if cents is None or cents <= 0:
                return self.tr("请填写金额（元，大于0，最多两位小数）。")
        return ""

    def form_input(self) -> TransitionInput:
        kind = self.option.input_kind
        text = self._reason_text()
        if kind == "objection":
            return TransitionInput(objection=text)
        amount = parse_yuan(self.amount.text(), self.tr("元")) if self.amount is not None else None
        outcome = self.outcome.currentData() if self.outcome is not None else None
        return TransitionInput(reason=text, amount_cents=amount, proposed_outcome=outcome)


class ReasonDialog(_ConfirmDialog):
    """A required reason (voiding a print)."""

    def __init__(self, title: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setObjectName("reason_dialog")
        self.what = what
        self.reason = _text_box("reason", self.tr("必填"))
        self.form.addRow(self.tr("{0}：").format(what), self.reason)
        self._finish()
        self.reason.setFocus()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)

    def text(self) -> str:
        return self.reason.toPlainText().strip()

    def problem(self) -> str:
        if not self.text():
            return self.tr("请填写{0}。").format(self.what)
        if len(self.text()) > 200:
            return self.tr("最多200字。")
        return ""
