"""The 案件 list found by keyboard alone, as docs/screenshots/cases-keyboard.png (offscreen, no X needed).

    .venv/bin/yimen demo --data-dir /tmp/shots --households 2000
    PYTHONPATH=. QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots_keyboard.py --data-dir /tmp/shots

From 首页: Alt+3 (案件: the focus lands in the search box), the pinyin initials of an applicant typed,
Enter (search), ↓ (into the results: the first row selected, with the focus on it) — then the window
is grabbed (``QWidget.grab``). Each step is checked, so a broken keyboard path fails the tool.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from screenshots import Harness  # noqa: E402

from desktop.domain.names import name_initials  # noqa: E402
from desktop.services.cases import queries as case_queries  # noqa: E402
from desktop.services.cases.queries import CaseFilter  # noqa: E402
from desktop.ui.app import create_app  # noqa: E402


def shot(h: Harness, out: Path) -> Path:
    win = h.main_window("clerk")
    win.activateWindow()
    h.wait_until(lambda: QApplication.activeWindow() is win)
    rows = case_queries.list_cases(win.ctx.session, CaseFilter(status="investigating"), "received_on", True, 0, 5)
    initials = name_initials(rows[0].applicant_name)[:2]     # a surname and a first letter: several found
    QTest.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)          # 案件
    page = win.page("cases")
    h.wait_until(lambda: page is not None and page.model.total is not None and not page.model.loading)
    box = QApplication.focusWidget()
    assert box is page.search, f"Alt+3 focused {box.objectName() if box else None}, not the search box"
    QTest.keyClicks(box, initials)
    QTest.keyClick(box, Qt.Key.Key_Return)                                      # search
    h.wait_until(lambda: page.model.total is not None and not page.model.loading and page.model.rowCount() > 0)
    QTest.keyClick(box, Qt.Key.Key_Down)                                        # into the results
    h.settle(300)
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0
    path = out / "cases-keyboard.png"
    win.grab().save(str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", required=True, type=Path, help="a demo database (yimen demo)")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = p.parse_args(argv)
    settings_dir = tempfile.mkdtemp(prefix="yimen-shot-settings-")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, settings_dir)
    app = create_app()
    app.setQuitOnLastWindowClosed(False)
    h = Harness(app, args.data_dir)
    try:
        print(shot(h, args.out))
    finally:
        h.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
