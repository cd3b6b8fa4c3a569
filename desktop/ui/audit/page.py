"""审计日志: filters, a lazily paged table (newest first), the selected event in full, chain
verification and CSV export. Every database call goes through ``ctx.tasks``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDate,
    QEvent,
    QModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.reporting import audit_log
from desktop.services.reporting.audit_log import AuditFilter, AuditRow

from .. import style
from ..context import UiContext
from ..files import ask_save_file
from ..paged_model import Index, PagedTableModel, Request
from ..typography import set_font_scale

PAGE_SIZE = 200
CONTEXT = "AuditTableModel"
BROKEN_COLOR = style.ERROR_COLOR
FAILED_COLOR = QColor(style.ERROR_COLOR)
NO_DATE = QDate(2000, 1, 1)   # the date edits' minimum, shown as 不限

COLUMNS: tuple[tuple[str, str], ...] = (
    ("seq", QT_TRANSLATE_NOOP("AuditTableModel", "序号")),
    ("time", QT_TRANSLATE_NOOP("AuditTableModel", "时间")),
    ("actor", QT_TRANSLATE_NOOP("AuditTableModel", "操作人")),
    ("action", QT_TRANSLATE_NOOP("AuditTableModel", "操作")),
    ("entity", QT_TRANSLATE_NOOP("AuditTableModel", "对象")),
    ("outcome", QT_TRANSLATE_NOOP("AuditTableModel", "结果")),
    ("detail", QT_TRANSLATE_NOOP("AuditTableModel", "详情")),
)


class AuditTableModel(PagedTableModel):
    """Rows of :class:`AuditRow`, a page of 200 at a time, the next page after the last seq shown."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.rows: list[AuditRow] = []
        self.filter = AuditFilter()

    def set_filter(self, f: AuditFilter) -> None:
        self.filter = f
        self.reload()

    def first_request(self) -> Request:
        return audit_log.first_page, (self.ctx.session, self.filter, PAGE_SIZE), {}

    def next_request(self) -> Request:
        return (audit_log.list_events, (self.ctx.session, self.filter, 0, PAGE_SIZE),
                {"before_seq": self.rows[-1].seq})

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return QCoreApplication.translate(CONTEXT, COLUMNS[section][1])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        key = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return {"seq": str(row.seq), "time": row.local_time,
                    "actor": row.actor_name if row.actor_name == row.actor else
                    QCoreApplication.translate("AuditTableModel", "{0}（{1}）").format(row.actor_name, row.actor),
                    "action": row.action_label, "entity": row.entity_label, "outcome": row.outcome_label,
                    "detail": row.detail}[key]
        if role == Qt.ItemDataRole.ToolTipRole and key in ("action", "entity", "detail"):
            return {"action": row.action, "entity": row.entity_id, "detail": row.detail}[key]
        if role == Qt.ItemDataRole.ForegroundRole and row.outcome != "ok":
            return QBrush(FAILED_COLOR)
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "seq":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class OptionalDateEdit(QDateEdit):
    """A day or 不限 (the minimum date); the calendar of an empty one opens on this month, not on 2000."""

    def __init__(self, today: Callable[[], date]) -> None:
        super().__init__()
        self.today = today

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        self._calendar_to_today()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        self._calendar_to_today()

    def _calendar_to_today(self) -> None:
        cal = self.calendarWidget()
        if self.date() == NO_DATE and cal is not None and cal.isVisible():
            today = self.today()
            cal.setCurrentPage(today.year, today.month)


class AuditPage(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("audit_page")
        self.loaded = False
        self.last_export: Path | None = None
        self.last_report: Any = None
        # suggested file name -> chosen path or None; tests replace it
        self.choose_path: Callable[[str], str | None] = self._ask_path
        self._choices_loaded = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)

        top = QHBoxLayout()
        title = QLabel(self.tr("审计日志"))
        set_font_scale(title, 1.4, bold=True)
        top.addWidget(title)
        top.addSpacing(12)
        self.text = QLineEdit()
        self.text.setObjectName("audit_text")
        self.text.setPlaceholderText(self.tr("案件编号、用户名或对象编号"))
        self.text.setClearButtonEnabled(True)
        self.text.setMinimumWidth(self.text.fontMetrics().horizontalAdvance("620102101-001-2026-000123-4") + 40)
        top.addWidget(self.text, 1)
        self.search = QPushButton(self.tr("查询"))
        self.search.setObjectName("audit_search")
        self.search.setDefault(True)
        top.addWidget(self.search)
        self.clear = QPushButton(self.tr("清除条件"))
        self.clear.setObjectName("audit_clear")
        top.addWidget(self.clear)
        top.addSpacing(24)
        self.verify_button = QPushButton(self.tr("校验哈希链"))
        self.verify_button.setObjectName("audit_verify")
        self.verify_button.setToolTip(self.tr("逐条核对每条记录的哈希与前一条的衔接，发现被修改、删除或调换的记录"))
        top.addWidget(self.verify_button)
        self.export_button = QPushButton(self.tr("导出CSV…"))
        self.export_button.setObjectName("audit_export")
        self.export_button.setToolTip(self.tr("把当前筛选条件下的全部记录导出为CSV文件"))
        top.addWidget(self.export_button)
        layout.addLayout(top)

        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(QLabel(self.tr("日期：")))
        self.date_from = self._date_edit("audit_from")
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel(self.tr("至")))
        self.date_to = self._date_edit("audit_to")
        bar.addWidget(self.date_to)
        bar.addSpacing(8)
        bar.addWidget(QLabel(self.tr("操作人：")))
        self.actor = QComboBox()
        self.actor.setObjectName("audit_actor")
        self.actor.addItem(self.tr("全部"), "")
        self.actor.setMinimumContentsLength(10)
        self.actor.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        bar.addWidget(self.actor)
        bar.addSpacing(8)
        bar.addWidget(QLabel(self.tr("操作：")))
        self.action = QComboBox()
        self.action.setObjectName("audit_action")
        self.action.addItem(self.tr("全部"), "")
        self.action.setMinimumContentsLength(16)
        self.action.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        bar.addWidget(self.action)
        bar.addSpacing(8)
        bar.addWidget(QLabel(self.tr("结果：")))
        self.outcome = QComboBox()
        self.outcome.setObjectName("audit_outcome")
        self.outcome.addItem(self.tr("全部"), "")
        self.outcome.addItem(self.tr("成功"), "ok")
        self.outcome.addItem(self.tr("失败"), "failed")
        bar.addWidget(self.outcome)
        bar.addStretch(1)
        layout.addLayout(bar)

        self.verify_result = QLabel()
        self.verify_result.setObjectName("audit_verify_result")
        self.verify_result.setWordWrap(True)
        self.verify_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verify_result.hide()
        layout.addWidget(self.verify_result)

        self.model = AuditTableModel(ctx)
        self.table = QTableView()
        self.table.setObjectName("audit_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._size_columns()

        self.detail = QPlainTextEdit()
        self.detail.setObjectName("audit_detail")
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText(self.tr("选中一条记录，在此查看完整内容。"))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 150])
        layout.addWidget(splitter, 1)

        self.status = QLabel()
        self.status.setObjectName("audit_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.search.clicked.connect(self.apply_filter)
        self.text.returnPressed.connect(self.apply_filter)
        self.clear.clicked.connect(self.clear_filter)
        self.action.activated.connect(lambda _i: self.apply_filter())
        self.actor.activated.connect(lambda _i: self.apply_filter())
        self.outcome.activated.connect(lambda _i: self.apply_filter())
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(self.export)
        self.model.total_changed.connect(self._total_changed)
        self.model.failed.connect(self.status.setText)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show_detail(cur.row()))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "table"):   # large type on or off
            self._size_columns()

    def _size_columns(self) -> None:
        """Column widths from the text they hold, so large type does not cut times and names."""
        fm = self.table.fontMetrics()
        han = fm.horizontalAdvance(chr(0x4E00))   # one Chinese character
        # (Chinese characters, other text) each column usually holds
        samples = ((0, "000000"), (0, "2026-11-25 17:55:13"), (5, "clerk2"), (11, ""),
                   (4, " 620102101-001-2026-000123-4"), (2, ""))
        for col, (chars, other) in enumerate(samples):
            self.table.horizontalHeader().resizeSection(col, chars * han + fm.horizontalAdvance(other) + 20)

    def _date_edit(self, name: str) -> QDateEdit:
        edit = OptionalDateEdit(self.ctx.session.clock.today)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(NO_DATE)
        edit.setMaximumDate(QDate(self.ctx.session.clock.today().year + 1, 12, 31))
        edit.setSpecialValueText(self.tr("不限"))
        edit.setDate(NO_DATE)
        return edit

    # ------------------------------------------------------------------ loading

    def on_shown(self) -> None:
        if not self._choices_loaded:
            self._choices_loaded = True
            self.ctx.tasks.run(_choices, self.ctx.session, on_done=self._fill_choices, on_error=self._failed)
            self.apply_filter()

    def _fill_choices(self, choices: tuple[list[tuple[str, str]], list[tuple[str, str]]]) -> None:
        actions, actors = choices
        for value, label in actions:
            self.action.addItem(label, value)
        for value, label in actors:
            self.actor.addItem(label, value)

    def current_filter(self) -> AuditFilter:
        def day(edit: QDateEdit) -> date | None:
            d = edit.date()
            return None if d == NO_DATE else date(d.year(), d.month(), d.day())

        return AuditFilter(date_from=day(self.date_from), date_to=day(self.date_to),
                           actor=self.actor.currentData() or "", action=self.action.currentData() or "",
                           text=self.text.text().strip(), outcome=self.outcome.currentData() or "")

    def apply_filter(self) -> None:
        self.loaded = False
        self.detail.clear()
        self.status.setText(self.tr("正在读取……"))
        self.model.set_filter(self.current_filter())

    def clear_filter(self) -> None:
        self.date_from.setDate(NO_DATE)
        self.date_to.setDate(NO_DATE)
        for combo in (self.actor, self.action, self.outcome):
            combo.setCurrentIndex(0)
        self.text.clear()
        self.apply_filter()

    def _total_changed(self, total: int) -> None:
        self.loaded = True
        if total == 0:
            self.status.setText(self.tr("没有符合条件的记录。"))
        else:
            self.status.setText(self.tr("共 {0} 条记录，已显示 {1} 条（向下滚动显示更多）；最新的在最上面。")
                                .format(total, len(self.model.rows)))

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(self.ctx.error_text(exc))

    def _show_detail(self, row_index: int) -> None:
        row = self.model.row_at(row_index)
        if row is None:
            self.detail.clear()
            return
        lines = [
            self.tr("序号：{0}    时间：{1}    结果：{2}").format(row.seq, row.local_time, row.outcome_label),
            self.tr("操作人：{0}（{1}）").format(row.actor_name, row.actor),
            self.tr("操作：{0}（{1}）").format(row.action_label, row.action),
            self.tr("对象：{0}    类型：{1}    编号：{2}").format(row.entity_label or "—", row.entity_type or "—",
                                                           row.entity_id or "—"),
            self.tr("详情："),
            row.detail_pretty,
            self.tr("前一条哈希：{0}").format(row.prev_hash),
            self.tr("本条哈希：{0}").format(row.hash),
        ]
        self.detail.setPlainText("\n".join(lines))

    # ------------------------------------------------------------------ verify

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.verify_result.setStyleSheet("")
        self.verify_result.setText(self.tr("正在校验哈希链……"))
        self.verify_result.show()
        self.ctx.tasks.run(audit_log.verify_with_head, self.ctx.session, on_done=self._verified,
                           on_error=self._verify_failed)

    def _verified(self, result: tuple[Any, tuple[int, str]]) -> None:
        report, (head_seq, head_hash) = result
        self.last_report = report
        self.verify_button.setEnabled(True)
        if report.ok:
            self.verify_result.setStyleSheet(style.OK_TEXT_BOLD)
            self.verify_result.setText(self.tr("正常：共 {0} 条记录，链首至链尾衔接无误；链尾第 {1} 条，哈希 {2}…")
                                       .format(report.events, head_seq, head_hash[:16]))
        else:
            self.verify_result.setStyleSheet(f"color: {BROKEN_COLOR}; font-weight: bold;")
            self.verify_result.setText(self.tr("第 {0} 条起断链：{1}").format(report.first_broken_seq, report.problem))

    def _verify_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.verify_result.setStyleSheet(f"color: {BROKEN_COLOR};")
        self.verify_result.setText(self.ctx.error_text(exc))
        self.verify_result.show()

    # ------------------------------------------------------------------ export

    def _ask_path(self, suggested: str) -> str | None:
        chosen = ask_save_file(self, self.ctx.settings, "export", self.tr("导出审计日志"), suggested,
                               self.tr("CSV 文件 (*.csv)"), ".csv")
        return str(chosen) if chosen is not None else None

    def export(self) -> None:
        path = self.choose_path(self.tr("审计日志-{0}.csv").format(self.ctx.session.clock.today().isoformat()))
        if not path:
            return
        self.export_button.setEnabled(False)
        self.status.setText(self.tr("正在导出……"))
        target = Path(path)
        self.ctx.tasks.run(audit_log.export_csv, self.ctx.session, self.current_filter(), target,
                           on_done=lambda n: self._exported(target, n), on_error=self._export_failed)

    def _exported(self, path: Path, count: int) -> None:
        self.last_export = path
        self.export_button.setEnabled(True)
        self.status.setText(self.tr("已导出 {0} 条记录：{1}").format(count, str(path)))

    def _export_failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.status.setText(self.ctx.error_text(exc))


def _choices(session: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    return audit_log.action_choices(session), audit_log.actor_choices(session)
