"""Screenshots of the real windows at 1366×768, for a person to look at before a UI change is done.

    Xvfb :99 -screen 0 1366x768x24 &
    .venv/bin/yimen demo --data-dir /tmp/shotdemo --households 2000
    DISPLAY=:99 .venv/bin/python tools/screenshots.py --data-dir /tmp/shotdemo [--only NAME ...]

PNG files go to docs/screenshots/<name>.png. To add a screen, append a
``Shot(name, prepare)`` to :data:`SHOTS` (or call :func:`register`): ``prepare``
gets the :class:`Harness` and returns the widget to capture, with its data
loaded (use ``h.wait_until(...)``). The harness signs in demo users, opens
main windows and closes everything after each shot. Per-PC settings go to a
temporary folder, so the PC's own settings are neither used nor changed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desktop.services.admin import appinfo, local_files  # noqa: E402
from desktop.ui.app import create_app  # noqa: E402
from desktop.ui.context import SETTING_LARGE_TYPE, UiContext, pc_settings  # noqa: E402
from desktop.ui.login import LoginWindow, open_session  # noqa: E402
from desktop.ui.main_window import MainWindow  # noqa: E402
from desktop.ui.tasks import TaskRunner  # noqa: E402
from desktop.ui.typography import apply_large_type  # noqa: E402

WIDTH, HEIGHT = 1366, 768
DEMO_USER_BY_ROLE = {"admin": "admin", "clerk": "clerk", "supervisor": "supervisor",
                     "village_assistant": "assistant", "auditor": "auditor"}


class Harness:
    """What a shot's ``prepare`` may use; everything opened through it is closed after the shot."""

    def __init__(self, app: QApplication, data_dir: Path) -> None:
        self.app = app
        self.data_dir = data_dir
        self.tasks = TaskRunner()
        self.accounts = {user: pw for user, _role, pw in local_files.read_demo_accounts(data_dir)}
        self._windows: list[QWidget] = []
        self._cleanups: list[Callable[[], None]] = []

    def after(self, cleanup: Callable[[], None]) -> None:
        """Run ``cleanup`` after this shot (undo what the shot did to the demo's accounts)."""
        self._cleanups.append(cleanup)

    def settle(self, msecs: int = 300) -> None:
        QTest.qWait(msecs)

    def wait_until(self, condition: Callable[[], bool], timeout_ms: int = 20_000) -> None:
        deadline = time.monotonic() + timeout_ms / 1000
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("screen did not get ready in time")
            QTest.qWait(50)

    def keep(self, widget: QWidget) -> QWidget:
        self._windows.append(widget)
        return widget

    def login_window(self) -> LoginWindow:
        login = LoginWindow(self.data_dir, self.tasks)
        self.keep(login)
        login.show()
        return login

    def context(self, role: str) -> UiContext:
        user = DEMO_USER_BY_ROLE[role]
        session, _info = open_session(self.data_dir, user, self.accounts[user])
        return UiContext(session, self.tasks)

    def main_window(self, role: str, section: str | None = None) -> MainWindow:
        ctx = self.context(role)
        win = MainWindow(ctx, appinfo.installation(ctx.session))
        self.keep(win)
        win.setGeometry(0, 0, WIDTH, HEIGHT)
        win.show()
        if section:
            win.show_section(section)
        self.wait_until(lambda: win.status is not None)
        home = win.page("home")
        if win.current_section_id() == "home" and home is not None:
            self.wait_until(lambda: getattr(home, "data", None) is not None)
        self.settle()
        return win

    def close_all(self) -> None:
        for w in reversed(self._windows):
            w.close()
        self._windows.clear()
        self.tasks.wait()
        while self._cleanups:
            self._cleanups.pop()()
        apply_large_type(self.app, False)
        pc_settings().remove(SETTING_LARGE_TYPE)
        self.settle(100)


@dataclass(frozen=True)
class Shot:
    name: str
    prepare: Callable[[Harness], QWidget]


# ----- the screens ---------------------------------------------------------------------------
def login(h: Harness) -> QWidget:
    w = h.login_window()
    w.username.setText("clerk")
    w.password.setFocus()
    h.settle()
    return w


def login_wrong_password(h: Harness) -> QWidget:
    w = h.login_window()
    w.username.setText("clerk")
    w.password.setText("wrong-password")
    w.try_sign_in()
    h.wait_until(lambda: not w.is_busy())
    h.settle()
    return w


def main_home(h: Harness) -> QWidget:
    return h.main_window("clerk")


def main_home_large(h: Harness) -> QWidget:
    win = h.main_window("clerk")
    win.set_large_type(True)
    h.settle(500)
    return win


def main_sync(h: Harness) -> QWidget:
    return h.main_window("clerk", "sync")


def settings_admin(h: Harness) -> QWidget:
    win = h.main_window("admin", "settings")
    page = win.page("settings")
    h.wait_until(lambda: page is not None and page.about_fields["device"].text() not in ("", "…"))
    h.settle()
    return win


def _users_tab(h: Harness, large: bool = False) -> tuple[MainWindow, QWidget]:
    """用户管理 as an admin finds it the morning 村协理员 mistyped her password five times."""
    from desktop.store.database import Database
    from desktop.store.errors import StoreError
    from desktop.store.keyslots import KeySlotFile

    for _ in range(5):
        try:
            Database.unlock(h.data_dir, "assistant", "mistyped-1").close()
        except StoreError:
            pass
    h.after(lambda: KeySlotFile.load(Database.keyslots_path(h.data_dir)).unlock_account("assistant"))
    win = h.main_window("admin", "settings")
    if large:
        win.set_large_type(True)
    page = win.page("settings")
    page.tabs.setCurrentIndex(1)
    panel = page.users_panel
    h.wait_until(lambda: panel.loaded)
    panel.select("assistant")
    h.settle(500)
    return win, panel


def settings_users(h: Harness) -> QWidget:
    return _users_tab(h)[0]


def settings_users_large(h: Harness) -> QWidget:
    return _users_tab(h, large=True)[0]


def settings_users_add(h: Harness) -> QWidget:
    _win, panel = _users_tab(h)
    panel.add_user()
    dialog = panel.dialog
    dialog.username.setText("zhaoli")
    dialog.display_name.setText("赵丽")
    dialog.password.setText("zhaoli")
    dialog.repeat_password.setText("zhaoli")
    dialog.submit()
    h.wait_until(lambda: not dialog.busy)
    h.settle()
    return dialog


def settings_users_add_assistant(h: Harness) -> QWidget:
    """新增用户 for a village assistant: its villages ticked from the township's checklist."""
    _win, panel = _users_tab(h)
    h.wait_until(lambda: panel.villages is not None)
    panel.add_user()
    dialog = panel.dialog
    dialog.username.setText("niuxl")
    dialog.display_name.setText("牛秀兰")
    dialog.role.setCurrentIndex(dialog.role.findData("village_assistant"))
    dialog.villages.set_codes(["620102101203", "620102101204"])
    h.settle()
    return dialog


def village_assistant_search(h: Harness) -> QWidget:
    """The assistant's 受理: a search finds the families of its own villages only."""
    win = h.main_window("village_assistant", "intake")
    page = win.page("intake")
    h.wait_until(lambda: page is not None and page.villages is not None)
    page.search.box.setText(VILLAGE_SEARCH)
    page.search.search_now()
    h.wait_until(page.search.search_done)
    h.settle()
    return win


VILLAGE_SEARCH = "zh"   # pinyin initials: 张…, 赵…, 周… — many families, all of 东坪村 and 西沟村 for the assistant


def change_password(h: Harness) -> QWidget:
    """村协理员 sees no 设置: 系统 → 修改密码…, with a mistyped old password."""
    from desktop.store.database import Database
    from desktop.store.keyslots import KeySlotFile

    h.after(lambda: KeySlotFile.load(Database.keyslots_path(h.data_dir)).unlock_account("assistant"))
    win = h.main_window("village_assistant")
    win.change_password_action.trigger()
    dialog = win.password_dialog
    dialog.old_password.setText("mistyped-1")
    dialog.new_password.setText("chun-hua-2027")
    dialog.repeat_password.setText("chun-hua-2027")
    dialog.submit()
    h.wait_until(lambda: not dialog.busy)
    h.settle()
    return dialog


def lock_screen(h: Harness) -> QWidget:
    win = h.main_window("clerk")
    win.lock.lock("manual")
    h.wait_until(lambda: h.tasks.pending() == 0)
    h.settle(500)
    return win.lock.screen


def village_assistant(h: Harness) -> QWidget:
    return h.main_window("village_assistant")


def _audit_page(h: Harness, large: bool = False) -> QWidget:
    win = h.main_window("auditor", "audit")
    if large:
        win.set_large_type(True)
    page = win.page("audit")
    h.wait_until(lambda: getattr(page, "loaded", False) and page.action.count() > 1)
    interesting = [i for i, r in enumerate(page.model.rows) if r.entity_type in ("case", "referral")]
    page.table.selectRow(interesting[0] if interesting else 0)   # an event about a case, not a sign-in
    page.verify_button.click()
    h.wait_until(lambda: page.last_report is not None, timeout_ms=120_000)
    h.settle(500)
    return win


def auditor(h: Harness) -> QWidget:
    return _audit_page(h)


def auditor_large(h: Harness) -> QWidget:
    return _audit_page(h, large=True)


SHOTS: list[Shot] = [
    Shot("login", login),
    Shot("login-wrong-password", login_wrong_password),
    Shot("main-home", main_home),
    Shot("main-home-large-type", main_home_large),
    Shot("main-sync", main_sync),
    Shot("settings-admin", settings_admin),
    Shot("lock-screen", lock_screen),
    Shot("village-assistant", village_assistant),
    Shot("village-assistant-search", village_assistant_search),
    Shot("village-assistant-add-user", settings_users_add_assistant),
    Shot("auditor", auditor),
    Shot("auditor-large-type", auditor_large),
    Shot("settings-users", settings_users),
    Shot("settings-users-large-type", settings_users_large),
    Shot("settings-users-add", settings_users_add),
    Shot("change-password", change_password),
]


def register(name: str, prepare: Callable[[Harness], QWidget]) -> None:
    SHOTS.append(Shot(name, prepare))


def run_screen_shots(shots: dict[str, Callable[[Harness], object]], argv: list[str] | None, doc: str) -> int:
    """The main of an area's screenshot script: each ``shots[name](h)`` sets the screen up, then the
    whole 1366×768 screen (dialogs included) is saved as ``<out>/<name>.png``."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--data-dir", required=True, type=Path, help="a demo database (yimen demo)")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    p.add_argument("--only", nargs="*", help="names of the shots to take")
    args = p.parse_args(argv)
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" or not os.environ.get("DISPLAY"):
        print("Run under a real X display (Xvfb :99 -screen 0 1366x768x24, DISPLAY=:99).", file=sys.stderr)
        return 2
    settings_dir = tempfile.mkdtemp(prefix="yimen-shot-settings-")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, settings_dir)
    app = create_app()
    app.setQuitOnLastWindowClosed(False)
    args.out.mkdir(parents=True, exist_ok=True)
    h = Harness(app, args.data_dir)
    for name, prepare in shots.items():
        if args.only and name not in args.only:
            continue
        try:
            prepare(h)
            path = args.out / f"{name}.png"
            app.primaryScreen().grabWindow(0, 0, 0, WIDTH, HEIGHT).save(str(path))
            print(path)
        finally:
            h.close_all()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", required=True, type=Path, help="a demo database (yimen demo)")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    p.add_argument("--only", nargs="*", help="names of the shots to take")
    args = p.parse_args(argv)
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" or not os.environ.get("DISPLAY"):
        print("Run under a real X display (Xvfb :99 -screen 0 1366x768x24, DISPLAY=:99).", file=sys.stderr)
        return 2
    settings_dir = tempfile.mkdtemp(prefix="yimen-shot-settings-")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, settings_dir)
    app = create_app()
    app.setQuitOnLastWindowClosed(False)
    app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, True)
    args.out.mkdir(parents=True, exist_ok=True)
    h = Harness(app, args.data_dir)
    for shot in SHOTS:
        if args.only and shot.name not in args.only:
            continue
        try:
            widget = shot.prepare(h)
            path = args.out / f"{shot.name}.png"
            widget.grab().save(str(path))
            print(f"{path}  {widget.width()}×{widget.height()}")
        finally:
            h.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
