"""The 统计 page and the 动态复核 panel driven through their real widgets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pdfplumber
from factories import sample_application
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.domain.categories import Category
from desktop.domain.clock import add_months
from desktop.domain.household import Application
from desktop.services.deadlines import planner as clocks
from desktop.services.intake.accept import submit_application
from desktop.services.reporting import reports
from desktop.store.models import Case, Coverage
from desktop.store.models_recheck import Recheck
from desktop.ui.rechecks.panel import RecheckPanel
from desktop.ui.reports.page import ReportsPage
from desktop.ui.typography import apply_large_type

TODAY = datetime.now(UTC).astimezone().date()


def _accept_case(session) -> str:
    plan = clocks.DeadlinePlanner.bundled().plan("620102101201", TODAY, [Category.DIBAO])
    app = sample_application()
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(c for c, _n in plan.documents))
    return submit_application(session, app, "accept").case_uuid


def _cell(table, row, col) -> str:
    return table.item(row, col).text()


def test_reports_page_shows_the_month_the_chart_and_exports(qtbot, ui_context_for, tmp_path):
    ctx = ui_context_for("clerk")
    for _ in range(2):
        _accept_case(ctx.session)
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    page.on_shown()
    qtbot.waitUntil(lambda: page.loaded, timeout=20_000)
    assert page.period() == (TODAY.year, TODAY.month)
    expected = reports.monthly_report(ctx.session, TODAY.year, TODAY.month)
    table = page.by_category
    last = table.rowCount() - 1
    assert _cell(table, last, 0) == "合计"
    assert [int(_cell(table, last, c)) for c in range(1, table.columnCount())] == list(expected.totals)
    assert expected.total("accepted") == 2
    assert "受理 2 件" in page.summary.text()
    status_rows = {_cell(page.by_status, r, 0): _cell(page.by_status, r, 1) for r in range(page.by_status.rowCount())}
    assert status_rows["已受理"] == "2" and status_rows["合计"] == "2"
    # the chart: this month's figures, later months empty
    assert page.chart.series is not None and page.chart.selected_month == TODAY.month
    assert "受理 2" in page.chart.tooltip_for(TODAY.month)
    if TODAY.month < 12:
        assert "尚未开始" in page.chart.tooltip_for(TODAY.month + 1)
    assert page.chart.grab().width() > 0

    # exports go to the path the user picked
    page.choose_path = lambda kind, suggested: str(tmp_path / f"picked.{kind}")
    qtbot.mouseClick(page.export_xlsx, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_export == tmp_path / "picked.xlsx", timeout=20_000)
    wb = load_workbook(tmp_path / "picked.xlsx", read_only=True)
    totals = next(r for r in wb["按救助类别"].iter_rows(values_only=True) if r[0] == "合计")
    assert list(totals[1:7]) == list(expected.totals)
    qtbot.waitUntil(lambda: page.export_pdf.isEnabled())
    qtbot.mouseClick(page.export_pdf, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_export == tmp_path / "picked.pdf", timeout=20_000)
    with pdfplumber.open(tmp_path / "picked.pdf") as pdf:
        assert "测试镇" in pdf.pages[0].extract_text()
    assert "已导出" in page.status.text()

    # cancelling the file dialog writes nothing
    page.choose_path = lambda kind, suggested: None
    page.export("xlsx")
    assert page.last_export == tmp_path / "picked.pdf"

    # another month: nothing accepted there
    page.year.setValue(TODAY.year - 1)
    qtbot.waitUntil(lambda: page.loaded and page.period()[0] == TODAY.year - 1, timeout=20_000)
    qtbot.waitUntil(lambda: page.data is not None and page.data.report.year == TODAY.year - 1, timeout=20_000)
    assert int(_cell(page.by_category, page.by_category.rowCount() - 1, 2)) == 0


def test_reports_section_in_the_main_window_fits_at_large_type(qtbot, main_window_for, yimen_app):
    win = main_window_for("supervisor")
    assert win.show_section("reports")
    page = win.page("reports")
    assert isinstance(page, ReportsPage)
    qtbot.waitUntil(lambda: page.loaded, timeout=20_000)
    apply_large_type(yimen_app, True)
    try:
        assert page.minimumSizeHint().height() <= 768 - 120
        assert page.minimumSizeHint().width() <= 1366 - 200
    finally:
        apply_large_type(yimen_app, False)


def _covered(session, since: date, cls: str, amount: int = 104000) -> int:
    case_uuid = _accept_case(session)
    with session.db.write() as s:
        cov = Coverage(household_uuid=s.get(Case, case_uuid).household_uuid, category="dibao", since=since,
                       until=None, monthly_amount_cents=amount, recheck_class=cls, case_uuid=None)
        s.add(cov)
        s.flush()
        return cov.id


def test_recheck_panel_lists_what_is_due_and_records_an_outcome(qtbot, ui_context_for):
    ctx = ui_context_for("clerk")
    soon = _covered(ctx.session, add_months(TODAY, -6) + timedelta(days=3), "irregular_income")
    late = _covered(ctx.session, add_months(TODAY, -12), "stable")
    with ctx.session.db.write() as s:     # a re-check already past due (made before the list opened)
        s.add(Recheck(coverage_id=late, due_on=TODAY - timedelta(days=10), recheck_class="stable",
                      policy_ref="test", scheduled_by="clerk1", scheduled_at=datetime.now(UTC), reason=""))
    panel = RecheckPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1200, 600)
    panel.show()
    panel.on_shown()
    qtbot.waitUntil(lambda: panel.loaded, timeout=20_000)
    by_cov = {it.coverage_id: i for i, it in enumerate(panel.items)}
    assert set(by_cov) == {soon, late}          # the new coverage was scheduled on opening
    assert _cell(panel.table, by_cov[late], 7) == "已逾期"
    assert "已逾期 1 户" in panel.counts.text()
    assert not panel.record.isEnabled()

    # filter: overdue only
    panel.group.setCurrentIndex(panel.group.findData("overdue"))
    qtbot.waitUntil(lambda: panel.loaded and [it.coverage_id for it in panel.items] == [late], timeout=20_000)

    panel.table.selectRow(0)
    assert panel.record.isEnabled()
    qtbot.mouseClick(panel.record, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.amount.isEnabled()
    dialog.radio[dialog.outcome().ADJUST].setChecked(True)
    assert dialog.amount.isEnabled()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)             # no amount, no reason
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=20_000)
    assert "须填写理由" in dialog.error.text() and dialog.isVisible()
    dialog.reason.setPlainText("家庭成员外出务工，收入增加")
    dialog.amount.setText("abc")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "数字" in dialog.error.text()
    dialog.amount.setText("780")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.dialog is None, timeout=20_000)
    qtbot.waitUntil(lambda: panel.loaded and panel.items == (), timeout=20_000)
    assert "下次复核" in panel.status.text()
    with ctx.session.db.read() as s:
        assert s.get(Coverage, late).monthly_amount_cents == 78000
        done = s.scalar(select(Recheck).where(Recheck.coverage_id == late, Recheck.done_on.is_not(None)))
        assert done.outcome == "adjust" and done.recorded_by == "clerk1"


def test_recheck_panel_is_read_only_for_admins(qtbot, ui_context_for):
    clerk = ui_context_for("clerk")
    _covered(clerk.session, add_months(TODAY, -6) + timedelta(days=3), "irregular_income")
    ctx = ui_context_for("admin")
    panel = RecheckPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()        # a host tab that never calls on_shown still gets a loaded list
    qtbot.waitUntil(lambda: panel.loaded, timeout=20_000)
    assert len(panel.items) == 1
    panel.table.selectRow(0)
    assert not panel.record.isEnabled() and panel.open_dialog() is None
