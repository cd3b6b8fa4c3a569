"""Screenshots of the intake wizard, one per step, in the real main window at 1366×768.

    Xvfb :97 -screen 0 1366x768x24 &
    DISPLAY=:97 .venv/bin/python tools/screenshots_intake.py [--data-dir DEMO] [--out docs/screenshots]
    (without DISPLAY it runs offscreen: the window is grabbed with QWidget.grab either way)

Without ``--data-dir`` a small demo township (400 households, fixed date) is
made in a temporary folder. Files: intake-1-search.png … intake-5-confirm.png,
plus intake-2-household-errors.png (the messages after a refused 下一步).
Uses the harness of ``tools/screenshots.py`` (sign-in of demo users, per-PC
settings in a temporary folder).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from screenshots import HEIGHT, WIDTH, Harness  # noqa: E402

from desktop.demo import generator as demo  # noqa: E402
from desktop.services.intake import search  # noqa: E402
from desktop.ui.app import create_app  # noqa: E402
from desktop.ui.intake.page import IntakePage  # noqa: E402
from desktop.ui.main_window import MainWindow  # noqa: E402
from forms.idnumber import check_char  # noqa: E402

HEAD_ID = (lambda f: f + check_char(f))("62010219680412003")
WIFE_ID = (lambda f: f + check_char(f))("62010219700921004")
SON_ID = (lambda f: f + check_char(f))("62010220100305005")


def _open(h: Harness) -> tuple[MainWindow, IntakePage]:
    win = h.main_window("clerk", "intake")
    page = win.page("intake")
    assert isinstance(page, IntakePage)
    h.wait_until(lambda: page.villages is not None)
    return win, page


def _search(h: Harness, page: IntakePage, text: str) -> None:
    page.search.box.setFocus()
    page.search.box.setText(text)
    page.search.search_now()
    h.wait_until(page.search.search_done)
    h.settle()


def _known_name(h: Harness, page: IntakePage) -> str:
    """A head of household with an open case and current coverage (or at least an open case)."""
    best = ""
    for first in "wzlcymh":
        for second in "xyjmlhsq":
            for hh in search.search(page.ctx.session, first + second, limit=100).households:
                if hh.open_cases and hh.coverage and len(hh.members) > 2:
                    return hh.head_name
                if hh.open_cases and not best:
                    best = hh.head_name
    return best or "wx"


def shot_search(h: Harness) -> QWidget:
    win, page = _open(h)
    _search(h, page, _known_name(h, page))
    tree = page.search.tree
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        hh = next(x for x in page.search.results.households if x.household_uuid == item.data(0, Qt.ItemDataRole.UserRole))
        if hh.open_cases:
            tree.setCurrentItem(item)
            break
    tree.setFocus()
    h.settle()
    return win


def _household(h: Harness, page: IntakePage) -> None:
    _search(h, page, HEAD_ID)
    page.search.start_new_household()
    h.wait_until(lambda: page.current() == 1)
    hh = page.household
    hh.village.setCurrentIndex(3)
    hh.address.setText("石门村二组27号")
    ed = hh.editor
    ed.name.setText("马德福")
    ed.health.setCurrentIndex(1)
    ed.labour.setCurrentIndex(1)
    ed.employment.setCurrentIndex(1)
    ed.income.setText("850")
    hh.add_member()
    ed.name.setText("杨秀英")
    ed.id_number.setText(WIFE_ID)
    ed.relation.setCurrentIndex(ed.relation.findData("spouse"))
    ed.employment.setCurrentIndex(1)
    ed.income.setText("400")
    hh.add_member()
    ed.name.setText("马小军")
    ed.id_number.setText(SON_ID)
    ed.relation.setCurrentIndex(ed.relation.findData("son"))
    ed.labour.setCurrentIndex(ed.labour.findData("not_applicable"))
    ed.employment.setCurrentIndex(ed.employment.findData("student"))
    hh.table.setCurrentCell(1, 0)
    h.settle()


def shot_household(h: Harness) -> QWidget:
    win, page = _open(h)
    _household(h, page)
    page.household.editor.id_number.setFocus()
    h.settle()
    return win


def shot_household_errors(h: Harness) -> QWidget:
    win, page = _open(h)
    _search(h, page, "620102199001010")
    page.search.start_new_household()
    h.wait_until(lambda: page.current() == 1)
    ed = page.household.editor
    ed.name.setText("张3")
    ed.id_number.setText("620102199002300018")
    ed.relation.setCurrentIndex(ed.relation.findData("spouse"))
    ed.grade.setCurrentIndex(2)
    ed.income.setText("-20")
    page.next_step()
    h.settle()
    return win


def _request(h: Harness, page: IntakePage) -> None:
    _household(h, page)
    page.next_step()
    h.wait_until(lambda: page.current() == 2)
    req = page.request
    for row in (0, 4):
        req.categories.item(row).setCheckState(Qt.CheckState.Checked)
    req.reason.setPlainText("户主马德福患慢性病，长期服药，妻子务农收入低，儿子在校读书，家庭生活困难。")
    req.phone.setText("139 0000 0456")
    req.no_relative.setChecked(True)
    h.settle()


def shot_request(h: Harness) -> QWidget:
    win, page = _open(h)
    _request(h, page)
    page.request.categories.setFocus()
    h.settle()
    return win


def _documents(h: Harness, page: IntakePage) -> None:
    _request(h, page)
    page.next_step()
    h.wait_until(lambda: page.current() == 3)
    for i, row in enumerate(page.documents.rows):
        if i == 3:
            row.buttons["missing"].setChecked(True)
        elif "not_applicable" in row.buttons and i > 5:
            row.buttons["not_applicable"].setChecked(True)
        elif i < 7:
            row.buttons["received"].setChecked(True)
    h.settle()


def shot_documents(h: Harness) -> QWidget:
    win, page = _open(h)
    _documents(h, page)
    page.documents.first_focus().setFocus()
    h.settle()
    return win


def shot_confirm(h: Harness) -> QWidget:
    win, page = _open(h)
    _documents(h, page)
    for row in page.documents.rows:
        if not row.mark():
            row.buttons.get("not_applicable", row.buttons["received"]).setChecked(True)
    page.next_step()
    h.wait_until(lambda: page.current() == 4)
    page.confirm.first_focus().setFocus()
    h.settle()
    return win


SHOTS = [("intake-1-search", shot_search), ("intake-2-household", shot_household),
         ("intake-2-household-errors", shot_household_errors), ("intake-3-request", shot_request),
         ("intake-4-documents", shot_documents), ("intake-5-confirm", shot_confirm)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, help="a demo database (default: a small one made now)")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    p.add_argument("--only", nargs="*", help="names of the shots to take")
    args = p.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # widget.grab() works there too (no X needed)
    settings_dir = tempfile.mkdtemp(prefix="yimen-shot-settings-")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, settings_dir)
    data_dir = args.data_dir
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="yimen-shot-demo-")) / "demo"
        demo.create_demo(data_dir, households=400, today=date(2026, 11, 20))
    app: QApplication = create_app()
    app.setQuitOnLastWindowClosed(False)
    args.out.mkdir(parents=True, exist_ok=True)
    h = Harness(app, data_dir)
    for name, prepare in SHOTS:
        if args.only and name not in args.only:
            continue
        try:
            widget = prepare(h)
            widget.setGeometry(0, 0, WIDTH, HEIGHT)
            h.settle()
            path = args.out / f"{name}.png"
            widget.grab().save(str(path))
            print(f"{path}  {widget.width()}×{widget.height()}")
            page = widget.page("intake") if isinstance(widget, MainWindow) else None
            if isinstance(page, IntakePage):
                page.reset()        # nothing unsaved: closing the window asks nothing
        finally:
            h.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
