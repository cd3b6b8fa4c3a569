"""公示: notice batches by state and village ⇄ one batch ⇄ a new batch, in the same place.

The list shows every batch (草稿 / 公示中 / 已期满 / 已撤回) with its posting
day and last day; above it, what the end-of-period check moved on to
待审核确认 during this session (:mod:`.period_end`). Enter or a double-click
opens a batch; Ctrl+N starts a new batch; F5 reads again; Esc goes back.
Every read and write goes through the notice service on ``ctx.tasks``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.notice import BatchStatus
from desktop.domain.roles import Permission
from desktop.services.cases import queries as case_queries
from desktop.services.notices import batches as notices
from desktop.services.notices.batches import BatchSummary, ClosedBatch

from .. import style
from ..context import UiContext
from ..typography import set_font_scale
from .detail import BatchDetailView
from .new_batch import NewBatchView
from .period_end import NOTICE_STYLE, NoticePeriodWatcher, ended_sentence

ERROR_STYLE = style.ERROR_TEXT_BOLD
COLUMNS = ("number", "village", "category", "status", "start", "end", "period", "cases", "objections", "note")
TABLE_STYLE = "QTableView::item { padding: 0 6px; }"


class NoticesPage(QWidget):
    """The 公示 section: list (status and village filters) ⇄ batch detail ⇄ new batch."""

    def __init__(self, ctx: UiContext, *, today: Callable[[], date] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today or ctx.session.clock.today
        self.setObjectName("notices_page")
        self.batches: list[BatchSummary] = []
        self.loading = False
        self._filling = True
        self._list_stale = True
        self.can_change = ctx.session.can(Permission.TRANSITION_CASE)
        self.watcher = NoticePeriodWatcher.of(ctx)
        self.watcher.closed.connect(lambda _b: (self._show_ended(), self.refresh()))
        self.stack = QStackedWidget()
        self.list_view = self._build_list()
        self.detail = BatchDetailView(ctx, self.today)
        self.detail.closed.connect(self.show_list)
        self.detail.changed.connect(self._mark_stale)
        self.new_batch = NewBatchView(ctx, self.today)
        self.new_batch.cancelled.connect(self.show_list)
        self.new_batch.created.connect(self._created)
        for w in (self.list_view, self.detail, self.new_batch):
            self.stack.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.setFocusProxy(self._list_focus())
        self._filling = False
        self._show_ended()

    # ----- building ------------------------------------------------------------------------
    def _build_list(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 10, 16, 8)
        layout.setSpacing(6)
        top = QHBoxLayout()
        title = QLabel(self.tr("公示"))
        set_font_scale(title, 1.5, bold=True)
        top.addWidget(title)
        top.addSpacing(16)
        self.status_box = self._combo("filter_notice_status", self.tr("状态(&S)："), top)
        self.status_box.addItem(self.tr("全部"), None)
        for st in BatchStatus:
            self.status_box.addItem(st.label, st.value)
        self.village_box = self._combo("filter_notice_village", self.tr("村（社区）(&V)："), top)
        self.village_box.addItem(self.tr("全部"), None)
        top.addStretch(1)
        self.count = QLabel("")
        self.count.setObjectName("notice_count")
        top.addWidget(self.count)
        self.new_button = QPushButton(self.tr("新建公示批次(&N)…"))
        self.new_button.setObjectName("new_batch")
        self.new_button.setAutoDefault(False)
        self.new_button.clicked.connect(lambda _=False: self.start_new_batch())
        self.new_button.setVisible(self.can_change)
        top.addWidget(self.new_button)
        layout.addLayout(top)
        self.ended_label = QLabel("")
        self.ended_label.setObjectName("notices_ended")
        self.ended_label.setWordWrap(True)
        self.ended_label.setStyleSheet(NOTICE_STYLE)
        self.ended_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ended_label.hide()
        layout.addWidget(self.ended_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("batches_table")
        self.table.setHorizontalHeaderLabels([
            self.tr("公示编号"), self.tr("村（社区）"), self.tr("类别"), self.tr("状态"), self.tr("张贴日期"),
            self.tr("期满日期"), self.tr("公示期"), self.tr("件数"), self.tr("异议"), self.tr("说明")])
        self.table.setStyleSheet(TABLE_STYLE)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("note"), QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda index: self.open_row(index.row()))
        layout.addWidget(self.table, 1)
        self.empty = QLabel(self.tr("没有符合条件的公示批次。"))
        self.empty.setObjectName("notices_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        layout.addWidget(self.empty)
        self.error = QLabel("")
        self.error.setObjectName("notices_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        hint = QLabel(self.tr("Enter 或双击打开批次　Ctrl+N 新建批次　F5 刷新　公示期满次日起，无异议的案件自动转入待审核确认"))
        hint.setStyleSheet("color: #555;")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        QShortcut(QKeySequence.StandardKey.New, page, activated=self.start_new_batch,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), page, activated=self.refresh,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        return page

    def _combo(self, name: str, label: str, row: QHBoxLayout) -> QComboBox:
        caption = QLabel(label)
        box = QComboBox()
        box.setObjectName(name)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        box.currentIndexChanged.connect(lambda _i: None if self._filling else self.refresh())
        caption.setBuddy(box)
        row.addWidget(caption)
        row.addWidget(box)
        row.addSpacing(8)
        return box

    # ----- the page contract ---------------------------------------------------------------
    def on_shown(self) -> None:
        self._load_villages()
        current = self.stack.currentWidget()
        if current is self.detail:
            self.detail.reload()
            self._list_stale = True
        elif current is self.list_view:
            self.refresh()

    def has_unsaved_work(self) -> bool:
        return self.stack.currentWidget() is self.new_batch and self.new_batch.has_unsaved_work()

    def _load_villages(self) -> None:
        self.ctx.tasks.run(case_queries.filter_choices, self.ctx.session, on_done=self._show_villages,
                           on_error=self._failed, latest_only="notice_villages")

    def _show_villages(self, choices: case_queries.FilterChoices) -> None:
        self._filling = True
        current = self.village_box.currentData()
        while self.village_box.count() > 1:
            self.village_box.removeItem(1)
        for v in choices.villages:
            self.village_box.addItem(v.label, v.value)
        self.village_box.setCurrentIndex(max(0, self.village_box.findData(current)))
        self._filling = False

    # ----- the list ------------------------------------------------------------------------
    def set_filter(self, status: str | None = None, village: str | None = None) -> None:
        self._filling = True
        for box, value in ((self.status_box, status), (self.village_box, village)):
            index = box.findData(value)
            if index < 0:
                box.addItem(str(value), value)
                index = box.count() - 1
            box.setCurrentIndex(index)
        self._filling = False
        self.refresh()

    def refresh(self) -> None:
        self._list_stale = False
        self.loading = True
        self.error.hide()
        self.count.setText(self.tr("正在读取…"))
        self.ctx.tasks.run(notices.list_batches, self.ctx.session, self.status_box.currentData(),
                           self.village_box.currentData(), on_done=self._show, on_error=self._failed,
                           latest_only="notice_batches")

    def _show(self, batches: list[BatchSummary]) -> None:
        self.loading = False
        chosen = self.current_batch()
        self.batches = batches
        self.table.setRowCount(len(batches))
        for i, b in enumerate(batches):
            objections = (self.tr("{0}（待处理{1}）").format(b.objections, b.open_objections) if b.open_objections
                          else str(b.objections))
            cells = [b.batch_number, b.village_name, b.category_label, b.status_label, b.start_on.isoformat(),
                     (b.end_on.isoformat() + (self.tr("（暂定）") if b.end_provisional else "")) if b.end_on
                     else self.tr("待定"), b.period_label, str(b.cases), objections,
                     self._note(b)]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole, b.uuid)
                if COLUMNS[j] in ("cases", "objections"):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if j == COLUMNS.index("status") and b.status is BatchStatus.POSTED:
                    item.setForeground(Qt.GlobalColor.darkBlue)
                self.table.setItem(i, j, item)
        self.count.setText(self.tr("共 {0} 批").format(len(batches)))
        self.empty.setVisible(not batches)
        if self.stack.currentWidget() is self.list_view:
            had_focus = self.table.hasFocus() or self.focusProxy().hasFocus()
            self.setFocusProxy(self._list_focus())
            if had_focus:
                self._list_focus().setFocus()
        if batches:
            uuids = [b.uuid for b in batches]
            self.table.setCurrentCell(uuids.index(chosen) if chosen in uuids else 0, 0)

    def _note(self, b: BatchSummary) -> str:
        """What the clerk does next with this batch."""
        if b.status is BatchStatus.DRAFT:
            return self.tr("待打印海报") if b.needs_reprint else self.tr("海报已打印，贴出后登记张贴")
        if b.status is BatchStatus.POSTED:
            if b.open_objections:
                return self.tr("有异议待处理")
            if b.end_on is not None and b.end_on < self.today():
                return self.tr("已期满，等待自动转入审核")
            return self.tr("公示中，期满次日自动转入审核")
        if b.status is BatchStatus.WITHDRAWN:
            return self.tr("撤回理由：{0}").format(b.withdraw_reason)
        return self.tr("已期满")

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.error.setText(self.ctx.error_text(exc))
        self.error.show()

    def current_batch(self) -> str:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else ""

    def _show_ended(self) -> None:
        batches: list[ClosedBatch] = self.watcher.ended
        if not batches:
            self.ended_label.hide()
            return
        lines = [ended_sentence(batches) + self.tr("：")]
        for b in batches:
            names = self.tr("、").join(m.holder_name for m in b.moved) or self.tr("无")
            line = self.tr("{0} {1}（{2}，{3}期满）转入待审核确认：{4}").format(
                b.batch_number, b.village_name, b.category_label, b.end_on.isoformat(), names)
            if b.not_moved:
                line += self.tr("；未转入：{0}").format(self.tr("、").join(
                    self.tr("{0}（{1}）").format(m.holder_name, m.note or m.status_label) for m in b.not_moved))
            lines.append(line)
        self.ended_label.setText("\n".join(lines))
        self.ended_label.show()

    # ----- list ⇄ detail ⇄ new -------------------------------------------------------------
    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.batches):
            self.open_batch(self.batches[row].uuid)

    def open_batch(self, batch_uuid: str) -> None:
        self.stack.setCurrentWidget(self.detail)
        self.setFocusProxy(self.detail)
        self.detail.open_batch(batch_uuid)
        self.detail.setFocus()

    def start_new_batch(self) -> None:
        if not self.can_change:
            return
        self.stack.setCurrentWidget(self.new_batch)
        self.setFocusProxy(self.new_batch)
        self.new_batch.open(self.village_box.currentData())

    def _created(self, batch: BatchSummary) -> None:
        self._list_stale = True
        self.open_batch(batch.uuid)
        self.detail.say(self.tr("已创建草稿 {0}（{1}件）。请打印海报，贴出后登记张贴。").format(
            batch.batch_number, batch.cases))

    def _list_focus(self) -> QWidget:
        """Where the list starts: the batches, or — with none yet — 新建公示批次 (the status filter for a
        role that may not create one), never an empty table."""
        if self.table.rowCount():
            return self.table
        return self.new_button if self.can_change else self.status_box

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_view)
        self.setFocusProxy(self._list_focus())
        if self._list_stale:
            self.refresh()
        self._list_focus().setFocus()

    def _mark_stale(self) -> None:
        self._list_stale = True
