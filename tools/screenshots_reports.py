"""Screenshots of 统计 and 动态复核 at 1366×768 (real window under Xvfb).

    Xvfb :96 -screen 0 1366x768x24 &
    .venv/bin/yimen demo --data-dir /tmp/shotdemo --households 2000
    DISPLAY=:96 .venv/bin/python tools/screenshots_reports.py --data-dir /tmp/shotdemo

Writes docs/screenshots/report.png (the reports page with the year's chart),
report-large.png (large type), rechecks.png (the re-checks due, inside the
转办 section's 动态复核 tab when that page has one, else in a window of the
page's size) and recheck-dialog.png (the outcome dialog). Also writes the
sample report docs/samples/report.pdf with its first page as report-1.png
(pdftoppm).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget  # noqa: E402
from screenshots import HEIGHT, WIDTH, Harness  # noqa: E402

from desktop.services.reporting import reports  # noqa: E402
from desktop.ui.app import create_app  # noqa: E402
from desktop.ui.rechecks.panel import RecheckPanel  # noqa: E402
from desktop.ui.reports.page import ReportsPage  # noqa: E402
from desktop.ui.typography import apply_large_type  # noqa: E402


def reports_page(h: Harness) -> ReportsPage:
    win = h.main_window("clerk", "reports")
    page = win.page("reports")
    assert isinstance(page, ReportsPage)
    h.wait_until(lambda: page.loaded)
    h.settle(400)
    return page


def shot_report(h: Harness) -> None:
    page = reports_page(h)
    page.tabs.setCurrentIndex(1)       # by village: the table the county asks for first
    h.settle(300)


def shot_report_large(h: Harness) -> None:
    apply_large_type(h.app, True)      # reset after the shot by main()
    reports_page(h)


def _recheck_panel(h: Harness) -> RecheckPanel:
    win = h.main_window("clerk", "referrals")
    page = win.page("referrals")
    tabs = page.findChild(QTabWidget) if page is not None else None
    panel = page.findChild(RecheckPanel) if page is not None else None
    if panel is not None and tabs is not None:
        for i in range(tabs.count()):
            if tabs.widget(i) is panel or tabs.widget(i).isAncestorOf(panel):
                tabs.setCurrentIndex(i)
        if hasattr(panel, "on_shown"):
            panel.on_shown()
    else:                               # the 转办 page is not built yet: the panel in a page-sized window
        win.close()
        holder = h.keep(QWidget())
        holder.setWindowTitle("动态复核")
        QVBoxLayout(holder).addWidget(panel := RecheckPanel(h.context("clerk")))
        holder.resize(WIDTH, HEIGHT)
        holder.move(0, 0)
        holder.show()
        panel.on_shown()
    h.wait_until(lambda: panel.loaded)
    if panel.items:
        panel.table.selectRow(0)
    h.settle(400)
    return panel


def shot_rechecks(h: Harness) -> None:
    _recheck_panel(h)


def shot_recheck_dialog(h: Harness) -> None:
    panel = _recheck_panel(h)
    dialog = panel.open_dialog()
    assert dialog is not None
    dialog.radio[dialog.outcome().ADJUST].setChecked(True)
    dialog.amount.setText("780")
    dialog.reason.setPlainText("家庭成员外出务工，月收入增加约600元")
    h.settle(400)


SHOTS = {"report": shot_report, "report-large": shot_report_large, "rechecks": shot_rechecks,
         "recheck-dialog": shot_recheck_dialog}


def sample_pdf(h: Harness, out: Path) -> None:
    session = h.context("clerk").session
    today = session.clock.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    pdf = out / "report.pdf"
    reports.export_pdf(session, reports.monthly_report(session, year, month), pdf)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "2", str(pdf), str(out / "report")],
                   check=True)
    print(pdf)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", required=True, type=Path, help="a demo database (yimen demo)")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    p.add_argument("--samples", type=Path, default=ROOT / "docs" / "samples")
    p.add_argument("--only", nargs="*", help="names of the shots to take")
    args = p.parse_args(argv)
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" or not os.environ.get("DISPLAY"):
        print("Run under a real X display (Xvfb :96 -screen 0 1366x768x24, DISPLAY=:96).", file=sys.stderr)
        return 2
    settings_dir = tempfile.mkdtemp(prefix="yimen-shot-settings-")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, settings_dir)
    app = create_app()
    app.setQuitOnLastWindowClosed(False)
    args.out.mkdir(parents=True, exist_ok=True)
    h = Harness(app, args.data_dir)
    for name, prepare in SHOTS.items():
        if args.only and name not in args.only:
            continue
        try:
            prepare(h)
            path = args.out / f"{name}.png"
            app.primaryScreen().grabWindow(0, 0, 0, WIDTH, HEIGHT).save(str(path))
            print(path)
        finally:
            h.close_all()
            apply_large_type(app, False)
    if not args.only or "sample" in args.only:
        sample_pdf(h, args.samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
