"""转办与时限 section: 到期提醒 (the due/overdue dashboard), 转办 (referrals by state and department)
and 动态复核 (re-checks due, from desktop.ui.rechecks.panel).

The tabs have letter mnemonics (Alt+D / Alt+Z / Alt+F): Alt+digit belongs to the window's
sections, and a tab that also claimed Alt+1… made Qt refuse both ("Ambiguous shortcut overload")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ..context import UiContext
from ..rechecks.panel import RecheckPanel
from .due_panel import DuePanel
from .referral_panel import ReferralPanel


class ReferralsPage(QWidget):
    def __init__(self, ctx: UiContext, *, today: Callable[[], date] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("referrals_page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("referrals_tabs")
        self.due = DuePanel(ctx, today)
        self.referrals = ReferralPanel(ctx, today)
        self.rechecks = RecheckPanel(ctx)
        self.tabs.addTab(self.due, self.tr("到期提醒(&D)"))
        self.tabs.addTab(self.referrals, self.tr("转办(&Z)"))
        self.tabs.addTab(self.rechecks, self.tr("动态复核(&F)"))
        self.referrals.changed.connect(self.due.refresh)
        self.tabs.currentChanged.connect(lambda _i: self.on_shown())
        layout.addWidget(self.tabs)
        self.setFocusProxy(self.tabs)

    def on_shown(self) -> None:
        current = self.tabs.currentWidget()
        if current is self.due:
            self.due.refresh()
        elif current is self.referrals:
            self.referrals.refresh()
        else:
            shown = getattr(current, "on_shown", None) or getattr(current, "refresh", None)
            if callable(shown):
                shown()

    def show_referrals(self) -> None:
        self.tabs.setCurrentWidget(self.referrals)
