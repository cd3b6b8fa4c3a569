"""新建公示批次: pick the village, category and posting day; see who is ready (and why the others
are not) and the period the policy gives; tick the cases; create the draft.

Candidates come from ``notices.list_candidates`` (cases under investigation
or deliberation of that village, for that category, on that posting day);
a case that is not ready cannot be ticked and its row says why. The period
(length, 自然日/工作日, first and last day) comes from ``notices.plan_period``
before anything is created. Space ticks the current row, Ctrl+Enter creates,
Esc goes back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from desktop.domain.categories import Category
from desktop.domain.notice import NoticePeriod, amount_text
from desktop.services.cases import queries as case_queries
from desktop.services.notices import batches as notices
from desktop.services.notices.batches import BatchSummary, NoticeCandidate

from .. import style
from ..context import UiContext
from ..typography import set_font_scale
from .dialogs import ERROR_STYLE, date_edit, to_date

NOTICE_CATEGORIES = (Category.DIBAO, Category.TEKUN, Category.TEMP_EXPENSE, Category.TEMP_EMERGENCY,
                     Category.LOW_INCOME_EDGE, Category.RIGID_EXPENSE, Category.POVERTY_MONITORING,
                     Category.DISABILITY_SUBSIDY)
PERIOD_STYLE = "background: #eef4fb; border: 1px solid #8fb3d9; padding: 6px;"
NOT_READY_COLOR = style.WARNING_COLOR
COLUMNS = ("pick", "case_number", "holder", "status", "investigators", "amount", "ready")


class NewBatchView(QWidget):
    """The new-batch form. ``created(BatchSummary)`` when the draft exists; ``cancelled`` on Esc."""

    created = Signal(object)
    cancelled = Signal()
    loaded = Signal()

    def __init__(self, ctx: UiContext, today: Callable[[], date] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today or ctx.session.clock.today
        self.setObjectName("notices_new_batch")
        self.candidates: list[NoticeCandidate] = []
        self.period: NoticePeriod | None = None
        self.loading = False
        self.busy = False
        self._filling = False
        self._build()

    # ----- building ------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 8)
        layout.setSpacing(6)
        title = QLabel(self.tr("新建公示批次"))
        set_font_scale(title, 1.5, bold=True)
        layout.addWidget(title)
        row = QHBoxLayout()
        self.village_box = self._combo("new_village", self.tr("村（社区）(&V)："), row)
        self.category_box = self._combo("new_category", self.tr("救助类别(&C)："), row)
        for cat in NOTICE_CATEGORIES:
            self.category_box.addItem(cat.label, cat.value)
        caption = QLabel(self.tr("张贴日期(&D)："))
        self.start_on = date_edit("new_start_on", self.today())
        self.start_on.dateChanged.connect(lambda _d: self.reload())
        caption.setBuddy(self.start_on)
        row.addWidget(caption)
        row.addWidget(self.start_on)
        row.addStretch(1)
        layout.addLayout(row)
        self.period_label = QLabel("")
        self.period_label.setObjectName("new_period")
        self.period_label.setWordWrap(True)
        self.period_label.setStyleSheet(PERIOD_STYLE)
        layout.addWidget(self.period_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("candidates_table")
        self.table.setHorizontalHeaderLabels([
            self.tr("列入"), self.tr("案件编号"), self.tr("申请人"), self.tr("案件状态"), self.tr("入户调查"),
            self.tr("拟救助金额（元）"), self.tr("能否公示")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setStyleSheet("QTableView::item { padding: 0 6px; }")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("ready"), QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._item_changed)
        layout.addWidget(self.table, 1)
        self.empty = QLabel(self.tr("该村（社区）没有调查中、可列入此类别公示的案件。"))
        self.empty.setObjectName("candidates_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        layout.addWidget(self.empty)
        self.error = QLabel("")
        self.error.setObjectName("new_batch_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        bottom = QHBoxLayout()
        hint = QLabel(self.tr("空格键勾选　Ctrl+Enter 创建草稿　Esc 返回"))
        hint.setStyleSheet("color: #555;")
        bottom.addWidget(hint)
        bottom.addStretch(1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("picked_count")
        bottom.addWidget(self.count_label)
        self.all_button = QPushButton(self.tr("全选可公示的(&A)"))
        self.all_button.setObjectName("pick_all")
        self.all_button.clicked.connect(self.pick_all_ready)
        self.create_button = QPushButton(self.tr("创建草稿(&R)"))
        self.create_button.setObjectName("create_batch")
        self.create_button.clicked.connect(self.create)
        back = QPushButton(self.tr("返回"))
        back.setObjectName("new_batch_back")
        back.clicked.connect(self.cancelled.emit)
        for b in (self.all_button, self.create_button, back):
            b.setAutoDefault(False)
            bottom.addWidget(b)
        layout.addLayout(bottom)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.create,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.create,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.cancelled.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._update_count()

    def _combo(self, name: str, label: str, row: QHBoxLayout) -> QComboBox:
        caption = QLabel(label)
        box = QComboBox()
        box.setObjectName(name)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        box.currentIndexChanged.connect(lambda _i: self.reload())
        caption.setBuddy(box)
        row.addWidget(caption)
        row.addWidget(box)
        row.addSpacing(12)
        return box

    # ----- opening -------------------------------------------------------------------------
    def open(self, village: str | None = None) -> None:
        """Start afresh: the village of the list's filter, else the one with most cases ready."""
        self.error.hide()
        self._filling = True
        day = self.today()
        self.start_on.setDate(QDate(day.year, day.month, day.day))
        self._filling = False
        session = self.ctx.session

        def read() -> tuple[tuple[case_queries.Choice, ...], str | None]:
            villages = case_queries.filter_choices(session).villages
            if village:
                return villages, village
            ready: dict[str, int] = {}        # no village chosen: the one with most cases ready for 低保
            for c in notices.list_candidates(session, None, Category.DIBAO, day):
                if c.ready:
                    ready[c.division_code] = ready.get(c.division_code, 0) + 1
            return villages, max(ready, key=lambda v: ready[v]) if ready else None

        self.ctx.tasks.run(read, on_done=lambda result: self._show_villages(*result),
                           on_error=self._failed, latest_only="notice_new_villages")

    def _show_villages(self, villages: tuple[case_queries.Choice, ...], wanted: str | None) -> None:
        self._filling = True
        current = wanted or self.village_box.currentData()
        self.village_box.clear()
        for v in villages:
            self.village_box.addItem(v.label, v.value)
        self.village_box.setCurrentIndex(max(0, self.village_box.findData(current)))
        self._filling = False
        self.reload()
        self.village_box.setFocus()

    def select(self, village: str, category: Category | str) -> None:
        """Choose village and category (tests, screenshots) and read again."""
        self._filling = True
        self.village_box.setCurrentIndex(max(0, self.village_box.findData(village)))
        self.category_box.setCurrentIndex(max(0, self.category_box.findData(Category(category).value)))
        self._filling = False
        self.reload()

    # ----- reading -------------------------------------------------------------------------
    def reload(self) -> None:
        if self._filling:
            return
        village, category = self.village_box.currentData(), self.category_box.currentData()
        if not village or not category:
            return
        on = to_date(self.start_on.date())
        self.loading = True
        self.error.hide()
        session = self.ctx.session

        def read() -> tuple[list[NoticeCandidate], NoticePeriod | None, str]:
            try:
                period, problem = notices.plan_period(session, village, category, on), ""
            except notices.InvalidInput as exc:
                period, problem = None, exc.message
            return notices.list_candidates(session, village, category, on), period, problem

        self.ctx.tasks.run(read, on_done=self._show, on_error=self._failed, latest_only="notice_candidates")

    def _show(self, result: tuple[list[NoticeCandidate], NoticePeriod | None, str]) -> None:
        candidates, period, problem = result
        self.loading = False
        self.period = period
        if period is None:
            self.period_label.setText(self.tr("不能公示：{0}").format(problem))
        else:
            unit = self.tr("工作日") if period.unit.value == "working_days" else self.tr("自然日")
            end = period.end_on.isoformat() if period.end_on else self.tr("待定（节假日安排尚未下发）")
            if period.end_on and period.provisional:
                end += self.tr("（暂定：节假日安排尚未发布，按法定节假日推算）")
            self.period_label.setText(self.tr(
                "公示期：{0}个{1}，{2} 张贴（当日不计入），{3} 期满；期满次日起无异议的案件自动转入待审核确认。").format(
                period.length, unit, period.posted_on.isoformat(), end))
        picked = set(self.picked())
        self.candidates = candidates
        self._filling = True
        self.table.setRowCount(len(candidates))
        for i, c in enumerate(candidates):
            pick = QTableWidgetItem("")
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if c.ready:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            pick.setFlags(flags)
            pick.setCheckState(Qt.CheckState.Checked if c.ready and c.case_uuid in picked
                               else Qt.CheckState.Unchecked)
            pick.setData(Qt.ItemDataRole.UserRole, c.case_uuid)
            amount = amount_text(c.proposed_monthly_cents) if c.proposed_monthly_cents is not None else "—"
            ready = self.tr("可以公示") if c.ready else self.tr("不能公示：{0}").format(self.tr("；").join(c.problems))
            cells = [pick, QTableWidgetItem(c.case_number_display), QTableWidgetItem(c.holder_name),
                     QTableWidgetItem(c.status_label), QTableWidgetItem(self.tr("{0}人").format(c.investigators)),
                     QTableWidgetItem(amount), QTableWidgetItem(ready)]
            for col, item in enumerate(cells):
                if col:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if COLUMNS[col] == "amount":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if not c.ready:
                    item.setForeground(QColor(NOT_READY_COLOR) if col == len(cells) - 1 else QColor("#777777"))
                self.table.setItem(i, col, item)
            cells[-1].setToolTip("\n".join(c.problems) or ready)
        self.table.resizeRowsToContents()
        self._filling = False
        self.empty.setVisible(not candidates)
        self._update_count()
        if candidates and not self.table.currentIndex().isValid():
            self.table.setCurrentCell(0, 0)
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.busy = False
        self.create_button.setEnabled(True)
        self.error.setText(self.ctx.error_text(exc))
        self.error.show()

    # ----- picking -------------------------------------------------------------------------
    def picked(self) -> list[str]:
        out = []
        for i in range(self.table.rowCount()):
            item = self.table.item(i, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def set_picked(self, case_uuids: list[str]) -> None:
        wanted = set(case_uuids)
        for i in range(self.table.rowCount()):
            item = self.table.item(i, 0)
            if item is not None and item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted
                                   else Qt.CheckState.Unchecked)

    def pick_all_ready(self) -> None:
        self.set_picked([c.case_uuid for c in self.candidates if c.ready])

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() == Qt.Key.Key_Space and self.table.hasFocus():
            item = self.table.item(self.table.currentRow(), 0)
            if item is not None and item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                item.setCheckState(Qt.CheckState.Unchecked if item.checkState() == Qt.CheckState.Checked
                                   else Qt.CheckState.Checked)
                return
        super().keyPressEvent(event)

    def _item_changed(self, _item: QTableWidgetItem) -> None:
        if not self._filling:
            self._update_count()

    def _update_count(self) -> None:
        n = len(self.picked())
        ready = sum(1 for c in self.candidates if c.ready)
        self.count_label.setText(self.tr("已选 {0} 件（可公示 {1} 件，共 {2} 件）").format(n, ready, len(self.candidates)))
        self.create_button.setEnabled(n > 0 and not self.busy)

    def has_unsaved_work(self) -> bool:
        return bool(self.picked())

    # ----- creating ------------------------------------------------------------------------
    def create(self) -> None:
        if self.busy:
            return
        ids = self.picked()
        village, category = self.village_box.currentData(), self.category_box.currentData()
        on = to_date(self.start_on.date())
        self.busy = True
        self.create_button.setEnabled(False)
        self.error.hide()
        self.ctx.tasks.run(notices.create_batch, self.ctx.session, village, category, ids, on,
                           on_done=self._created, on_error=self._failed)

    def _created(self, batch: BatchSummary) -> None:
        self.busy = False
        self._filling = True
        self.table.setRowCount(0)
        self.candidates = []
        self._filling = False
        self._update_count()
        self.ctx.events.data_changed.emit()
        self.created.emit(batch)
