"""统计 section: pick a month, read its figures by category, village and status, see the year by
month, and export the month to .xlsx (for the county) or PDF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.reporting import reports
from desktop.services.reporting.reports import MEASURES, MonthlyReport, ReportRow, YearSeries
from desktop.services.session import AppSession

from ..context import UiContext
from ..files import ask_save_file
from ..typography import set_font_scale
from .chart import YearChart


@dataclass(frozen=True)
class ReportsData:
    report: MonthlyReport
    series: YearSeries


def load_reports(session: AppSession, year: int, month: int) -> ReportsData:
    return ReportsData(reports.monthly_report(session, year, month), reports.year_series(session, year))


class ReportsPage(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("reports_page")
        self.data: ReportsData | None = None
        self.loaded = False
        self.last_export: Path | None = None
        # (kind "xlsx"/"pdf", suggested file name) -> chosen path or None; tests replace it
        self.choose_path: Callable[[str, str], str | None] = self._ask_path
        today = self.ctx.session.clock.today()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)

        bar = QHBoxLayout()
        title = QLabel(self.tr("统计报表"))
        set_font_scale(title, 1.4, bold=True)
        bar.addWidget(title)
        bar.addSpacing(16)
        bar.addWidget(QLabel(self.tr("年份：")))
        self.year = QSpinBox()
        self.year.setObjectName("report_year")
        self.year.setRange(2020, today.year)
        self.year.setValue(today.year)
        self.year.setSuffix(self.tr("年"))
        bar.addWidget(self.year)
        bar.addWidget(QLabel(self.tr("月份：")))
        self.month = QComboBox()
        self.month.setObjectName("report_month")
        for m in range(1, 13):
            self.month.addItem(self.tr("{0}月").format(m), m)
        self.month.setCurrentIndex(today.month - 1)
        bar.addWidget(self.month)
        self.refresh = QPushButton(self.tr("统计"))
        self.refresh.setObjectName("report_refresh")
        bar.addWidget(self.refresh)
        bar.addStretch(1)
        self.export_xlsx = QPushButton(self.tr("导出Excel…"))
        self.export_xlsx.setObjectName("export_xlsx")
        self.export_pdf = QPushButton(self.tr("导出PDF…"))
        self.export_pdf.setObjectName("export_pdf")
        bar.addWidget(self.export_xlsx)
        bar.addWidget(self.export_pdf)
        layout.addLayout(bar)

        self.summary = QLabel()
        self.summary.setObjectName("report_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.chart = YearChart()
        layout.addWidget(self.chart, 2)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("report_tabs")
        heads = [label for _m, label in MEASURES]
        self.by_category = self._table("table_by_category", [self.tr("救助类别"), *heads])
        self.by_village = self._table("table_by_village", [self.tr("村（社区）"), *heads])
        self.by_status = self._table("table_by_status", [self.tr("案件状态"), self.tr("案件数")])
        self.tabs.addTab(self.by_category, self.tr("按救助类别"))
        self.tabs.addTab(self.by_village, self.tr("按村（社区）"))
        self.tabs.addTab(self.by_status, self.tr("按案件状态"))
        layout.addWidget(self.tabs, 3)

        self.note = QLabel(self.tr("每件申请按其主要救助类别计一次；“逾期”为统计截止日法定时限已过仍未办结的案件；"
                                   "案件状态为截止日的状态。"))
        self.note.setWordWrap(True)
        self.note.setObjectName("report_note")
        layout.addWidget(self.note)
        self.status = QLabel()
        self.status.setObjectName("report_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)

        self.refresh.clicked.connect(self.reload)
        self.year.valueChanged.connect(self._period_changed)
        self.month.currentIndexChanged.connect(self._period_changed)
        self.export_xlsx.clicked.connect(lambda: self.export("xlsx"))
        self.export_pdf.clicked.connect(lambda: self.export("pdf"))
        self._set_export_enabled(False)

    def _table(self, name: str, heads: list[str]) -> QTableWidget:
        t = QTableWidget(0, len(heads))
        t.setObjectName(name)
        t.setHorizontalHeaderLabels(heads)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.verticalHeader().setVisible(False)
        t.setAlternatingRowColors(True)
        header = t.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(90)
        return t

    # ------------------------------------------------------------------ loading

    def on_shown(self) -> None:
        self.reload()

    def period(self) -> tuple[int, int]:
        return self.year.value(), int(self.month.currentData())

    def _period_changed(self) -> None:
        today = self.ctx.session.clock.today()
        if self.year.value() == today.year and self.month.currentIndex() + 1 > today.month:
            self.month.setCurrentIndex(today.month - 1)   # a month not begun yet has no figures
            return
        self.reload()

    def reload(self) -> None:
        self.loaded = False
        self._set_export_enabled(False)
        year, month = self.period()
        self.status.setText(self.tr("正在统计……"))
        self.ctx.tasks.run(load_reports, self.ctx.session, year, month, on_done=self.show_data,
                           on_error=self._failed, latest_only="reports")

    def show_data(self, data: ReportsData) -> None:
        self.data = data
        rep = data.report
        self._fill(self.by_category, rep.by_category, rep.totals)
        self._fill(self.by_village, rep.by_village, rep.totals)
        self._fill(self.by_status, rep.by_status, (rep.cases_at_cut,))
        self.chart.set_series(data.series, rep.month if rep.year == data.series.year else 0)
        t = rep.totals
        self.summary.setText(self.tr(
            "{0} {1}：收到申请 {2} 件，受理 {3} 件，转办 {4} 件，批准 {5} 件，不予批准 {6} 件；"
            "截至 {7} 逾期 {8} 件，累计案件 {9} 件。").format(
            rep.township, rep.period, t[0], t[1], t[2], t[3], t[4], rep.cut.strftime("%Y-%m-%d"), t[5],
            rep.cases_at_cut))
        self.status.setText("")
        self._set_export_enabled(True)
        self.loaded = True

    def _fill(self, table: QTableWidget, rows: tuple[ReportRow, ...], totals: tuple[int, ...]) -> None:
        table.setRowCount(len(rows) + 1)
        for r, row in enumerate([*[(x.label, x.values) for x in rows], (self.tr("合计"), totals)]):
            label, values = row
            first = QTableWidgetItem(label)
            table.setItem(r, 0, first)
            for c, v in enumerate(values, start=1):
                item = QTableWidgetItem(str(v))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        font = table.font()
        font.setBold(True)
        for c in range(table.columnCount()):
            cell = table.item(len(rows), c)
            if cell is not None:
                cell.setFont(font)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(self.ctx.error_text(exc))
        self.loaded = True

    def _set_export_enabled(self, on: bool) -> None:
        self.export_xlsx.setEnabled(on)
        self.export_pdf.setEnabled(on)

    # ------------------------------------------------------------------ exports

    def _ask_path(self, kind: str, suggested: str) -> str | None:
        pattern = self.tr("Excel 工作簿 (*.xlsx)") if kind == "xlsx" else self.tr("PDF 文件 (*.pdf)")
        chosen = ask_save_file(self, self.ctx.settings, "export", self.tr("导出统计报表"), suggested, pattern,
                               f".{kind}")
        return str(chosen) if chosen is not None else None

    def export(self, kind: str) -> None:
        if self.data is None:
            return
        rep = self.data.report
        suggested = self.tr("{0}社会救助统计月报-{1}年{2:02d}月.{3}").format(rep.township, rep.year, rep.month, kind)
        path = self.choose_path(kind, suggested)
        if not path:
            return
        fn = reports.export_xlsx if kind == "xlsx" else reports.export_pdf
        self.status.setText(self.tr("正在导出……"))
        self._set_export_enabled(False)
        self.ctx.tasks.run(fn, self.ctx.session, rep, Path(path), on_done=self._exported, on_error=self._export_failed)

    def _exported(self, path: Path) -> None:
        self.last_export = Path(path)
        self.status.setText(self.tr("已导出：{0}").format(str(path)))
        self._set_export_enabled(True)

    def _export_failed(self, exc: BaseException) -> None:
        self.status.setText(self.ctx.error_text(exc))
        self._set_export_enabled(True)
