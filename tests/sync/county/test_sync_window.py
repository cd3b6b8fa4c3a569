"""The window's sync against the real hub (uvicorn over HTTPS on PostgreSQL): 立即同步 empties the
queue on the sync runner's own thread with the progress shown, the status bar names the link, a record
the hub refuses is listed under 需处理 with the hub's reason and 重试 puts it back in the queue, and a
hub that cannot be reached is said in Chinese while the window goes on working."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FAST_KDF
from factories import complete_application
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from county.test_hub import TOWN, _devices
from desktop.domain.roles import Role
from desktop.services.admin import accounts, appinfo
from desktop.services.intake.accept import submit_application
from desktop.services.sync import settings
from desktop.services.sync.enrollment import enroll
from desktop.store.models import AuditEvent, Device, OutboxItem
from desktop.ui.app import install_fonts, install_translators
from desktop.ui.context import UiContext, pc_settings
from desktop.ui.main_window import MainWindow
from desktop.ui.tasks import TaskRunner
from desktop.ui.typography import NORMAL_POINT_SIZE
from sync.client import HubClient
from sync.trust import ca_fingerprint


@pytest.fixture
def session_for(admin_session, data_dir):  # type: ignore[no-untyped-def]
    accounts.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    opened = []

    def open_session(role: str):  # type: ignore[no-untyped-def]
        if role == "admin":
            return admin_session
        opened.append(accounts.sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF))
        return opened[-1]

    yield open_session
    for session in opened:
        session.close()


@pytest.fixture
def main_window_for(qtbot, qapp, session_for):  # type: ignore[no-untyped-def]
    """The real main window, shown at 1366×768, with the task runner and the sync runner of its own."""
    install_translators(qapp)
    install_fonts(qapp, NORMAL_POINT_SIZE)
    tasks = TaskRunner()
    windows = []

    def make(role: str) -> MainWindow:
        ctx = UiContext(session_for(role), tasks, pc_settings())
        win = MainWindow(ctx, appinfo.installation(ctx.session))
        qtbot.addWidget(win)
        win.resize(1366, 768)
        win.show()
        qtbot.waitUntil(lambda: win.status is not None)
        windows.append(win)
        return win

    yield make
    for win in windows:
        win.sync_runner.stop()
    tasks.wait()


def _connect(url: str, ca: Path, pin: str) -> HubClient:
    return HubClient(url, ca, client_version="0.1.0", pin_sha256=pin, sleep=lambda _s: None)


def _enroll(hub, admin) -> None:  # type: ignore[no-untyped-def]
    code = f"{next(_devices):03d}"
    with admin.db.write() as s:
        s.get(Device, 1).device_code = code
    pem = Path(hub.ca).read_bytes()
    enroll(admin, _connect, f"https://127.0.0.1:{hub.port}", pem, ca_fingerprint(pem), hub.code(TOWN, code))


def _shot(main: MainWindow, name: str) -> None:
    """With YIMEN_SHOTS=1, the window as the test left it goes to docs/screenshots (to be looked at)."""
    if os.environ.get("YIMEN_SHOTS") == "1":
        main.grab().save(str(Path(__file__).resolve().parents[3] / "docs" / "screenshots" / f"{name}.png"))


def _states(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with session.db.read() as s:
        return dict(s.execute(select(OutboxItem.state, func.count()).where(OutboxItem.origin == "township")
                              .group_by(OutboxItem.state)).all())


def _open_sync(qtbot, main):  # type: ignore[no-untyped-def]
    main.show_section("sync")
    page = main.page("sync")
    qtbot.waitUntil(lambda: page.summary is not None, timeout=10_000)
    return page


def test_sync_now_empties_the_queue_and_refused_records_wait_under_attention(qtbot, hub, session_for,
                                                                            main_window_for):
    _enroll(hub, session_for("admin"))
    clerk_db = session_for("clerk")
    for _ in range(3):
        submit_application(clerk_db, complete_application(clerk_db), "accept")
    with clerk_db.db.write() as s:          # one row the hub cannot read (as a bug would leave one)
        bad = s.scalars(select(OutboxItem).order_by(OutboxItem.seq.desc())).first()
        bad.payload = {"nonsense": True}
        bad_seq = bad.seq
    assert _states(clerk_db).get("pending", 0) > 3
    main = main_window_for("clerk")
    runner = main.sync_runner
    qtbot.waitUntil(lambda: not runner.running, timeout=60_000)   # the start-up run may be under way
    page = _open_sync(qtbot, main)
    qtbot.waitUntil(lambda: runner.last is not None, timeout=60_000)
    if _states(clerk_db).get("pending", 0):
        seen: list[tuple[int, int]] = []
        runner.progress.connect(lambda d, t, _w: seen.append((d, t)))
        qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not runner.running, timeout=60_000)
    assert runner.last.ok, runner.last.message
    states = _states(clerk_db)
    assert states.get("pending", 0) == 0 and states.get("attention") == 1 and states["acked"] > 3
    qtbot.waitUntil(lambda: page.attention.rowCount() == 1, timeout=10_000)
    assert page.attention.item(0, 0).text() == str(bad_seq)
    assert page.attention.item(0, 1).text() == "本机报送被退回"
    reason = page.attention.item(0, 4).text()
    assert reason and not reason.isascii()                         # the hub's reason, in Chinese
    assert page.state.text() == "已连接县级平台。" and "需处理" in page.last_run.text()
    assert main.link_label.text() == "县级平台：已连接"
    assert page.retry_button.isVisible() and page.retry_button.isEnabled() and not page.ack_button.isEnabled()
    # 重试: back in the queue (audited), sent again with the next run, refused again, never silently
    qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _states(clerk_db).get("pending", 0) == 1, timeout=10_000)
    with clerk_db.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "sync_retry")) == 1
    qtbot.waitUntil(lambda: "已放回待同步队列" in page.progress_text.text(), timeout=10_000)
    qtbot.keyClick(page.sync_button, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: runner.running or _states(clerk_db).get("pending", 0) == 0, timeout=10_000)
    qtbot.waitUntil(lambda: not runner.running, timeout=60_000)
    assert _states(clerk_db).get("attention") == 1 and _states(clerk_db).get("pending", 0) == 0


def test_a_hub_that_cannot_be_reached_is_said_in_chinese_and_the_window_works_on(qtbot, hub, session_for,
                                                                                main_window_for):
    admin = session_for("admin")
    _enroll(hub, admin)
    with admin.db.write() as s:             # the county's address now points where nothing listens
        settings.put(s, settings.HUB_URL, "https://127.0.0.1:9")
    main = main_window_for("clerk")
    runner = main.sync_runner
    page = _open_sync(qtbot, main)
    qtbot.waitUntil(lambda: not runner.running and page.sync_button.isEnabled(), timeout=60_000)
    assert runner.run_now()
    qtbot.waitUntil(lambda: not runner.running, timeout=120_000)
    assert runner.last is not None and runner.last.link == "down"
    assert "无法连接" in runner.last.message
    assert page.state.text() == "现在无法连接县级平台。" and main.link_label.text() == "县级平台：无法连接"
    _shot(main, "sync-unreachable")
    main.show_section("cases")                 # the window goes on working
    assert main.current_section_id() == "cases"
