"""A complete intake driven by the keyboard alone, on a real encrypted database — three outcomes.

search → 新建家庭 (the ID typed in the search is carried) → two members →
最低生活保障 → documents → accept / one-time notice / refusal; then the case
row, its outbox row, its audit events and the printed PDF are checked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from desktop.domain.case_state import CaseStatus
from desktop.services.documents.issue import DocumentKind
from desktop.store.models import AuditEvent, Case, CaseDocument, OutboxItem, Person

from .test_intake_support import (
    HEAD_ID,
    counts,
    fill_request,
    fill_two_members,
    focused,
    key,
    mark_documents,
    open_page,
    pdf_text,
    search_and_start_new,
    tab_to,
    type_text,
    wait_step,
    when,
)

SEARCH, HOUSEHOLD, REQUEST, DOCUMENTS, CONFIRM = range(5)


def _to_confirm(qtbot, page, missing: int = 0) -> None:  # type: ignore[no-untyped-def]
    search_and_start_new(qtbot, page, HEAD_ID)
    assert page.household.members[0].id_number == HEAD_ID     # carried from the search box
    fill_two_members(qtbot, page)
    key(qtbot, Qt.Key.Key_Return)                              # Enter = 下一步
    wait_step(qtbot, page, REQUEST)
    fill_request(qtbot, page)
    key(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)   # Alt+N = 下一步
    wait_step(qtbot, page, DOCUMENTS)
    mark_documents(qtbot, page, missing=missing)
    key(qtbot, Qt.Key.Key_Return)
    wait_step(qtbot, page, CONFIRM)


def _case(session, case_uuid):  # type: ignore[no-untyped-def]
    with session.db.read() as s:
        case = s.get(Case, case_uuid)
        outbox = s.scalars(select(OutboxItem).where(OutboxItem.entity_uuid == case_uuid)).all()
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == case_uuid)).all()
        docs = {d.code: d.received for d in s.scalars(select(CaseDocument).where(CaseDocument.case_uuid == case_uuid))}
        members = s.scalar(select(Person).where(Person.id_number == HEAD_ID))
        return case.status, case.case_number, case.reason, [o.event_type for o in outbox], list(actions), docs, members


def _print(qtbot, dialog, ctx, case_uuid, path):  # type: ignore[no-untyped-def]
    """The preview records nothing; printing it records the print (audit document_printed)."""
    assert "document_printed" not in _case(ctx.session, case_uuid)[4]
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    with qtbot.waitSignal(dialog.printed, timeout=20_000):
        assert dialog.print_document(printer)
    assert _case(ctx.session, case_uuid)[4].count("document_printed") == 1


def _finished(qtbot, page):  # type: ignore[no-untyped-def]
    when(qtbot, lambda: page.print_dialog is not None and page.print_dialog.isVisible())
    dialog = page.print_dialog
    when(qtbot, lambda: dialog.pdf is not None and not dialog.busy and dialog.page_count > 0)   # preview shown
    assert dialog.pdf == page.last_document.pdf and dialog.pdf.startswith(b"%PDF")
    assert page.current() == SEARCH and page.search.box.text() == ""     # ready for the next person
    assert page.last_result.case_number_display in page.search.banner.text()
    # the same document gets the same file name here as from the case detail (test_cases_gui)
    assert dialog.file_name == f"{page.last_result.case_number_display}-{page.last_document.kind.label}"
    return dialog


def test_accept_by_keyboard_prints_the_receipt(qtbot, ui_context_for, tmp_path):
    ctx = ui_context_for("clerk")
    page = open_page(qtbot, ctx)
    before = counts(ctx.session)
    _to_confirm(qtbot, page)
    assert "张三明" in page.confirm.text.toPlainText() and "李桂兰" in page.confirm.text.toPlainText()
    assert HEAD_ID not in page.confirm.text.toPlainText()              # masked on the summary
    assert counts(ctx.session) == before                               # nothing saved before the choice
    assert focused() is page.confirm.accept_button and page.confirm.accept_button.isEnabled()
    assert not page.confirm.notice_button.isEnabled()
    key(qtbot, Qt.Key.Key_Return)                                      # 受理并打印受理通知书
    dialog = _finished(qtbot, page)
    result = page.last_result
    status, number, _reason, outbox, actions, docs, head = _case(ctx.session, result.case_uuid)
    assert status == CaseStatus.ACCEPTED.value and number == result.case_number
    assert outbox == ["case.created"]
    assert "case_created" in actions
    _print(qtbot, dialog, ctx, result.case_uuid, tmp_path / "receipt.pdf")
    assert docs and all(docs.values())
    assert head.name == "张三明" and head.monthly_income_cents == 30050
    assert counts(ctx.session) == (before[0] + 1, before[1] + 2, before[2] + 1)
    assert page.last_document.kind in (DocumentKind.RECEIPT_A4, DocumentKind.RECEIPT_ROLL80)
    text = pdf_text(dialog.pdf)
    assert result.case_number in text or result.case_number_display in text
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)                          # close the preview


def test_missing_documents_by_keyboard_prints_the_one_time_notice(qtbot, ui_context_for, tmp_path):
    ctx = ui_context_for("clerk")
    page = open_page(qtbot, ctx)
    _to_confirm(qtbot, page, missing=1)
    missing_name = page.documents.missing_names()[0]
    assert not page.confirm.accept_button.isEnabled()
    assert focused() is page.confirm.notice_button
    key(qtbot, Qt.Key.Key_Space)                                       # 出具一次性告知书
    dialog = _finished(qtbot, page)
    result = page.last_result
    status, _number, _reason, outbox, actions, docs, _head = _case(ctx.session, result.case_uuid)
    assert CaseStatus(status) is CaseStatus.PENDING_DOCUMENTS and CaseStatus(status).label == "待补正"
    assert outbox == ["case.created"] and "case_created" in actions
    _print(qtbot, dialog, ctx, result.case_uuid, tmp_path / "notice.pdf")
    assert list(docs.values()).count(False) == 1
    assert page.last_document.kind is DocumentKind.MISSING_DOCUMENTS
    text = pdf_text(dialog.pdf)
    assert result.case_number in text or result.case_number_display in text
    assert missing_name in text
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)                          # close the preview


def test_refusal_by_keyboard_prints_the_reason(qtbot, ui_context_for, tmp_path):
    ctx = ui_context_for("clerk")
    page = open_page(qtbot, ctx)
    _to_confirm(qtbot, page)
    tab_to(qtbot, page.confirm.refuse_button)
    key(qtbot, Qt.Key.Key_Space)                                       # 不予受理…
    when(qtbot, lambda: page.confirm.dialog is not None and page.confirm.dialog.reason.hasFocus())
    reason = "户籍不在本乡镇且无本地居住证"
    type_text(qtbot, reason)
    key(qtbot, Qt.Key.Key_Tab)
    assert focused() is page.confirm.dialog.confirm
    key(qtbot, Qt.Key.Key_Return)                                      # 确定不予受理
    dialog = _finished(qtbot, page)
    result = page.last_result
    status, _number, _reason, outbox, actions, _docs, _head = _case(ctx.session, result.case_uuid)
    assert CaseStatus(status) is CaseStatus.NOT_ACCEPTED and CaseStatus(status).label == "不予受理"
    assert outbox == ["case.created"] and "case_created" in actions
    _print(qtbot, dialog, ctx, result.case_uuid, tmp_path / "refusal.pdf")
    assert page.last_document.kind is DocumentKind.REFUSAL
    text = pdf_text(dialog.pdf)
    assert reason in text
    assert result.case_number in text or result.case_number_display in text
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)                          # close the preview


def test_village_assistant_applies_on_behalf(qtbot, ui_context_for):
    ctx = ui_context_for("village_assistant")
    page = open_page(qtbot, ctx)
    assert page.request.channel.currentData() == "on_behalf"
    _to_confirm(qtbot, page)
    key(qtbot, Qt.Key.Key_Return)
    dialog = _finished(qtbot, page)
    with ctx.session.db.read() as s:
        assert s.get(Case, page.last_result.case_uuid).channel == "on_behalf"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)                          # close the preview


def test_village_assistant_sends_on_to_the_township_instead_of_refusing(qtbot, ui_context_for):
    ctx = ui_context_for("village_assistant")
    page = open_page(qtbot, ctx)
    when(qtbot, lambda: page.villages is not None)
    assert [v.label for v in page.villages] == ["东坪村"]             # its village only
    assert "东坪村" in page.assistant_note.text()
    _to_confirm(qtbot, page)
    button = page.confirm.refuse_button
    assert button.objectName() == "outcome_review" and button.text() == "提交乡镇审查…"
    tab_to(qtbot, button)
    key(qtbot, Qt.Key.Key_Space)
    when(qtbot, lambda: page.confirm.dialog is not None and page.confirm.dialog.reason.hasFocus())
    assert page.confirm.dialog.windowTitle() == "提交乡镇审查"
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Return)                                      # empty: refused in the dialog
    assert page.confirm.dialog.error.text() == "请写明情况。"
    page.confirm.dialog.reason.setFocus()
    note = "申请人户籍刚迁入本村，是否符合条件请乡镇审查"
    type_text(qtbot, note)
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Return)                                      # 提交乡镇审查
    when(qtbot, lambda: page.last_result is not None and page.current() == SEARCH)
    assert page.last_result.status is CaseStatus.TOWNSHIP_REVIEW
    assert "已提交乡镇审查" in page.search.banner.text() and page.print_dialog is None
    status, *_rest = _case(ctx.session, page.last_result.case_uuid)
    assert status == "township_review"


def test_the_shell_opens_the_wizard_with_the_search_box_focused(qtbot, main_window_for):
    win = main_window_for("clerk")
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    key(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)         # Alt+2 = 受理
    page = win.page("intake")
    qtbot.waitUntil(lambda: page is not None and page.villages is not None)
    qtbot.waitUntil(page.search.box.hasFocus)
    assert not page.has_unsaved_work()


def _existing_case(session) -> str:  # type: ignore[no-untyped-def]
    """张三明's household with an open (accepted) case, made through the real intake service."""
    from factories import sample_application

    from desktop.domain.household import Application
    from desktop.services.intake import accept as intake
    from desktop.services.intake import form as intake_form

    app = sample_application()
    codes = [i.code for i in intake_form.checklist(session, app.household.division_code, ["dibao"])]
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(codes), contact_phone="0931-5550123")
    return intake.submit_application(session, app, "accept").case_number_display


def test_found_household_with_an_open_case_is_shown_first(qtbot, ui_context_for):
    ctx = ui_context_for("clerk")
    number = _existing_case(ctx.session)
    page = open_page(qtbot, ctx)
    before = counts(ctx.session)
    type_text(qtbot, "zsm")                                            # pinyin initials of 张三明
    when(qtbot, page.search.search_done)
    assert page.search.alert.isVisible() and number in page.search.alert.text()
    assert "不要重复受理" in page.search.alert.text()
    key(qtbot, Qt.Key.Key_Down)                                        # into the results
    assert page.search.tree.hasFocus() and page.search.selected_household() is not None
    key(qtbot, Qt.Key.Key_Return)                                      # choose it: asked first
    when(qtbot, lambda: page.findChild(QMessageBox, "intake_question") is not None)
    box = page.findChild(QMessageBox, "intake_question")
    assert number in box.text()
    go_on = next(b for b in box.buttons() if b.text() == "继续申请")
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    qtbot.keyClick(go_on, Qt.Key.Key_Space)
    wait_step(qtbot, page, HOUSEHOLD)
    assert [m.name for m in page.household.members] == ["张三明", "李桂兰"]
    assert page.household.household_uuid is not None
    key(qtbot, Qt.Key.Key_Return)                                      # the record is complete as it is
    wait_step(qtbot, page, REQUEST)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Down)                                        # 医疗救助
    key(qtbot, Qt.Key.Key_Space)
    tab_to(qtbot, page.request.reason)
    type_text(qtbot, "住院治疗费用高")
    when(qtbot, lambda: page.request.phone.text() == "0931-5550123")   # given with the last application
    assert "请向申请人核实" in page.request.phone_note.text()
    tab_to(qtbot, page.request.no_relative)
    key(qtbot, Qt.Key.Key_Space)
    key(qtbot, Qt.Key.Key_Return)
    wait_step(qtbot, page, DOCUMENTS)
    mark_documents(qtbot, page)
    key(qtbot, Qt.Key.Key_Return)
    wait_step(qtbot, page, CONFIRM)
    key(qtbot, Qt.Key.Key_Return)
    dialog = _finished(qtbot, page)
    after = counts(ctx.session)
    assert after == (before[0] + 1, before[1], before[2])              # same household, same people
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)                          # close the preview


def test_new_household_and_choose_household_have_alt_keys(qtbot, ui_context_for):
    """新建家庭 (Alt+J) and 选择此家庭 (Alt+X) are reached without Tabbing through the results."""
    from PySide6.QtGui import QKeySequence

    ctx = ui_context_for("clerk")
    page = open_page(qtbot, ctx)
    assert QKeySequence.mnemonic(page.search.choose.text()) == QKeySequence("Alt+X")
    type_text(qtbot, HEAD_ID)
    qtbot.waitUntil(page.search.create.isEnabled, timeout=10_000)
    key(qtbot, Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)
    wait_step(qtbot, page, HOUSEHOLD)
    assert page.household.members[0].id_number == HEAD_ID


def test_banners_go_when_they_no_longer_apply(qtbot, ui_context_for):
    """还有N项材料没有标明… follows the marking and goes; 请填写不予受理的理由 goes once there is one;
    上一件已办理… goes when the next person's search begins."""
    from desktop.ui.intake.confirm_step import RefusalDialog

    ctx = ui_context_for("clerk")
    page = open_page(qtbot, ctx)
    search_and_start_new(qtbot, page, HEAD_ID)
    fill_two_members(qtbot, page)
    key(qtbot, Qt.Key.Key_Return)
    wait_step(qtbot, page, REQUEST)
    fill_request(qtbot, page)
    key(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    wait_step(qtbot, page, DOCUMENTS)
    docs = page.documents
    when(qtbot, lambda: docs.rows)
    page.next_button.click()                                          # 下一步 with nothing marked
    n = len(docs.rows)
    assert not docs.summary.isHidden() and f"还有{n}项材料没有标明" in docs.summary.text()
    docs.rows[0].buttons["received"].click()
    assert f"还有{n - 1}项材料没有标明" in docs.summary.text()
    for row in docs.rows[1:]:
        row.buttons["received"].click()
    assert docs.summary.isHidden()

    dialog = RefusalDialog(page)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.confirm.click()
    assert not dialog.error.isHidden() and "请填写不予受理的理由" in dialog.error.text()
    dialog.reason.setPlainText("户籍不在本乡镇")
    assert dialog.error.isHidden()
    dialog.reject()

    page.reset("上一件已办理：案件编号 X，已受理；受理通知书已生成，请在打印预览中打印交申请人。")
    assert not page.search.banner.isHidden()
    type_text(qtbot, "zsm")
    assert page.search.banner.isHidden()
