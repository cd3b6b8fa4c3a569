"""Small widgets and helpers shared by the steps of the intake wizard."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QPushButton, QWidget

from desktop.services.intake.form import Option, Violation

from .. import style

ERROR_STYLE = style.ERROR_TEXT
ERROR_BOX_STYLE = style.ERROR_BANNER
WARNING_BOX_STYLE = style.WARNING_BANNER
INFO_BOX_STYLE = style.INFO_BANNER
OK_STYLE = style.OK_TEXT
HINT_STYLE = "color: #555555;"


def message_label(style: str = ERROR_STYLE, name: str = "") -> QLabel:
    """A word-wrapped label that is hidden while it has nothing to say."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    label.hide()
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def fill_combo(combo: QComboBox, options: Iterable[Option], placeholder: str = "") -> None:
    """Items carry their code as user data; a placeholder (code "") makes the clerk choose explicitly."""
    combo.clear()
    if placeholder:
        combo.addItem(placeholder, "")
    for option in options:
        combo.addItem(option.label, option.code)


def combo_code(combo: QComboBox) -> str:
    data = combo.currentData()
    return data if isinstance(data, str) else ""


def set_combo_code(combo: QComboBox, code: str) -> None:
    index = combo.findData(code)
    combo.setCurrentIndex(index if index >= 0 else 0)


def action_button(text: str, name: str = "") -> QPushButton:
    """A button that Enter activates when it has the focus (as Space does), outside dialogs too."""
    button = QPushButton(text)
    button.setAutoDefault(True)
    if name:
        button.setObjectName(name)
    return button


def messages_for(violations: Iterable[Violation], prefix: str) -> dict[str, list[str]]:
    """Messages by field name for fields starting with ``prefix`` (the prefix removed)."""
    out: dict[str, list[str]] = {}
    for v in violations:
        if v.field.startswith(prefix):
            out.setdefault(v.field[len(prefix):], []).append(v.message)
    return out


def ask(parent: QWidget, title: str, text: str, on_yes: Callable[[], None], yes: str, no: str) -> QMessageBox:
    """A non-blocking question (the rest of the window keeps painting); "no" is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(no_button)
    box.setEscapeButton(no_button)
    box.setObjectName("intake_question")

    def done() -> None:
        parent.window().activateWindow()     # the keyboard goes back to the wizard, not nowhere
        if box.clickedButton() is yes_button:
            on_yes()
        box.deleteLater()

    box.finished.connect(done)
    box.open()
    return box
