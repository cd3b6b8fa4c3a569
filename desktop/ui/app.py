"""Application start: Qt setup, bundled CJK font, login, main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from desktop.services import appinfo

from .login import LoginWindow
from .main_window import MainWindow


def install_fonts(app: QApplication) -> str | None:
    families: list[str] = []
    for path in appinfo.ui_font_paths():
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    if not families:
        return None
    font = QFont(families[0], 11)
    font.setFamilies(families)
    app.setFont(font)
    return families[0]


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Yimen")
    app.setApplicationDisplayName(app.translate("app", "一门受理"))
    install_fonts(app)
    return app


def run_app(data_dir: Path) -> int:
    app = create_app()
    windows: dict[str, object] = {}

    def on_signed_in(session: object) -> None:
        win = MainWindow(session)  # type: ignore[arg-type]
        windows["main"] = win
        win.resize(1366, 768)
        win.show()

    login = LoginWindow(Path(data_dir))
    login.signed_in.connect(on_signed_in)
    login.show()
    windows["login"] = login
    return app.exec()
