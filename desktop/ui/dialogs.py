"""The frame every small form dialog of the window shares: a heading, the fields, one error line,
and 确定/取消 with Ctrl+Enter (taken before a multi-line box makes it a new line) and Esc.

Subclasses add rows to :attr:`form` (:meth:`add_row` gives the label its buddy), call
:meth:`finish` once, and implement :meth:`try_accept` (the cases' dialogs check the form and
accept; the notices' dialogs run a service call on the worker first).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from . import style
from .typography import set_font_scale


class FormDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None, *, min_width: int = 480) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(min_width)
        self.layout_ = QVBoxLayout(self)
        heading = QLabel(title)
        set_font_scale(heading, 1.2, bold=True)
        self.layout_.addWidget(heading)
        self.form = QFormLayout()
        self.error = QLabel("")
        self.error.setObjectName("dialog_error")
        self.error.setStyleSheet(style.ERROR_TEXT_BOLD)
        self.error.setWordWrap(True)
        self.error.hide()

    def add_row(self, label: str, widget: QWidget) -> None:
        caption = QLabel(label)
        caption.setBuddy(widget)
        self.form.addRow(caption, widget)

    def finish(self, ok_text: str = "", *, enter_accepts: bool = True) -> None:
        """Lay out the form, the error line and the buttons; every field learns Ctrl+Enter.
        ``enter_accepts=False``: a plain Enter does not press 确定 (the buttons are not default)."""
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.error)
        row = QHBoxLayout()
        hint = QLabel(self.tr("Ctrl+Enter 确定　Esc 取消"))
        hint.setStyleSheet("color: #555;")
        row.addWidget(hint)
        row.addStretch(1)
        self.ok_button = QPushButton(ok_text or self.tr("确定"))
        self.ok_button.setObjectName("ok_button")
        self.ok_button.clicked.connect(self.try_accept)
        cancel = QPushButton(self.tr("取消"))
        if not enter_accepts:
            self.ok_button.setAutoDefault(False)
            cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        row.addWidget(self.ok_button)
        row.addWidget(cancel)
        self.layout_.addLayout(row)
        for child in self.findChildren(QWidget):
            child.installEventFilter(self)

    # ----- keys ----------------------------------------------------------------------------
    @staticmethod
    def _is_confirm_key(event: QEvent) -> bool:
        return (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if self._is_confirm_key(event):     # before a multi-line box takes it as a new line
            self.try_accept()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if self._is_confirm_key(event):
            self.try_accept()
            return
        super().keyPressEvent(event)

    # ----- the subclass's part -------------------------------------------------------------
    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def try_accept(self) -> None:
        raise NotImplementedError
