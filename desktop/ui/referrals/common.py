"""Shared bits of the referral screens: opening a case in the 案件 section, colours, day texts."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from .. import style
from ..context import UiContext

OVERDUE_BG = QColor("#fde0e0")
OVERDUE_FG = QColor(style.ERROR_COLOR)
TODAY_BG = QColor("#fff4d6")
CONTEXT = "ReferralsCommon"


def open_case(widget: QWidget, ctx: UiContext, case_uuid: str) -> bool:
    """Show the case in the 案件 section (its detail view); False when the window has no such page."""
    ctx.navigate("cases")
    window = widget.window()
    page_of = getattr(window, "page", None)
    page = page_of("cases") if callable(page_of) else None
    opener = getattr(page, "open_case", None)
    if not callable(opener):
        return False
    opener(case_uuid)
    return True


def day_text(d: date | None, provisional: bool = False) -> str:
    """"2027-01-27", "2027-01-27（暂定）" for a due day counted through a year without an official
    holiday schedule, "—" when there is none."""
    if d is None:
        return "—"
    return d.isoformat() + QCoreApplication.translate(CONTEXT, "（暂定）") if provisional else d.isoformat()


def left_text(days_left: int | None, due: date | None, calendar_note: str = "") -> str:
    """"超期 3 个工作日" / "今天到期" / "还有 2 个工作日" / "超出日历"."""
    if due is None:
        return QCoreApplication.translate(CONTEXT, "超出已公布的日历") if calendar_note else "—"
    if days_left is None:
        return "—"
    if days_left < 0:
        return QCoreApplication.translate(CONTEXT, "超期 {0} 个工作日").format(-days_left)
    if days_left == 0:
        return QCoreApplication.translate(CONTEXT, "今天到期")
    return QCoreApplication.translate(CONTEXT, "还有 {0} 个工作日").format(days_left)
