"""A bug in a page leaves a trace: the rotating log under the data directory holds its traceback and no ID
number, and the clerk is told where the log is — for a slot that raises (PySide6 hands it to
sys.excepthook) and for a background task that fails (the page shows ctx.error_text)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import logs
from desktop.ui import bugs, home_page
from desktop.ui.app import start_logging
from desktop.ui.context import UiContext
from desktop.ui.home_page import HomePage
from forms.idnumber import check_char

ID_NUMBER = "11010519491231002X"      # valid check digit: asserted below


@pytest.fixture
def log_path(data_dir: Path) -> Iterator[Path]:
    path = start_logging(data_dir)
    yield path
    logs.uninstall_excepthooks()
    logs.close_logging()
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == bugs.BUG_BOX_NAME:
            widget.close()
            widget.deleteLater()


def _log_text(path: Path) -> str:
    for handler in __import__("logging").getLogger().handlers:
        handler.flush()
    return path.read_text("utf-8")


def _bug_box() -> QMessageBox | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.objectName() == bugs.BUG_BOX_NAME and widget.isVisible():
            return widget
    return None


def test_the_id_number_of_these_tests_is_valid() -> None:
    assert check_char(ID_NUMBER[:17]) == ID_NUMBER[-1]


@pytest.mark.qt_no_exception_capture
def test_a_slot_that_raises_lands_in_the_log_without_the_id_and_the_clerk_sees_where(
        qtbot, monkeypatch: pytest.MonkeyPatch, ui_context_for: Callable[[str], UiContext], log_path: Path,
        data_dir: Path) -> None:
    def show_data_with_a_bug(self: HomePage, data: object) -> None:
        raise RuntimeError(f"bug with {ID_NUMBER}")

    monkeypatch.setattr(HomePage, "show_data", show_data_with_a_bug)
    page = HomePage(ui_context_for("clerk"))
    qtbot.addWidget(page)
    page.show()
    page.on_shown()          # the task's result is handed to the raising slot on the GUI thread
    qtbot.waitUntil(lambda: _bug_box() is not None, timeout=10_000)

    assert log_path == (data_dir / "logs" / "yimen.log").resolve()
    written = _log_text(log_path)
    assert "CRITICAL" in written and "Traceback" in written
    assert "show_data_with_a_bug" in written and "RuntimeError" in written
    assert ID_NUMBER not in written and ID_NUMBER[:17] not in written and logs.ID_MASK in written
    box = _bug_box()
    assert box is not None and str(log_path) in box.text() and "程序内部错误" in box.text()


@pytest.mark.qt_no_exception_capture
def test_a_second_bug_while_the_box_is_open_is_logged_but_opens_no_second_box(
        qtbot, log_path: Path) -> None:
    first = bugs.show_bug(RuntimeError("one"))
    second = bugs.show_bug(RuntimeError("two"))
    assert first is not None and second is first
    assert sum(1 for w in QApplication.topLevelWidgets() if w.objectName() == bugs.BUG_BOX_NAME and w.isVisible()) == 1


def test_a_failing_background_task_is_logged_and_the_page_names_the_log(
        qtbot, monkeypatch: pytest.MonkeyPatch, ui_context_for: Callable[[str], UiContext], log_path: Path) -> None:
    def load_home_with_a_bug(session: object) -> None:
        raise KeyError(f"household {ID_NUMBER}")

    monkeypatch.setattr(home_page, "load_home", load_home_with_a_bug)
    page = HomePage(ui_context_for("clerk"))
    qtbot.addWidget(page)
    page.on_shown()
    qtbot.waitUntil(lambda: "程序内部错误" in page.title.text(), timeout=10_000)

    assert str(log_path) in page.title.text()
    written = _log_text(log_path)
    assert "load_home_with_a_bug" in written and "KeyError" in written and "bug reached the window" in written
    assert ID_NUMBER not in written


def test_a_known_error_is_shown_as_is_and_not_logged(
        qtbot, monkeypatch: pytest.MonkeyPatch, ui_context_for: Callable[[str], UiContext], log_path: Path) -> None:
    from desktop.services.errors import NotFound

    def load_home_refused(session: object) -> None:
        raise NotFound("找不到本乡镇的设置，请联系县级信息管理员。")

    monkeypatch.setattr(home_page, "load_home", load_home_refused)
    page = HomePage(ui_context_for("clerk"))
    qtbot.addWidget(page)
    page.on_shown()
    qtbot.waitUntil(lambda: page.title.text() == "找不到本乡镇的设置，请联系县级信息管理员。", timeout=10_000)
    assert "load_home_refused" not in (_log_text(log_path) if log_path.exists() else "")


def test_settings_name_the_log_and_open_its_folder(
        qtbot, monkeypatch: pytest.MonkeyPatch, ui_context_for: Callable[[str], UiContext], log_path: Path) -> None:
    from desktop.ui import settings_page
    from desktop.ui.settings_page import SettingsPage

    opened: list[str] = []
    monkeypatch.setattr(settings_page.QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    page = SettingsPage(ui_context_for("clerk"))
    qtbot.addWidget(page)
    assert page.log_path.text() == str(log_path) and page.open_log_button.isEnabled()
    page.open_log_button.click()
    assert opened == [str(log_path.parent)]


def test_without_a_log_file_the_settings_say_so(qtbot, ui_context_for: Callable[[str], UiContext]) -> None:
    from desktop.ui.settings_page import SettingsPage

    logs.close_logging()
    page = SettingsPage(ui_context_for("clerk"))
    qtbot.addWidget(page)
    assert page.log_path.text() == "本次运行未写日志文件。" and not page.open_log_button.isEnabled()
    assert not page.open_log_folder()
