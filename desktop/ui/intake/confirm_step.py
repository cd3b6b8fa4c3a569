"""Step 5 — 确认: the summary, and the three ways an application leaves the window.

- 受理并打印受理通知书 — only when no document is missing;
- 出具一次性告知书 — documents are missing: the case waits in 待补正;
- 不予受理 — with a reason, asked in a small dialog;
- for a village assistant, instead of 不予受理 (a township decision): 提交乡镇审查, with a note for the
  township clerk (the case waits in 待乡镇审查).

Nothing is saved before the clerk presses one of them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.text_rules import LIMITS, TextKind
from desktop.services.intake import form as intake_form

from .common import (
    ERROR_BOX_STYLE,
    ERROR_STYLE,
    HINT_STYLE,
    INFO_BOX_STYLE,
    action_button,
    message_label,
    show_message,
)
from .summary import SummaryInput, summary_html

MAX_REFUSAL_REASON = LIMITS[TextKind.NOTICE_TEXT]   # printed on the 不予受理告知书


class RefusalDialog(QDialog):
    """Asks for the reason of a refusal (or, ``review``, the note sent on to the township); it cannot be
    confirmed empty."""

    reason_given = Signal(str)

    def __init__(self, parent: QWidget, review: bool = False) -> None:
        super().__init__(parent)
        self.review = review
        self.setObjectName("review_dialog" if review else "refusal_dialog")
        self.setWindowTitle(self.tr("提交乡镇审查") if review else self.tr("不予受理"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        label = QLabel(self.tr("请写明情况，乡镇经办人据此决定受理或不予受理(&R)：") if review
                       else self.tr("不予受理的理由（将印在不予受理告知书上，申请人可据此申请复议）(&R)："))
        label.setWordWrap(True)
        layout.addWidget(label)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("refusal_reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(self.tr("例如：申请人户籍刚迁入本村，是否符合条件请乡镇审查。") if review
                                       else self.tr("例如：申请人户籍不在本乡镇，且未持有本地居住证。"))
        label.setBuddy(self.reason)
        layout.addWidget(self.reason)
        self.error = message_label(ERROR_STYLE, "refusal_error")
        layout.addWidget(self.error)
        # "请填写不予受理的理由" goes as soon as there is one
        self.reason.textChanged.connect(lambda: self.reason.toPlainText().strip() and show_message(self.error, ""))
        row = QHBoxLayout()
        row.addStretch(1)
        self.confirm = action_button(self.tr("提交乡镇审查") if review else self.tr("确定不予受理"),
                                     "review_confirm" if review else "refusal_confirm")
        self.confirm.clicked.connect(self._confirm)
        self.cancel = action_button(self.tr("取消"), "refusal_cancel")
        self.cancel.clicked.connect(self.reject)
        row.addWidget(self.confirm)
        row.addWidget(self.cancel)
        layout.addLayout(row)

    def _confirm(self) -> None:
        text = self.reason.toPlainText().strip()
        if not text:
            show_message(self.error, self.tr("请写明情况。") if self.review else self.tr("请填写不予受理的理由。"))
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if len(text) > MAX_REFUSAL_REASON and not self.review:
            show_message(self.error, self.tr("理由最多{0}字，现有{1}字。").format(MAX_REFUSAL_REASON, len(text)))
            return
        self.accept()
        self.reason_given.emit(text)


class ConfirmStep(QWidget):
    # outcome ("accept" / "missing_documents" / "refuse" / "township_review"), the refusal reason or review note
    outcome_chosen = Signal(str, str)

    def __init__(self, can_refuse: bool = True) -> None:
        super().__init__()
        self.setObjectName("intake_confirm_step")
        self.can_refuse = can_refuse      # False: a village assistant sends on to the township instead
        self.dialog: RefusalDialog | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = QTextBrowser()
        self.text.setObjectName("confirm_summary")
        self.text.setOpenLinks(False)
        layout.addWidget(self.text, 1)
        side = QGroupBox(self.tr("办理结果"))
        side.setFixedWidth(340)
        col = QVBoxLayout(side)
        self.error = message_label(ERROR_BOX_STYLE, "confirm_error")
        col.addWidget(self.error)
        self.accept_button = action_button(self.tr("受理并打印受理通知书"), "outcome_accept")
        self.accept_button.clicked.connect(lambda: self._choose("accept"))
        col.addWidget(self.accept_button)
        self.accept_hint = self._hint(self.tr("材料齐全时受理，当场出具受理通知书。"))
        col.addWidget(self.accept_hint)
        self.notice_button = action_button(self.tr("出具一次性告知书"), "outcome_missing")
        self.notice_button.clicked.connect(lambda: self._choose("missing_documents"))
        col.addWidget(self.notice_button)
        col.addWidget(self._hint(self.tr("材料不齐时，一次性告知需补齐的全部材料；申请登记为待补正。")))
        if can_refuse:
            self.refuse_button = action_button(self.tr("不予受理…"), "outcome_refuse")
            hint = self.tr("明显不符合申请条件时，写明理由，出具不予受理告知书。")
        else:
            self.refuse_button = action_button(self.tr("提交乡镇审查…"), "outcome_review")
            hint = self.tr("拿不准是否受理（例如可能不符合条件）时，写明情况提交乡镇；"
                           "不予受理由乡镇决定，村协理员不能作出。")
        self.refuse_button.clicked.connect(self.ask_refusal)
        col.addWidget(self.refuse_button)
        col.addWidget(self._hint(hint))
        self.busy = message_label(INFO_BOX_STYLE, "confirm_busy")
        col.addWidget(self.busy)
        col.addStretch(1)
        layout.addWidget(side)
        self.missing = False
        self.emergency = False      # 急难型 with documents missing may still be accepted: aid first

    def _hint(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet(HINT_STYLE)
        return label

    # ----- the step contract ----------------------------------------------------------------------
    def first_focus(self) -> QWidget:
        return self.notice_button if self.missing and not self.emergency else self.accept_button

    def _can_accept(self) -> bool:
        return not self.missing or self.emergency

    def reset(self) -> None:
        self.text.clear()
        self.set_busy("")
        show_message(self.error, "")

    def show_summary(self, data: SummaryInput) -> None:
        self.missing = bool(data.missing)
        self.emergency = intake_form.is_emergency(data.request.categories)
        self.text.setHtml(summary_html(data))
        self.accept_button.setEnabled(self._can_accept())
        self.notice_button.setEnabled(self.missing)
        self.accept_hint.setText(
            self.tr("急难型：可先受理并办理先行救助，缺少的材料在补办手续时补齐。") if self.missing and self.emergency
            else self.tr("有材料缺少，不能直接受理：请出具一次性告知书。") if self.missing
            else self.tr("材料齐全时受理，当场出具受理通知书。"))
        show_message(self.error, "")

    def show_error(self, text: str) -> None:
        show_message(self.error, text)

    def set_busy(self, text: str) -> None:
        show_message(self.busy, text)
        working = bool(text)
        self.accept_button.setEnabled(not working and self._can_accept())
        self.notice_button.setEnabled(not working and self.missing)
        self.refuse_button.setEnabled(not working)

    def _choose(self, outcome: str, reason: str = "") -> None:
        show_message(self.error, "")
        self.outcome_chosen.emit(outcome, reason)

    def ask_refusal(self) -> None:
        self.dialog = RefusalDialog(self, review=not self.can_refuse)
        outcome = "refuse" if self.can_refuse else "township_review"
        self.dialog.reason_given.connect(lambda reason: self._choose(outcome, reason))
        self.dialog.open()
        self.dialog.reason.setFocus(Qt.FocusReason.OtherFocusReason)
