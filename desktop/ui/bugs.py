"""What the clerk sees of a bug that escaped a slot: one message box naming the log file.

PySide6 hands an exception raised in a slot (a button's ``clicked``, a timer, a task's callback)
to ``sys.excepthook``; :func:`desktop.logs.install_excepthooks` logs it with its traceback and
calls :func:`show_bug` (installed by :func:`desktop.ui.app.start_logging`). While one such box
is open, further bugs are logged but open no second box.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from .context import bug_text

BUG_BOX_NAME = "bug_message"
_open: list[QMessageBox] = []


def show_bug(exc: BaseException) -> QMessageBox | None:
    """Tell the clerk (non-modal, so the hook returns at once); None without a QApplication."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return None
    for box in list(_open):
        if box.isVisible():
            return box
        _open.remove(box)
    box = QMessageBox(QMessageBox.Icon.Critical, app.translate("Bugs", "程序内部错误"), bug_text(),
                      QMessageBox.StandardButton.Ok, QApplication.activeWindow())
    box.setObjectName(BUG_BOX_NAME)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)   # the path can be copied
    box.finished.connect(lambda _result: _open.remove(box) if box in _open else None)
    _open.append(box)
    box.open()
    return box

