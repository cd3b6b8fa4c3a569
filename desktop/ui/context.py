"""What every page of the window is given: the signed-in session, the task runner, per-PC settings.

Per-PC settings (QSettings, not in the township database) and their keys:

==============================  =========  ==========================================
key                             type       meaning
==============================  =========  ==========================================
``print/printer``               str        default printer name ("" = system default)
``print/format``                str        default receipt format: ``a4`` or ``roll80``
``ui/large_type``               bool       large type (14 pt instead of 11 pt)
``security/idle_lock_minutes``  int        idle auto-lock after N minutes; 0 = never
==============================  =========  ==========================================

Read them with :func:`setting_str` / :func:`setting_bool` / :func:`setting_int`
(QSettings hands back strings from INI files, so ``bool("false")`` would lie).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Signal

from desktop import logs
from desktop.domain.errors import YimenError

from .tasks import TaskRunner

if TYPE_CHECKING:   # the login window imports this module before any database code is loaded
    from desktop.services.session import AppSession

log = logging.getLogger(__name__)

ORGANIZATION = "Yimen"
APPLICATION = "Yimen"

SETTING_PRINTER = "print/printer"
SETTING_PRINT_FORMAT = "print/format"
PRINT_FORMAT_A4 = "a4"            # A4, two stubs (applicant / archive)
PRINT_FORMAT_ROLL80 = "roll80"    # 80 mm thermal roll
PRINT_FORMATS = (PRINT_FORMAT_A4, PRINT_FORMAT_ROLL80)
SETTING_LARGE_TYPE = "ui/large_type"
SETTING_IDLE_LOCK_MINUTES = "security/idle_lock_minutes"
DEFAULT_IDLE_LOCK_MINUTES = 10


def pc_settings() -> QSettings:
    """Settings of this PC (default printer, format, large type, idle lock), not of the township."""
    return QSettings(ORGANIZATION, APPLICATION)


def setting_str(settings: QSettings, key: str, default: str = "") -> str:
    value = settings.value(key, default)
    return value if isinstance(value, str) else default


def setting_bool(settings: QSettings, key: str, default: bool = False) -> bool:
    value = settings.value(key, default)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def setting_int(settings: QSettings, key: str, default: int = 0) -> int:
    try:
        return int(settings.value(key, default))
    except (TypeError, ValueError):
        return default


def print_format(settings: QSettings) -> str:
    """The remembered receipt format, ``a4`` unless ``roll80`` was chosen."""
    value = setting_str(settings, SETTING_PRINT_FORMAT, PRINT_FORMAT_A4)
    return value if value in PRINT_FORMATS else PRINT_FORMAT_A4


class ShellEvents(QObject):
    """Signals between pages and the window shell, so pages never import the main window.

    - ``navigate_requested(section_id)``: a page asks the window to show another section.
    - ``setting_changed(key)``: a per-PC setting was changed (the idle lock listens to this).
    - ``data_changed()``: a page changed data; the status bar refreshes its counts.
    """

    navigate_requested = Signal(str)
    setting_changed = Signal(str)
    data_changed = Signal()


@dataclass
class UiContext:
    session: AppSession
    tasks: TaskRunner
    settings: QSettings = field(default_factory=pc_settings)
    events: ShellEvents = field(default_factory=ShellEvents)
    sync_runner: Any = None        # the window's desktop.ui.sync_runner.SyncRunner (None outside a window)

    def navigate(self, section_id: str) -> None:
        self.events.navigate_requested.emit(section_id)

    def error_text(self, exc: BaseException) -> str:
        """What the clerk is told: the Chinese message of a known error (:class:`YimenError`); for
        anything else, a bug, the traceback goes to the log and the clerk is told where it is."""
        return error_text(exc)


def error_text(exc: BaseException) -> str:
    """:meth:`UiContext.error_text`, for the windows that have no context (login, lock)."""
    if isinstance(exc, YimenError) and exc.message:
        return exc.message
    log.error("bug reached the window: %s", exc.__class__.__name__, exc_info=exc)
    return bug_text()


def bug_text() -> str:
    """The clerk's message for a bug, naming the log file."""
    text = QCoreApplication.translate("UiContext", "操作未能完成：程序内部错误，请联系县级信息管理员。")
    path = logs.log_file()
    if path is None:
        return text
    return text + "\n" + QCoreApplication.translate("UiContext", "详情已写入日志文件：{0}").format(str(path))

