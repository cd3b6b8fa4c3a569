"""A table model filled a page at a time on the worker thread (the case list, the audit log).

The first page and the total arrive together (one snapshot); the view asks
for more through ``canFetchMore``/``fetchMore`` as the user scrolls.
``reload`` starts over (a new generation: answers to older requests are
dropped). A subclass says how to read: :meth:`first_request` returns the
callable and arguments for the first page (an object with ``rows`` and
``total``), :meth:`next_request` those for the rows after ``self.rows``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Signal

from .context import UiContext

Index = QModelIndex | QPersistentModelIndex
Request = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class PagedTableModel(QAbstractTableModel):
    total_changed = Signal(int)          # the count under the current filter (also after each page)
    loading_changed = Signal(bool)
    failed = Signal(str)                 # Chinese message

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.rows: list[Any] = []
        self.total: int | None = None    # None until the first page arrives
        self.loading = False
        self._generation = 0
        self._fetching = False

    # ----- what subclasses supply ----------------------------------------------------------
    def first_request(self) -> Request:
        raise NotImplementedError

    def next_request(self) -> Request:
        raise NotImplementedError

    # ----- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        self.beginResetModel()
        self.rows, self.total, self._fetching = [], None, True
        self.endResetModel()
        self._set_loading(True)
        fn, args, kwargs = self.first_request()
        self.ctx.tasks.run(fn, *args, **kwargs, on_done=lambda page: self._first(generation, page),
                           on_error=lambda exc: self._failed(generation, exc))

    def _first(self, generation: int, page: Any) -> None:
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
        if parent.isValid() or self.total is None or not self.rows:
            return False
        return not self._fetching and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt's signature
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation = self._generation
        self._set_loading(True)
        fn, args, kwargs = self.next_request()
        self.ctx.tasks.run(fn, *args, **kwargs, on_done=lambda rows: self._more(generation, rows),
                           on_error=lambda exc: self._failed(generation, exc))

    def _more(self, generation: int, rows: list[Any]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self._set_loading(False)
        if not rows:   # the list shrank under us (a row moved out of the filter): stop asking
            self.total = len(self.rows)
            self.total_changed.emit(self.total)
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()
        self.total_changed.emit(self.total or 0)

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

    # ----- rows ----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def row_at(self, row: int) -> Any:
        return self.rows[row] if 0 <= row < len(self.rows) else None
