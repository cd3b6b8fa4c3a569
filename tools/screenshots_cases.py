"""Screenshots of the 案件 section at 1366×768 (real window under Xvfb): list, detail, print preview.

    Xvfb :98 -screen 0 1366x768x24 &
    .venv/bin/yimen demo --data-dir /tmp/cases50k --households 50000
    DISPLAY=:98 .venv/bin/python tools/screenshots_cases.py --data-dir /tmp/cases50k

Writes docs/screenshots/cases-list.png, case-detail.png and print-preview.png.
The detail shot prints a receipt and a reprint first (into the demo
database given), so the print history has something to show. Uses the
harness of ``tools/screenshots.py`` (sign-in of demo users, main window).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from PySide6.QtCore import Qt  # noqa: E402
from screenshots import Harness, run_screen_shots  # noqa: E402

from desktop.services.cases import queries as case_queries  # noqa: E402
from desktop.services.cases.queries import CaseFilter  # noqa: E402
from desktop.services.documents import issue as documents  # noqa: E402
from desktop.ui.cases.page import CasesPage  # noqa: E402


def cases_page(h: Harness) -> CasesPage:
    win = h.main_window("clerk", "cases")
    page = win.page("cases")
    assert isinstance(page, CasesPage)
    h.wait_until(lambda: page.model.total is not None and page.choices is not None)
    return page


def shot_list(h: Harness) -> None:
    page = cases_page(h)
    page.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)     # 申请日期, newest first: the work in hand
    h.wait_until(lambda: page.model.total is not None and not page.model.loading)
    t0 = time.perf_counter()
    page.table.verticalScrollBar().setValue(page.table.verticalScrollBar().maximum())
    h.wait_until(lambda: page.model.rowCount() > 200 and not page.model.loading)
    print(f"  second page fetched in {1000 * (time.perf_counter() - t0):.0f} ms (incl. event loop)")
    page.table.scrollToTop()
    page.table.selectRow(3)
    h.settle(400)


def _pick_case(page: CasesPage, skip: int = 0) -> str:
    """An accepted, overdue case of a household of four or more (the ``skip``-th such case)."""
    session = page.ctx.session
    rows = case_queries.list_cases(session, CaseFilter(status="accepted", overdue_only=True), "decision_due", False,
                                   0, 50)
    if len(rows) <= skip:     # a township that keeps up has few overdue: any accepted case will do
        rows = case_queries.list_cases(session, CaseFilter(status="accepted"), "decision_due", False, 0, 50)
    found = [r.case_uuid for r in rows if len(case_queries.case_detail(session, r.case_uuid).members) >= 4]
    return (found or [r.case_uuid for r in rows])[min(skip, len(found or rows) - 1)]


def shot_detail(h: Harness) -> CasesPage:
    page = cases_page(h)
    uuid = _pick_case(page)
    if not documents.print_history(page.ctx.session, uuid):
        documents.print_receipt(page.ctx.session, uuid, "a4")
        documents.print_receipt(page.ctx.session, uuid, "roll80")
    page.open_case(uuid)
    h.wait_until(lambda: page.detail.detail is not None)
    page.detail.tabs.setCurrentIndex(0)
    page.detail.members.buttons[page.detail.detail.members[0].person_uuid].setFocus()
    h.settle(400)
    return page


def shot_preview(h: Harness) -> None:
    page = cases_page(h)
    page.open_case(_pick_case(page, skip=1))    # another case: its first receipt is the original
    h.wait_until(lambda: page.detail.detail is not None)
    dialog = page.detail.print_document("receipt")
    assert dialog is not None
    h.wait_until(lambda: dialog.page_count > 0 or bool(dialog.error))
    h.settle(400)


SHOTS = {"cases-list": shot_list, "case-detail": shot_detail, "print-preview": shot_preview}


def main(argv: list[str] | None = None) -> int:
    return run_screen_shots(SHOTS, argv, __doc__ or "")


if __name__ == "__main__":
    sys.exit(main())
