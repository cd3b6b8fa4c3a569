"""Alt+digit belongs to the window's sections; no page may claim it as a mnemonic.

On 转办与时限 the tabs were 到期提醒(&1) / 转办(&2) / 动态复核(&3): with the focus on the page, Alt+1/2/3
matched both the tab and the section action, Qt refused both ("Ambiguous shortcut overload") and the
clerk was stuck on the page.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTabWidget

UI = Path(__file__).resolve().parents[2] / "desktop" / "ui"
DIGIT_MNEMONIC = re.compile(r"&\d")


def _digit_mnemonics(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and DIGIT_MNEMONIC.search(node.value):
            found.append(node.value)
    return found


def test_no_widget_text_claims_alt_digit():
    offenders = {str(p.relative_to(UI)): _digit_mnemonics(p.read_text("utf-8")) for p in UI.rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}
    assert _digit_mnemonics('self.tr("到期提醒(&1)")') == ["到期提醒(&1)"]   # the check itself works


def test_alt_digit_leaves_the_referrals_page_and_letters_pick_its_tabs(qtbot, main_window_for):
    main = main_window_for("clerk")
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main)
    assert main.show_section("referrals")
    tabs = main.page("referrals").findChild(QTabWidget, "referrals_tabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["到期提醒(&D)", "转办(&Z)", "动态复核(&F)"]
    tabs.tabBar().setFocus()
    qtbot.keyClick(main, Qt.Key.Key_Z, Qt.KeyboardModifier.AltModifier)
    assert tabs.currentIndex() == 1
    qtbot.keyClick(main, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    assert tabs.currentIndex() == 2
    for key, section in ((Qt.Key.Key_2, "intake"), (Qt.Key.Key_4, "referrals"), (Qt.Key.Key_1, "home")):
        tabs.tabBar().setFocus()
        qtbot.keyClick(QApplication.focusWidget() or main, key, Qt.KeyboardModifier.AltModifier)
        assert main.current_section_id() == section
