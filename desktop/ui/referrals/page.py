"""转办与时限 section: 到期提醒 (the due/overdue dashboard), 转办 (referrals by state and department)
and, when that module is present, 动态复核 (re-checks due, from desktop.ui.rechecks.panel)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ..context import UiContext
from .due_panel import DuePanel
from .referral_panel import ReferralPanel


def _recheck_panel(ctx: UiContext) -> QWidget | None:
    """The re-checks tab, built by another part of Step 5; skipped while its module is missing."""
    try:
        module = importlib.import_module("desktop.ui.rechecks.panel")
    except ModuleNotFoundError as exc:
        if exc.name in ("desktop.ui.rechecks", "desktop.ui.rechecks.panel"):
            return None
        raise
    panel: QWidget = module.RecheckPanel(ctx)
    return panel


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
        self.tabs.addTab(self.due, self.tr("到期提醒(&1)"))
        self.tabs.addTab(self.referrals, self.tr("转办(&2)"))
        # ---- other Step 5 tabs plug in here ----
        self.rechecks = _recheck_panel(ctx)
        if self.rechecks is not None:
            self.tabs.addTab(self.rechecks, self.tr("动态复核(&3)"))
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
