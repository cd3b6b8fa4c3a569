"""Step 4 — 材料: the checklist policy asks for the chosen categories, each marked by the clerk.

Nothing is ticked in advance: every row is marked 已收到 or 缺少 (a document
needed only in some situations may also be 不适用). Tab moves from row to
row, Space ticks, ←/→ move between the choices of a row.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.services.intake import form as intake_form
from desktop.services.intake.form import ChecklistItem, Violation

from ..context import UiContext
from .common import ERROR_BOX_STYLE, ERROR_STYLE, HINT_STYLE, message_label, show_message

CHECKLIST_KEY = "intake.checklist"
RECEIVED, MISSING, NOT_APPLICABLE = "received", "missing", "not_applicable"


class _Row:
    def __init__(self, item: ChecklistItem, buttons: dict[str, QRadioButton], group: QButtonGroup,
                 error: QLabel) -> None:
        self.item, self.buttons, self.group, self.error = item, buttons, group, error

    def mark(self) -> str:
        return next((mark for mark, b in self.buttons.items() if b.isChecked()), "")


class DocumentsStep(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("intake_documents_step")
        self.items: list[ChecklistItem] = []
        self.rows: list[_Row] = []
        self._key: tuple[str, tuple[str, ...]] | None = None
        self.loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = message_label(ERROR_BOX_STYLE, "documents_errors")
        layout.addWidget(self.summary)
        intro = QLabel(self.tr("以下是现行政策对所申请类别要求的材料。请逐项核对原件，标明“已收到”或“缺少”"
                               "（Tab 键逐项移动，空格键勾选，←→键切换）。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.status = QLabel()
        self.status.setObjectName("documents_status")
        self.status.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.status)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setObjectName("documents_scroll")
        layout.addWidget(self.scroll, 1)
        self._new_grid()

    def _new_grid(self) -> None:
        holder = QWidget()
        self.grid = QGridLayout(holder)
        self.grid.setColumnMinimumWidth(0, 440)
        self.grid.setColumnStretch(2, 1)
        self.grid.setHorizontalSpacing(18)
        self.grid.setVerticalSpacing(6)
        self.scroll.setWidget(holder)

    # ----- the step contract ----------------------------------------------------------------------
    def first_focus(self) -> QWidget:
        for row in self.rows:
            if not row.mark():
                return next(iter(row.buttons.values()))
        return next(iter(self.rows[0].buttons.values())) if self.rows else self.scroll

    def reset(self) -> None:
        self._key = None
        self.set_items([])
        show_message(self.summary, "")

    def load(self, division_code: str, categories: tuple[str, ...], then: Callable[[], None] | None = None) -> None:
        """Fetch the checklist for these categories (kept marks survive going back and forth)."""
        key = (division_code, tuple(sorted(categories)))
        if key == self._key:
            if then is not None:
                then()
            return
        self.loading = True
        self.status.setText(self.tr("正在读取材料清单…"))

        def done(items: list[ChecklistItem]) -> None:
            self.loading = False
            self._key = key
            self.set_items(items)
            if then is not None:
                then()

        def failed(exc: BaseException) -> None:
            self.loading = False
            self.set_items([])
            self.status.setText(self.ctx.error_text(exc))
            if then is not None:
                then()      # the step shows what went wrong; 下一步 there says so again

        self.ctx.tasks.run(intake_form.checklist, self.ctx.session, division_code, list(categories),
                           on_done=done, on_error=failed, latest_only=CHECKLIST_KEY)

    def set_items(self, items: list[ChecklistItem]) -> None:
        kept = self.marks()
        self.items = list(items)
        self.rows = []
        self._new_grid()
        for r, item in enumerate(self.items):
            self._add_row(r, item, kept.get(item.code, ""))
        self.grid.setRowStretch(len(self.items), 1)
        chain = [b for row in self.rows for b in row.buttons.values()]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self._update_status()

    def _add_row(self, r: int, item: ChecklistItem, kept: str) -> None:
        name = QLabel(self.tr("{0}. {1}").format(r + 1, item.name))
        name.setWordWrap(True)
        font = name.font()
        font.setBold(True)
        name.setFont(font)
        note = QLabel(item.note + (self.tr("（视情况提供）") if item.conditional else ""))
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        text_box = QWidget()
        text_col = QVBoxLayout(text_box)
        text_col.setContentsMargins(0, 0, 0, 0)
        text_col.setSpacing(0)
        text_col.addWidget(name)
        if note.text():
            text_col.addWidget(note)
        choices = QWidget()
        choice_row = QHBoxLayout(choices)
        choice_row.setContentsMargins(0, 0, 0, 0)
        group = QButtonGroup(self)
        buttons: dict[str, QRadioButton] = {}
        labels = [(RECEIVED, self.tr("已收到")), (MISSING, self.tr("缺少"))]
        if item.conditional:
            labels.append((NOT_APPLICABLE, self.tr("不适用")))
        for mark, text in labels:
            button = QRadioButton(text)
            button.setObjectName(f"doc_{item.code}_{mark}")
            button.setAccessibleName(self.tr("{0}：{1}").format(item.name, text))
            button.setMinimumWidth(96)      # the choices line up in columns from row to row
            group.addButton(button)
            buttons[mark] = button
            choice_row.addWidget(button)
            if mark == kept:
                button.setChecked(True)
        choice_row.addStretch(1)
        choices.setMinimumWidth(300)
        group.buttonToggled.connect(lambda *_: self._update_status())
        error = message_label(ERROR_STYLE, f"doc_error_{item.code}")
        self.grid.addWidget(text_box, r, 0)
        self.grid.addWidget(choices, r, 1, Qt.AlignmentFlag.AlignVCenter)
        self.grid.addWidget(error, r, 2, Qt.AlignmentFlag.AlignVCenter)
        self.rows.append(_Row(item, buttons, group, error))

    def marks(self) -> dict[str, str]:
        return {row.item.code: row.mark() for row in self.rows if row.mark()}

    def missing_names(self) -> list[str]:
        return [row.item.name for row in self.rows if row.mark() == MISSING]

    def received_names(self) -> list[str]:
        return [row.item.name for row in self.rows if row.mark() == RECEIVED]

    def validate(self) -> list[Violation]:
        if self.loading:
            v = [Violation("documents", self.tr("材料清单仍在读取，请稍候。"))]
        elif not self.items:
            v = [Violation("documents", self.tr("没有读取到材料清单，请返回上一步重新选择救助类别。"))]
        else:
            v = intake_form.document_violations(self.items, self.marks())
        self.show_violations(v)
        return v

    def show_violations(self, violations: list[Violation], *, move_focus: bool = True) -> None:
        by_field = {v.field: v.message for v in violations}
        for row in self.rows:
            show_message(row.error, by_field.get(f"documents.{row.item.code}", ""))
        general = [v.message for v in violations if not v.field.startswith("documents.")]
        unmarked = sum(1 for v in violations if v.field.startswith("documents."))
        text = "\n".join(general)
        if unmarked:
            text = (text + "\n" if text else "") + self.tr("还有{0}项材料没有标明是否收到。").format(unmarked)
        show_message(self.summary, text)
        if violations and move_focus:
            self.first_focus().setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_status(self) -> None:
        marks = list(self.marks().values())
        self.status.setText(self.tr("共{0}项：已收到{1}项，缺少{2}项，不适用{3}项，未标明{4}项。").format(
            len(self.rows), marks.count(RECEIVED), marks.count(MISSING), marks.count(NOT_APPLICABLE),
            len(self.rows) - len(marks)))
        for row in self.rows:
            if row.mark():
                show_message(row.error, "")
        if not self.summary.isHidden() and self.items:   # "还有N项…" follows the marking, and goes when done
            self.show_violations(intake_form.document_violations(self.items, self.marks()), move_focus=False)
