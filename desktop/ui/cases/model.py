"""The case list as a lazily fetched table model: pages of 200 rows read on the worker thread
(the paging is :class:`desktop.ui.paged_model.PagedTableModel`'s, shared with the audit log).

Sorting a column or changing a filter starts over. Overdue rows are red and
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
    QCoreApplication,
    QModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.services.cases import queries as case_queries
from desktop.services.cases.queries import CaseFilter, CaseRow

from .. import style
from ..context import UiContext
from ..paged_model import Index, PagedTableModel, Request

PAGE_SIZE = 200
OVERDUE_COLOR = QColor(style.ERROR_COLOR)
CONTEXT = "CaseTableModel"


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


class CaseTableModel(PagedTableModel):
    """Rows of :class:`CaseRow`, fetched a page at a time through ``ctx.tasks``."""

    def __init__(self, ctx: UiContext, today: Callable[[], date] | None = None) -> None:
        super().__init__(ctx)
        self.today = today or ctx.session.clock.today
        self.rows: list[CaseRow] = []
        self.filter = CaseFilter()
        self.sort_key = "received_on"
        self.descending = True

    # ----- loading -------------------------------------------------------------------------
    def set_filter(self, f: CaseFilter) -> None:
        self.filter = f
        self.reload()

    def first_request(self) -> Request:
        return (case_queries.first_page, (self.ctx.session, self.filter, self.sort_key, self.descending, PAGE_SIZE),
                {"today": self.today()})

    def next_request(self) -> Request:
        return (case_queries.list_cases, (self.ctx.session, self.filter, self.sort_key, self.descending,
                                          len(self.rows), PAGE_SIZE), {"today": self.today()})

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
            if not row.decision_due:
                return "—"
            provisional = QCoreApplication.translate("CaseTableModel", "（暂定）") if row.due_provisional else ""
            return _fmt_date(row.decision_due) + provisional
        if key == "overdue":
            return QCoreApplication.translate("CaseTableModel", "超期") if row.overdue else ""
        if key == "clerk":
            return row.clerk
        return ""
