"""转办与时限 on a real encrypted database, offscreen: referrals sent (with the slip), received, a
result keyed in with the scanned reply, a refused step shown in the dialog; the other referral goes
overdue on the dashboard (red) and on the home page, whose link opens the case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import noon
from factories import sample_application as _app
from PySide6.QtCore import QDate, Qt
from sqlalchemy import select, update

from desktop.domain.categories import Category
from desktop.domain.household import Application
from desktop.services.deadlines import planner as clocks
from desktop.services.intake.accept import submit_application
from desktop.store.models import Case, PrintRecord
from desktop.store.models_clock import CaseClock
from desktop.store.models_referral import Referral
from desktop.ui import files
from desktop.ui.referrals.common import OVERDUE_BG
from desktop.ui.referrals.dialogs import RECEIVE, RESULT, RETURN, SEND
from desktop.ui.referrals.page import ReferralsPage

VILLAGE = "620102101201"
PDF = b"%PDF-1.4\n% scanned reply\n" + b"0" * 200


@pytest.fixture
def accepted(session_for) -> tuple[str, date]:  # type: ignore[no-untyped-def]
    """A case of 教育救助 + 医疗救助 accepted by the clerk: referrals to 教育局 and 医保局 (低保 would not
    be referred: the township carries it)."""
    clerk = session_for("clerk")
    cats = (Category.EDUCATION, Category.MEDICAL)
    plan = clocks.DeadlinePlanner.bundled().plan(VILLAGE, datetime.now(UTC).astimezone().date(), list(cats))
    app = _app(categories=cats)
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(c for c, _n in plan.documents if c not in plan.conditional))
    case_uuid = submit_application(clerk, app, "accept").case_uuid
    with clerk.db.read() as s:
        return case_uuid, s.get(Case, case_uuid).accepted_on


@pytest.fixture
def open_page(qtbot, ui_context_for, time_machine) -> Callable[..., ReferralsPage]:  # type: ignore[no-untyped-def]
    def make(role: str = "clerk", today: date | None = None) -> ReferralsPage:
        if today is not None:
            time_machine.move_to(noon(today))    # the page is opened on that day (the session's clock)
        page = ReferralsPage(ui_context_for(role))
        qtbot.addWidget(page)
        page.resize(1216, 700)
        page.show()
        page.show_referrals()
        qtbot.waitUntil(lambda: page.referrals.table.rowCount() > 0, timeout=10_000)
        return page

    return make


def _row_of(page: ReferralsPage, department_prefix: str) -> int:
    return next(i for i, r in enumerate(page.referrals.rows) if department_prefix in r.department_name)


def _step(qtbot, page: ReferralsPage, kind: str, row: int):  # type: ignore[no-untyped-def]
    page.referrals.table.selectRow(row)
    button = page.referrals.action_buttons[kind]
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.referrals.dialog
    assert dialog is not None and dialog.kind == kind
    return dialog


def _wait_state(qtbot, page: ReferralsPage, department: str, label: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: page.referrals.rows[_row_of(page, department)].state_label == label, timeout=10_000)


def test_send_receive_and_key_in_a_result_with_the_reply(qtbot, open_page, accepted, tmp_path,  # type: ignore[no-untyped-def]
                                                          monkeypatch) -> None:
    case_uuid, day = accepted
    page = open_page(today=day)
    table = page.referrals.table
    assert table.rowCount() == 2
    assert {page.referrals.rows[i].state_label for i in range(2)} == {"待转出"}
    # 转出 教育局 without the slip
    dialog = _step(qtbot, page, SEND, _row_of(page, "教育局"))
    dialog.print_slip.setChecked(False)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    _wait_state(qtbot, page, "教育局", "已转出")
    assert page.referrals.print_dialog is None
    assert "已转出" in page.referrals.message.text()
    # 转出 医保局 with its slip: the print preview of that department's 转办单 opens
    dialog = _step(qtbot, page, SEND, _row_of(page, "医疗保障局"))
    assert dialog.print_slip.isChecked()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.referrals.print_dialog is not None, timeout=10_000)
    slip = page.referrals.print_dialog
    qtbot.waitUntil(lambda: slip.page_count > 0, timeout=15_000)
    assert slip.pdf.startswith(b"%PDF")
    slip.reject()
    # 已接收, then the result with the scanned reply
    dialog = _step(qtbot, page, RECEIVE, _row_of(page, "教育局"))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    _wait_state(qtbot, page, "教育局", "已接收")
    dialog = _step(qtbot, page, RESULT, _row_of(page, "教育局"))
    dialog.decided_by.setText("教育局 李股长")
    dialog.amount.setText("520")
    scan = tmp_path / "回复函.pdf"
    scan.write_bytes(PDF)
    dialog.set_document_file(str(scan))
    assert "回复函.pdf" in dialog.file_label.text()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    _wait_state(qtbot, page, "教育局", "已办结")
    row = page.referrals.rows[_row_of(page, "教育局")]
    assert (row.result_label, row.amount_cents, row.reply_filename) == ("批准", 52000, "回复函.pdf")
    page.referrals.table.selectRow(_row_of(page, "教育局"))
    assert page.referrals.action_buttons["reply"].isEnabled()
    assert not page.referrals.action_buttons[RESULT].isEnabled()
    assert "520.00 元" in page.referrals.detail.text()
    saved = tmp_path / "saved-reply.pdf"        # the reply saved where the clerk chooses, byte for byte
    monkeypatch.setattr(files, "run_dialog", lambda dialog: [str(saved)])
    qtbot.mouseClick(page.referrals.action_buttons["reply"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已保存到" in page.referrals.message.text(), timeout=10_000)
    assert saved.read_bytes() == PDF
    with page.ctx.session.db.read() as s:
        assert s.get(Case, case_uuid).status == "referred"
    # the other department answers too: the clerk is told the case can now be decided
    dialog = _step(qtbot, page, RESULT, _row_of(page, "医疗保障局"))
    dialog.result.setCurrentIndex(dialog.result.findData("refuse"))
    dialog.decided_by.setText("医保局")
    dialog.reason.setPlainText("已享受大病保险报销")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "均已反馈办理结果" in page.referrals.message.text(), timeout=10_000)


def test_a_refused_step_keeps_the_dialog_open_with_the_message(qtbot, open_page, accepted) -> None:  # type: ignore[no-untyped-def]
    _case_uuid, day = accepted
    page = open_page(today=day)
    dialog = _step(qtbot, page, SEND, _row_of(page, "医疗保障局"))
    dialog.print_slip.setChecked(False)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    _wait_state(qtbot, page, "医疗保障局", "已转出")
    dialog = _step(qtbot, page, RETURN, _row_of(page, "医疗保障局"))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)        # no reason typed
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert dialog.error.text() == "请填写退回理由。" and dialog.isVisible() and dialog.ok.isEnabled()
    dialog.day.setDate(QDate(day.year, day.month, day.day).addDays(-1))   # before it was sent
    dialog.reason.setPlainText("缺少住院费用清单")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "不能早于转出日期" in dialog.error.text(), timeout=10_000)
    with page.ctx.session.db.read() as s:
        assert set(s.scalars(select(Referral.state))) == {"pending", "sent"}
    dialog.day.setDate(QDate(day.year, day.month, day.day))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    _wait_state(qtbot, page, "医疗保障局", "退回")
    result_column = 7
    assert "退回：缺少住院费用清单" in page.referrals.table.item(_row_of(page, "医疗保障局"), result_column).text()
    assert page.referrals.action_buttons[SEND].isEnabled()     # may be corrected and sent again


def test_overdue_referral_on_the_dashboard_in_red_and_filtered(qtbot, open_page, accepted) -> None:  # type: ignore[no-untyped-def]
    _case_uuid, day = accepted
    page = open_page(today=day)
    for dept in ("教育局", "医疗保障局"):
        dialog = _step(qtbot, page, SEND, _row_of(page, dept))
        dialog.print_slip.setChecked(False)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        _wait_state(qtbot, page, dept, "已转出")
    due = page.referrals.rows[_row_of(page, "医疗保障局")].due_on
    late = clocks.DeadlinePlanner.bundled().calendar.add_working_days(due, 1)
    later = open_page(today=late)
    later.tabs.setCurrentWidget(later.due)
    qtbot.waitUntil(lambda: later.due.board is not None, timeout=10_000)
    labels = [later.due.table.item(r, 2).text() for r in range(later.due.table.rowCount())]
    assert any(t.endswith("医疗保障局") for t in labels)
    r = next(i for i, t in enumerate(labels) if t.endswith("医疗保障局"))
    assert later.due.table.item(r, 0).background().color() == OVERDUE_BG
    assert later.due.table.item(r, 1).text() == "超期 1 个工作日"
    assert later.due.group_buttons["overdue"].text().startswith("已超期（")
    qtbot.mouseClick(later.due.group_buttons["overdue"], Qt.MouseButton.LeftButton)
    assert later.due.group == "overdue" and later.due.table.rowCount() >= 2
    later.tabs.setCurrentWidget(later.referrals)
    later.referrals.overdue.setChecked(True)
    qtbot.waitUntil(lambda: later.referrals.count.text() == "共 2 条", timeout=10_000)
    assert later.referrals.table.item(0, 0).background().color() == OVERDUE_BG


def test_home_page_counts_overdue_and_its_link_opens_the_case(qtbot, main_window_for, accepted) -> None:  # type: ignore[no-untyped-def]
    case_uuid, _day = accepted
    win = main_window_for("clerk")
    with win.ctx.session.db.write() as s:       # the investigation should have started long ago
        s.execute(update(CaseClock).where(CaseClock.case_uuid == case_uuid, CaseClock.kind == "investigation_start")
                  .values(due_on=datetime.now(UTC).astimezone().date() - timedelta(days=20)))
    home = win.page("home")
    home.on_shown()
    qtbot.waitUntil(lambda: home.due.board is not None and bool(home.due.links), timeout=10_000)
    assert home.due.counts["overdue"].text() == "1"
    assert home.due.overdue_cases.text() == "（涉及 1 件案件）"          # time limits counted, and the cases
    assert "同一口径" in home.due.toolTip()
    link = home.due.links[0]
    assert "启动入户调查" in link.text()
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert win.current_section_id() == "cases"
    cases_page = win.page("cases")
    qtbot.waitUntil(lambda: cases_page.detail.detail is not None, timeout=10_000)
    assert cases_page.detail.case_uuid == case_uuid
    tab = cases_page.detail.time_limits
    qtbot.waitUntil(lambda: tab.data is not None, timeout=10_000)
    assert cases_page.detail.tabs.tabText(cases_page.detail.tabs.indexOf(tab)) == "时限与转办（超期1项）"
    assert tab.referrals.rowCount() == 2


def test_roles_who_may_not_act_see_no_section_or_disabled_actions(qtbot, main_window_for, open_page,  # type: ignore[no-untyped-def]
                                                                   accepted) -> None:
    assert "referrals" not in main_window_for("auditor").section_ids()
    assert main_window_for("village_assistant").section_ids() == ["intake"]
    page = open_page("admin")       # the administrator may look, never act
    page.referrals.table.selectRow(0)
    assert not any(page.referrals.action_buttons[k].isEnabled() for k in (SEND, "print", RECEIVE, RESULT, RETURN))
    assert page.referrals.action_buttons["case"].isEnabled()
    supervisor = open_page("supervisor")
    supervisor.referrals.table.selectRow(0)
    assert supervisor.referrals.action_buttons[SEND].isEnabled()
    with supervisor.ctx.session.db.read() as s:
        assert s.scalars(select(PrintRecord)).all() == []


def test_printing_a_pending_slip_offers_to_record_it_sent(qtbot, open_page, accepted, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtPrintSupport import QPrinter

    case_uuid, day = accepted
    page = open_page(today=day)
    page.referrals.table.selectRow(_row_of(page, "医疗保障局"))
    qtbot.mouseClick(page.referrals.action_buttons["print"], Qt.MouseButton.LeftButton)
    dialog = page.referrals.print_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.page_count > 0, timeout=15_000)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "slip.pdf"))
    with qtbot.waitSignal(dialog.printed, timeout=20_000):
        assert dialog.print_document(printer)
    dialog.reject()
    with page.ctx.session.db.read() as s:     # the print is recorded: one 转办单 of that department
        records = s.scalars(select(PrintRecord).where(PrintRecord.case_uuid == case_uuid)).all()
        assert [r.kind for r in records] == ["referral_slip"]
    assert page.referrals.offer_send.isVisible() and "转办单已打印" in page.referrals.message.text()
    qtbot.mouseClick(page.referrals.offer_send, Qt.MouseButton.LeftButton)
    _wait_state(qtbot, page, "医疗保障局", "已转出")
    assert page.referrals.rows[_row_of(page, "医疗保障局")].sent_on == day
    assert not page.referrals.offer_send.isVisible()


def test_enter_or_double_click_on_the_dashboard_asks_for_the_case(qtbot, open_page, accepted) -> None:  # type: ignore[no-untyped-def]
    case_uuid, day = accepted
    page = open_page(today=day + timedelta(days=30))
    page.tabs.setCurrentWidget(page.due)
    qtbot.waitUntil(lambda: page.due.board is not None and page.due.table.rowCount() > 0, timeout=10_000)
    page.due.table.setFocus()
    page.due.table.selectRow(0)
    with qtbot.waitSignal(page.due.case_requested, timeout=5_000) as got:
        qtbot.keyClick(page.due.table, Qt.Key.Key_Return)
    assert got.args == [case_uuid]
