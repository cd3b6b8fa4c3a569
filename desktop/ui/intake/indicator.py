"""The step indicator at the top of the wizard: where the clerk is, and what comes next."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ..typography import set_font_scale

_CURRENT = "background: #2f6fab; color: white; border-radius: 3px; padding: 4px 10px;"
_DONE = "color: #2f6fab; padding: 4px 10px;"
_LATER = "color: #777777; padding: 4px 10px;"


class StepIndicator(QWidget):
    def __init__(self, titles: list[str]) -> None:
        super().__init__()
        self.setObjectName("step_indicator")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.labels: list[QLabel] = []
        for i, title in enumerate(titles):
            if i:
                layout.addWidget(QLabel("›"))
            label = QLabel(self.tr("{0}. {1}").format(i + 1, title))
            self.labels.append(label)
            layout.addWidget(label)
        layout.addStretch(1)
        self.set_current(0)

    def set_current(self, index: int) -> None:
        self.current = index
        for i, label in enumerate(self.labels):
            label.setStyleSheet(_CURRENT if i == index else _DONE if i < index else _LATER)
            set_font_scale(label, 1.1, bold=i == index)
