"""The 2026→2027 turn: a case accepted on 2026-12-15, before the State Council has published the
2027 holiday schedule, gets 暂定 due days (weekends + the law's statutory holidays: 元旦 2027-01-01,
春节 2027-02-05…02-10) on its case, its clocks, the case list and the case detail.

Expected dates are counted by hand: 12 working days are left in December 2026 after 12-15
(12-16…12-18, 12-21…12-25, 12-28…12-31); 2027-01-01 (Friday) is 元旦.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import FAST_KDF, noon
from factories import sample_application as _app

from desktop.domain.categories import Category
from desktop.domain.household import Application
from desktop.domain.roles import Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.cases import detail as case_detail
from desktop.services.cases import queries as case_queries
from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines.clocks import ClockKind
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.intake.accept import submit_application

VILLAGE = "620102101201"
ACCEPTED = date(2026, 12, 15)
NOTE = "2027年节假日安排尚未发布，日期按法定节假日暂定，以正式安排为准"


@pytest.fixture
def clerk(admin_session, data_dir):
    auth.add_user(admin_session, "clerk", "clerk", Role.CLERK, "clerk-pass-1")
    session = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    yield session
    session.close()


def accept(clerk, categories=(Category.MEDICAL,)):
    plan = DeadlinePlanner.bundled().plan(VILLAGE, ACCEPTED, list(categories))
    app = _app(categories=categories)
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(c for c, _n in plan.documents if c not in plan.conditional))
    return submit_application(clerk, app, "accept")


def test_a_case_accepted_in_december_gets_provisional_due_days(clerk, time_machine):
    time_machine.move_to(noon(ACCEPTED))
    result = accept(clerk)
    # 30 working days (医疗救助): 12 in December, 元旦 skipped, 01-04…01-27 → Wednesday 2027-01-27
    assert (result.decision_due, result.decision_provisional) == (date(2027, 1, 27), True)
    assert result.calendar_note == NOTE
    clocks = {c.kind: c for c in deadlines.case_clocks(clerk, result.case_uuid)}
    decision = clocks[ClockKind.DECISION_TOTAL]
    assert (decision.due_on, decision.provisional, decision.calendar_note) == (date(2027, 1, 27), True, NOTE)
    # the 3-working-day start of the investigation ends in 2026: official
    start = clocks[ClockKind.INVESTIGATION_START]
    assert (start.due_on, start.provisional, start.calendar_note) == (date(2026, 12, 18), False, "")
    board = deadlines.dashboard(clerk)
    assert board.open_beyond_calendar == ()          # no clock without a due day any more
    d = case_detail.case_detail(clerk, result.case_uuid)
    assert (d.decision_due, d.due_provisional) == (date(2027, 1, 27), True)
    (row,) = case_queries.list_cases(clerk, case_queries.CaseFilter(), "decision_due", False, 0, 10)
    assert (row.decision_due, row.due_provisional) == (date(2027, 1, 27), True)


def test_a_case_accepted_in_november_is_official(clerk, time_machine):
    time_machine.move_to(noon(date(2026, 11, 2)))
    result = accept(clerk)
    # 30 working days from Monday 11-02: 11-03…12-14
    assert (result.decision_due, result.decision_provisional, result.calendar_note) == (date(2026, 12, 14), False, "")
    assert not case_detail.case_detail(clerk, result.case_uuid).due_provisional


def test_the_status_bar_says_deadlines_into_2027_are_provisional(clerk):
    from desktop.services.admin.appinfo import calendar_warning

    assert calendar_warning(clerk, date(2026, 12, 3)) == NOTE + "，请从县级平台更新节假日安排"
    assert calendar_warning(clerk, date(2026, 6, 1)) is None
