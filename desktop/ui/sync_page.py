"""The 同步 section until the county link is built (Step 8): an honest page, not a stand-in.

It says what the section will do and what already holds today (the outbox keeps every change
waiting for the county; the status bar counts them), so a clerk who presses Alt+6
is told the truth instead of seeing an empty screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .context import UiContext
from .typography import set_font_scale


class SyncPage(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("sync_page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel(self.tr("同步"))
        set_font_scale(title, 1.5, bold=True)
        layout.addWidget(title)
        text = QLabel(self.tr("与县级平台的同步尚未建成（第8步）：届时在此与县级平台同步案件和办理结果，"
                              "无网络时用U盘交换。在此之前，本机的每一项变更都记在待同步队列中"
                              "（状态栏的“待同步”即其条数），同步建成后全部上报，不会遗漏。"))
        text.setObjectName("sync_text")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_font_scale(text, 1.15)
        layout.addWidget(text)
        layout.addStretch(1)
