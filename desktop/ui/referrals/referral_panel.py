"""转办: the referrals of every case, filtered by state, department and overdue, with the steps a
clerk keys in from the paper — 转出 (and the 转办单), 已接收, 录入办理结果 (with the reply), 退回."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.case_state import CaseStatus
from desktop.services.admin.accounts import Permission
from desktop.services.documents import issue as documents
from desktop.services.referrals import lifecycle as referrals
from desktop.services.referrals import queries as rq
from desktop.services.referrals.lifecycle import ReferralState
from desktop.services.referrals.queries import ReferralFilter, ReferralRow

from .. import style
from ..cases.dialogs import yuan_text
from ..context import UiContext
from ..files import ask_save_file, case_document_file_name
from ..printing import PrintDialog
from .common import OVERDUE_BG, OVERDUE_FG, day_text, left_text, open_case
from .dialogs import RECEIVE, RESULT, RETURN, SEND, ReferralStepDialog

OK_STYLE = style.OK_BANNER
ERROR_STYLE = style.ERROR_BANNER
UUID_ROLE = Qt.ItemDataRole.UserRole + 1
COL_RESULT, COL_CATEGORIES = 7, 8
ALLOWED: dict[str, tuple[ReferralState, ...]] = {
    SEND: (ReferralState.PENDING, ReferralState.RETURNED),
    "print": (ReferralState.PENDING, ReferralState.SENT, ReferralState.RECEIVED, ReferralState.RETURNED),
    RECEIVE: (ReferralState.SENT,),
    RESULT: (ReferralState.SENT, ReferralState.RECEIVED),
    RETURN: (ReferralState.SENT, ReferralState.RECEIVED),
}


class ReferralPanel(QWidget):
    loaded = Signal()
    changed = Signal()
    case_requested = Signal(str)

    def __init__(self, ctx: UiContext, today: Callable[[], date] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today or ctx.session.clock.today
        self.setObjectName("referral_panel")
        self.rows: list[ReferralRow] = []
        self.total = 0
        self.dialog: ReferralStepDialog | None = None
        self.print_dialog: PrintDialog | None = None
        self.can_act = ctx.session.can(Permission.TRANSITION_CASE)
        self.can_print = self.can_act and ctx.session.can(Permission.PRINT_RECEIPT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self._build_filters())
        self.table = self._build_table()
        layout.addWidget(self.table, 1)
        self.detail = QLabel("")
        self.detail.setObjectName("referral_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(44)
        layout.addWidget(self.detail)
        layout.addLayout(self._build_actions())
        self.message = QLabel("")
        self.message.setObjectName("referral_message")
        self.message.setWordWrap(True)
        self.message.hide()
        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        # after a pending referral's slip was printed: it usually leaves now — one click records it
        self.offer_send = QPushButton(self.tr("登记为今天已转出(&Y)"))
        self.offer_send.setObjectName("offer_send")
        self.offer_send.hide()
        self.offer_send.clicked.connect(self._send_printed)
        self.offered: ReferralRow | None = None
        message_row.addWidget(self.offer_send)
        layout.addLayout(message_row)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.refresh,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # ----- building ---------------------------------------------------------------------------
    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("状态")))
        self.state = QComboBox()
        self.state.setObjectName("filter_state")
        self.state.addItem(self.tr("全部"), None)
        for st in ReferralState:
            self.state.addItem(st.label, st.value)
        row.addWidget(self.state)
        row.addWidget(QLabel(self.tr("部门")))
        self.department = QComboBox()
        self.department.setObjectName("filter_department")
        self.department.addItem(self.tr("全部部门"), None)
        self.department.setMinimumContentsLength(12)
        row.addWidget(self.department)
        self.overdue = QCheckBox(self.tr("仅显示超期(&O)"))
        self.overdue.setObjectName("filter_overdue")
        row.addWidget(self.overdue)
        for w in (self.state, self.department):
            w.currentIndexChanged.connect(self.refresh)
        self.overdue.toggled.connect(self.refresh)
        self.count = QLabel("")
        self.count.setObjectName("referral_count")
        row.addWidget(self.count)
        row.addStretch(1)
        refresh = QPushButton(self.tr("刷新"))
        refresh.setToolTip(self.tr("F5"))
        refresh.clicked.connect(self.refresh)
        row.addWidget(refresh)
        return row

    def _build_table(self) -> QTableWidget:
        # what a clerk acts on first (state, due day, days left); categories and village last, so large
        # type pushes only those out of sight
        headers = [self.tr("案件编号"), self.tr("申请人"), self.tr("转办部门"), self.tr("状态"), self.tr("转出日期"),
                   self.tr("期限"), self.tr("剩余"), self.tr("结果"), self.tr("救助类别"), self.tr("村（社区）")]
        table = QTableWidget(0, len(headers))
        table.setObjectName("referral_table")
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        table.setTabKeyNavigation(False)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_RESULT, QHeaderView.ResizeMode.Stretch)
        # several categories make a long text: a fixed width, elided, the whole text as a tooltip
        header.setSectionResizeMode(COL_CATEGORIES, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(COL_CATEGORIES, table.fontMetrics().horizontalAdvance(chr(0x56FD)) * 9 + 16)  # 9 CJK
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.itemSelectionChanged.connect(self._selection_changed)
        table.doubleClicked.connect(lambda _i: self.open_current_case())
        return table

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.action_buttons: dict[str, QPushButton] = {}
        specs = [(SEND, self.tr("转出(&S)…")), ("print", self.tr("打印转办单(&P)…")),
                 (RECEIVE, self.tr("已接收(&R)…")), (RESULT, self.tr("录入办理结果(&J)…")),
                 (RETURN, self.tr("退回(&T)…")), ("reply", self.tr("另存回复材料…")),
                 ("case", self.tr("打开案件(&C)"))]
        for key, text in specs:
            button = QPushButton(text)
            button.setObjectName(f"referral_action_{key}")
            button.setEnabled(False)
            row.addWidget(button)
            self.action_buttons[key] = button
        for key in (SEND, RECEIVE, RESULT, RETURN):
            self.action_buttons[key].clicked.connect(lambda _c=False, k=key: self.start_step(k))
        self.action_buttons["print"].clicked.connect(lambda: self.print_slip())
        self.action_buttons["reply"].clicked.connect(self.save_reply)
        self.action_buttons["case"].clicked.connect(self.open_current_case)
        row.addStretch(1)
        return row

    # ----- data ---------------------------------------------------------------------------------
    def current_filter(self) -> ReferralFilter:
        return ReferralFilter(state=self.state.currentData(), department=self.department.currentData(),
                              overdue_only=self.overdue.isChecked())

    def refresh(self) -> None:
        self.ctx.tasks.run(self._load, self.current_filter(), self.today(), on_done=self._loaded,
                           on_error=self._failed, latest_only="referral_list")
        self.ctx.tasks.run(rq.department_choices, self.ctx.session, on_done=self._show_departments,
                           latest_only="referral_departments")

    def _load(self, f: ReferralFilter, today: date) -> tuple[list[ReferralRow], int]:
        session = self.ctx.session
        return rq.list_referrals(session, f, today=today), rq.count_referrals(session, f, today=today)

    def _loaded(self, result: tuple[list[ReferralRow], int]) -> None:
        rows, total = result
        self.total = total
        self.show_rows(rows)

    def _show_departments(self, choices: list[tuple[str, str]]) -> None:
        current = self.department.currentData()
        have = [self.department.itemData(i) for i in range(1, self.department.count())]
        if have == [code for code, _n in choices]:
            return
        self.department.blockSignals(True)
        self.department.clear()
        self.department.addItem(self.tr("全部部门"), None)
        for code, name in choices:
            self.department.addItem(name, code)
        index = self.department.findData(current)
        self.department.setCurrentIndex(max(index, 0))
        self.department.blockSignals(False)

    def _failed(self, exc: BaseException) -> None:
        self.say(self.ctx.error_text(exc), error=True)
        self.loaded.emit()

    def show_rows(self, rows: list[ReferralRow]) -> None:
        selected = self.current_row()
        self.rows = rows
        total = max(self.total, len(rows))
        self.count.setText(self.tr("共 {0} 条").format(total) if total == len(rows) else
                           self.tr("共 {0} 条，列出最急的 {1} 条").format(total, len(rows)))
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            result = row.result_label
            if row.state is ReferralState.RETURNED:
                result = self.tr("退回：{0}").format(row.return_reason)
            cells = [row.case_number_display, row.applicant_name, row.department_name, row.state_label,
                     day_text(row.sent_on), day_text(row.due_on, row.due_provisional),
                     left_text(row.working_days_left, row.due_on, row.calendar_note) if row.due_on or
                     row.calendar_note else "", result, row.categories_label, row.village_name]
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(UUID_ROLE, row.uuid)
                if c in (COL_RESULT, COL_CATEGORIES):
                    cell.setToolTip(text)
                if row.overdue:
                    cell.setBackground(QBrush(OVERDUE_BG))
                    cell.setForeground(QBrush(OVERDUE_FG))
                self.table.setItem(r, c, cell)
        keep = next((i for i, row in enumerate(rows) if selected and row.uuid == selected.uuid), 0 if rows else -1)
        if keep >= 0:
            self.table.selectRow(keep)
        self._selection_changed()
        self.loaded.emit()

    def current_row(self) -> ReferralRow | None:
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def select_referral(self, referral_uuid: str) -> bool:
        for i, row in enumerate(self.rows):
            if row.uuid == referral_uuid:
                self.table.selectRow(i)
                return True
        return False

    def _selection_changed(self) -> None:
        row = self.current_row()
        for key, button in self.action_buttons.items():
            if row is None:
                button.setEnabled(False)
            elif key in ALLOWED:
                allowed = self.can_print if key == "print" else self.can_act
                button.setEnabled(allowed and row.state in ALLOWED[key])
            elif key == "reply":
                button.setEnabled(row.has_reply)
            else:
                button.setEnabled(True)
        self.detail.setText(self.describe(row) if row is not None else self.tr("没有符合条件的转办。"))

    def describe(self, row: ReferralRow) -> str:
        parts = [self.tr("{0} → {1}（{2}个工作日内办结）").format(row.case_number_display, row.department_name,
                                                              row.deadline_working_days),
                 self.tr("状态：{0}；案件：{1}").format(row.state_label, row.case_status_label)]
        if row.received_on:
            parts.append(self.tr("接收：{0}").format(row.received_on.isoformat()))
        if row.state is ReferralState.CONCLUDED:
            amount = self.tr("，金额 {0} 元").format(yuan_text(row.amount_cents)) if row.amount_cents else ""
            parts.append(self.tr("办结：{0} {1}{2}（{3}）{4}").format(
                day_text(row.concluded_on), row.result_label, amount, row.decided_by,
                self.tr("；理由：{0}").format(row.result_reason) if row.result_reason else ""))
        if row.state is ReferralState.RETURNED:
            parts.append(self.tr("退回：{0}，理由：{1}").format(day_text(row.returned_on), row.return_reason))
        if row.has_reply:
            parts.append(self.tr("回复材料：{0}").format(row.reply_filename or row.reply_mime))
        if row.calendar_note and row.due_on is None and row.state in (ReferralState.SENT, ReferralState.RECEIVED):
            parts.append(row.calendar_note)
        return self.tr("　").join(parts)

    # ----- actions ------------------------------------------------------------------------------
    def say(self, text: str, error: bool = False) -> None:
        self.offer_send.hide()
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setVisible(bool(text))

    def start_step(self, kind: str) -> ReferralStepDialog | None:
        row = self.current_row()
        if row is None:
            return None
        dialog = ReferralStepDialog(kind, row, self.today(), self)
        dialog.submitted.connect(self._run_step)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _run_step(self, kind: str, payload: Any) -> None:
        dialog, row = self.dialog, self.current_row()
        if dialog is None or row is None:
            return
        session, today = self.ctx.session, self.today()
        calls: dict[str, Callable[[], str]] = {
            SEND: lambda: referrals.mark_sent(session, row.uuid, payload, today=today),
            RECEIVE: lambda: referrals.mark_received(session, row.uuid, payload, today=today),
            RESULT: lambda: referrals.record_result(session, row.uuid, payload, today=today),
            RETURN: lambda: referrals.return_referral(session, row.uuid, payload[0], payload[1], today=today),
        }
        print_after = kind == SEND and dialog.print_slip.isChecked() and self.can_print
        self.ctx.tasks.run(calls[kind], on_done=lambda _uuid: self._step_done(kind, row, print_after),
                           on_error=lambda exc: dialog.show_error(self.ctx.error_text(exc)))

    def _step_done(self, kind: str, row: ReferralRow, print_after: bool) -> None:
        if self.dialog is not None:
            self.dialog.accept()
            self.dialog = None
        done = {SEND: self.tr("已转出：{0}，办理时限开始计算。"), RECEIVE: self.tr("已登记{0}接收。"),
                RESULT: self.tr("已录入{0}的办理结果。"), RETURN: self.tr("已登记{0}退回。")}
        self.say(done[kind].format(row.department_name))
        if kind in (RESULT, RETURN):
            self.ctx.tasks.run(rq.case_referrals, self.ctx.session, row.case_uuid, today=self.today(),
                               on_done=lambda refs: self._all_back(row, refs))
        self.changed.emit()
        self.ctx.events.data_changed.emit()
        self.refresh()
        if print_after:
            self.print_slip(row)

    def _all_back(self, row: ReferralRow, refs: list[ReferralRow]) -> None:
        """Every department of the case has answered: say what to do with the case now (only a case 已转办:
        one that also has township-procedure categories, 低保…, is decided by 审核确认, not by the results)."""
        waiting = [r for r in refs if r.state.value in referrals.OPEN_STATES]
        if waiting or not any(r.state is ReferralState.CONCLUDED for r in refs):
            return
        if refs[0].case_status != CaseStatus.REFERRED.value:
            return
        self.say(self.tr("案件 {0} 的转办部门均已反馈办理结果：请打开案件，办理“转办结果：批准”或"
                         "“转办结果：不予批准”。").format(row.case_number_display))

    def print_slip(self, row: ReferralRow | None = None) -> PrintDialog | None:
        row = row or self.current_row()
        if row is None:
            return None
        session = self.ctx.session

        def provide(_fmt: str) -> documents.PrintedDocument:
            return documents.print_referral_slips(session, row.case_uuid, department=row.department,
                                                  preview=True)[0]

        dialog = PrintDialog(self.ctx, provide, self.tr("转办单"),
                             file_name=case_document_file_name(row.case_number_display,
                                                               self.tr("转办单-{0}").format(row.department_name)),
                             recorder=lambda result: documents.record_preview(session, row.case_uuid, result),
                             parent=self)
        if row.state in (ReferralState.PENDING, ReferralState.RETURNED) and self.can_act:
            dialog.printed.connect(lambda: self._offer_send(row))
        self.print_dialog = dialog
        dialog.open()
        return dialog

    def _offer_send(self, row: ReferralRow) -> None:
        self.offered = row
        self.say(self.tr("{0}的转办单已打印。送出后请登记转出，办理时限从转出之日起算。").format(row.department_name))
        self.offer_send.show()

    def _send_printed(self) -> None:
        row = self.offered
        self.offer_send.hide()
        if row is None:
            return
        session, today = self.ctx.session, self.today()
        self.ctx.tasks.run(referrals.mark_sent, session, row.uuid, today, today=today,
                           on_done=lambda _u: self._step_done(SEND, row, False),
                           on_error=lambda exc: self.say(self.ctx.error_text(exc), error=True))

    def save_reply(self) -> None:
        row = self.current_row()
        if row is None or not row.has_reply:
            return
        suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(row.reply_mime, "")
        suggested = row.reply_filename or case_document_file_name(
            row.case_number_display, self.tr("回复-{0}").format(row.department_name)) + suffix
        chosen = ask_save_file(self, self.ctx.settings, "reply", self.tr("另存回复材料"), suggested,
                               self.tr("原文件类型 (*{0})").format(suffix) if suffix else self.tr("所有文件 (*)"), suffix)
        path = str(chosen) if chosen is not None else ""
        if path:
            self.ctx.tasks.run(self._write_reply, row.uuid, path, on_done=lambda p: self.say(
                self.tr("已保存到 {0}").format(p)), on_error=lambda e: self.say(self.ctx.error_text(e), True))

    def _write_reply(self, referral_uuid: str, path: str) -> str:
        _mime, _name, data = rq.reply_document(self.ctx.session, referral_uuid)
        Path(path).write_bytes(data)
        return path

    def open_current_case(self) -> None:
        row = self.current_row()
        if row is not None:
            self.case_requested.emit(row.case_uuid)
            open_case(self, self.ctx, row.case_uuid)
