"""Take screenshots of the login and main window on a real display (Xvfb) at 1366x768."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer

from desktop.services.auth import sign_in
from desktop.services.demo import read_demo_accounts
from desktop.ui.app import create_app
from desktop.ui.login import LoginWindow
from desktop.ui.main_window import MainWindow


def main(data_dir: Path, out: Path) -> None:
    app = create_app()
    out.mkdir(parents=True, exist_ok=True)
    login = LoginWindow(data_dir)
    login.show()
    user, _r, pw = next(a for a in read_demo_accounts(data_dir) if a[0] == "clerk")
    session = sign_in(data_dir, user, pw)
    win = MainWindow(session)
    win.resize(1366, 768)

    def shoot() -> None:
        login.grab().save(str(out / "login.png"))
        win.show()
        QTimer.singleShot(300, lambda: (win.grab().save(str(out / "main-window.png")), app.quit()))

    QTimer.singleShot(500, shoot)
    app.exec()
    session.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
