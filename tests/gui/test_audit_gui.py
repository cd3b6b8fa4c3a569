"""审计日志 in the auditor's window: rows newest first, filtering by action, chain verification and
CSV export of the filtered rows."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from sqlalchemy import update

from desktop.store import audit
from desktop.store.models import AuditEvent
from desktop.ui.audit.page import AuditPage


def _log(db, n: int, action: str) -> None:
    with db.write() as s:
        for i in range(n):
            audit.append_event(s, actor="clerk1", action=action, entity_type="case", entity_id=f"c{i}",
                               detail={"i": i})


def _open(qtbot, main_window_for) -> AuditPage:  # type: ignore[no-untyped-def]
    main = main_window_for("auditor")
    assert main.show_section("audit")
    page = main.page("audit")
    assert isinstance(page, AuditPage)
    qtbot.waitUntil(lambda: page.loaded and page.action.count() > 1, timeout=10_000)
    return page


def _select_action(page: AuditPage, value: str) -> None:
    i = page.action.findData(value)
    assert i >= 0, value
    page.action.setCurrentIndex(i)
    page.apply_filter()


def test_auditor_sees_rows_and_filters_by_action(qtbot, main_window_for, admin_session):
    _log(admin_session.db, 3, "document_printed")
    _log(admin_session.db, 2, "document_voided")
    page = _open(qtbot, main_window_for)
    assert page.model.rowCount() >= 5
    seqs = [r.seq for r in page.model.rows]
    assert seqs == sorted(seqs, reverse=True)
    assert page.model.headerData(3, Qt.Orientation.Horizontal) == "操作"
    everything = page.model.total

    _select_action(page, "document_voided")
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    assert page.model.rowCount() == 2 and page.model.total == 2 < (everything or 0)
    assert {page.model.index(r, 3).data() for r in range(2)} == {"作废打印件"}
    assert "共 2 条" in page.status.text()

    page.table.selectRow(0)
    assert '"i": 1' in page.detail.toPlainText() and "document_voided" in page.detail.toPlainText()

    page.clear_filter()
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    assert page.model.total == everything


def test_verify_shows_normal_then_broken(qtbot, main_window_for, admin_session):
    _log(admin_session.db, 3, "document_printed")
    page = _open(qtbot, main_window_for)
    page.verify_button.click()
    qtbot.waitUntil(lambda: page.verify_button.isEnabled() and page.last_report is not None, timeout=10_000)
    assert page.verify_result.text().startswith("正常：共")
    with admin_session.db.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="mallory"))
    page.last_report = None
    page.verify_button.click()
    qtbot.waitUntil(lambda: page.verify_button.isEnabled() and page.last_report is not None, timeout=10_000)
    assert page.verify_result.text().startswith("第 2 条起断链")
    assert "b00020" in page.verify_result.styleSheet()


def test_csv_export_writes_the_filtered_rows(qtbot, main_window_for, admin_session, tmp_path):
    _log(admin_session.db, 4, "document_printed")
    _log(admin_session.db, 3, "document_voided")
    page = _open(qtbot, main_window_for)
    _select_action(page, "document_printed")
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    target = tmp_path / "picked.csv"
    page.choose_path = lambda suggested: str(target)
    page.export_button.click()
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=10_000)
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 1 + 4
    assert {r[4] for r in rows[1:]} == {"打印文书"}
    assert "已导出 4 条" in page.status.text()


def test_fits_1366x768_in_large_type(qtbot, main_window_for, yimen_app, admin_session):
    from desktop.ui.typography import apply_large_type

    apply_large_type(yimen_app, True)
    page = _open(qtbot, main_window_for)
    qtbot.wait(50)
    assert page.window().width() <= 1366
    for w in (page.search, page.clear, page.export_button, page.verify_button, page.text):
        assert w.isVisible() and w.width() >= w.minimumSizeHint().width() * 0.9, w.objectName()
        assert w.mapTo(page, w.rect().topRight()).x() <= page.width()
