"""Small dialogs of the case detail: confirm an action (with its reason or amount), void a print.

They only collect and check what was typed; the detail view calls the
service with it. Ctrl+Enter confirms (Enter inside a multi-line reason makes
a new line), Esc cancels.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from desktop.services.cases.queries import ActionOption
from desktop.services.workflow.transitions import TransitionInput

from .. import style
from ..dialogs import FormDialog

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


class _ConfirmDialog(FormDialog):
    """Title, a sentence, the fields, an inline error line and 确定/取消 (the shared frame)."""

    def _finish(self) -> None:
        self.finish()

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
