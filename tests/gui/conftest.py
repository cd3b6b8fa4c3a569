"""Shared GUI fixtures: the Qt app set up as in production, isolated per-PC settings,
a task runner, users of every role on a real encrypted database, and UiContexts for them.

    def test_something(qtbot, ui_context_for):
        ctx = ui_context_for("clerk")          # signed in as the test clerk
        page = MyPage(ctx); qtbot.addWidget(page)
        page.on_shown()
        qtbot.waitUntil(lambda: page.loaded)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from factories import villages_of
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop.domain.roles import Role
from desktop.services.admin import appinfo
from desktop.services.admin.accounts import add_user, sign_in
from desktop.services.session import AppSession
from desktop.ui.app import install_fonts, install_translators
from desktop.ui.context import UiContext, pc_settings
from desktop.ui.main_window import MainWindow
from desktop.ui.tasks import TaskRunner
from desktop.ui.typography import NORMAL_POINT_SIZE, apply_large_type

# username -> (display name, role, password), one per role
TEST_USERS: dict[str, tuple[str, Role, str]] = {
    "clerk1": ("王晓燕", Role.CLERK, "clerk-pass-2026"),
    "super1": ("赵立新", Role.SUPERVISOR, "super-pass-2026"),
    "assist1": ("马春花", Role.VILLAGE_ASSISTANT, "assist-pass-2026"),
    "audit1": ("陈静", Role.AUDITOR, "audit-pass-2026"),
    "admin2": ("刘建国", Role.ADMIN, "admin2-pass-2026"),
}
ROLE_USER = {role: user for user, (_n, role, _p) in TEST_USERS.items()}


@pytest.fixture(scope="session")
def yimen_app(qapp: QApplication) -> QApplication:
    """The QApplication with our translators and the bundled CJK fonts, as `create_app` sets it up."""
    install_translators(qapp)
    install_fonts(qapp, NORMAL_POINT_SIZE)
    qapp.setQuitOnLastWindowClosed(False)
    return qapp


@pytest.fixture(autouse=True)
def _isolated_pc_settings(tmp_path: Path, yimen_app: QApplication) -> Iterator[None]:
    """Per-PC settings go to a temporary folder, and every test starts at normal type size."""
    folder = str(tmp_path / "pc-settings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    apply_large_type(yimen_app, False)
    yield
    apply_large_type(yimen_app, False)


@pytest.fixture
def tasks(qapp: QApplication) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.wait()


@pytest.fixture
def test_users(admin_session: AppSession) -> dict[str, tuple[str, Role, str]]:
    """Adds one user per role (cheap Argon2 from the admin session's KDF)."""
    for username, (name, role, password) in TEST_USERS.items():
        add_user(admin_session, username, name, role, password, **villages_of(role))
    return TEST_USERS


@pytest.fixture
def session_for(data_dir: Path, test_users: dict[str, tuple[str, Role, str]]) -> Iterator[
        Callable[[str], AppSession]]:
    """Sign in as a role ("clerk", "supervisor", "village_assistant", "auditor", "admin")."""
    opened: list[AppSession] = []

    def open_session(role: str) -> AppSession:
        user = ROLE_USER[Role(role)]
        session = sign_in(data_dir, user, test_users[user][2])
        opened.append(session)
        return session

    yield open_session
    for session in opened:
        session.close()


@pytest.fixture
def ui_context_for(session_for: Callable[[str], AppSession], tasks: TaskRunner) -> Callable[[str], UiContext]:
    def make(role: str) -> UiContext:
        return UiContext(session_for(role), tasks, pc_settings())

    return make


@pytest.fixture
def main_window_for(qtbot, ui_context_for: Callable[[str], UiContext]) -> Callable[[str], MainWindow]:  # type: ignore[no-untyped-def]
    """The real main window for a role, shown at 1366×768; closed (and signed out) after the test."""

    def make(role: str) -> MainWindow:
        ctx = ui_context_for(role)
        win = MainWindow(ctx, appinfo.installation(ctx.session))
        qtbot.addWidget(win)
        win.resize(1366, 768)
        win.show()
        qtbot.waitUntil(lambda: win.status is not None)
        return win

    return make
