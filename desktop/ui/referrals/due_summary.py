"""The 首页 box of statutory time limits: how many are overdue, due today and due this week, and the
first overdue items — each a link that opens its case; the box title goes to 转办与时限.

It counts time limits (a case has several: investigation, decision, each referral…) and says so —
"N 项时限已超期（涉及 M 件案件）" — where M is counted as the case list's 仅显示超期 and 统计's 逾期
count cases (:func:`desktop.services.deadlines.clocks.overdue_case_condition`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines.clocks import Dashboard

from .. import style
from ..context import UiContext
from ..typography import is_large_type, set_font_scale
from .common import left_text, open_case

FIRST_ITEMS = 4              # at normal type; 2 at large type, so 首页 still fits 1366×768
LINK_STYLE = f"QPushButton {{ text-align: left; border: none; color: {style.ERROR_COLOR}; padding: 1px 2px; }}" \
             "QPushButton:hover, QPushButton:focus { text-decoration: underline; }"


class DueSummary(QGroupBox):
    loaded = Signal()

    def __init__(self, ctx: UiContext, today: Callable[[], date] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("办理时限提醒"), parent)
        self.ctx = ctx
        self.today = today or ctx.session.clock.today
        self.setObjectName("due_summary_box")
        self.board: Dashboard | None = None
        layout = QVBoxLayout(self)
        counts = QHBoxLayout()
        self.counts: dict[str, QLabel] = {}
        self.setToolTip(self.tr("“时限”指案件的各项法定办理时限（开始调查、调查核实、作出决定、转办部门办结等），"
                                "一件案件可有多项。“涉及…件案件”与“案件”中的“仅显示超期”、“统计”中的“逾期”"
                                "按同一口径计数：决定期限已过仍未办结，或有办理时限已过的案件。"))
        for key, caption, color in (("overdue", self.tr("项时限已超期"), style.ERROR_COLOR),
                                    ("today", self.tr("项今天到期"), "#8a5a00"),
                                    ("week", self.tr("项本周内到期"), "#2f4f6f")):
            value = QLabel("—")
            value.setObjectName(f"due_count_{key}")
            value.setStyleSheet(f"color: {color};")
            set_font_scale(value, 1.6, bold=True)
            counts.addWidget(value)
            counts.addWidget(QLabel(caption))
            if key == "overdue":
                self.overdue_cases = QLabel("")
                self.overdue_cases.setObjectName("due_overdue_cases")
                self.overdue_cases.setStyleSheet(f"color: {color};")
                counts.addWidget(self.overdue_cases)
            counts.addSpacing(18)
            self.counts[key] = value
        counts.addStretch(1)
        self.all_button = QPushButton(self.tr("查看全部到期事项…"))
        self.all_button.setObjectName("due_show_all")
        self.all_button.clicked.connect(lambda: self.ctx.navigate("referrals"))
        counts.addWidget(self.all_button)
        layout.addLayout(counts)
        self.items = QGridLayout()
        self.items.setHorizontalSpacing(12)
        self.items.setVerticalSpacing(0)
        layout.addLayout(self.items)
        self.links: list[QPushButton] = []
        self.empty = QLabel("")
        self.empty.setObjectName("due_empty")
        layout.addWidget(self.empty)

    def refresh(self) -> None:
        self.ctx.tasks.run(deadlines.dashboard, self.ctx.session, self.today(), limit=FIRST_ITEMS,
                           on_done=self.show_board, on_error=self._failed, latest_only="home_due")

    def _failed(self, exc: BaseException) -> None:
        self.empty.setText(self.ctx.error_text(exc))
        self.loaded.emit()

    def show_board(self, board: Dashboard) -> None:
        self.board = board
        for key, n in zip(("overdue", "today", "week"), board.totals[:3], strict=True):
            self.counts[key].setText(str(n))
        self.overdue_cases.setText(self.tr("（涉及 {0} 件案件）").format(board.overdue_cases)
                                   if board.totals[0] or board.overdue_cases else "")
        while self.items.count():
            item = self.items.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.links = []
        # the most overdue first: those are the ones a supervisor asks about
        app = QApplication.instance()
        shown = 2 if isinstance(app, QApplication) and is_large_type(app) else FIRST_ITEMS
        first = sorted(board.overdue, key=lambda i: i.due_on or date.max)[:shown]
        for r, item in enumerate(first):
            link = QPushButton(self.tr("{0}　{1}　{2}").format(item.case_number, item.applicant, item.label))
            link.setObjectName("due_item_link")
            link.setStyleSheet(LINK_STYLE)
            link.setCursor(Qt.CursorShape.PointingHandCursor)
            link.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            link.clicked.connect(lambda _c=False, u=item.case_uuid: open_case(self, self.ctx, u))
            late = QLabel(left_text(item.working_days_left, item.due_on, item.calendar_note))
            late.setStyleSheet(style.ERROR_TEXT)
            self.items.addWidget(link, r, 0)
            self.items.addWidget(late, r, 1)
            self.links.append(link)
        self.items.setColumnStretch(2, 1)
        self.all_button.setText(self.tr("查看全部到期事项…") if board.totals[0] <= len(first) else
                                self.tr("查看全部 {0} 项超期…").format(board.totals[0]))
        self.empty.setText("" if board.overdue else self.tr("没有超期事项。"))
        self.empty.setVisible(not board.overdue)
        self.loaded.emit()
