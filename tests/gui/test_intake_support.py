"""Keyboard helpers shared by the intake wizard tests (no tests here).

Only key events reach the wizard: ASCII through ``qtbot.keyClicks``;
Chinese the way an input method delivers it — a committed
``QInputMethodEvent`` to the focused widget (``QTest`` cannot type CJK).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pypdf
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from sqlalchemy import func, select

from desktop.services.session import AppSession
from desktop.store.models import Case, Household, Person
from desktop.ui.context import UiContext
from desktop.ui.intake.page import IntakePage
from forms.idnumber import check_char

TIMEOUT = 15_000


def make_id(first17: str) -> str:
    return first17 + check_char(first17)


HEAD_ID = make_id("62010219700101003")      # male
WIFE_ID = make_id("62010219720202004")      # female


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def key(qtbot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(focused(), k, modifier)


def type_text(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the focused widget: ASCII as key presses, Chinese as an input-method commit."""
    for chunk in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if chunk.isascii():
            qtbot.keyClicks(focused(), chunk)
        else:
            event = QInputMethodEvent()
            event.setCommitString(chunk)
            QApplication.sendEvent(focused(), event)


def tab_to(qtbot, target: QWidget, limit: int = 80, backwards: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Press Tab (or Shift+Tab) until ``target`` has the focus — it must be reachable by keyboard."""
    for _ in range(limit):
        if target.hasFocus():
            return
        if backwards:
            key(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        else:
            key(qtbot, Qt.Key.Key_Tab)
    assert target.hasFocus(), f"{target.objectName() or type(target).__name__} cannot be reached with Tab"


def pick(qtbot, combo: QComboBox, text: str) -> None:  # type: ignore[no-untyped-def]
    """With the combo focused, press ↓/↑ until its text contains ``text`` (no popup, no mouse)."""
    assert combo.hasFocus()
    for _ in range(combo.count()):
        if text in combo.currentText():
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    for _ in range(combo.count()):
        if text in combo.currentText():
            return
        qtbot.keyClick(combo, Qt.Key.Key_Up)
    assert text in combo.currentText(), combo.currentText()


def open_page(qtbot, ctx: UiContext) -> IntakePage:  # type: ignore[no-untyped-def]
    page = IntakePage(ctx)
    qtbot.addWidget(page)
    page.resize(1216, 700)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=TIMEOUT)
    page.on_shown()     # what the shell calls when the section is shown
    qtbot.waitUntil(lambda: page.villages is not None, timeout=TIMEOUT)
    assert page.search.box.hasFocus()
    return page


def counts(session: AppSession) -> tuple[int, int, int]:
    with session.db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0  # type: ignore[return-value]
                     for m in (Case, Person, Household))


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def search_and_start_new(qtbot, page: IntakePage, query: str) -> None:  # type: ignore[no-untyped-def]
    """Step 1 by keyboard: type the query, wait for the results, Tab to 新建家庭 and press Space."""
    type_text(qtbot, query)
    qtbot.waitUntil(page.search.create.isEnabled, timeout=TIMEOUT)
    tab_to(qtbot, page.search.create)
    key(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.current() == 1, timeout=TIMEOUT)


def fill_two_members(qtbot, page: IntakePage, head_name: str = "张三明", head_income: str = "300.50") -> None:  # type: ignore[no-untyped-def]
    """Step 2 by keyboard: village, address, the head (ID carried from the search) and a spouse."""
    hh = page.household
    assert hh.village.hasFocus()
    pick(qtbot, hh.village, "东坪村")
    tab_to(qtbot, hh.address)
    type_text(qtbot, "东坪村三组12号")
    tab_to(qtbot, hh.editor.name)
    type_text(qtbot, head_name)
    tab_to(qtbot, hh.editor.income)
    type_text(qtbot, head_income)
    tab_to(qtbot, hh.add_button, backwards=True)
    key(qtbot, Qt.Key.Key_Space)
    assert hh.editor.name.hasFocus() and len(hh.members) == 2
    type_text(qtbot, "李桂兰")
    key(qtbot, Qt.Key.Key_Tab)
    pick(qtbot, hh.editor.relation, "配偶")
    key(qtbot, Qt.Key.Key_Tab)
    assert hh.editor.id_number.hasFocus()
    type_text(qtbot, WIFE_ID)


PHONE = "139 0000 0123"        # as a clerk types it (stored 13900000123)


def fill_phone(qtbot, page: IntakePage, phone: str = PHONE) -> None:  # type: ignore[no-untyped-def]
    """Step 3: Tab to the contact phone and type it."""
    tab_to(qtbot, page.request.phone)
    type_text(qtbot, phone)


def fill_request(qtbot, page: IntakePage, reason: str = "主要劳动力患病，收入低",  # type: ignore[no-untyped-def]
                 phone: str = PHONE) -> None:
    """Step 3 by keyboard: tick 最低生活保障, the reason, the phone, the declaration (applicant and channel
    as offered)."""
    req = page.request
    assert req.categories.hasFocus()
    key(qtbot, Qt.Key.Key_Space)                # the first category: 最低生活保障
    tab_to(qtbot, req.reason)
    type_text(qtbot, reason)
    if phone:
        fill_phone(qtbot, page, phone)
    tab_to(qtbot, req.no_relative)
    key(qtbot, Qt.Key.Key_Space)


def mark_documents(qtbot, page: IntakePage, missing: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Step 4 by keyboard: every row 已收到 (Space), the last ``missing`` rows 缺少 (→)."""
    rows = page.documents.rows
    assert rows and focused() is rows[0].buttons["received"]
    for i, row in enumerate(rows):
        assert focused() is row.buttons["received"]
        key(qtbot, Qt.Key.Key_Space)
        if i >= len(rows) - missing:
            key(qtbot, Qt.Key.Key_Right)
            assert row.buttons["missing"].isChecked()
        if i < len(rows) - 1:
            key(qtbot, Qt.Key.Key_Tab)


def wait_step(qtbot, page: IntakePage, index: int) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: page.current() == index, timeout=TIMEOUT)


def when(qtbot, condition: Callable[[], object]) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: bool(condition()), timeout=TIMEOUT)
