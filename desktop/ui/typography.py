"""Type sizes: normal 11 pt, large 14 pt for older users; headings scale with them.

The application font carries the base size. A heading must not fix its own
size (a style sheet ``font-size`` would stay small when large type is turned
on); mark it with :func:`set_font_scale` instead and :func:`apply_large_type`
resizes it together with everything else. Style sheets for colours, borders
and ``font-weight`` are fine: :func:`apply_large_type` re-applies them so the
widgets under them follow the new size.

    title = QLabel(self.tr("案件"))
    set_font_scale(title, 1.5, bold=True)
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

NORMAL_POINT_SIZE = 11
LARGE_POINT_SIZE = 14
SCALE_PROPERTY = "yimenFontScale"
BOLD_PROPERTY = "yimenFontBold"


def point_size(large: bool) -> int:
    return LARGE_POINT_SIZE if large else NORMAL_POINT_SIZE


def base_point_size() -> float:
    size = QApplication.font().pointSizeF()
    return size if size > 0 else float(NORMAL_POINT_SIZE)


def set_font_scale(widget: QWidget, scale: float, bold: bool = False) -> None:
    """Give ``widget`` a font ``scale`` times the application size, kept in step with large type."""
    widget.setProperty(SCALE_PROPERTY, float(scale))
    widget.setProperty(BOLD_PROPERTY, bool(bold))
    _apply_scale(widget, base_point_size())


def _apply_scale(widget: QWidget, base: float) -> None:
    scale = widget.property(SCALE_PROPERTY)
    if not scale:
        return
    font = QFont(QApplication.font())
    font.setPointSizeF(base * float(scale))
    font.setBold(bool(widget.property(BOLD_PROPERTY)))
    widget.setFont(font)


def apply_large_type(app: QApplication, large: bool) -> None:
    """Switch the whole application between normal and large type, at once."""
    font = QFont(app.font())
    font.setPointSize(point_size(large))
    app.setFont(font)
    # A widget under a style sheet keeps the font it had when the sheet was applied (and so do its
    # children); setting the same sheet again makes it take the new size.
    if app.styleSheet():
        app.setStyleSheet(app.styleSheet())
    widgets = app.allWidgets()
    for widget in widgets:
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)
    base = float(point_size(large))
    for widget in widgets:
        _apply_scale(widget, base)


def is_large_type(app: QApplication) -> bool:
    return app.font().pointSize() >= LARGE_POINT_SIZE
