"""The sections of the main window and the registry that builds their pages.

Contract for a page (what colleagues plug in):

* A page is a ``QWidget`` built by a factory ``Callable[[UiContext], QWidget]``
  registered in :data:`PAGE_FACTORIES` under its section id. The window builds
  a page the first time its section is shown and keeps it for the whole
  session (locking and unlocking the screen never rebuilds it).
* Optional ``on_shown()``: called every time the section becomes visible
  (after the first build too) — refresh counts there, through ``ctx.tasks``.
* Optional ``has_unsaved_work() -> bool``: when true, signing out or closing
  the window asks the clerk first.
* Database work only through ``ctx.tasks.run(...)``; to move to another
  section call ``ctx.navigate("cases")``; after changing data emit
  ``ctx.events.data_changed`` (the status bar refreshes its counts).

``intake`` and ``cases`` are imported lazily from ``desktop.ui.intake.page``
(``IntakePage``) and ``desktop.ui.cases.page`` (``CasesPage``); while those
modules do not exist yet the section shows a plain "not built yet" page.
Which sections a role sees is decided here (:func:`visible_sections`); the
services check permissions again on every call.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.services.admin.accounts import Permission, Role
from desktop.services.session import AppSession

from .context import UiContext
from .typography import set_font_scale

PageFactory = Callable[[UiContext], QWidget]
CONTEXT = "Sections"


@dataclass(frozen=True)
class Section:
    id: str
    label: str          # source text; show it through :meth:`title`
    number: int         # Alt+number / Ctrl+number
    coming: str         # what the "not built yet" page says is coming (source text)

    def title(self) -> str:
        return QCoreApplication.translate(CONTEXT, self.label)

    def coming_text(self) -> str:
        return QCoreApplication.translate(CONTEXT, self.coming)


SECTIONS: tuple[Section, ...] = (
    Section("home", QT_TRANSLATE_NOOP("Sections", "首页"), 1, ""),
    Section("intake", QT_TRANSLATE_NOOP("Sections", "受理"), 2,
            QT_TRANSLATE_NOOP("Sections", "此功能尚未建成（第3步）：先查询、后受理的申请向导，受理回执打印。")),
    Section("cases", QT_TRANSLATE_NOOP("Sections", "案件"), 3,
            QT_TRANSLATE_NOOP("Sections", "此功能尚未建成（第3步）：案件列表与筛选、案件详情、办理时间线、补打回执。")),
    Section("referrals", QT_TRANSLATE_NOOP("Sections", "转办与时限"), 4,
            QT_TRANSLATE_NOOP("Sections", "此功能尚未建成（第5步）：按部门转办转介、办理时限提醒、录入部门办理结果。")),
    Section("notices", QT_TRANSLATE_NOOP("Sections", "公示"), 5,
            QT_TRANSLATE_NOOP("Sections", "此功能尚未建成（第4步）：按村批量公示、公示海报打印、异议登记与处理。")),
    Section("sync", QT_TRANSLATE_NOOP("Sections", "同步"), 6,
            QT_TRANSLATE_NOOP("Sections", "此功能尚未建成（第6步）：与县级平台同步案件和办理结果，无网络时用U盘交换。")),
    Section("reports", QT_TRANSLATE_NOOP("Sections", "统计"), 7,
            QT_TRANSLATE_NOOP("Sections", "此功能尚未建成（第5步）：按月、按类别、按村的统计报表，导出Excel与PDF。")),
    Section("settings", QT_TRANSLATE_NOOP("Sections", "设置"), 8, ""),
    Section("audit", QT_TRANSLATE_NOOP("Sections", "审计日志"), 9,
            QT_TRANSLATE_NOOP("Sections", "此功能尚未建成（后续步骤）：审计日志查阅与哈希链校验。"
                                          "目前可由管理员在命令行运行 yimen verify-audit 校验。")),
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


class NotBuiltPage(QWidget):
    """A section that a later step builds: say so plainly, and what is coming."""

    def __init__(self, section: Section) -> None:
        super().__init__()
        self.setObjectName(f"not_built_{section.id}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel(section.title())
        set_font_scale(title, 1.5, bold=True)
        layout.addWidget(title)
        text = QLabel(section.coming_text() or self.tr("此功能尚未建成。"))
        text.setObjectName("not_built_text")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_font_scale(text, 1.15)
        layout.addWidget(text)
        layout.addStretch(1)


def _lazy(section_id: str, module: str, class_name: str) -> PageFactory:
    """A factory for a colleague's page that may not exist yet; a broken page still fails loudly."""

    def factory(ctx: UiContext) -> QWidget:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            parts = module.split(".")
            missing_ours = {".".join(parts[:i]) for i in range(3, len(parts) + 1)}
            if exc.name in missing_ours:
                return NotBuiltPage(SECTION_BY_ID[section_id])
            raise
        page: QWidget = getattr(mod, class_name)(ctx)
        return page

    return factory


def _not_built(section_id: str) -> PageFactory:
    return lambda _ctx: NotBuiltPage(SECTION_BY_ID[section_id])


def _home(ctx: UiContext) -> QWidget:
    from .home_page import HomePage

    return HomePage(ctx)


def _settings(ctx: UiContext) -> QWidget:
    from .settings_page import SettingsPage

    return SettingsPage(ctx)


PAGE_FACTORIES: dict[str, PageFactory] = {
    "home": _home,
    "intake": _lazy("intake", "desktop.ui.intake.page", "IntakePage"),
    "cases": _lazy("cases", "desktop.ui.cases.page", "CasesPage"),
    "referrals": _lazy("referrals", "desktop.ui.referrals.page", "ReferralsPage"),
    "notices": _lazy("notices", "desktop.ui.notices.page", "NoticesPage"),
    "sync": _not_built("sync"),
    "reports": _lazy("reports", "desktop.ui.reports.page", "ReportsPage"),
    "settings": _settings,
    "audit": _lazy("audit", "desktop.ui.audit.page", "AuditPage"),
}


def build_page(section_id: str, ctx: UiContext) -> QWidget:
    return PAGE_FACTORIES[section_id](ctx)
