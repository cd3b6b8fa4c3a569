"""Application start: Qt set-up (bundled CJK fonts, Chinese translations, type size), login → main window.

:class:`Shell` owns the one task runner and the flow between windows:
login → main window → (switch user / sign out) → login again; closing the
main window signs out and quits.

Start-up order matters: this module and the login window import only Qt and light modules, so
the login window is on screen before the database code, the services and the document
libraries (reportlab, pypinyin, openpyxl, pypdfium2) are loaded — the main window and what it
needs are imported when a user has signed in (``tests/test_startup.py`` holds the line).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from desktop import logs
from desktop.services.admin import local_files

from .context import SETTING_LARGE_TYPE, pc_settings, setting_bool
from .login import LoginWindow
from .tasks import TaskRunner
from .typography import point_size

if TYPE_CHECKING:
    from desktop.services.admin.appinfo import Installation
    from desktop.services.session import AppSession

    from .main_window import MainWindow

log = logging.getLogger(__name__)

LOCALE = "zh_CN"
_FONT_FAMILIES: list[str] = []
_TRANSLATORS: list[QTranslator] = []     # installed once per process; kept alive here


def install_fonts(app: QApplication, size: int | None = None) -> str | None:
    """Load the bundled CJK fonts into Qt (once per process) and make them the application font."""
    if not _FONT_FAMILIES:
        for path in local_files.ui_font_paths():
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id >= 0:
                _FONT_FAMILIES.extend(QFontDatabase.applicationFontFamilies(font_id))
    if not _FONT_FAMILIES:
        log.warning("bundled CJK fonts not found; Chinese may render as boxes")
        return None
    font = QFont(_FONT_FAMILIES[0], size or app.font().pointSize())
    font.setFamilies(_FONT_FAMILIES)
    app.setFont(font)
    return _FONT_FAMILIES[0]


def install_translators(app: QApplication) -> list[QTranslator]:
    """Qt's own Chinese (standard buttons, print and file dialogs) and ours; kept alive on the app."""
    if _TRANSLATORS:
        return list(_TRANSLATORS)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    # qt_zh_CN.qm only lists its parts, and PySide6-Essentials lacks one of them (qtmultimedia),
    # so it does not load there; qtbase_zh_CN holds every string our dialogs use.
    sources = (((f"qt_{LOCALE}", qt_dir), (f"qtbase_{LOCALE}", qt_dir)),
               ((f"yimen_{LOCALE}", str(local_files.translations_dir())),))
    for candidates in sources:
        for name, directory in candidates:
            translator = QTranslator(app)
            if translator.load(name, directory):
                app.installTranslator(translator)
                _TRANSLATORS.append(translator)
                break
        else:
            log.warning("translation %s not found in %s", candidates[0][0], candidates[0][1])
    return list(_TRANSLATORS)


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Yimen")
    app.setOrganizationName("Yimen")
    install_translators(app)
    app.setApplicationDisplayName(app.translate("App", "一门受理"))
    install_fonts(app, point_size(setting_bool(pc_settings(), SETTING_LARGE_TYPE)))
    return app


class Shell(QObject):
    """The flow between the login window and the main window, with one task runner for both."""

    def __init__(self, data_dir: Path, tasks: TaskRunner | None = None) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.tasks = tasks or TaskRunner(self)
        self.login: LoginWindow | None = None
        self.main: MainWindow | None = None

    def start(self) -> None:
        self.show_login()

    def show_login(self) -> None:
        self.login = LoginWindow(self.data_dir, self.tasks)
        self.login.signed_in.connect(self.open_main)
        self.login.show()

    def open_main(self, session: AppSession, info: Installation) -> None:
        from .context import UiContext
        from .main_window import MainWindow  # the first import of the signed-in side (see the docstring)

        ctx = UiContext(session, self.tasks)
        self.main = MainWindow(ctx, info)
        self.main.signed_out.connect(self._after_sign_out)
        self.main.show_for_screen()
        if self.login is not None:
            self.login.close()
            self.login.deleteLater()
            self.login = None

    def _after_sign_out(self) -> None:
        # Show the login first: closing the last window would quit the application.
        old = self.main
        self.main = None
        self.show_login()
        if old is not None:
            old.deleteLater()


def start_logging(data_dir: Path) -> Path:
    """The rotating log under the data directory, and the excepthooks: a bug escaping a slot is logged
    with its traceback and the clerk is shown where the log is (desktop/ui/bugs.py)."""
    from .bugs import show_bug

    path = logs.setup_logging(data_dir)
    logs.install_excepthooks(notify=show_bug)
    return path


def run_app(data_dir: Path, quit_after: float | None = None) -> int:
    """Start the window. ``quit_after`` (seconds) is the smoke test of an installation: once the
    login window is on screen, say so on stdout (with the monotonic clock, for ``make bench``)
    and quit that many seconds later."""
    start_logging(Path(data_dir))
    app = create_app()
    shell = Shell(Path(data_dir))
    shell.start()
    if quit_after is not None:
        from PySide6.QtCore import QTimer

        def shown() -> None:
            stamp = time.monotonic()
            print(app.translate("App", "登录窗口已显示") + f" window-shown-monotonic={stamp:.6f}", flush=True)
            QTimer.singleShot(int(max(quit_after, 0) * 1000), app.quit)

        # A zero timer fires once the event loop has run, i.e. after the window's show events.
        QTimer.singleShot(0, shown)
    code = app.exec()
    shell.tasks.wait()
    return code
