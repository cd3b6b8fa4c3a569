"""Screenshots of the 公示 section at 1366×768 (real window under Xvfb): list, one batch, a new batch.

    Xvfb :93 -screen 0 1366x768x24 &
    .venv/bin/yimen demo --data-dir /tmp/ndemo --households 2000
    DISPLAY=:93 .venv/bin/python tools/screenshots_notices.py --data-dir /tmp/ndemo

Writes docs/screenshots/notices-list.png, notices-batch.png and
notices-new-batch.png (and the ``-large`` variants with large type). Before
the shots it brings the demo's notices into the states a township has on an
ordinary day, through the notice service (into the demo database given):
the demo's drafts are printed and posted on their planned day (the oldest
one's period is over, so the window ends it at start and lists what moved),
one notice gets an objection, and a few cases of one village get their home
visit so the new-batch screen has candidates ready and not ready.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from PySide6.QtCore import QSettings  # noqa: E402
from screenshots import HEIGHT, WIDTH, Harness  # noqa: E402

from desktop.demo.generator import DEMO_INVESTIGATORS  # noqa: E402
from desktop.services.errors import ServiceError  # noqa: E402
from desktop.services.notices import batches as notices  # noqa: E402
from desktop.services.session import AppSession  # noqa: E402
from desktop.ui.app import create_app  # noqa: E402
from desktop.ui.notices.page import NoticesPage  # noqa: E402

NOT_VISITED = "尚未完成入户调查"
CLEANUPS: list[Callable[[], None]] = []


def complete_investigation(session: AppSession, case_uuid: str, on: date) -> None:
    """The economic-check report, where the investigation step asks for one before a notice."""
    try:
        from desktop.services.investigation import records as investigations  # noqa: PLC0415
    except ImportError:
        return
    if not hasattr(investigations, "request_economic_check"):
        return
    try:
        check = investigations.request_economic_check(session, case_uuid, investigations.CheckRequestInput(
            on, "县级居民家庭经济状况核对中心"))
        investigations.record_check_result(session, check, investigations.CheckResultInput(
            on, "eligible", "收入、财产均在标准以内"))
    except ServiceError:
        pass


def prepare_data(session: AppSession) -> str:
    """Post the demo's drafts, object to one case; returns the village whose candidates to show."""
    today = session.clock.today()
    drafts = sorted(notices.list_batches(session, "draft"), key=lambda b: b.start_on)
    for i, b in enumerate(drafts):
        if i == len(drafts) - 1:
            break                       # keep one draft
        for c in notices.batch_detail(session, b.uuid).cases:
            complete_investigation(session, c.case_uuid, b.start_on)
        try:
            notices.print_poster(session, b.uuid, "A4", "portrait")
            notices.post_batch(session, b.uuid, notices.PostingInput(b.start_on, "村务公开栏", "马春花"))
        except ServiceError as exc:
            print(f"  {b.batch_number} not posted: {exc.message}")
    posted = [b for b in notices.list_batches(session, "posted") if b.end_on is not None and b.end_on >= today]
    if posted and not any(b.objections for b in posted):
        target = posted[0]
        case = notices.batch_detail(session, target.uuid).cases[0]
        try:
            notices.record_objection(session, target.uuid, case.case_uuid, notices.ObjectionInput(
                today, "phone", "反映该户有家庭成员长期在外务工，收入情况需要核实", anonymous=True))
        except ServiceError as exc:
            print(f"  objection not recorded: {exc.message}")
    waiting: dict[str, list[str]] = {}
    for c in notices.list_candidates(session, None, "dibao", today):
        if c.problems and all(p.startswith((NOT_VISITED, "调查材料不全")) for p in c.problems):
            waiting.setdefault(c.division_code, []).append(c.case_uuid)
    if not waiting:
        return ""
    village = max(waiting, key=lambda v: len(waiting[v]))
    for uuid in waiting[village][: max(1, len(waiting[village]) - 2)]:
        try:
            notices.record_home_visit(session, uuid, notices.HomeVisitInput(today, DEMO_INVESTIGATORS, 56000))
            complete_investigation(session, uuid, today)
        except ServiceError:
            continue
    return village


def notices_page(h: Harness) -> NoticesPage:
    win = h.main_window("clerk", "notices")
    page = win.page("notices")
    assert isinstance(page, NoticesPage)
    h.wait_until(lambda: page.watcher.last_day is not None and not page.loading and bool(page.batches))
    h.settle(300)
    return page


def shot_list(h: Harness) -> None:
    """The list, with the end-of-period check run as on the morning after the first period ends (the
    demo's notices were all posted in the last days, so none has ended yet on the real day)."""
    page = notices_page(h)
    ends = [b.end_on for b in page.batches
            if b.status.value == "posted" and not b.open_objections and b.end_on is not None]
    if ends and not page.watcher.ended:
        page.watcher.today = lambda: min(ends) + timedelta(days=1)   # type: ignore[operator]
        page.watcher.check_now()
        h.wait_until(lambda: bool(page.watcher.ended) and not page.loading)
        h.settle(300)
    page.table.setFocus()
    h.settle(300)


def shot_batch(h: Harness) -> None:
    page = notices_page(h)
    chosen = next((b for b in page.batches if b.objections), None) or \
        next((b for b in page.batches if b.status.value == "posted"), page.batches[0])
    page.open_batch(chosen.uuid)
    h.wait_until(lambda: page.detail.detail is not None and page.detail.detail.summary.uuid == chosen.uuid)
    h.settle(400)


def shot_new_batch(h: Harness, village: str) -> None:
    page = notices_page(h)
    page.start_new_batch()
    new = page.new_batch
    h.wait_until(lambda: new.village_box.count() > 0 and not new.loading)
    if village:
        new.select(village, "dibao")
        h.wait_until(lambda: not new.loading and new.table.rowCount() > 0)
        new.pick_all_ready()
        CLEANUPS.append(lambda: new.set_picked([]))   # else closing asks whether to drop the picks
    new.table.setFocus()
    h.settle(400)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", required=True, type=Path, help="a demo database (yimen demo)")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    p.add_argument("--only", nargs="*", help="names of the shots to take")
    p.add_argument("--large", action="store_true", help="also take each shot with large type (…-large.png)")
    args = p.parse_args(argv)
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" or not os.environ.get("DISPLAY"):
        print("Run under a real X display (Xvfb :93 -screen 0 1366x768x24, DISPLAY=:93).", file=sys.stderr)
        return 2
    settings_dir = tempfile.mkdtemp(prefix="yimen-shot-settings-")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, settings_dir)
    app = create_app()
    app.setQuitOnLastWindowClosed(False)
    args.out.mkdir(parents=True, exist_ok=True)
    h = Harness(app, args.data_dir)
    ctx = h.context("clerk")
    village = prepare_data(ctx.session)
    ctx.session.close()
    shots = {"notices-list": shot_list, "notices-batch": shot_batch,
             "notices-new-batch": lambda harness: shot_new_batch(harness, village)}
    for large in (False, True) if args.large else (False,):
        for name, prepare in shots.items():
            if args.only and name not in args.only:
                continue
            try:
                if large:
                    h.main_window("clerk").set_large_type(True)
                prepare(h)
                path = args.out / f"{name}{'-large' if large else ''}.png"
                app.primaryScreen().grabWindow(0, 0, 0, WIDTH, HEIGHT).save(str(path))
                print(path)
            finally:
                while CLEANUPS:
                    CLEANUPS.pop()()
                h.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
