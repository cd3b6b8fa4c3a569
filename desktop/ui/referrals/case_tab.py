"""The case detail's 时限与转办 tab: every statutory clock of the case (running ones first, overdue in
red) and its referrals with their state and result; a button goes to the referral in 转办与时限."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines.clocks import ClockInfo, ClockState
from desktop.services.referrals import queries as rq
from desktop.services.referrals.lifecycle import ReferralState
from desktop.services.referrals.queries import ReferralRow
from desktop.services.session import AppSession

from ..context import UiContext
from .common import OVERDUE_BG, OVERDUE_FG, day_text, left_text


@dataclass(frozen=True)
class CaseTimeLimits:
    case_uuid: str
    clocks: tuple[ClockInfo, ...]
    referrals: tuple[ReferralRow, ...]


def load_case_time_limits(session: AppSession, case_uuid: str, today: date) -> CaseTimeLimits:
    return CaseTimeLimits(case_uuid, tuple(deadlines.case_clocks(session, case_uuid, today)),
                          tuple(rq.case_referrals(session, case_uuid, today=today)))


def _table(name: str, headers: list[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setTabKeyNavigation(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class CaseTimeLimitsTab(QWidget):
    loaded = Signal()

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("case_time_limits")
        self.case_uuid = ""
        self.data: CaseTimeLimits | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("法定办理时限（按工作日计算，节假日和调休已计入）")))
        self.clocks = _table("case_clock_table", [self.tr("事项"), self.tr("起算日"), self.tr("工作日"),
                                                  self.tr("期限"), self.tr("状态")], 0)
        layout.addWidget(self.clocks, 3)
        layout.addWidget(QLabel(self.tr("转办部门")))
        self.referrals = _table("case_referral_table", [self.tr("部门"), self.tr("救助类别"), self.tr("状态"),
                                                        self.tr("转出日期"), self.tr("期限"), self.tr("结果")], 1)
        layout.addWidget(self.referrals, 2)

    def load(self, case_uuid: str, today: date) -> None:
        self.case_uuid = case_uuid
        self.ctx.tasks.run(load_case_time_limits, self.ctx.session, case_uuid, today, on_done=self.show_data,
                           on_error=lambda _e: self.loaded.emit(), latest_only="case_time_limits")

    def show_data(self, data: CaseTimeLimits) -> None:
        if data.case_uuid != self.case_uuid:
            return
        self.data = data
        self.clocks.setRowCount(len(data.clocks))
        states = {ClockState.MET: self.tr("已完成"), ClockState.CANCELLED: self.tr("已取消")}
        for r, c in enumerate(data.clocks):
            running = c.state is ClockState.OPEN
            status = left_text(c.working_days_left, c.due_on, c.calendar_note) if running else states[c.state]
            cells = [c.label, day_text(c.started_on), str(c.working_days), day_text(c.due_on, c.provisional), status]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c.overdue:
                    item.setBackground(QBrush(OVERDUE_BG))
                    item.setForeground(QBrush(OVERDUE_FG))
                elif not running:
                    item.setForeground(QBrush(self.palette().placeholderText()))
                if col == 3 and c.calendar_note:
                    item.setToolTip(c.calendar_note)
                self.clocks.setItem(r, col, item)
        self.referrals.setRowCount(len(data.referrals))
        for r, ref in enumerate(data.referrals):
            returned = ref.state is ReferralState.RETURNED
            result = self.tr("退回：{0}").format(ref.return_reason) if returned else ref.result_label
            cells = [ref.department_name, ref.categories_label, ref.state_label, day_text(ref.sent_on),
                     day_text(ref.due_on), result]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if ref.overdue:
                    item.setBackground(QBrush(OVERDUE_BG))
                    item.setForeground(QBrush(OVERDUE_FG))
                self.referrals.setItem(r, col, item)
        self.loaded.emit()

    def title(self) -> str:
        d = self.data
        late = sum(1 for c in d.clocks if c.overdue) if d is not None else 0
        return self.tr("时限与转办（超期{0}项）").format(late) if late else self.tr("时限与转办")
