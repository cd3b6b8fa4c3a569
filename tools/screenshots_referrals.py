"""Screenshots of 转办与时限 at 1366×768 (real window under Xvfb): the due/overdue dashboard, the
referral list with a result being keyed in, the home page's time-limit box, a case's clocks tab.

    Xvfb :94 -screen 0 1366x768x24 &
    .venv/bin/yimen demo --data-dir /tmp/demo50k --households 50000
    DISPLAY=:94 .venv/bin/python tools/screenshots_referrals.py --data-dir /tmp/demo50k

Writes docs/screenshots/dashboard.png, referral.png, home-due.png (and -large) and
case-time-limits.png. The
referral shot records one department's result in the demo database given (so the list shows a
concluded referral next to running and overdue ones).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from screenshots import Harness, run_screen_shots  # noqa: E402

from desktop.services.referrals import lifecycle as referrals  # noqa: E402
from desktop.services.referrals import queries as rq  # noqa: E402
from desktop.services.referrals.lifecycle import ReferralState, ResultInput  # noqa: E402
from desktop.ui.referrals.dialogs import RESULT  # noqa: E402
from desktop.ui.referrals.page import ReferralsPage  # noqa: E402


def referrals_page(h: Harness) -> ReferralsPage:
    win = h.main_window("clerk", "referrals")
    page = win.page("referrals")
    assert isinstance(page, ReferralsPage)
    return page


def shot_dashboard(h: Harness) -> None:
    page = referrals_page(h)
    page.tabs.setCurrentWidget(page.due)
    h.wait_until(lambda: page.due.board is not None)
    page.due.table.setFocus()
    h.settle(400)


def _conclude_one(page: ReferralsPage) -> None:
    """One referral of a case referred to two departments gets its result, so the list shows both."""
    session = page.ctx.session
    rows = rq.list_referrals(session, rq.ReferralFilter(state=ReferralState.SENT.value), limit=2000)
    by_case: dict[str, list[rq.ReferralRow]] = {}
    for r in rows:
        by_case.setdefault(r.case_uuid, []).append(r)
    pair = next((v for v in by_case.values() if len(v) >= 2), None)
    if pair is not None and pair[0].sent_on is not None:
        referrals.record_result(session, pair[0].uuid, ResultInput("approve", pair[0].sent_on, "县民政局 李股长",
                                                                   amount_cents=52000))


def shot_referral(h: Harness) -> None:
    page = referrals_page(h)
    _conclude_one(page)
    page.show_referrals()
    panel = page.referrals
    panel.state.setCurrentIndex(panel.state.findData(ReferralState.SENT.value))
    h.wait_until(lambda: panel.table.rowCount() > 0 and panel.state.currentData() == "sent")
    h.settle(300)
    overdue = next((i for i, r in enumerate(panel.rows) if r.overdue and r.department == "healthcare_security"), 0)
    panel.table.selectRow(overdue)
    dialog = panel.start_step(RESULT)
    assert dialog is not None
    dialog.decided_by.setText("县医疗保障局 王科长")
    dialog.amount.setText("1,500")
    dialog.reason.setPlainText("符合医疗救助条件，按住院自付费用的70%救助。")
    dialog.file_label.setText("医保局回复函.pdf（86 KB）")
    h.settle(500)


def shot_home(h: Harness) -> None:
    win = h.main_window("clerk")
    home = win.page("home")
    h.wait_until(lambda: home is not None and home.due is not None and home.due.board is not None)
    h.settle(400)


def shot_home_large(h: Harness) -> None:
    win = h.main_window("clerk")
    win.set_large_type(True)
    home = win.page("home")
    home.on_shown()
    h.wait_until(lambda: home is not None and home.due is not None and home.due.board is not None)
    h.settle(500)


def shot_referral_large(h: Harness) -> None:
    page = referrals_page(h)
    page.window().set_large_type(True)
    page.show_referrals()
    panel = page.referrals
    h.wait_until(lambda: panel.table.rowCount() > 0)      # most urgent first: overdue ones lead
    panel.table.selectRow(0)
    h.settle(500)


def shot_case(h: Harness) -> None:
    page = referrals_page(h)
    page.show_referrals()
    panel = page.referrals
    h.wait_until(lambda: panel.table.rowCount() > 0)      # most urgent first: overdue ones lead
    h.settle(300)
    panel.table.selectRow(0)
    panel.open_current_case()
    win = page.window()
    cases = win.page("cases")
    h.wait_until(lambda: cases.detail.detail is not None)
    cases.detail.tabs.setCurrentWidget(cases.detail.time_limits)
    h.wait_until(lambda: cases.detail.time_limits.data is not None)
    h.settle(400)


SHOTS = {"dashboard": shot_dashboard, "referral": shot_referral, "home-due": shot_home,
         "home-due-large": shot_home_large, "referrals-large": shot_referral_large,
         "case-time-limits": shot_case}


def main(argv: list[str] | None = None) -> int:
    return run_screen_shots(SHOTS, argv, __doc__ or "")


if __name__ == "__main__":
    raise SystemExit(main())
