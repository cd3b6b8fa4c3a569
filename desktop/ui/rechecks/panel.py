"""动态复核: the re-checks overdue, due this month and next month, and the dialog that records one.

``RecheckPanel(ctx)`` is a plain widget (the referrals page shows it as a
tab). Opening it schedules coverages that have no re-check yet, then lists
what is due, filtered by when and by village. Clerks and supervisors record
the outcome (继续享受 / 调整金额 / 停止救助, with the reason); others only look.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.admin.accounts import Permission
from desktop.services.coverage import rechecks
from desktop.services.coverage.rechecks import DueGroup, DueRecheck, Outcome, OutcomeInput, RecordedRecheck
from desktop.services.session import AppSession

from .. import style
from ..cases.dialogs import parse_yuan, yuan_text
from ..context import UiContext
from ..typography import set_font_scale

ERROR_STYLE = style.ERROR_TEXT_BOLD
OVERDUE_COLOR = style.ERROR_COLOR
LIST_LIMIT = 2000


@dataclass(frozen=True)
class RecheckList:
    items: tuple[DueRecheck, ...]
    counts: dict[DueGroup, int]
    villages: tuple[tuple[str, str], ...]
    scheduled: int


def load_rechecks(session: AppSession, group: str | None, village: str | None) -> RecheckList:
    scheduled = rechecks.schedule_missing(session)
    return RecheckList(tuple(rechecks.list_due(session, group=group, village=village, limit=LIST_LIMIT)),
                       rechecks.due_counts(session), tuple(rechecks.village_choices(session)), scheduled)


class RecheckOutcomeDialog(QDialog):
    """Outcome, day of the re-check, new amount (adjust only) and reason; the service validates."""

    submitted = Signal(object)    # OutcomeInput

    def __init__(self, item: DueRecheck, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName("recheck_dialog")
        self.setWindowTitle(self.tr("录入复核结果"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        head = QLabel(self.tr("{0}（{1}）  {2}\n现月救助金额 {3} 元，应复核日期 {4}").format(
            item.holder, item.village, item.category_label, yuan_text(item.monthly_amount_cents),
            item.due_on.isoformat()))
        head.setWordWrap(True)
        set_font_scale(head, 1.05, bold=True)
        layout.addWidget(head)
        form = QFormLayout()
        outcome_row = QHBoxLayout()
        self.outcomes = QButtonGroup(self)
        self.radio: dict[Outcome, QRadioButton] = {}
        for o, text in ((Outcome.CONTINUE, self.tr("继续享受")), (Outcome.ADJUST, self.tr("调整金额")),
                        (Outcome.STOP, self.tr("停止救助"))):
            rb = QRadioButton(text)
            rb.setObjectName(f"outcome_{o.value}")
            self.outcomes.addButton(rb)
            self.radio[o] = rb
            outcome_row.addWidget(rb)
        self.radio[Outcome.CONTINUE].setChecked(True)
        outcome_row.addStretch(1)
        form.addRow(self.tr("复核结果："), outcome_row)
        self.done_on = QDateEdit()
        self.done_on.setObjectName("done_on")
        self.done_on.setCalendarPopup(True)
        self.done_on.setDisplayFormat("yyyy-MM-dd")
        # the day of the re-check may not be after today (the session's clock)
        self.done_on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.done_on.setDate(QDate(today.year, today.month, today.day))
        form.addRow(self.tr("复核日期："), self.done_on)
        self.amount = QLineEdit()
        self.amount.setObjectName("new_amount")
        self.amount.setPlaceholderText(self.tr("例如 780 或 780.00"))
        form.addRow(self.tr("新月救助金额（元）："), self.amount)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(self.tr("调整金额或停止救助须填写理由，如家庭收入、人口变化情况"))
        self.reason.setFixedHeight(90)
        form.addRow(self.tr("理由："), self.reason)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("recheck_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("recheck_save")
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.outcomes.buttonToggled.connect(self._outcome_changed)
        self._outcome_changed()

    def outcome(self) -> Outcome:
        return next(o for o, rb in self.radio.items() if rb.isChecked())

    def _outcome_changed(self) -> None:
        self.amount.setEnabled(self.outcome() is Outcome.ADJUST)

    def _submit(self) -> None:
        outcome = self.outcome()
        amount = None
        if outcome is Outcome.ADJUST:
            text = self.amount.text().strip()
            amount = parse_yuan(text, self.tr("元")) if text else None
            if text and amount is None:
                self.show_error(self.tr("新月救助金额应为数字，最多两位小数。"))
                return
        d = self.done_on.date()
        self.error.setText("")
        self.ok.setEnabled(False)
        self.submitted.emit(OutcomeInput(outcome.value, date(d.year(), d.month(), d.day()),
                                         self.reason.toPlainText(), amount))

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.ok.setEnabled(True)


class RecheckPanel(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("recheck_panel")
        self.items: tuple[DueRecheck, ...] = ()
        self.loaded = False
        self.dialog: RecheckOutcomeDialog | None = None
        self.last_message = ""
        self._pending_message = ""
        self.can_record = ctx.session.can(Permission.TRANSITION_CASE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("到期：")))
        self.group = QComboBox()
        self.group.setObjectName("recheck_group")
        self.group.addItem(self.tr("全部（已逾期、本月、下月）"), None)
        self.group.addItem(self.tr("已逾期"), DueGroup.OVERDUE.value)
        self.group.addItem(self.tr("本月到期"), DueGroup.THIS_MONTH.value)
        self.group.addItem(self.tr("下月到期"), DueGroup.NEXT_MONTH.value)
        bar.addWidget(self.group)
        bar.addWidget(QLabel(self.tr("村（社区）：")))
        self.village = QComboBox()
        self.village.setObjectName("recheck_village")
        self.village.addItem(self.tr("全部"), None)
        bar.addWidget(self.village)
        self.refresh = QPushButton(self.tr("刷新"))
        bar.addWidget(self.refresh)
        bar.addSpacing(12)
        self.counts = QLabel()
        self.counts.setObjectName("recheck_counts")
        bar.addWidget(self.counts)
        bar.addStretch(1)
        self.record = QPushButton(self.tr("录入复核结果…"))
        self.record.setObjectName("record_recheck")
        self.record.setEnabled(False)
        if not self.can_record:
            self.record.setToolTip(self.tr("当前角色只能查看复核名单"))
        bar.addWidget(self.record)
        layout.addLayout(bar)
        heads = [self.tr("户主"), self.tr("村（社区）"), self.tr("救助类别"), self.tr("复核类别"),
                 self.tr("月救助金额（元）"), self.tr("开始享受"), self.tr("应复核日期"), self.tr("到期情况")]
        self.table = QTableWidget(0, len(heads))
        self.table.setObjectName("recheck_table")
        self.table.setHorizontalHeaderLabels(heads)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.status = QLabel()
        self.status.setObjectName("recheck_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.refresh.clicked.connect(self.reload)
        self.group.currentIndexChanged.connect(self.reload)
        self.village.currentIndexChanged.connect(self.reload)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self.open_dialog())
        self.record.clicked.connect(self.open_dialog)

    def on_shown(self) -> None:
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        """Refresh whenever the tab holding the panel comes into view (the host need not call on_shown)."""
        super().showEvent(event)
        if not event.spontaneous():
            self.reload()

    def reload(self) -> None:
        self.loaded = False
        self.ctx.tasks.run(load_rechecks, self.ctx.session, self.group.currentData(), self.village.currentData(),
                           on_done=self.show_data, on_error=self._failed, latest_only="rechecks")

    def show_data(self, data: RecheckList) -> None:
        if self.village.count() == 1:
            self.village.blockSignals(True)
            for code, name in data.villages:
                self.village.addItem(name, code)
            self.village.blockSignals(False)
        self.items = data.items
        labels = {DueGroup.OVERDUE: self.tr("已逾期"), DueGroup.THIS_MONTH: self.tr("本月到期"),
                  DueGroup.NEXT_MONTH: self.tr("下月到期")}
        self.table.setRowCount(len(self.items))
        for r, it in enumerate(self.items):
            values = [it.holder, it.village, it.category_label, it.class_label, yuan_text(it.monthly_amount_cents),
                      it.since.isoformat(), it.due_on.isoformat(), labels[it.group]]
            for c, v in enumerate(values):
                cell = QTableWidgetItem(v)
                if c == 4:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if it.group is DueGroup.OVERDUE and c in (6, 7):
                    cell.setForeground(QColor(OVERDUE_COLOR))
                self.table.setItem(r, c, cell)
        n = data.counts
        self.counts.setText(self.tr("已逾期 {0} 户 · 本月到期 {1} 户 · 下月到期 {2} 户").format(
            n[DueGroup.OVERDUE], n[DueGroup.THIS_MONTH], n[DueGroup.NEXT_MONTH]))
        hint = ""
        if not self.items:
            hint = self.tr("没有需要复核的家庭。")
        elif len(self.items) >= LIST_LIMIT:
            hint = self.tr("只显示最早到期的 {0} 户，请按村（社区）或到期情况筛选。").format(LIST_LIMIT)
        self.status.setText(self._pending_message or hint)
        self._pending_message = ""
        self._selection_changed()
        self.loaded = True

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(self.ctx.error_text(exc))
        self.loaded = True

    def selected(self) -> DueRecheck | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    def _selection_changed(self) -> None:
        self.record.setEnabled(self.can_record and self.selected() is not None)

    def open_dialog(self) -> RecheckOutcomeDialog | None:
        item = self.selected()
        if item is None or not self.can_record:
            return None
        self.dialog = RecheckOutcomeDialog(item, self.ctx.session.clock.today(), self)
        self.dialog.submitted.connect(lambda form, it=item: self._save(it, form))
        self.dialog.open()
        return self.dialog

    def _save(self, item: DueRecheck, form: OutcomeInput) -> None:
        self.ctx.tasks.run(rechecks.record_outcome, self.ctx.session, item.uuid, form,
                           on_done=lambda result: self._saved(item, result), on_error=self._save_failed)

    def _saved(self, item: DueRecheck, result: RecordedRecheck) -> None:
        if self.dialog is not None:
            self.dialog.accept()
            self.dialog = None
        if result.next_due_on is None:
            text = self.tr("已录入：{0}，{1}，救助已停止。").format(item.holder, result.outcome.label)
        else:
            text = self.tr("已录入：{0}，{1}，下次复核 {2}。").format(item.holder, result.outcome.label,
                                                             result.next_due_on.isoformat())
        self.last_message = self._pending_message = text
        self.status.setText(text)
        self.ctx.events.data_changed.emit()
        self.reload()

    def _save_failed(self, exc: BaseException) -> None:
        if self.dialog is not None:
            self.dialog.show_error(self.ctx.error_text(exc))
