"""The 案件 section on a real encrypted demo database (500 households, a fixed day), offscreen.

List: lazy paging on scroll, filters, overdue marking; detail: keyboard
opening, masked IDs and the audited reveal, actions applied and refused;
printing: the dialog gets the service's PDF bytes, saves them exactly and
prints them to a PDF QPrinter.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pypdf
import pytest
from conftest import FAST_KDF, noon
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import func, select

from desktop.demo.generator import create_demo
from desktop.services.admin.accounts import sign_in
from desktop.services.cases import queries as q
from desktop.services.cases.queries import CaseFilter
from desktop.services.documents import issue as documents
from desktop.services.session import AppSession
from desktop.services.workflow.transitions import TransitionInput
from desktop.store.models import AuditEvent, Case, Person, PrintRecord, StatusChange
from desktop.ui import files
from desktop.ui.cases.model import COLUMN_INDEX, OVERDUE_COLOR, PAGE_SIZE
from desktop.ui.cases.page import CasesPage
from desktop.ui.context import SETTING_PRINT_FORMAT, UiContext, pc_settings, setting_str
from desktop.ui.tasks import TaskRunner

TODAY = date(2026, 9, 15)
HOUSEHOLDS = 500      # 300 cases: more than one page of 200


@pytest.fixture
def demo(tmp_path: Path, time_machine) -> tuple[Path, dict[str, str]]:  # type: ignore[no-untyped-def]
    time_machine.move_to(noon(TODAY))     # the clock (services and pages) runs on the demo's day
    result = create_demo(tmp_path / "demo", households=HOUSEHOLDS, today=TODAY, kdf=FAST_KDF)
    return result.data_dir, {user: pw for user, _label, pw in result.accounts}


@pytest.fixture
def ctx_for(demo: tuple[Path, dict[str, str]], tasks: TaskRunner) -> Iterator[Callable[[str], UiContext]]:
    data_dir, passwords = demo
    sessions: list[AppSession] = []

    def make(user: str) -> UiContext:
        session = sign_in(data_dir, user, passwords[user])
        sessions.append(session)
        return UiContext(session, tasks, pc_settings())

    yield make
    tasks.wait()
    for s in sessions:
        s.close()


@pytest.fixture
def open_page(qtbot, ctx_for) -> Callable[[str], CasesPage]:  # type: ignore[no-untyped-def]
    def make(user: str = "clerk") -> CasesPage:
        page = CasesPage(ctx_for(user))
        qtbot.addWidget(page)
        page.resize(1216, 700)
        page.show()
        page.on_shown()
        qtbot.waitUntil(lambda: page.model.total is not None and not page.model.loading, timeout=10_000)
        return page

    return make


def type_chinese(widget: QWidget, text: str) -> None:
    """What an input method commits (QTest can only type ASCII keys)."""
    widget.setFocus()
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, text))


def _text(page: CasesPage, row: int, key: str) -> str:
    return page.model.index(row, COLUMN_INDEX[key]).data()


def _first_row(page: CasesPage, qtbot, **filters) -> q.CaseRow:  # type: ignore[no-untyped-def]
    page.set_filter(**filters)
    qtbot.waitUntil(lambda: page.model.total is not None and not page.model.loading, timeout=10_000)
    assert page.model.rows, filters
    return page.model.rows[0]


def _open(page: CasesPage, qtbot, case_uuid: str) -> None:  # type: ignore[no-untyped-def]
    page.open_case(case_uuid)
    qtbot.waitUntil(lambda: page.detail.detail is not None and page.detail.detail.case_uuid == case_uuid,
                    timeout=10_000)


# ------------------------------------------------------------------------------------ the list

def test_list_shows_rows_and_fetches_more_on_scroll(qtbot, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    total = q.count_cases(page.ctx.session, CaseFilter(), today=TODAY)
    assert page.model.total == total > PAGE_SIZE
    assert page.model.rowCount() == PAGE_SIZE
    assert page.count.text().startswith(f"共 {total:,} 件") and "已显示 200 件" in page.count.text()
    first = q.list_cases(page.ctx.session, CaseFilter(), today=TODAY, limit=3)
    assert [_text(page, i, "case_number") for i in range(3)] == [r.case_number_display for r in first]
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == total, timeout=10_000)
    assert len({r.case_uuid for r in page.model.rows}) == total
    assert not page.model.canFetchMore()
    qtbot.waitUntil(lambda: page.count.text() == f"共 {total:,} 件")


def test_filter_by_status_narrows_the_rows(qtbot, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    qtbot.waitUntil(lambda: page.choices is not None)
    box = page.status_box
    box.setFocus()
    box.setCurrentIndex(box.findData("investigating"))          # what choosing in the box does
    expected = q.count_cases(page.ctx.session, CaseFilter(status="investigating"), today=TODAY)
    qtbot.waitUntil(lambda: page.model.total == expected and not page.model.loading, timeout=10_000)
    assert 0 < page.model.rowCount() == expected < PAGE_SIZE
    assert {_text(page, r, "status") for r in range(page.model.rowCount())} == {"调查中"}
    assert box.currentText().startswith("调查中（")
    page.village_box.setCurrentIndex(1)
    village = page.village_box.currentData()
    narrower = q.count_cases(page.ctx.session, CaseFilter(status="investigating", village=village), today=TODAY)
    qtbot.waitUntil(lambda: page.model.total == narrower and not page.model.loading, timeout=10_000)
    page.clear_filters()
    qtbot.waitUntil(lambda: page.model.total == q.count_cases(page.ctx.session, CaseFilter(), today=TODAY))


def test_overdue_rows_are_marked_in_words_colour_and_weight(qtbot, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    page.overdue.click()
    expected = q.count_cases(page.ctx.session, CaseFilter(overdue_only=True), today=TODAY)
    qtbot.waitUntil(lambda: page.model.total == expected and not page.model.loading, timeout=10_000)
    assert expected > 0 and all(r.overdue for r in page.model.rows)
    index = page.model.index(0, COLUMN_INDEX["applicant"])
    assert _text(page, 0, "overdue") == "超期"
    assert index.data(Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOR
    assert isinstance(index.data(Qt.ItemDataRole.FontRole), QFont) and index.data(Qt.ItemDataRole.FontRole).bold()
    # late on the decision itself, or only on a running clock (investigation, a referral…)
    why = "有办理时限已超期" if page.model.rows[0].late_clock else "已超过办理期限"
    assert why in index.data(Qt.ItemDataRole.ToolTipRole)
    page.overdue.click()
    qtbot.waitUntil(lambda: page.model.total == q.count_cases(page.ctx.session, CaseFilter(), today=TODAY)
                    and not page.model.loading, timeout=10_000)
    on_time = next(i for i, r in enumerate(page.model.rows) if not r.overdue)
    assert _text(page, on_time, "overdue") == ""
    assert page.model.index(on_time, 1).data(Qt.ItemDataRole.ForegroundRole) is None


def test_sorting_by_a_column_asks_the_database_again(qtbot, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    page.table.sortByColumn(COLUMN_INDEX["due"], Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: page.model.sort_key == "decision_due" and not page.model.loading, timeout=10_000)
    expected = q.list_cases(page.ctx.session, CaseFilter(), "decision_due", False, 0, 5, today=TODAY)
    assert [r.case_uuid for r in page.model.rows[:5]] == [r.case_uuid for r in expected]


# ------------------------------------------------------------------------------------ the detail

def test_open_detail_with_the_keyboard_and_go_back(qtbot, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    row = page.model.rows[page.table.currentIndex().row()]
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.stack.currentWidget() is page.detail
    qtbot.waitUntil(lambda: page.detail.detail is not None, timeout=10_000)
    assert page.detail.detail.case_uuid == row.case_uuid
    assert row.case_number_display in page.detail.number.text()
    assert page.detail.status_badge.text() == row.status_label
    qtbot.keyClick(page.detail.tabs, Qt.Key.Key_Escape)
    assert page.stack.currentWidget() is page.list_view


def test_member_ids_masked_and_each_reveal_audited(qtbot, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    row = page.model.rows[0]
    _open(page, qtbot, row.case_uuid)
    members = page.detail.members
    with page.ctx.session.db.read() as s:
        full = dict(s.execute(select(Person.uuid, Person.id_number)
                              .where(Person.uuid.in_([m.person_uuid for m in members.members]))).all())
    texts = members.id_texts()
    assert len(texts) == len(full) > 0
    for m, shown in zip(members.members, texts, strict=True):
        assert shown == "*" * 14 + full[m.person_uuid][-4:]
    target = members.members[-1]
    button = members.buttons[target.person_uuid]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: members.id_texts()[-1] == full[target.person_uuid], timeout=10_000)
    assert members.id_texts()[:-1] == texts[:-1] and button.text() == "隐藏"
    with page.ctx.session.db.read() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "id_revealed")).all()
    assert [(e.actor, e.entity_id, e.outcome) for e in events] == [("clerk", target.person_uuid, "ok")]
    assert full[target.person_uuid] not in events[0].detail
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)        # 隐藏
    assert members.id_texts() == texts
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)        # a second reveal is a second event
    qtbot.waitUntil(lambda: members.id_texts()[-1] == full[target.person_uuid], timeout=10_000)
    page.detail.close_detail()
    _open(page, qtbot, row.case_uuid)                         # reopened: masked again
    assert page.detail.members.id_texts() == texts
    with page.ctx.session.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "id_revealed")) == 2


def test_a_transition_from_the_detail(qtbot, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    row = _first_row(page, qtbot, status="accepted")
    _open(page, qtbot, row.case_uuid)
    detail = page.detail
    qtbot.mouseClick(detail.action_buttons["withdraw"], Qt.MouseButton.LeftButton)
    dialog = detail.action_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)     # no reason: the dialog says so, stays
    assert dialog.isVisible() and dialog.error.text() == "请填写撤回理由。"
    dialog.reject()
    qtbot.mouseClick(detail.action_buttons["start_investigation"], Qt.MouseButton.LeftButton)
    dialog = detail.action_dialog
    type_chinese(dialog.reason, "已安排两名工作人员入户")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: detail.detail is not None and detail.detail.status == "investigating", timeout=10_000)
    assert detail.status_badge.text() == "调查中"
    assert "已办理" in detail.message.text()
    with page.ctx.session.db.read() as s:
        assert s.scalar(select(Case.status).where(Case.uuid == row.case_uuid)) == "investigating"
        change = s.scalars(select(StatusChange).where(StatusChange.case_uuid == row.case_uuid)
                           .order_by(StatusChange.id.desc())).first()
    assert (change.transition, change.reason, change.actor) == ("start_investigation", "已安排两名工作人员入户",
                                                                 "clerk")
    assert detail.timeline.table.item(0, 2).text() == "开始调查：已受理 → 调查中"
    qtbot.keyClick(detail.tabs, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.model.total is not None and not page.model.loading, timeout=10_000)
    assert row.case_uuid not in {r.case_uuid for r in page.model.rows}   # the list was read again


def test_the_referral_slip_is_offered_only_when_a_category_is_referred(qtbot, open_page) -> None:  # type: ignore[no-untyped-def]
    """低保 (初审 here, 审核确认 by the county) is not referred: no 转办单 button and 转办 says why; a case
    with a referred category (医疗救助…) has the button."""
    from desktop.services.cases.detail import PRINT_RECEIPT, PRINT_REFERRAL
    from desktop.store.models import CaseCategory

    township = {"dibao", "tekun", "temp_emergency", "temp_expense", "low_income_edge", "rigid_expense"}
    page = open_page()
    with page.ctx.session.db.read() as s:
        cats: dict[str, set[str]] = {}
        for uuid, code in s.execute(select(CaseCategory.case_uuid, CaseCategory.category)
                                    .join(Case, Case.uuid == CaseCategory.case_uuid)
                                    .where(Case.status == "accepted")):
            cats.setdefault(uuid, set()).add(code)
    only_township = next(u for u, c in cats.items() if c <= township)
    referred = next(u for u, c in cats.items() if c - township)
    _open(page, qtbot, only_township)
    assert PRINT_REFERRAL not in page.detail.print_buttons and PRINT_RECEIPT in page.detail.print_buttons
    assert not page.detail.action_buttons["refer"].isEnabled()
    assert "由乡镇初审、县级审核确认" in page.detail.blocked.text()
    _open(page, qtbot, referred)
    assert PRINT_REFERRAL in page.detail.print_buttons


def test_a_refused_transition_shows_the_chinese_message_and_changes_nothing(qtbot, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    row = _first_row(page, qtbot, status="pending_documents")
    _open(page, qtbot, row.case_uuid)
    detail = page.detail
    button = detail.action_buttons["complete_documents"]
    assert not button.isEnabled() and "仍缺少材料" in button.toolTip()
    assert "仍缺少材料" in detail.blocked.text()

    def state() -> tuple[object, ...]:
        with page.ctx.session.db.read() as s:
            return (s.scalar(select(Case.status).where(Case.uuid == row.case_uuid)),
                    s.scalar(select(func.count()).select_from(StatusChange)),
                    s.scalar(select(func.count()).select_from(AuditEvent)))

    before = state()
    detail.perform_action("complete_documents", TransitionInput())
    qtbot.waitUntil(lambda: "仍缺少材料" in detail.message.text(), timeout=10_000)
    assert detail.message.text().startswith("不能执行“受理补正完成”")
    assert state() == before
    assert detail.detail is not None and detail.detail.status == "pending_documents"


# ------------------------------------------------------------------------------------ printing

def _print_dialog(page: CasesPage, qtbot, what: str = "receipt"):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(page.detail.print_buttons[what], Qt.MouseButton.LeftButton)
    dialog = page.detail.print_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.page_count > 0, timeout=15_000)
    return dialog


def test_print_dialog_shows_the_service_pdf_and_saves_it_exactly(qtbot, open_page, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    row = _first_row(page, qtbot, status="accepted")
    _open(page, qtbot, row.case_uuid)
    dialog = _print_dialog(page, qtbot)
    pdf = dialog.pdf
    assert pdf is not None and pdf.startswith(b"%PDF")
    assert dialog.pages_label.text() == "共 1 页" and dialog.status.text() == "本份为原件。"
    with page.ctx.session.db.read() as s:      # a preview is not a print: nothing recorded yet
        assert s.scalars(select(PrintRecord).where(PrintRecord.case_uuid == row.case_uuid)).all() == []
    target = tmp_path / "saved" / "回执"
    target.parent.mkdir()
    offered = []
    monkeypatch.setattr(files, "run_dialog", lambda d: offered.append(d.selectedFiles()[0]) or [str(target)])
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert Path(offered[0]).name == f"{row.case_number_display}-受理通知书.pdf"   # as from 受理 (test_intake_flow)
    saved = target.with_suffix(".pdf")
    assert saved.read_bytes() == pdf
    with page.ctx.session.db.read() as s:      # saving handed it out: recorded, the very bytes shown
        record = s.scalars(select(PrintRecord).where(PrintRecord.case_uuid == row.case_uuid)).one()
    import hashlib
    assert record.sha256 == hashlib.sha256(pdf).hexdigest() and record.copy_no == 1
    assert row.case_number_display in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace(" ", "") \
        or row.case_number_display.replace("-", "") in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    dialog.reject()
    qtbot.waitUntil(lambda: page.detail.history.table.rowCount() == 1, timeout=10_000)


def test_printing_to_a_pdf_printer_without_a_dialog(qtbot, open_page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    row = _first_row(page, qtbot, status="accepted")
    _open(page, qtbot, row.case_uuid)
    dialog = _print_dialog(page, qtbot)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("roll80"))     # re-rendered by the service
    qtbot.waitUntil(lambda: dialog.page_count > 0 and dialog.fmt == "roll80", timeout=15_000)
    assert dialog.status.text() == "本份为原件。"             # previews record nothing: still the original
    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    with qtbot.waitSignal(dialog.printed, timeout=20_000):
        assert dialog.print_document(printer)
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) == 1
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert 78 < width_mm < 82                                   # the 80 mm roll, not A4
    assert setting_str(page.ctx.settings, SETTING_PRINT_FORMAT) == "roll80"
    with page.ctx.session.db.read() as s:
        records = s.scalars(select(PrintRecord).where(PrintRecord.case_uuid == row.case_uuid)).all()
    assert [(r.fmt, r.copy_no, r.is_copy) for r in records] == [("roll80", 1, False)]
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("a4"))   # the A4 preview was dropped: 副本 now
    qtbot.waitUntil(lambda: dialog.page_count > 0 and dialog.fmt == "a4", timeout=15_000)
    assert dialog.status.text().startswith("本份为副本（第2份）")
    dialog.reject()


def test_a_preview_outrun_by_another_print_is_not_printed(qtbot, open_page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    row = _first_row(page, qtbot, status="accepted")
    _open(page, qtbot, row.case_uuid)
    dialog = _print_dialog(page, qtbot)
    fmt = dialog.fmt
    documents.print_receipt(page.ctx.session, row.case_uuid, fmt)   # someone else prints meanwhile (copy 1)
    out = tmp_path / "never.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    assert not dialog.print_document(printer)
    assert "重新打开" in dialog.status.text() and not out.exists()
    with page.ctx.session.db.read() as s:
        assert len(s.scalars(select(PrintRecord).where(PrintRecord.case_uuid == row.case_uuid)).all()) == 1
    dialog.reject()


def _print_to_file(qtbot, dialog, path) -> None:  # type: ignore[no-untyped-def]
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    with qtbot.waitSignal(dialog.printed, timeout=20_000):
        assert dialog.print_document(printer)


def test_reprint_is_a_copy_and_void_needs_a_reason(qtbot, open_page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = open_page()
    row = _first_row(page, qtbot, status="pending_documents")
    _open(page, qtbot, row.case_uuid)
    first = _print_dialog(page, qtbot, "missing_documents")
    _print_to_file(qtbot, first, tmp_path / "1.pdf")
    first.reject()
    history = page.detail.history
    qtbot.waitUntil(lambda: history.table.rowCount() == 1, timeout=10_000)
    history.select_row(0)
    qtbot.mouseClick(history.reprint_button, Qt.MouseButton.LeftButton)
    again = page.detail.print_dialog
    qtbot.waitUntil(lambda: again.page_count > 0, timeout=15_000)
    assert "副本" in again.status.text()
    _print_to_file(qtbot, again, tmp_path / "2.pdf")
    again.reject()
    qtbot.waitUntil(lambda: history.table.rowCount() == 2, timeout=10_000)
    assert history.table.item(0, 2).text() == "副本（第2份）"          # newest first
    history.select_row(0)
    qtbot.mouseClick(history.void_button, Qt.MouseButton.LeftButton)
    dialog = page.detail.reason_dialog
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "作废原因" in dialog.error.text()
    type_chinese(dialog.reason, "打印机卡纸")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: history.rows and history.rows[0].voided, timeout=10_000)
    assert history.table.item(0, 5).text() == "已作废：打印机卡纸"
    with page.ctx.session.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PrintRecord).where(PrintRecord.voided.is_(True))) == 1


def test_a_role_without_the_case_list_sees_the_reason(qtbot, ctx_for) -> None:  # type: ignore[no-untyped-def]
    page = CasesPage(ctx_for("auditor"))
    qtbot.addWidget(page)
    page.on_shown()
    qtbot.waitUntil(lambda: page.error.isVisibleTo(page) and "无权" in page.error.text(), timeout=10_000)
    assert page.model.rowCount() == 0


def test_print_dialog_with_a_document_in_hand_asks_the_service_only_on_a_format_switch(qtbot, ctx_for) -> None:  # type: ignore[no-untyped-def]
    from desktop.services.documents import issue as documents
    from desktop.ui.printing import PrintDialog

    ctx = ctx_for("clerk")
    case_uuid = q.list_cases(ctx.session, CaseFilter(status="accepted"), limit=1, today=TODAY)[0].case_uuid
    doc = documents.print_receipt(ctx.session, case_uuid, "a4")          # e.g. right after intake
    asked: list[str] = []

    def provider(fmt: str) -> documents.PrintedDocument:
        asked.append(fmt)
        return documents.print_receipt(ctx.session, case_uuid, fmt)      # type: ignore[arg-type]

    dialog = PrintDialog(ctx, provider, "受理通知书", formats=("a4", "roll80"), initial=("a4", doc))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.page_count == 1, timeout=15_000)
    assert asked == [] and dialog.pdf == doc.pdf and dialog.status.text() == "本份为原件。"
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("roll80"))
    qtbot.waitUntil(lambda: dialog.fmt == "roll80" and dialog.page_count == 1, timeout=15_000)
    assert asked == ["roll80"] and "副本（第2份）" in dialog.status.text()
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("a4"))   # back: the bytes already in hand
    qtbot.waitUntil(lambda: dialog.fmt == "a4" and dialog.page_count == 1, timeout=15_000)
    assert asked == ["roll80"] and dialog.pdf == doc.pdf


def test_the_search_box_follows_typing_and_the_keyboard_reaches_the_result(qtbot, open_page) -> None:  # type: ignore[no-untyped-def]
    """As 受理's search: the list follows the typing, ↓ or Enter goes into it, Enter opens the case."""
    page = open_page()
    target, other = page.model.rows[5], page.model.rows[7]
    page.search.setFocus()
    qtbot.keyClicks(page.search, target.case_number_display)      # no Enter: the list follows the typing
    qtbot.waitUntil(lambda: page.model.total == 1 and not page.model.loading, timeout=10_000)
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.detail.detail is not None, timeout=10_000)
    assert page.detail.detail.case_uuid == target.case_uuid
    qtbot.keyClick(page.detail.tabs, Qt.Key.Key_Escape)

    # Enter searches at once; a second Enter (the list shows what was typed) goes into it
    page.search.setFocus()
    page.search.clear()
    qtbot.keyClicks(page.search, other.case_number_display)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.total == 1 and not page.model.loading, timeout=10_000)
    assert page.search.hasFocus() and page.model.rows[0].case_uuid == other.case_uuid
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0

    # Tab from the box lands on the results with a row to start from, not on the filters
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Tab)
    assert page.table.hasFocus() and page.table.currentIndex().isValid()


def test_completing_the_documents_opens_the_receipt_by_itself(qtbot, open_page) -> None:  # type: ignore[no-untyped-def]
    """受理补正完成 is the acceptance: the 受理通知书 preview opens as after intake, after the commit."""
    page = open_page()
    row = _first_row(page, qtbot, status="pending_documents")
    _open(page, qtbot, row.case_uuid)
    detail = page.detail
    missing = [doc.code for doc in detail.detail.missing_documents]
    detail.receive_documents(missing)
    qtbot.waitUntil(lambda: detail.action_buttons.get("complete_documents") is not None
                    and detail.action_buttons["complete_documents"].isEnabled(), timeout=10_000)
    assert detail.print_dialog is None
    detail.perform_action("complete_documents", TransitionInput())
    qtbot.waitUntil(lambda: detail.print_dialog is not None and detail.print_dialog.page_count > 0, timeout=15_000)
    with page.ctx.session.db.read() as s:
        assert s.scalar(select(Case.status).where(Case.uuid == row.case_uuid)) == "accepted"   # committed first
        printed = s.scalar(select(func.count()).select_from(PrintRecord).where(PrintRecord.case_uuid == row.case_uuid,
                                                                               PrintRecord.kind.like("receipt%")))
    assert printed == 0                                   # a preview: recorded only when printed or saved
    assert "受理通知书" in detail.print_dialog.windowTitle() and "打印交申请人" in detail.message.text()
    detail.print_dialog.reject()
