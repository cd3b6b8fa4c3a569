"""设置 → 用户管理 and 修改密码 through the real widgets, on a real encrypted database.

What is checked is what the people at the window rely on: a user the admin adds can sign in,
a refused form changes nothing and says why in Chinese, a reset or unlocked account opens again,
a clerk never sees the user list, and a changed password replaces the old one.
"""

from __future__ import annotations

import pytest
from conftest import FAST_KDF
from PySide6.QtCore import Qt

from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.store.errors import AccountLocked, WrongPassword
from desktop.ui.settings_page import SettingsPage
from desktop.ui.users import AddUserDialog, ChangePasswordDialog, ResetPasswordDialog, VillagesDialog

TIMEOUT = 15_000


@pytest.fixture
def admin_page(qtbot, ui_context_for):
    ctx = ui_context_for("admin")
    ctx.session.kdf = FAST_KDF          # new key slots with the cheap test Argon2
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    page.on_shown()
    panel = page.users_panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.loaded, timeout=TIMEOUT)
    return page


def _usernames(panel) -> list[str]:
    return [a.username for a in panel.accounts]


def _row_texts(panel, username: str) -> list[str]:
    row = _usernames(panel).index(username)
    return [panel.table.item(row, c).text() for c in range(panel.table.columnCount())]


def _submit_and_wait(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)


def _fill_add(dialog: AddUserDialog, username: str, name: str, role: str, password: str,
              repeat: str | None = None) -> None:
    dialog.username.setText(username)
    dialog.display_name.setText(name)
    dialog.role.setCurrentIndex(dialog.role.findData(role))
    dialog.password.setText(password)
    dialog.repeat_password.setText(password if repeat is None else repeat)


def _wait_refreshed(qtbot, panel, predicate) -> None:
    qtbot.waitUntil(lambda: predicate(panel), timeout=TIMEOUT)


def test_admin_adds_a_clerk_who_can_then_sign_in(qtbot, admin_page, data_dir):
    panel = admin_page.users_panel
    assert admin_page.tabs.tabText(1) == "用户管理"
    assert {"admin", "admin2", "clerk1"} <= set(_usernames(panel))
    assert _row_texts(panel, "clerk1")[2:5] == ["经办人", "", "正常"]
    panel.add_user()
    dialog = panel.dialog
    assert isinstance(dialog, AddUserDialog)
    assert [dialog.role.itemText(i) for i in range(dialog.role.count())] == \
        ["经办人", "审核人", "村协理员", "系统管理员", "审计员"]
    _fill_add(dialog, "zhangsan", "张三", "clerk", "zhang-pass-2026")
    _submit_and_wait(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    _wait_refreshed(qtbot, panel, lambda p: "zhangsan" in _usernames(p))
    assert _row_texts(panel, "zhangsan")[1:5] == ["张三", "经办人", "", "正常"]
    assert "已新增用户" in panel.message.text()
    session = sign_in(data_dir, "zhangsan", "zhang-pass-2026")
    try:
        assert session.user.role.value == "clerk" and session.user.display_name == "张三"
    finally:
        session.close()


@pytest.mark.parametrize(("username", "password", "repeat", "expected"), [
    ("zhangsan", "short1", None, "密码至少8位"),
    ("zhangsan", "onlyletters", None, "同时包含字母和数字"),
    ("clerk1", "zhang-pass-2026", None, "用户名“clerk1”已存在"),
    ("Zhang San", "zhang-pass-2026", None, "用户名应为"),
    ("zhangsan", "zhang-pass-2026", "zhang-pass-2027", "两次输入的新密码不一致"),
])
def test_bad_new_user_is_refused_in_chinese_and_nothing_is_added(qtbot, admin_page, data_dir, username,
                                                                   password, repeat, expected):
    panel = admin_page.users_panel
    before = _usernames(panel)
    slots_before = admin_page.ctx.session.db.keyslots.users
    panel.add_user()
    dialog = panel.dialog
    _fill_add(dialog, username, "张三", "clerk", password, repeat)
    _submit_and_wait(qtbot, dialog)
    assert expected in dialog.error.text()
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert admin_page.ctx.session.db.keyslots.users == slots_before
    assert [a.username for a in auth.list_accounts(admin_page.ctx.session)] == before
    dialog.reject()


def test_reset_password_then_sign_in_with_the_new_one(qtbot, admin_page, data_dir, test_users):
    panel = admin_page.users_panel
    panel.select("clerk1")
    assert panel.reset_button.isEnabled()
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, ResetPasswordDialog)
    dialog.password.setText("weak")
    dialog.repeat_password.setText("weak")
    _submit_and_wait(qtbot, dialog)
    assert "密码至少8位" in dialog.error.text()
    dialog.password.setText("fresh-pass-2026")
    dialog.repeat_password.setText("fresh-pass-2026")
    _submit_and_wait(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    _wait_refreshed(qtbot, panel, lambda p: "已重置" in p.message.text())
    with pytest.raises(WrongPassword):
        sign_in(data_dir, "clerk1", test_users["clerk1"][2])
    sign_in(data_dir, "clerk1", "fresh-pass-2026").close()


def test_unlock_after_lockout(qtbot, admin_page, data_dir, test_users):
    panel = admin_page.users_panel
    for _ in range(4):
        with pytest.raises(WrongPassword):
            sign_in(data_dir, "clerk1", "wrong-pass-1")
    with pytest.raises(AccountLocked):
        sign_in(data_dir, "clerk1", "wrong-pass-1")
    with pytest.raises(AccountLocked):
        sign_in(data_dir, "clerk1", test_users["clerk1"][2])
    admin_page.on_shown()
    _wait_refreshed(qtbot, panel, lambda p: _row_texts(p, "clerk1")[4].startswith("已锁定"))
    panel.select("clerk1")
    assert panel.unlock_button.isEnabled()
    qtbot.mouseClick(panel.unlock_button, Qt.MouseButton.LeftButton)
    _wait_refreshed(qtbot, panel, lambda p: _row_texts(p, "clerk1")[4] == "正常")
    assert "已解除" in panel.message.text()
    sign_in(data_dir, "clerk1", test_users["clerk1"][2]).close()


def test_remove_user_asks_first_and_refuses_yourself(qtbot, admin_page, data_dir, test_users):
    panel = admin_page.users_panel
    asked: list[str] = []
    panel.ask = lambda text: asked.append(text) or False     # 否: nothing happens
    panel.select("clerk1")
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert asked and "clerk1" in asked[0]
    admin_page.ctx.tasks.wait()
    assert "clerk1" in _usernames(panel)
    panel.ask = lambda text: True
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    _wait_refreshed(qtbot, panel, lambda p: "clerk1" not in _usernames(p))
    assert "已删除用户" in panel.message.text()
    with pytest.raises(Exception, match="用户名或密码错误"):
        sign_in(data_dir, "clerk1", test_users["clerk1"][2])
    me = admin_page.ctx.session.user.username
    panel.select(me)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    _wait_refreshed(qtbot, panel, lambda p: "不能停用当前登录的账户" in p.message.text())
    assert me in _usernames(panel)


def test_clerk_sees_no_user_management(qtbot, ui_context_for):
    page = SettingsPage(ui_context_for("clerk"))
    qtbot.addWidget(page)
    page.show()
    page.on_shown()
    assert page.users_panel is None and page.tabs is None
    assert page.change_password_button.isVisible()
    assert not any(w.text().startswith("用户管理") for w in page.findChildren(type(page.saved)))


@pytest.mark.parametrize("role", ["clerk", "admin"])
def test_change_own_password_and_the_old_one_stops_working(qtbot, ui_context_for, data_dir, test_users, role):
    ctx = ui_context_for(role)
    ctx.session.kdf = FAST_KDF
    username = ctx.session.user.username
    old = test_users[username][2]
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.change_password_button, Qt.MouseButton.LeftButton)
    dialog = page.password_dialog
    assert isinstance(dialog, ChangePasswordDialog)
    # wrong old password: refused, says that repeated failures lock the account
    dialog.old_password.setText("not-my-pass-1")
    dialog.new_password.setText("brand-new-2026")
    dialog.repeat_password.setText("brand-new-2026")
    _submit_and_wait(qtbot, dialog)
    assert "原密码不正确" in dialog.error.text() and "将锁定" in dialog.error.text()
    # repeat differs: caught by the form
    dialog.old_password.setText(old)
    dialog.repeat_password.setText("brand-new-2027")
    _submit_and_wait(qtbot, dialog)
    assert "不一致" in dialog.error.text()
    dialog.repeat_password.setText("brand-new-2026")
    _submit_and_wait(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert "密码已修改" in page.password_result.text()
    with pytest.raises(WrongPassword):
        sign_in(data_dir, username, old)
    sign_in(data_dir, username, "brand-new-2026").close()


def test_every_role_finds_change_password_in_the_system_menu(qtbot, main_window_for):
    win = main_window_for("village_assistant")     # sees only 受理, not 设置
    assert win.change_password_action.text() == "修改密码…"
    win.change_password_action.trigger()
    assert isinstance(win.password_dialog, ChangePasswordDialog)
    assert win.password_dialog.isVisible()
    win.password_dialog.reject()


def test_admin_gives_a_village_assistant_its_villages(qtbot, admin_page, data_dir):
    panel = admin_page.users_panel
    qtbot.waitUntil(lambda: panel.villages is not None, timeout=TIMEOUT)
    panel.add_user()
    dialog = panel.dialog
    assert isinstance(dialog, AddUserDialog)
    assert not dialog.villages.isVisibleTo(dialog)             # a clerk works for the whole township
    _fill_add(dialog, "cunxie", "马协理", "village_assistant", "cunxie-pass-2026")
    assert dialog.villages.isVisibleTo(dialog) and dialog.villages.count() == 2
    _submit_and_wait(qtbot, dialog)                             # none ticked: refused, nothing added
    assert "至少一个" in dialog.error.text() and dialog.isVisible()
    assert "cunxie" not in [a.username for a in auth.list_accounts(admin_page.ctx.session)]
    dialog.villages.set_codes(["620102101202"])
    _submit_and_wait(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    _wait_refreshed(qtbot, panel, lambda p: "cunxie" in _usernames(p))
    assert _row_texts(panel, "cunxie")[2:4] == ["村协理员", "西沟村"]
    panel.select("clerk1")
    assert not panel.villages_button.isEnabled()
    panel.select("cunxie")
    assert panel.villages_button.isEnabled()
    panel.edit_villages()
    edit = panel.dialog
    assert isinstance(edit, VillagesDialog) and edit.villages.codes() == ["620102101202"]
    edit.villages.set_codes(["620102101201", "620102101202"])
    _submit_and_wait(qtbot, edit)
    assert edit.result() == edit.DialogCode.Accepted
    _wait_refreshed(qtbot, panel, lambda p: _row_texts(p, "cunxie")[3] == "东坪村、西沟村")
    session = sign_in(data_dir, "cunxie", "cunxie-pass-2026")
    try:
        assert session.user.villages == ("620102101201", "620102101202")
    finally:
        session.close()
