"""案件: the case list with its filters, and the case detail in the same place.

The list is a lazily fetched model (200 rows a page, read on the worker as
the clerk scrolls); every filter and every column sort asks the database
again. Enter or a double-click opens the case; Esc goes back to the list.
Keys: Ctrl+F the search box, F5 read again.

The search box behaves like 受理's: the list follows the typing (after a short
pause), Enter searches at once, ↓ (or Enter once the list shows what was typed)
goes into the results with the first row selected, and Tab from the box goes
straight to the table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.cases import queries as case_queries
from desktop.services.cases.queries import CaseFilter, Choice, FilterChoices

from .. import style
from ..context import UiContext
from ..typography import set_font_scale
from .detail import CaseDetailView
from .model import CASE_UUID_ROLE, COLUMN_INDEX, CaseTableModel

ERROR_STYLE = style.ERROR_TEXT_BOLD
SEARCH_PAUSE_MS = 250   # the list follows the typing after this pause (as 受理's search does)


class CasesPage(QWidget):
    """The 案件 section: list (filters, sortable columns) ⇄ detail."""

    def __init__(self, ctx: UiContext, *, today: Callable[[], date] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today or ctx.session.clock.today
        self.setObjectName("cases_page")
        self.choices: FilterChoices | None = None
        self._list_stale = True
        self._applying_choices = True     # building the filter bar is not a filter change
        self.model = CaseTableModel(ctx, self.today)
        self.model.total_changed.connect(self._update_count)
        self.model.total_changed.connect(self._select_first)
        self.model.loading_changed.connect(self._update_count)
        self.model.failed.connect(self._failed)
        self.model.rowsInserted.connect(lambda *_: self._update_count())
        self.stack = QStackedWidget()
        self.list_view = self._build_list()
        self._applying_choices = False
        self.detail = CaseDetailView(ctx, self.today)
        self.detail.closed.connect(self.show_list)
        self.detail.changed.connect(self._mark_stale)
        self.stack.addWidget(self.list_view)
        self.stack.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.setFocusProxy(self.search)     # Alt+3: find a case first (↓ or Enter goes into the results)

    # ----- building ------------------------------------------------------------------------
    def _build_list(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 10, 16, 8)
        layout.setSpacing(6)
        top = QHBoxLayout()
        title = QLabel(self.tr("案件"))
        set_font_scale(title, 1.5, bold=True)
        top.addWidget(title)
        top.addSpacing(16)
        find = QLabel(self.tr("查找(&F)："))
        self.search = QLineEdit()
        self.search.setObjectName("case_search")
        self.search.setPlaceholderText(self.tr("案件编号、申请人姓名或拼音首字母"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(300)
        self.search.textChanged.connect(self._typed)
        self.search.installEventFilter(self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self._searched_text = ""       # the text the shown list was read for
        find.setBuddy(self.search)
        top.addWidget(find)
        top.addWidget(self.search)
        top.addStretch(1)
        self.count = QLabel("")
        self.count.setObjectName("case_count")
        top.addWidget(self.count)
        layout.addLayout(top)
        layout.addLayout(self._build_filters())
        self.table = QTableView()
        self.table.setObjectName("cases_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COLUMN_INDEX["categories"], QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self._set_column_widths()
        self.table.activated.connect(self._open_index)
        self.table.installEventFilter(self)
        layout.addWidget(self.table, 1)
        self.empty = QLabel(self.tr("没有符合条件的案件。"))
        self.empty.setObjectName("cases_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        layout.addWidget(self.empty)
        self.error = QLabel("")
        self.error.setObjectName("cases_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        hint = QLabel(self.tr("Enter 或双击打开案件　Ctrl+F 查找　F5 刷新　红色粗体并标“超期”的案件已超过办理期限"))
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        QShortcut(QKeySequence.StandardKey.Find, page, activated=self._focus_search,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QWidget.setTabOrder(self.search, self.table)   # Tab from the box goes to the results, not the filters
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), page, activated=self.refresh,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        return page

    def _combo(self, name: str, label: str, row: QHBoxLayout) -> QComboBox:
        caption = QLabel(label)
        box = QComboBox()
        box.setObjectName(name)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        box.setMinimumContentsLength(6)
        box.currentIndexChanged.connect(self._choice_changed)
        caption.setBuddy(box)
        row.addWidget(caption)
        row.addWidget(box)
        row.addSpacing(8)
        return box

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(4)
        self.status_box = self._combo("filter_status", self.tr("状态(&S)："), row)
        self.category_box = self._combo("filter_category", self.tr("类别(&C)："), row)
        self.village_box = self._combo("filter_village", self.tr("村（社区）(&V)："), row)
        self.clerk_box = self._combo("filter_clerk", self.tr("经办人(&K)："), row)
        self.overdue = QCheckBox(self.tr("仅显示超期(&O)"))
        self.overdue.setObjectName("filter_overdue")
        self.overdue.toggled.connect(self._choice_changed)
        row.addWidget(self.overdue)
        row.addStretch(1)
        clear = QPushButton(self.tr("清除筛选"))
        clear.setObjectName("clear_filters")
        clear.clicked.connect(self.clear_filters)
        row.addWidget(clear)
        for box in (self.status_box, self.category_box, self.village_box, self.clerk_box):
            box.addItem(self.tr("全部"), None)
        return row

    def _set_column_widths(self) -> None:
        """Widths for the longest usual content: digits measured, Chinese counted in characters;
        the categories column takes the rest (its full text is in the tooltip)."""
        fm = self.fontMetrics()
        cjk = fm.horizontalAdvance(chr(0x4E00))     # one CJK ideograph (they are all one width)
        widths = {"case_number": fm.horizontalAdvance("620102101-001-2026-000000-0"), "applicant": 4 * cjk,
                  "village": 5 * cjk, "status": 9 * cjk, "received": fm.horizontalAdvance("2026-00-00"),
                  "due": fm.horizontalAdvance("2026-00-00"), "overdue": 2 * cjk, "clerk": 3 * cjk}
        for key, width in widths.items():
            self.table.setColumnWidth(COLUMN_INDEX[key], width + 24)

    # ----- the page contract ---------------------------------------------------------------
    def on_shown(self) -> None:
        """Read the filter choices and the list again (another section may have added cases)."""
        self._load_choices()
        if self.stack.currentWidget() is self.detail:
            self.detail.reload()
            self._list_stale = True
        else:
            self.refresh()

    def refresh(self) -> None:
        self._list_stale = False
        self._search_timer.stop()
        self.error.hide()
        f = self.current_filter()
        self._searched_text = f.text
        self.model.set_filter(f)

    # ----- the search box ------------------------------------------------------------------
    def _typed(self, _text: str) -> None:
        if not self._applying_choices:
            self._search_timer.start()

    def _enter_results(self) -> bool:
        if not self.model.rowCount():
            return False
        self.table.setFocus(Qt.FocusReason.TabFocusReason)
        if not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is getattr(self, "search", None) and event.type() == QEvent.Type.KeyPress \
                and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Down:
                if self._search_timer.isActive():   # typed but not read yet: read first
                    self.apply_filters()
                self._enter_results()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.search.text().strip() == self._searched_text and not self.model.loading:
                    self._enter_results()           # the list already shows it: Enter goes into it
                else:
                    self.apply_filters()
                return True
        if watched is getattr(self, "table", None) and event.type() == QEvent.Type.FocusIn:
            if not self.table.currentIndex().isValid() and self.model.rowCount():   # a visible place to start
                self.table.setCurrentIndex(self.model.index(0, 0))
        return super().eventFilter(watched, event)

    def _load_choices(self) -> None:
        self.ctx.tasks.run(case_queries.filter_choices, self.ctx.session, on_done=self._show_choices,
                           on_error=self._failed, latest_only="case_filter_choices")

    def _show_choices(self, choices: FilterChoices) -> None:
        self.choices = choices
        self._applying_choices = True
        try:
            statuses = [Choice(c.value, self.tr("{0}（{1}）").format(c.label, c.count)) for c in choices.statuses]
            for box, items in ((self.status_box, statuses), (self.category_box, choices.categories),
                               (self.village_box, choices.villages), (self.clerk_box, choices.clerks)):
                current = box.currentData()
                while box.count() > 1:
                    box.removeItem(1)
                for c in items:
                    box.addItem(c.label, c.value)
                box.setCurrentIndex(max(0, box.findData(current)))
        finally:
            self._applying_choices = False

    # ----- filters -------------------------------------------------------------------------
    def current_filter(self) -> CaseFilter:
        return CaseFilter(status=self.status_box.currentData(), category=self.category_box.currentData(),
                          village=self.village_box.currentData(), clerk=self.clerk_box.currentData(),
                          overdue_only=self.overdue.isChecked(), text=self.search.text().strip())

    def _choice_changed(self, *_args: object) -> None:
        if not self._applying_choices:
            self.apply_filters()

    def apply_filters(self) -> None:
        self.refresh()

    def set_filter(self, *, status: str | None = None, category: str | None = None, village: str | None = None,
                   clerk: str | None = None, overdue_only: bool = False, text: str = "") -> None:
        """Select these filters (values, not labels) and read the list once."""
        self._applying_choices = True
        try:
            for box, value in ((self.status_box, status), (self.category_box, category),
                               (self.village_box, village), (self.clerk_box, clerk)):
                index = box.findData(value)
                if index < 0:   # the choices have not arrived yet: keep the value so the filter still applies
                    box.addItem(str(value), value)
                    index = box.count() - 1
                box.setCurrentIndex(index)
            self.overdue.setChecked(overdue_only)
            self.search.setText(text)
        finally:
            self._applying_choices = False
        self.apply_filters()

    def clear_filters(self) -> None:
        self.set_filter()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # ----- status line ---------------------------------------------------------------------
    def _update_count(self, *_args: object) -> None:
        total = self.model.total
        if total is None:
            self.count.setText(self.tr("正在读取…"))
            self.empty.hide()
            return
        shown = self.model.rowCount()
        text = self.tr("共 {0} 件").format(f"{total:,}")
        if shown < total:
            text += self.tr("，已显示 {0} 件（向下滚动显示更多）").format(f"{shown:,}")
        if self.model.loading:
            text += self.tr("　正在读取…")
        self.count.setText(text)
        self.empty.setVisible(total == 0)

    def _select_first(self, total: int) -> None:
        if total and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def _failed(self, message: object) -> None:
        text = message if isinstance(message, str) else self.ctx.error_text(message)  # type: ignore[arg-type]
        self.error.setText(text)
        self.error.show()

    # ----- list ⇄ detail -------------------------------------------------------------------
    def _open_index(self, index: object) -> None:
        uuid = self.model.data(index, CASE_UUID_ROLE)  # type: ignore[arg-type]
        if uuid:
            self.open_case(uuid)

    def open_case(self, case_uuid: str) -> None:
        self.stack.setCurrentWidget(self.detail)
        self.setFocusProxy(self.detail)
        self.detail.open_case(case_uuid)
        self.detail.setFocus()

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_view)
        self.setFocusProxy(self.search)
        if self._list_stale:
            self.refresh()
        self.table.setFocus()

    def _mark_stale(self) -> None:
        self._list_stale = True
