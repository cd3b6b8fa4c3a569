"""The case list as a lazily fetched table model: pages of 200 rows read on the worker thread.

The first page and the total come together (one snapshot); more pages are
asked for by the view through ``canFetchMore``/``fetchMore`` as the clerk
scrolls. Sorting a column or changing a filter starts over (a new
generation: answers to older requests are dropped). Overdue rows are red and
bold and carry the text 超期 in their own column, so the colour is never the
only sign.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.services import case_queries
from desktop.services.case_queries import CaseFilter, CasePage, CaseRow

from ..context import UiContext

PAGE_SIZE = 200
OVERDUE_COLOR = QColor("#b00020")
CONTEXT = "CaseTableModel"
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str
    title: str                 # source text, translated in headerData
    sort_key: str | None       # None: not sortable


COLUMNS: tuple[Column, ...] = (
    Column("case_number", QT_TRANSLATE_NOOP("CaseTableModel", "案件编号"), "case_number"),
    Column("applicant", QT_TRANSLATE_NOOP("CaseTableModel", "申请人"), "applicant_name"),
    Column("village", QT_TRANSLATE_NOOP("CaseTableModel", "村（社区）"), "village_name"),
    Column("categories", QT_TRANSLATE_NOOP("CaseTableModel", "救助类别"), None),
    Column("status", QT_TRANSLATE_NOOP("CaseTableModel", "状态"), "status"),
    Column("received", QT_TRANSLATE_NOOP("CaseTableModel", "申请日期"), "received_on"),
    Column("due", QT_TRANSLATE_NOOP("CaseTableModel", "办理期限"), "decision_due"),
    Column("overdue", QT_TRANSLATE_NOOP("CaseTableModel", "超期"), "decision_due"),
    Column("clerk", QT_TRANSLATE_NOOP("CaseTableModel", "经办人"), "clerk"),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
CASE_UUID_ROLE = Qt.ItemDataRole.UserRole + 1


def _fmt_date(d: date | None) -> str:
    return d.isoformat() if d is not None else ""


class CaseTableModel(QAbstractTableModel):
    """Rows of :class:`CaseRow`, fetched a page at a time through ``ctx.tasks``."""

    total_changed = Signal(int)          # the count under the current filter
    loading_changed = Signal(bool)
    failed = Signal(str)                 # Chinese message

    def __init__(self, ctx: UiContext, today: Callable[[], date] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today or date.today
        self.rows: list[CaseRow] = []
        self.total: int | None = None    # None until the first page arrives
        self.filter = CaseFilter()
        self.sort_key = "received_on"
        self.descending = True
        self._generation = 0
        self._fetching = False
        self.loading = False

    # ----- loading -------------------------------------------------------------------------
    def set_filter(self, f: CaseFilter) -> None:
        self.filter = f
        self.reload()

    def reload(self) -> None:
        """Start over with the current filter and sort (after a filter change, a sort or a transition)."""
        self._generation += 1
        generation = self._generation
        self.beginResetModel()
        self.rows = []
        self.total = None
        self._fetching = True
        self.endResetModel()
        self._set_loading(True)
        self.ctx.tasks.run(case_queries.first_page, self.ctx.session, self.filter, self.sort_key, self.descending,
                           PAGE_SIZE, today=self.today(),
                           on_done=lambda page: self._first_page(generation, page),
                           on_error=lambda exc: self._failed(generation, exc))

    def _first_page(self, generation: int, page: CasePage) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self.total = page.total
        if page.rows:
            self.beginInsertRows(QModelIndex(), 0, len(page.rows) - 1)
            self.rows = list(page.rows)
            self.endInsertRows()
        self._set_loading(False)
        self.total_changed.emit(page.total)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        if parent.isValid() or self.total is None:
            return False
        return not self._fetching and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt's signature
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation = self._generation
        self._set_loading(True)
        self.ctx.tasks.run(case_queries.list_cases, self.ctx.session, self.filter, self.sort_key, self.descending,
                           len(self.rows), PAGE_SIZE, today=self.today(),
                           on_done=lambda rows: self._more(generation, rows),
                           on_error=lambda exc: self._failed(generation, exc))

    def _more(self, generation: int, rows: list[CaseRow]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self._set_loading(False)
        if not rows:   # the list shrank under us (a case moved out of the filter): stop asking
            self.total = len(self.rows)
            self.total_changed.emit(self.total)
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self._set_loading(False)
        if self.total is None:
            self.total = len(self.rows)
        self.failed.emit(self.ctx.error_text(exc))

    def _set_loading(self, loading: bool) -> None:
        if loading != self.loading:
            self.loading = loading
            self.loading_changed.emit(loading)

    # ----- sorting -------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column].sort_key
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.sort_key, self.descending):
            return   # the view re-announcing the current order (e.g. when sorting is switched on)
        self.sort_key, self.descending = key, descending
        self.reload()

    def sort_column(self) -> int:
        """The column whose header shows the sort indicator."""
        for i, c in enumerate(COLUMNS):
            if c.sort_key == self.sort_key:
                return i
        return COLUMN_INDEX["received"]

    # ----- the table -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return QCoreApplication.translate(CONTEXT, COLUMNS[section].title)
            if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section].sort_key is None:
                return QCoreApplication.translate("CaseTableModel", "此列不能排序")
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def row_at(self, row: int) -> CaseRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        key = COLUMNS[index.column()].key
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, key)
        if role == CASE_UUID_ROLE:
            return row.case_uuid
        if role == Qt.ItemDataRole.ToolTipRole and key == "categories":
            return row.categories_label          # the column may be too narrow for three categories
        if row.overdue:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(OVERDUE_COLOR)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                if row.late_clock:
                    return QCoreApplication.translate("CaseTableModel", "有办理时限已超期（调查、转办等），"
                                                                        "详见案件的“时限与转办”")
                return QCoreApplication.translate("CaseTableModel", "已超过办理期限（{0}）").format(
                    _fmt_date(row.decision_due))
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "overdue":
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _text(self, row: CaseRow, key: str) -> str:
        if key == "case_number":
            return row.case_number_display
        if key == "applicant":
            return row.applicant_name
        if key == "village":
            return row.village_name
        if key == "categories":
            return row.categories_label
        if key == "status":
            return row.status_label
        if key == "received":
            return _fmt_date(row.received_on)
        if key == "due":
            return _fmt_date(row.decision_due) if row.decision_due else "—"
        if key == "overdue":
            return QCoreApplication.translate("CaseTableModel", "超期") if row.overdue else ""
        if key == "clerk":
            return row.clerk
        return ""
