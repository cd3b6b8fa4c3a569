"""The application shell on a real encrypted database: login, sections per role, idle lock, settings."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy import select

from desktop.services.session import AppSession
from desktop.store import outbox
from desktop.store.models import AuditEvent
from desktop.ui.app import Shell
from desktop.ui.context import SETTING_IDLE_LOCK_MINUTES, SETTING_LARGE_TYPE, pc_settings, setting_bool
from desktop.ui.login import LoginWindow
from desktop.ui.main_window import MainWindow
from desktop.ui.typography import LARGE_POINT_SIZE, NORMAL_POINT_SIZE

CLERK, CLERK_PW = "clerk1", "clerk-pass-2026"


def _db_fingerprint(data_dir: Path) -> dict[str, str]:
    """Hashes of the database file and its WAL: a wrong password must leave them as they were."""
    out = {}
    for name in ("yimen.db", "yimen.db-wal"):
        path = data_dir / name
        if path.exists():
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _actions(admin_session: AppSession) -> list[str]:
    with admin_session.db.read() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def _login(qtbot, login: LoginWindow, user: str, password: str) -> None:  # type: ignore[no-untyped-def]
    login.username.clear()
    qtbot.keyClicks(login.username, user)
    qtbot.keyClick(login.username, Qt.Key.Key_Return)     # Enter in the user name moves to the password
    assert login.password.hasFocus() or not login.isActiveWindow()
    login.password.clear()
    qtbot.keyClicks(login.password, password)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)


# ----- login -------------------------------------------------------------------------------------
def test_wrong_password_shows_message_and_changes_nothing(qtbot, data_dir, admin_session, test_users, tasks):
    before_db, before_audit = _db_fingerprint(data_dir), _actions(admin_session)
    login = LoginWindow(data_dir, tasks)
    qtbot.addWidget(login)
    login.show()
    signed = []
    login.signed_in.connect(lambda s, i: signed.append(s))
    _login(qtbot, login, CLERK, "not-the-password-1")
    assert login.is_busy()
    qtbot.waitUntil(lambda: not login.is_busy() and login.error.isVisible(), timeout=10_000)
    assert "用户名或密码错误" in login.error.text()
    assert "将锁定" in login.error.text() and "再错" not in login.error.text()
    assert login.password.text() == ""
    assert not signed
    assert _db_fingerprint(data_dir) == before_db
    assert _actions(admin_session) == before_audit


def test_locked_account_and_missing_database_messages(qtbot, data_dir, admin_session, test_users, tasks, tmp_path):
    from desktop.store.keyslots import LockoutPolicy

    login = LoginWindow(data_dir, tasks, lockout=LockoutPolicy(max_failures=1, lock_minutes=15))
    qtbot.addWidget(login)
    login.show()
    _login(qtbot, login, CLERK, "wrong-password-9")
    qtbot.waitUntil(lambda: not login.is_busy() and login.error.isVisible(), timeout=10_000)
    assert "锁定" in login.error.text()
    _login(qtbot, login, CLERK, CLERK_PW)   # even the right password waits for the lock to end
    qtbot.waitUntil(lambda: not login.is_busy() and login.error.isVisible(), timeout=10_000)
    assert "已锁定" in login.error.text() and CLERK not in login.error.text()

    missing = LoginWindow(tmp_path / "nowhere", tasks)
    qtbot.addWidget(missing)
    assert "找不到数据库" in missing.error.text() and "yimen restore" in missing.error.text()


def test_damaged_database_names_the_way_out(qtbot, data_dir, admin_session, test_users, tasks):
    admin_session.close()
    db = data_dir / "yimen.db"
    raw = bytearray(db.read_bytes())
    raw[:4096] = bytes(4096)       # the first page (salt and header) destroyed
    db.write_bytes(bytes(raw))
    for suffix in ("-wal", "-shm"):
        (data_dir / f"yimen.db{suffix}").unlink(missing_ok=True)
    login = LoginWindow(data_dir, tasks)
    qtbot.addWidget(login)
    login.show()
    _login(qtbot, login, CLERK, CLERK_PW)
    qtbot.waitUntil(lambda: not login.is_busy() and login.error.isVisible(), timeout=10_000)
    assert "无法打开" in login.error.text()
    assert "yimen restore 从备份恢复" in login.error.text()


def test_login_opens_main_window_and_switch_user_returns(qtbot, data_dir, admin_session, test_users, tasks):
    shell = Shell(data_dir, tasks)
    shell.start()
    login = shell.login
    assert login is not None
    qtbot.addWidget(login)
    _login(qtbot, login, CLERK, CLERK_PW)
    qtbot.waitUntil(lambda: shell.main is not None, timeout=10_000)
    main = shell.main
    assert main is not None
    qtbot.addWidget(main)
    assert main.windowTitle() == "一门受理 — 测试镇 测试窗口"
    assert main.user_label.text() == "当前用户：王晓燕（经办人）"
    assert main.section_ids() == ["home", "intake", "cases", "referrals", "notices", "sync", "reports",
                                  "settings"]
    qtbot.waitUntil(lambda: main.status is not None)
    assert main.waiting_label.text() == "待同步：0 项"
    assert main.sync_label.text() == "上次同步：从未同步"
    main.switch_user()
    assert shell.main is None and shell.login is not None and shell.login.isVisible()
    qtbot.addWidget(shell.login)
    tasks.wait()
    qtbot.waitUntil(lambda: "logout" in _actions(admin_session))
    assert _actions(admin_session)[-2:] == ["login", "logout"]


# ----- sections by role --------------------------------------------------------------------------
def test_village_assistant_sees_only_intake(qtbot, main_window_for):
    main = main_window_for("village_assistant")
    assert main.section_ids() == ["intake"]
    assert main.current_section_id() == "intake"
    assert not main.nav.isVisible()
    assert not main.show_section("cases")
    assert main.page("cases") is None
    goto = [a.text() for a in main.menuBar().actions()[1].menu().actions()]
    assert goto == ["受理"]


def test_auditor_sees_no_case_pages(qtbot, main_window_for):
    main = main_window_for("auditor")
    assert main.section_ids() == ["home", "audit"]
    assert not main.show_section("cases") and not main.show_section("intake")
    assert main.show_section("audit")
    page = main.page("audit")
    assert page.objectName() == "audit_page"
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)


def test_sync_section_shows_the_queue_in_plain_words_and_keys_switch(qtbot, main_window_for):
    main = main_window_for("clerk")
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main)
    qtbot.keyClick(main, Qt.Key.Key_6, Qt.KeyboardModifier.AltModifier)
    assert main.current_section_id() == "sync"
    page = main.page("sync")
    assert page.objectName() == "sync_page"
    label = type(main.user_label)
    qtbot.waitUntil(lambda: page.summary is not None, timeout=10_000)
    qtbot.waitUntil(lambda: "尚未在县级平台注册" in page.state.text(), timeout=10_000)
    qtbot.waitUntil(lambda: page.enroll.status is not None, timeout=10_000)
    words = " ".join(page.findChild(label, n).text()
                     for n in ("sync_state", "sync_last_run", "sync_text", "sync_queue", "sync_enroll_info"))
    assert "不会丢失" in words and "报送成功前一直保留" in words and "本机尚未注册，请县级信息管理员" in words
    assert not page.enroll.form_box.isVisible()                   # the form is the administrator's
    assert "步" not in words.replace("同步", "")                  # no development steps ("第8步") for a clerk
    with main.ctx.session.db.read() as s:
        waiting = outbox.waiting_count(s)
    assert f"待同步：{waiting} 项" in page.queue.text()
    if waiting:
        assert "最早的一项记于" in page.queue.text()
        kinds = [page.kinds.item(r, 0).text() for r in range(page.kinds.rowCount())]
        assert sum(int(page.kinds.item(r, 1).text()) for r in range(page.kinds.rowCount())) == waiting
        assert all(k and not k.isascii() for k in kinds)              # plain Chinese words, not event codes
    assert not page.sync_button.isEnabled()          # nothing to press until this PC is enrolled
    qtbot.keyClick(main, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert main.current_section_id() == "notices"
    qtbot.keyClick(main, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert main.current_section_id() == "home"
    home = main.page("home")
    qtbot.waitUntil(lambda: home.data is not None)
    assert home.title.text() == "测试窗口"


# ----- idle lock ----------------------------------------------------------------------------------
def _wait_tasks_idle(qtbot, main: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: main.ctx.tasks.pending() == 0, timeout=10_000)


def test_idle_lock_wrong_then_right_password_returns_to_same_page(qtbot, main_window_for, admin_session, data_dir):
    main = main_window_for("clerk")
    assert main.show_section("settings")
    page = main.page("settings")
    page.idle.setFocus()
    main.lock.set_timeout_ms(50)
    qtbot.waitUntil(main.lock.is_locked, timeout=5_000)
    screen = main.lock.screen
    assert screen.isVisible() and screen.isFullScreen()
    assert "请输入 王晓燕 的密码解锁" in screen.prompt.text()
    assert main.body.currentWidget() is main.cover            # nothing of the work shows through
    _wait_tasks_idle(qtbot, main)
    qtbot.waitUntil(lambda: "screen_locked" in _actions(admin_session))
    before_db = _db_fingerprint(data_dir)

    qtbot.keyClicks(screen.password, "wrong-password-1")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.error.isVisible(), timeout=10_000)
    assert "将锁定" in screen.error.text()
    assert main.lock.is_locked()
    _wait_tasks_idle(qtbot, main)
    assert _db_fingerprint(data_dir) == before_db

    main.lock.set_timeout_ms(0)
    qtbot.keyClicks(screen.password, CLERK_PW)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not main.lock.is_locked(), timeout=10_000)
    assert not screen.isVisible()
    assert main.current_section_id() == "settings"
    assert main.page("settings") is page                      # the same page object, not rebuilt
    assert main.body.currentIndex() == 0
    assert QApplication.focusWidget() is page.idle or not main.isActiveWindow()
    _wait_tasks_idle(qtbot, main)
    actions = _actions(admin_session)
    assert actions[-2:] == ["failed_logins", "screen_unlocked"]


def test_ctrl_l_locks_and_switch_user_signs_out(qtbot, main_window_for, admin_session):
    main = main_window_for("supervisor")
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main)
    ended = []
    main.signed_out.connect(lambda: ended.append(True))
    qtbot.keyClick(main, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert main.lock.is_locked()
    assert not main.show_section("cases")                      # no navigation behind the lock
    qtbot.mouseClick(main.lock.screen.switch_button, Qt.MouseButton.LeftButton)
    assert ended == [True]
    _wait_tasks_idle(qtbot, main)
    assert _actions(admin_session)[-2:] == ["screen_locked", "logout"]


def test_input_restarts_the_idle_timer(qtbot, main_window_for):
    main = main_window_for("clerk")
    main.lock.set_timeout_ms(10_000)
    qtbot.wait(3_000)
    before = main.lock._timer.remainingTime()
    assert before < 9_000                           # the timer runs (Qt's coarse timers are ±5 %)
    qtbot.keyClick(main.nav, Qt.Key.Key_Down)
    # restarted: back near the full 10 s — compared with the time left before, with a wide margin,
    # so neither a loaded machine nor a coarse timer can fail it
    assert main.lock._timer.remainingTime() > before + 1_500
    main.ctx.settings.setValue(SETTING_IDLE_LOCK_MINUTES, 0)
    main.ctx.events.setting_changed.emit(SETTING_IDLE_LOCK_MINUTES)
    assert main.lock.timeout_ms() == 0 and not main.lock._timer.isActive()


def test_locked_window_cannot_be_closed_and_dialogs_stay(qtbot, main_window_for):
    from PySide6.QtWidgets import QDialog

    main = main_window_for("clerk")
    dialog = QDialog(main)
    dialog.setObjectName("colleague_dialog")
    dialog.open()
    main.lock.lock("manual")
    assert main.lock.screen.isVisible() and dialog.isVisible()
    assert not main.close()
    assert main.isVisible()
    main.lock._unlocked()            # as after a right password (tested above)
    assert dialog.isVisible() and not main.lock.screen.isVisible()
    dialog.reject()


def test_busy_indicator_shows_during_slow_work(qtbot, main_window_for):
    import threading

    main = main_window_for("clerk")
    release = threading.Event()
    main.ctx.tasks.run(release.wait, 10)
    qtbot.waitUntil(main.busy_label.isVisible, timeout=5_000)
    release.set()
    qtbot.waitUntil(lambda: not main.busy_label.isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: main.ctx.tasks.pending() == 0)


# ----- settings -----------------------------------------------------------------------------------
def test_large_type_toggles_app_font_size(qtbot, main_window_for):
    main = main_window_for("clerk")
    main.show_section("settings")
    page = main.page("settings")
    assert QApplication.font().pointSize() == NORMAL_POINT_SIZE
    qtbot.keyClick(page.large_type, Qt.Key.Key_Space)
    assert QApplication.font().pointSize() == LARGE_POINT_SIZE
    assert setting_bool(pc_settings(), SETTING_LARGE_TYPE)
    assert main.large_type_action.isChecked()
    main.large_type_action.trigger()                          # the menu turns it off again
    assert QApplication.font().pointSize() == NORMAL_POINT_SIZE
    assert not page.large_type.isChecked()
    assert not setting_bool(pc_settings(), SETTING_LARGE_TYPE)


def test_admin_sees_about_and_backs_up(qtbot, main_window_for, data_dir):
    main = main_window_for("admin")
    assert "intake" not in main.section_ids() and "settings" in main.section_ids()
    main.show_section("settings")
    page = main.page("settings")
    qtbot.waitUntil(lambda: page.about_fields["device"].text() == "007", timeout=10_000)
    assert page.about_fields["backups"].text().startswith("0 份")
    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "备份完成并已校验" in page.backup_result.text(), timeout=30_000)
    qtbot.waitUntil(lambda: page.about_fields["backups"].text().startswith("1 份"), timeout=10_000)
    assert any(p.is_dir() and not p.name.startswith(".") for p in (data_dir / "backups").iterdir())


def test_clerk_settings_have_no_about_block(qtbot, main_window_for):
    main = main_window_for("clerk")
    main.show_section("settings")
    page = main.page("settings")
    assert page.about_box is None
    assert page.findChild(QLineEdit) is not None or page.idle is not None


def test_unknown_name_and_wrong_password_look_the_same(qtbot, data_dir, admin_session, test_users, tasks):
    """Same message, same focus, same cleared field: the window does not tell which names exist."""
    seen = []
    for name in (CLERK, "no-such-clerk"):
        login = LoginWindow(data_dir, tasks)
        qtbot.addWidget(login)
        login.show()
        _login(qtbot, login, name, "not-the-password-1")
        qtbot.waitUntil(lambda login=login: not login.is_busy() and login.error.isVisible(), timeout=10_000)
        seen.append((login.error.text(), login.password.hasFocus() or login.focusWidget() is login.password,
                     login.password.text(), login.username.text() == name))
    assert seen[0] == seen[1]
    assert seen[0][1] and seen[0][2] == ""


def test_home_figures_follow_data_changes_like_the_status_bar(qtbot, main_window_for):
    """At first sign-in the notices that ended queued their moves after the home page had read its
    figures: 待同步 267 on the card, 280 in the status bar. Both now follow ``data_changed``."""
    from factories import complete_application

    from desktop.services.admin.appinfo import outbox_waiting
    from desktop.services.intake.accept import submit_application

    main = main_window_for("clerk")
    home = main.page("home")
    qtbot.waitUntil(lambda: home.data is not None and home.figures["waiting"].value.text() != "—", timeout=10_000)
    session = main.ctx.session
    before = outbox_waiting(session)
    submit_application(session, complete_application(session), "accept")
    after = outbox_waiting(session)
    assert after > before
    main.ctx.events.data_changed.emit()          # what a page does after changing data
    qtbot.waitUntil(lambda: home.figures["waiting"].value.text() == f"{after:,}", timeout=10_000)
    qtbot.waitUntil(lambda: main.waiting_label.text() == f"待同步：{after} 项", timeout=10_000)
