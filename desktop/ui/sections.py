"""The sections of the main window: ids, titles, keys, and which role sees which.

Only the table — the pages that fill the sections are in :mod:`desktop.ui.pages`, which imports
every page class statically. The two are apart because pages (the home page lists the sections
a user sees) need this table, and the page table imports the pages: one module would be a cycle.
Which sections a role sees is decided here (:func:`visible_sections`); the services check
permissions again on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from desktop.domain.roles import Permission, Role

if TYPE_CHECKING:
    from desktop.services.session import AppSession

CONTEXT = "Sections"


@dataclass(frozen=True)
class Section:
    id: str
    label: str          # source text; show it through :meth:`title`
    number: int         # Alt+number / Ctrl+number

    def title(self) -> str:
        return QCoreApplication.translate(CONTEXT, self.label)


SECTIONS: tuple[Section, ...] = (
    Section("home", QT_TRANSLATE_NOOP("Sections", "首页"), 1),
    Section("intake", QT_TRANSLATE_NOOP("Sections", "受理"), 2),
    Section("cases", QT_TRANSLATE_NOOP("Sections", "案件"), 3),
    Section("referrals", QT_TRANSLATE_NOOP("Sections", "转办与时限"), 4),
    Section("notices", QT_TRANSLATE_NOOP("Sections", "公示"), 5),
    Section("sync", QT_TRANSLATE_NOOP("Sections", "同步"), 6),
    Section("reports", QT_TRANSLATE_NOOP("Sections", "统计"), 7),
    Section("settings", QT_TRANSLATE_NOOP("Sections", "设置"), 8),
    Section("audit", QT_TRANSLATE_NOOP("Sections", "审计日志"), 9),
)
SECTION_BY_ID = {s.id: s for s in SECTIONS}


def _sees(session: AppSession, section_id: str) -> bool:
    role = session.user.role
    if role is Role.VILLAGE_ASSISTANT:      # intake on behalf of a family and its receipt, nothing else
        return section_id == "intake"
    if section_id == "home":
        return True
    if section_id == "intake":
        return session.can(Permission.INTAKE)
    if section_id == "audit":
        return session.can(Permission.VIEW_AUDIT)
    if section_id == "settings":
        return session.can(Permission.VIEW_CASES) or session.can(Permission.MANAGE_SETTINGS)
    return session.can(Permission.VIEW_CASES)   # cases, referrals, notices, sync, reports


def visible_sections(session: AppSession) -> list[Section]:
    return [s for s in SECTIONS if _sees(session, s.id)]
