"""The pages of the main window's sections: one static table from section id to page class.

Contract for a page (what colleagues plug in):

* A page is a ``QWidget`` built by a factory ``Callable[[UiContext], QWidget]`` registered in
  :data:`PAGE_FACTORIES` under its section id (a page class is such a factory). The window
  builds a page the first time its section is shown and keeps it for the whole session
  (locking and unlocking the screen never rebuilds it).
* Optional ``on_shown()``: called every time the section becomes visible
  (after the first build too) — refresh counts there, through ``ctx.tasks``.
* Optional ``has_unsaved_work() -> bool``: when true, signing out or closing
  the window asks the clerk first.
* Database work only through ``ctx.tasks.run(...)``; to move to another
  section call ``ctx.navigate("cases")``; after changing data emit
  ``ctx.events.data_changed`` (the status bar refreshes its counts).

Every page class is imported here by name, at import time: a missing or broken page module is
an ImportError when the main window is first imported (and in ``tests/gui/test_pages.py``),
never a silent "not built" page at run time — a frozen or wheel build that lost a module fails
loudly. The sections themselves (ids, titles, who sees what) are in :mod:`desktop.ui.sections`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from .audit.page import AuditPage
from .cases.page import CasesPage
from .context import UiContext
from .home_page import HomePage
from .intake.page import IntakePage
from .notices.page import NoticesPage
from .referrals.page import ReferralsPage
from .reports.page import ReportsPage
from .sections import SECTION_BY_ID, SECTIONS, Section, visible_sections
from .settings_page import SettingsPage
from .sync_page import SyncPage

__all__ = ["PAGE_FACTORIES", "SECTIONS", "SECTION_BY_ID", "PageFactory", "Section", "build_page",
           "visible_sections"]

PageFactory = Callable[[UiContext], QWidget]

PAGE_FACTORIES: dict[str, PageFactory] = {
    "home": HomePage,
    "intake": IntakePage,
    "cases": CasesPage,
    "referrals": ReferralsPage,
    "notices": NoticesPage,
    "sync": SyncPage,
    "reports": ReportsPage,
    "settings": SettingsPage,
    "audit": AuditPage,
}


def build_page(section_id: str, ctx: UiContext) -> QWidget:
    return PAGE_FACTORIES[section_id](ctx)
