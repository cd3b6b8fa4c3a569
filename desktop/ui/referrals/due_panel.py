"""到期提醒: every running statutory clock that is overdue, due today, due this week, or whose due day
lies beyond the announced calendar. Overdue rows are red; double-click (or Enter) opens the case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines.clocks import Dashboard, DueItem

from .. import style
from ..context import UiContext
from .common import OVERDUE_BG, OVERDUE_FG, TODAY_BG, day_text, left_text, open_case

GROUPS = ("overdue", "today", "week", "beyond")
CASE_ROLE = Qt.ItemDataRole.UserRole + 1


class DuePanel(QWidget):
    """The dashboard as a table with a group filter. ``loaded`` after each refresh."""

    loaded = Signal()
    case_requested = Signal(str)

    def __init__(self, ctx: UiContext, today: Callable[[], date] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today or ctx.session.clock.today
        self.setObjectName("due_panel")
        self.board: Dashboard | None = None
        self.group = ""          # "" = all
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(True)
        self.group_buttons: dict[str, QPushButton] = {}
        captions = {"": self.tr("全部"), "overdue": self.tr("已超期"), "today": self.tr("今天到期"),
                    "week": self.tr("本周内到期"), "beyond": self.tr("超出日历")}
        for key, caption in captions.items():
            button = QPushButton(caption)
            button.setObjectName(f"due_group_{key or 'all'}")
            button.setCheckable(True)
            button.setProperty("caption", caption)
            button.clicked.connect(lambda _checked=False, k=key: self.show_group(k))
            self.buttons.addButton(button)
            self.group_buttons[key] = button
            top.addWidget(button)
        self.group_buttons[""].setChecked(True)
        self.group_buttons["overdue"].setStyleSheet(f"QPushButton {{ {style.ERROR_TEXT_BOLD} }}")
        top.addStretch(1)
        refresh = QPushButton(self.tr("刷新"))
        refresh.setToolTip(self.tr("F5"))
        refresh.clicked.connect(self.refresh)
        top.addWidget(refresh)
        layout.addLayout(top)
        self.summary = QLabel(self.tr("正在读取…"))
        self.summary.setObjectName("due_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        headers = [self.tr("期限"), self.tr("剩余"), self.tr("事项"), self.tr("案件编号"), self.tr("申请人"),
                   self.tr("村（社区）")]
        self.table = QTableWidget(0, len(headers))
        self.table.setObjectName("due_table")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        layout.addWidget(self.table, 1)
        self.more = QLabel("")
        self.more.setObjectName("due_more")
        self.more.hide()
        layout.addWidget(self.more)
        hint = QLabel(self.tr("双击或按回车打开案件。红色为已超期。"))
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        for key in ("Return", "Enter"):
            QShortcut(QKeySequence(key), self.table, activated=lambda: self.open_row(self.table.currentRow()),
                      context=Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.refresh,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def refresh(self) -> None:
        self.ctx.tasks.run(deadlines.dashboard, self.ctx.session, self.today(), on_done=self.show_board,
                           on_error=self._failed, latest_only="due_dashboard")

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(self.ctx.error_text(exc))
        self.loaded.emit()

    def items(self, group: str) -> tuple[DueItem, ...]:
        b = self.board
        if b is None:
            return ()
        return {"overdue": b.overdue, "today": b.due_today, "week": b.due_this_week,
                "beyond": b.open_beyond_calendar}[group]

    def show_board(self, board: Dashboard) -> None:
        self.board = board
        counts = dict(zip(GROUPS, board.totals, strict=True))
        for key, button in self.group_buttons.items():
            n = sum(counts.values()) if key == "" else counts[key]
            button.setText(self.tr("{0}（{1}）").format(button.property("caption"), n))
        if board.attention:
            self.summary.setText(self.tr("今天 {0}：已超期 {1} 项，今天到期 {2} 项，本周内到期 {3} 项。").format(
                board.today.isoformat(), counts["overdue"], counts["today"], counts["week"]))
        else:
            self.summary.setText(self.tr("今天 {0}：没有超期或今天到期的事项。本周内到期 {1} 项。").format(
                board.today.isoformat(), counts["week"]))
        self.show_group(self.group)
        self.loaded.emit()

    def show_group(self, group: str) -> None:
        self.group = group
        self.group_buttons[group].setChecked(True)
        groups = [group] if group else list(GROUPS)
        rows = [(g, item) for g in groups for item in self.items(g)]
        self.table.setRowCount(len(rows))
        for r, (g, item) in enumerate(rows):
            cells = [day_text(item.due_on, item.provisional), left_text(item.working_days_left, item.due_on, item.calendar_note),
                     item.label, item.case_number, item.applicant, item.village]
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(CASE_ROLE, item.case_uuid)
                if g == "overdue":
                    cell.setBackground(QBrush(OVERDUE_BG))
                    cell.setForeground(QBrush(OVERDUE_FG))
                elif g == "today":
                    cell.setBackground(QBrush(TODAY_BG))
                if (g == "beyond" and c == 1) or (item.provisional and c == 0):
                    cell.setToolTip(item.calendar_note)
                self.table.setItem(r, c, cell)
        if rows:
            self.table.selectRow(0)
        shown = sum(len(self.items(g)) for g in groups)
        total = sum(dict(zip(GROUPS, self.board.totals, strict=True))[g] for g in groups) if self.board else 0
        self.more.setText(self.tr("只列出前 {0} 项（共 {1} 项）。").format(shown, total) if total > shown else "")
        self.more.setVisible(total > shown)

    def case_at(self, row: int) -> str:
        cell = self.table.item(row, 0)
        return str(cell.data(CASE_ROLE)) if cell is not None else ""

    def open_row(self, row: int) -> None:
        case_uuid = self.case_at(row)
        if case_uuid:
            self.case_requested.emit(case_uuid)
            open_case(self, self.ctx, case_uuid)
