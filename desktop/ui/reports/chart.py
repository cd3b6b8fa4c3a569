"""The year by month: accepted and decided as paired bars, overdue as a line (QPainter; no QtCharts).

Months not begun yet are drawn empty. Hovering a month shows its three
figures; the selected month (the report's) is shaded.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop.services.reporting.reports import MonthFigures, YearSeries

ACCEPTED_COLOR = QColor("#3b6fb6")
DECIDED_COLOR = QColor("#3c9a5f")
OVERDUE_COLOR = QColor("#c0392b")
GRID_COLOR = QColor("#d9d9d9")
SELECTED_COLOR = QColor("#fff3c4")


def nice_ceiling(value: int) -> int:
    """The smallest 1/2/5·10^k not below ``value`` (axis top), at least 5."""
    top = 5
    step = 1
    while top < value:
        for m in (1, 2, 5):
            top = m * step * 10
            if top >= value:
                break
        step *= 10
    return top


class YearChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("year_chart")
        self.series: YearSeries | None = None
        self.selected_month = 0
        self.setMouseTracking(True)
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(900, 230)

    def set_series(self, series: YearSeries, selected_month: int = 0) -> None:
        self.series = series
        self.selected_month = selected_month
        self.update()

    # ------------------------------------------------------------------ geometry

    def _plot(self) -> QRectF:
        fm = QFontMetrics(self.font())
        left = fm.horizontalAdvance("00000") + 8
        return QRectF(left, fm.height() * 2 + 6, max(10, self.width() - left - 12),
                      max(10, self.height() - fm.height() * 3 - 14))

    def _top(self) -> int:
        if self.series is None:
            return 5
        return nice_ceiling(max([max(m.accepted, m.decided, m.overdue or 0) for m in self.series.months] + [1]))

    def month_at(self, x: float) -> int:
        plot = self._plot()
        if not plot.left() <= x <= plot.right():
            return 0
        return min(12, int((x - plot.left()) / (plot.width() / 12)) + 1)

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        plot = self._plot()
        top = self._top()
        slot = plot.width() / 12
        self._legend(p, fm)
        if self.selected_month:
            p.fillRect(QRectF(plot.left() + (self.selected_month - 1) * slot, plot.top(), slot, plot.height()),
                       SELECTED_COLOR)
        for i in range(5):     # horizontal grid with its values
            value = top * i / 4
            y = plot.bottom() - plot.height() * i / 4
            p.setPen(QPen(GRID_COLOR, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(self.palette().text().color())
            label = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
            p.drawText(QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        months = self.series.months if self.series else ()
        bar = slot * 0.28
        points: list[QPointF] = []
        for m in months:
            x0 = plot.left() + (m.month - 1) * slot
            for k, (value, color) in enumerate(((m.accepted, ACCEPTED_COLOR), (m.decided, DECIDED_COLOR))):
                h = plot.height() * value / top
                p.fillRect(QRectF(x0 + slot * 0.2 + k * bar, plot.bottom() - h, bar - 1, h), color)
            if m.overdue is not None:
                points.append(QPointF(x0 + slot / 2, plot.bottom() - plot.height() * m.overdue / top))
        p.setPen(QPen(OVERDUE_COLOR, 2))
        for a, b in zip(points, points[1:], strict=False):
            p.drawLine(a, b)
        p.setBrush(OVERDUE_COLOR)
        for pt in points:
            p.drawEllipse(pt, 3.5, 3.5)
        p.setPen(self.palette().text().color())
        for month in range(1, 13):
            p.drawText(QRectF(plot.left() + (month - 1) * slot, plot.bottom() + 2, slot, fm.height() + 4),
                       Qt.AlignmentFlag.AlignCenter, self.tr("{0}月").format(month))
        p.setPen(QPen(self.palette().text().color(), 1))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())
        p.end()

    def _legend(self, p: QPainter, fm: QFontMetrics) -> None:
        x = self._plot().left()
        y = 2
        title = self.tr("{0}年各月办理情况").format(self.series.year) if self.series else ""
        p.setPen(self.palette().text().color())
        p.drawText(QPointF(x, y + fm.ascent()), title)
        x += fm.horizontalAdvance(title) + 24
        for label, color, line in ((self.tr("受理"), ACCEPTED_COLOR, False), (self.tr("办结"), DECIDED_COLOR, False),
                                   (self.tr("逾期（月末）"), OVERDUE_COLOR, True)):
            if line:
                p.setPen(QPen(color, 2))
                p.drawLine(QPointF(x, y + fm.height() / 2), QPointF(x + 16, y + fm.height() / 2))
            else:
                p.fillRect(QRectF(x + 2, y + 3, 12, fm.height() - 6), color)
            p.setPen(self.palette().text().color())
            p.drawText(QPointF(x + 20, y + fm.ascent()), label)
            x += 20 + fm.horizontalAdvance(label) + 18

    # ------------------------------------------------------------------ hover

    def tooltip_for(self, month: int) -> str:
        if self.series is None or not 1 <= month <= 12:
            return ""
        m: MonthFigures = self.series.months[month - 1]
        if m.overdue is None:
            return self.tr("{0}月：尚未开始").format(month)
        return self.tr("{0}月：受理 {1}，办结 {2}，月末逾期 {3}").format(month, m.accepted, m.decided, m.overdue)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        text = self.tooltip_for(self.month_at(event.position().x()))
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
