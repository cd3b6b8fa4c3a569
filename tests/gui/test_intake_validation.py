"""Wrong input in each field of the intake wizard: the Chinese message appears next to it, nothing is saved.

Everything is typed with the keyboard (Chinese as input-method commits); the
number of cases, persons and households is compared before and after.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.services.errors import InvalidInput

from .test_intake_support import (
    HEAD_ID,
    WIFE_ID,
    counts,
    fill_request,
    fill_two_members,
    focused,
    key,
    make_id,
    mark_documents,
    open_page,
    pick,
    search_and_start_new,
    tab_to,
    type_text,
    wait_step,
    when,
)

SEARCH, HOUSEHOLD, REQUEST, DOCUMENTS, CONFIRM = range(5)
BAD_CHECKSUM = HEAD_ID[:17] + ("0" if HEAD_ID[17] != "0" else "1")
IMPOSSIBLE_BIRTH = make_id("62010219900230001")      # 30 February


@pytest.fixture
def clerk_page(qtbot, ui_context_for):  # type: ignore[no-untyped-def]
    ctx = ui_context_for("clerk")
    page = open_page(qtbot, ctx)
    return page, ctx.session


def _new_household_without_id(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    """Search by pinyin initials (nothing found, no ID carried), then 新建家庭."""
    search_and_start_new(qtbot, page, "zsm")
    assert page.household.members[0].id_number == ""
    hh = page.household
    pick(qtbot, hh.village, "东坪村")
    tab_to(qtbot, hh.address)
    type_text(qtbot, "东坪村三组12号")


def _member(qtbot, page, *, name: str | None = "张三明", id_number: str | None = HEAD_ID,  # type: ignore[no-untyped-def]
            income: str | None = None, grade: str | None = None, relation: str | None = None) -> None:
    ed = page.household.editor
    if name is not None:
        tab_to(qtbot, ed.name)
        type_text(qtbot, name)
    if relation is not None:
        tab_to(qtbot, ed.relation)
        pick(qtbot, ed.relation, relation)
    if id_number is not None:
        tab_to(qtbot, ed.id_number)
        type_text(qtbot, id_number)
    if grade is not None:
        tab_to(qtbot, ed.grade)
        pick(qtbot, ed.grade, grade)
    if income is not None:
        tab_to(qtbot, ed.income)
        type_text(qtbot, income)


def _refused(qtbot, page, step: int) -> None:  # type: ignore[no-untyped-def]
    key(qtbot, Qt.Key.Key_Return)          # 下一步
    qtbot.wait(50)
    assert page.current() == step


def _shows(label, text: str) -> None:  # type: ignore[no-untyped-def]
    assert label.isVisible() and text in label.text(), (label.objectName(), label.text())


# ----- step 2: household and members -------------------------------------------------------------

MEMBER_CASES = {
    "bad_checksum": (dict(id_number=BAD_CHECKSUM), "id_number", "校验位不正确"),
    "impossible_birth_date": (dict(id_number=IMPOSSIBLE_BIRTH), "id_number", "出生日期不存在"),
    "empty_name": (dict(name=None), "name", "姓名不能为空"),
    "name_with_digits": (dict(name="张3明"), "name", "姓名中不能含有数字"),
    "negative_income": (dict(income="-5"), "monthly_income_cents", "月收入不能为负数"),
    "non_numeric_income": (dict(income="abc"), "monthly_income_cents", "月收入请填写数字"),
    "too_many_decimals": (dict(income="12.345"), "monthly_income_cents", "最多保留两位小数"),
    "grade_without_category": (dict(grade="二级"), "disability_category", "请同时填写残疾类别"),
}


@pytest.mark.parametrize("case", list(MEMBER_CASES))
def test_member_field_errors(qtbot, clerk_page, case):
    page, session = clerk_page
    before = counts(session)
    _new_household_without_id(qtbot, page)
    kwargs, field, message = MEMBER_CASES[case]
    _member(qtbot, page, **kwargs)
    _refused(qtbot, page, HOUSEHOLD)
    _shows(page.household.editor.errors[field], message)
    _shows(page.household.summary, message)
    assert page.household.table.item(0, 4).text() == "需修改"
    assert counts(session) == before


def test_id_number_is_checked_while_typing(qtbot, clerk_page):
    page, _session = clerk_page
    _new_household_without_id(qtbot, page)
    _member(qtbot, page, id_number=HEAD_ID[:10])
    _shows(page.household.editor.id_info, "已输入10位")
    type_text(qtbot, HEAD_ID[10:])
    _shows(page.household.editor.id_info, "1970年1月1日生")
    assert "男" in page.household.editor.id_info.text()
    key(qtbot, Qt.Key.Key_Backspace)
    type_text(qtbot, BAD_CHECKSUM[-1])
    _shows(page.household.editor.id_info, "校验位不正确")


def test_village_and_address_required(qtbot, clerk_page):
    page, session = clerk_page
    before = counts(session)
    search_and_start_new(qtbot, page, HEAD_ID)
    _member(qtbot, page, id_number=None)
    _refused(qtbot, page, HOUSEHOLD)
    _shows(page.household.field_errors["division_code"], "请选择所在村（社区）")
    _shows(page.household.field_errors["address"], "请填写家庭住址")
    assert counts(session) == before


def test_duplicate_id_in_household(qtbot, clerk_page):
    page, session = clerk_page
    before = counts(session)
    _new_household_without_id(qtbot, page)
    _member(qtbot, page)
    tab_to(qtbot, page.household.add_button, backwards=True)
    key(qtbot, Qt.Key.Key_Space)
    _member(qtbot, page, name="张小明", relation="子", id_number=HEAD_ID)
    _refused(qtbot, page, HOUSEHOLD)
    _shows(page.household.summary, "身份证号码重复")
    _shows(page.household.editor.id_info, "身份证号码重复")
    assert counts(session) == before


def test_no_head_of_household(qtbot, clerk_page):
    page, session = clerk_page
    before = counts(session)
    _new_household_without_id(qtbot, page)
    _member(qtbot, page, name="李桂兰", id_number=WIFE_ID, relation="配偶")
    _refused(qtbot, page, HOUSEHOLD)
    _shows(page.household.member_error, "请登记户主")
    assert counts(session) == before


def test_rare_character_is_warned_at_intake(qtbot, clerk_page):
    page, _session = clerk_page
    _new_household_without_id(qtbot, page)
    _member(qtbot, page, name="张\u9fff明")        # a code point no bundled font draws
    key(qtbot, Qt.Key.Key_Tab)                     # leaving the name checks the print fonts
    when(qtbot, page.household.glyphs.isVisible)
    assert "U+9FFF" in page.household.glyphs.text()


# ----- step 3: the request -----------------------------------------------------------------------

def _to_request(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    search_and_start_new(qtbot, page, HEAD_ID)
    fill_two_members(qtbot, page)
    key(qtbot, Qt.Key.Key_Return)
    wait_step(qtbot, page, REQUEST)


def test_no_category(qtbot, clerk_page):
    page, session = clerk_page
    before = counts(session)
    _to_request(qtbot, page)
    tab_to(qtbot, page.request.reason)
    type_text(qtbot, "主要劳动力患病")
    tab_to(qtbot, page.request.no_relative)
    key(qtbot, Qt.Key.Key_Space)
    _refused(qtbot, page, REQUEST)
    _shows(page.request.errors["categories"], "请至少选择一个救助类别")
    assert page.request.categories.hasFocus()
    assert counts(session) == before


def test_empty_reason(qtbot, clerk_page):
    page, session = clerk_page
    before = counts(session)
    _to_request(qtbot, page)
    fill_request(qtbot, page, reason="   ")
    _refused(qtbot, page, REQUEST)
    _shows(page.request.errors["reason"], "请填写申请理由")
    assert counts(session) == before


def test_relative_declaration_must_be_asked(qtbot, clerk_page):
    page, session = clerk_page
    before = counts(session)
    _to_request(qtbot, page)
    key(qtbot, Qt.Key.Key_Space)
    tab_to(qtbot, page.request.reason)
    type_text(qtbot, "主要劳动力患病")
    key(qtbot, Qt.Key.Key_Tab)                     # Enter in the reason is a new line, not 下一步
    _refused(qtbot, page, REQUEST)
    _shows(page.request.errors["staff_relative"], "近亲属关系")
    assert counts(session) == before


def test_emergency_category_says_so(qtbot, clerk_page):
    page, _session = clerk_page
    _to_request(qtbot, page)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Down)                    # 临时救助（急难型）
    key(qtbot, Qt.Key.Key_Space)
    _shows(page.request.emergency_note, "紧急程序")


# ----- step 4 and 5 -------------------------------------------------------------------------------

def test_documents_not_all_marked(qtbot, clerk_page):
    page, session = clerk_page
    before = counts(session)
    _to_request(qtbot, page)
    fill_request(qtbot, page)
    key(qtbot, Qt.Key.Key_Return)
    wait_step(qtbot, page, DOCUMENTS)
    assert not any(row.mark() for row in page.documents.rows)          # nothing ticked in advance
    key(qtbot, Qt.Key.Key_Space)                                       # only the first row
    _refused(qtbot, page, DOCUMENTS)
    _shows(page.documents.summary, "没有标明是否收到")
    _shows(page.documents.rows[1].error, "请标明材料")
    assert not page.documents.rows[0].error.isVisible()
    assert focused() is page.documents.rows[1].buttons["received"]
    assert counts(session) == before


def test_refusal_needs_a_reason(qtbot, clerk_page):
    page, session = clerk_page
    before = counts(session)
    _to_request(qtbot, page)
    fill_request(qtbot, page)
    key(qtbot, Qt.Key.Key_Return)
    wait_step(qtbot, page, DOCUMENTS)
    mark_documents(qtbot, page)
    key(qtbot, Qt.Key.Key_Return)
    wait_step(qtbot, page, CONFIRM)
    tab_to(qtbot, page.confirm.refuse_button)
    key(qtbot, Qt.Key.Key_Space)
    when(qtbot, lambda: page.confirm.dialog is not None and page.confirm.dialog.reason.hasFocus())
    dialog = page.confirm.dialog
    key(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.confirm
    key(qtbot, Qt.Key.Key_Space)
    _shows(dialog.error, "请填写不予受理的理由")
    assert dialog.isVisible() and dialog.reason.hasFocus()
    key(qtbot, Qt.Key.Key_Escape)                                      # give up: back to the summary
    when(qtbot, lambda: not dialog.isVisible())
    assert page.current() == CONFIRM and counts(session) == before


def test_service_refusal_is_shown_on_its_step(qtbot, clerk_page):
    page, session = clerk_page
    before = counts(session)
    _to_request(qtbot, page)
    page.show_service_error(InvalidInput("该村（社区）不属于本乡镇。", "division_code"))
    assert page.current() == HOUSEHOLD
    _shows(page.household.field_errors["division_code"], "不属于本乡镇")
    page.show_service_error(InvalidInput("材料“户口簿”不在所申请类别的材料清单中。", "documents"))
    assert page.current() == DOCUMENTS
    _shows(page.documents.summary, "户口簿")
    assert counts(session) == before


# ----- leaving ------------------------------------------------------------------------------------

def test_escape_asks_before_discarding(qtbot, clerk_page):
    page, session = clerk_page
    before = counts(session)
    _new_household_without_id(qtbot, page)
    key(qtbot, Qt.Key.Key_Escape)
    when(qtbot, lambda: isinstance(QApplication.activeModalWidget(), QMessageBox))
    qtbot.keyClick(QApplication.activeModalWidget(), Qt.Key.Key_Escape)  # 继续录入
    when(qtbot, lambda: QApplication.activeModalWidget() is None)
    assert page.current() == HOUSEHOLD and page.household.address.text() == "东坪村三组12号"
    key(qtbot, Qt.Key.Key_Escape)
    when(qtbot, lambda: isinstance(QApplication.activeModalWidget(), QMessageBox))
    box = QApplication.activeModalWidget()
    discard = next(b for b in box.buttons() if b.text() == "放弃")
    assert box.defaultButton() is not discard                          # Enter would keep the work
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    for _ in range(4):
        if discard.hasFocus():
            break
        qtbot.keyClick(box, Qt.Key.Key_Tab)
    qtbot.keyClick(discard, Qt.Key.Key_Space)
    when(qtbot, lambda: page.current() == SEARCH)
    assert page.search.box.hasFocus() and page.household.address.text() == ""
    assert counts(session) == before
