"""Dynamic management: re-check schedules from the policy, a re-check falling due and being recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import FAST_KDF
from factories import sample_application, to_decision, villages_of
from sqlalchemy import func, select

from desktop.domain.categories import Category
from desktop.domain.clock import add_months
from desktop.domain.household import Application
from desktop.domain.policy import RecheckClass
from desktop.domain.roles import PermissionDenied, Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.coverage import rechecks
from desktop.services.coverage.rechecks import DueGroup, OutcomeInput
from desktop.services.deadlines import planner as clocks
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.intake.accept import submit_application
from desktop.services.workflow import transitions as cases
from desktop.store import audit
from desktop.store.models import AuditEvent, Case, Coverage, OutboxItem
from desktop.store.models_recheck import Recheck

VILLAGE = "620102101201"
TODAY = date(2026, 3, 10)   # the national table is in force for the test township's county then


@pytest.fixture
def people(admin_session, data_dir):
    roles = {"clerk": Role.CLERK, "supervisor": Role.SUPERVISOR, "assistant": Role.VILLAGE_ASSISTANT,
             "auditor": Role.AUDITOR}
    for name, role in roles.items():
        auth.add_user(admin_session, name, name, role, f"{name}-pass-1", **villages_of(role))
    sessions = {n: sign_in(data_dir, n, f"{n}-pass-1", kdf=FAST_KDF) for n in roles}
    sessions["admin"] = admin_session
    yield sessions
    for n, s in sessions.items():
        if n != "admin":
            s.close()


def _case(clerk, categories=(Category.DIBAO,)) -> str:
    plan = clocks.DeadlinePlanner.bundled().plan(VILLAGE, datetime.now(UTC).date(), list(categories))
    app = sample_application(categories)
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(c for c, _n in plan.documents))
    return submit_application(clerk, app, "accept").case_uuid


def _coverage(session, since: date, cls: RecheckClass, amount: int = 104000, category: str = "dibao") -> int:
    case_uuid = _case(session)
    with session.db.write() as s:
        hh = s.get(Case, case_uuid).household_uuid
        cov = Coverage(household_uuid=hh, category=category, since=since, until=None, monthly_amount_cents=amount,
                       recheck_class=cls.value, case_uuid=None)
        s.add(cov)
        s.flush()
        return cov.id


def _open_recheck(session, coverage_id: int) -> Recheck | None:
    with session.db.read() as s:
        return s.scalar(select(Recheck).where(Recheck.coverage_id == coverage_id, Recheck.done_on.is_(None)))


def _counts(session):
    with session.db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Recheck, AuditEvent, OutboxItem))


def _months(cls: RecheckClass, on: date = TODAY) -> int:
    return clocks.DeadlinePlanner.bundled().policy_for(VILLAGE, on).recheck_months(cls)


@pytest.mark.parametrize("cls", list(RecheckClass))
def test_a_new_coverage_is_due_the_policy_months_after_it_began(people, cls):
    clerk = people["clerk"]
    cov = _coverage(clerk, TODAY, cls)
    assert rechecks.schedule_missing(clerk, today=TODAY) == 1
    row = _open_recheck(clerk, cov)
    assert row.due_on == add_months(TODAY, _months(cls))
    assert row.recheck_class == cls.value and row.policy_ref.startswith("000000@")
    assert rechecks.schedule_missing(clerk, today=TODAY) == 0      # idempotent


def test_policy_months_per_class_are_the_tables_numbers(people):
    assert {c: _months(c) for c in RecheckClass} == {
        RecheckClass.STABLE: 12, RecheckClass.IRREGULAR_INCOME: 6, RecheckClass.CLASS_C_URBAN: 3,
        RecheckClass.CLASS_C_RURAL: 6, RecheckClass.TEKUN: 12}


def test_an_old_coverage_is_due_on_its_next_anniversary_not_years_overdue(people):
    clerk = people["clerk"]
    stable = _coverage(clerk, date(2024, 1, 15), RecheckClass.STABLE)
    half = _coverage(clerk, date(2024, 1, 15), RecheckClass.IRREGULAR_INCOME)
    quarter = _coverage(clerk, date(2025, 12, 10), RecheckClass.CLASS_C_URBAN)
    assert rechecks.schedule_missing(clerk, today=TODAY) == 3
    assert _open_recheck(clerk, stable).due_on == date(2027, 1, 15)
    assert _open_recheck(clerk, half).due_on == date(2026, 7, 15)
    assert _open_recheck(clerk, quarter).due_on == date(2026, 3, 10)   # due today: not skipped
    assert rechecks.first_due(date(2025, 1, 31), 1, date(2025, 2, 27)) == date(2025, 2, 28)


def test_a_recheck_falls_due_and_is_recorded_continue_adjust_stop(people):
    clerk, supervisor = people["clerk"], people["supervisor"]
    cov = _coverage(clerk, date(2025, 9, 20), RecheckClass.CLASS_C_RURAL, amount=104000)
    rechecks.schedule_missing(clerk, today=date(2025, 9, 20))
    due = _open_recheck(clerk, cov).due_on
    assert due == date(2026, 3, 20)

    def listed(today, **kw):
        return {r.coverage_id: r for r in rechecks.list_due(clerk, today=today, **kw)}

    assert cov not in listed(date(2026, 1, 5))                    # not yet within next month
    assert listed(date(2026, 2, 5))[cov].group is DueGroup.NEXT_MONTH
    assert listed(date(2026, 3, 1))[cov].group is DueGroup.THIS_MONTH
    item = listed(date(2026, 3, 25))[cov]
    assert item.group is DueGroup.OVERDUE and item.village == "东坪村" and item.holder == "张三明"
    assert cov in listed(date(2026, 3, 25), group="overdue", village=VILLAGE)
    assert cov not in listed(date(2026, 3, 25), group="this_month")
    assert cov not in listed(date(2026, 3, 25), village="620102101202")
    assert rechecks.due_counts(clerk, today=date(2026, 3, 25))[DueGroup.OVERDUE] >= 1

    # continue: the next re-check is the class's months after the day of this one
    done = rechecks.record_outcome(clerk, item.uuid, OutcomeInput("continue", date(2026, 3, 24)),
                                   today=date(2026, 3, 25))
    assert done.next_due_on == add_months(date(2026, 3, 24), _months(RecheckClass.CLASS_C_RURAL, date(2026, 3, 24)))
    assert cov not in listed(date(2026, 3, 25))
    nxt = listed(add_months(date(2026, 3, 24), 6))[cov]
    # adjust: the monthly amount changes
    adj = rechecks.record_outcome(supervisor, nxt.uuid, OutcomeInput("adjust", nxt.due_on, "家庭成员务工收入增加",
                                                                     new_amount_cents=78000), today=nxt.due_on)
    assert adj.monthly_amount_cents == 78000 and adj.next_due_on is not None
    with clerk.db.read() as s:
        assert s.get(Coverage, cov).monthly_amount_cents == 78000
        old = s.scalar(select(Recheck).where(Recheck.uuid == nxt.uuid))
        assert (old.outcome, old.amount_before_cents, old.new_amount_cents) == ("adjust", 104000, 78000)
        ev = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert ev.action == "recheck.recorded" and ev.entity_id == nxt.uuid
        out = s.scalars(select(OutboxItem).order_by(OutboxItem.seq.desc())).first()
        assert out.event_type == "recheck.recorded" and out.payload["amount_after_cents"] == 78000
        assert audit.verify_chain(s).ok
    # stop: the coverage ends and the family leaves the list for good
    last = _open_recheck(clerk, cov)
    stop = rechecks.record_outcome(clerk, last.uuid, OutcomeInput("stop", last.due_on, "家庭收入超过低保标准"),
                                   today=last.due_on)
    assert stop.next_due_on is None
    with clerk.db.read() as s:
        assert s.get(Coverage, cov).until == last.due_on
    assert _open_recheck(clerk, cov) is None
    assert rechecks.schedule_missing(clerk, today=last.due_on) == 0
    assert cov not in listed(add_months(last.due_on, 12))


@pytest.mark.parametrize(("form", "field", "words"), [
    (OutcomeInput("maybe", date(2026, 3, 20)), "outcome", "请选择复核结果"),
    (OutcomeInput("continue", date(2026, 3, 26)), "done_on", "不能晚于今天"),
    (OutcomeInput("continue", date(2025, 1, 1)), "done_on", "不能早于"),
    (OutcomeInput("stop", date(2026, 3, 20), "   "), "reason", "须填写理由"),
    (OutcomeInput("adjust", date(2026, 3, 20), ""), "reason", "须填写理由"),
    (OutcomeInput("adjust", date(2026, 3, 20), "收入变化"), "new_amount_cents", "大于0"),
    (OutcomeInput("adjust", date(2026, 3, 20), "收入变化", new_amount_cents=0), "new_amount_cents", "大于0"),
    (OutcomeInput("adjust", date(2026, 3, 20), "收入变化", new_amount_cents=-5), "new_amount_cents", "大于0"),
    (OutcomeInput("adjust", date(2026, 3, 20), "收入变化", new_amount_cents=104000), "new_amount_cents", "相同"),
    (OutcomeInput("continue", date(2026, 3, 20), new_amount_cents=5000), "new_amount_cents", "调整金额"),
])
def test_bad_input_is_refused_in_chinese_and_changes_nothing(people, form, field, words):
    clerk = people["clerk"]
    cov = _coverage(clerk, date(2025, 9, 20), RecheckClass.CLASS_C_RURAL, amount=104000)
    rechecks.schedule_missing(clerk, today=date(2025, 9, 20))
    row = _open_recheck(clerk, cov)
    before = _counts(clerk)
    with pytest.raises(InvalidInput) as err:
        rechecks.record_outcome(clerk, row.uuid, form, today=date(2026, 3, 25))
    assert err.value.field == field and words in err.value.message
    assert _counts(clerk) == before
    with clerk.db.read() as s:
        c = s.get(Coverage, cov)
        assert (c.monthly_amount_cents, c.until) == (104000, None)
    assert _open_recheck(clerk, cov).uuid == row.uuid
    with pytest.raises(NotFound):
        rechecks.record_outcome(clerk, "no-such-recheck", OutcomeInput("continue", date(2026, 3, 20)),
                                today=date(2026, 3, 25))


def test_a_recorded_recheck_cannot_be_recorded_twice(people):
    clerk = people["clerk"]
    cov = _coverage(clerk, date(2025, 9, 20), RecheckClass.CLASS_C_RURAL)
    rechecks.schedule_missing(clerk, today=date(2025, 9, 20))
    row = _open_recheck(clerk, cov)
    rechecks.record_outcome(clerk, row.uuid, OutcomeInput("continue", date(2026, 3, 20)), today=date(2026, 3, 25))
    before = _counts(clerk)
    with pytest.raises(InvalidInput, match="已录入结果"):
        rechecks.record_outcome(clerk, row.uuid, OutcomeInput("continue", date(2026, 3, 21)), today=date(2026, 3, 25))
    assert _counts(clerk) == before


def test_only_clerks_and_supervisors_record(people):
    clerk = people["clerk"]
    cov = _coverage(clerk, date(2025, 9, 20), RecheckClass.CLASS_C_RURAL)
    rechecks.schedule_missing(clerk, today=date(2025, 9, 20))
    row = _open_recheck(clerk, cov)
    before = _counts(clerk)
    for who in ("assistant", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            rechecks.record_outcome(people[who], row.uuid, OutcomeInput("continue", date(2026, 3, 20)),
                                    today=date(2026, 3, 25))
    for who in ("assistant", "auditor"):
        with pytest.raises(PermissionDenied):
            rechecks.list_due(people[who], today=date(2026, 3, 25))
    assert rechecks.list_due(people["admin"], today=date(2026, 3, 25))     # admins may look
    assert _counts(clerk) == before


def _approve(people, categories) -> str:
    clerk, supervisor = people["clerk"], people["supervisor"]
    case_uuid = _case(clerk, categories)
    to_decision(clerk, case_uuid)
    cases.transition(supervisor, case_uuid, "approve", cases.TransitionInput(amount_cents=96000))
    return case_uuid


def test_approving_dibao_opens_the_coverage_and_its_first_recheck(people):
    clerk = people["clerk"]
    case_uuid = _approve(people, (Category.DIBAO, Category.MEDICAL))
    today = datetime.now(UTC).astimezone().date()
    with clerk.db.read() as s:
        covs = s.scalars(select(Coverage).where(Coverage.case_uuid == case_uuid)).all()
        assert [(c.category, c.since, c.monthly_amount_cents) for c in covs] == [("dibao", today, 96000)]
        # the sample family: a head able to work in farming → irregular income, re-checked half-yearly or yearly
        assert covs[0].recheck_class in (RecheckClass.STABLE.value, RecheckClass.IRREGULAR_INCOME.value)
        row = s.scalar(select(Recheck).where(Recheck.coverage_id == covs[0].id))
        months = clocks.DeadlinePlanner.bundled().policy_for(VILLAGE, today).recheck_months(covs[0].recheck_class)
        assert row.due_on == add_months(today, months) and row.done_on is None
        (created,) = s.scalars(select(OutboxItem).where(OutboxItem.event_type == "coverage.created")).all()
        # the coverage travels under its own uuid (not the case's), with the case and household it belongs to
        assert created.entity_uuid == covs[0].uuid == created.payload["coverage_uuid"]
        assert created.payload["household_uuid"] == covs[0].household_uuid
        assert created.payload["case_uuid"] == covs[0].case_uuid


def test_approving_other_aid_opens_no_coverage(people):
    clerk = people["clerk"]
    case_uuid = _approve(people, (Category.TEMP_EXPENSE,))
    with clerk.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Coverage).where(Coverage.case_uuid == case_uuid)) == 0


def test_recheck_class_rule():
    assert rechecks.recheck_class_for("tekun", [("full", "farming")]) is RecheckClass.TEKUN
    assert rechecks.recheck_class_for("dibao", [("none", "none"), ("full", "flexible")]) is \
        RecheckClass.IRREGULAR_INCOME
    assert rechecks.recheck_class_for("dibao", [("not_applicable", "retired")]) is RecheckClass.STABLE


def test_the_months_come_from_the_table_in_force_for_the_village(people):
    """A county table with its own frequencies (demo numbers) is used from its effective date on."""
    import dataclasses

    from desktop.resources import load_bundled_calendar, load_bundled_policy_book

    book = load_bundled_policy_book()
    national = book.policy_for(VILLAGE, TODAY)
    local = dataclasses.replace(national, region="620102", effective_from=date(2026, 1, 1), origin="test",
                                recheck={**national.recheck, RecheckClass.STABLE: 24,
                                         RecheckClass.CLASS_C_URBAN: 2})
    planner = clocks.DeadlinePlanner(book.merge([local]), load_bundled_calendar())
    clerk = people["clerk"]
    stable = _coverage(clerk, TODAY, RecheckClass.STABLE)
    urban = _coverage(clerk, TODAY, RecheckClass.CLASS_C_URBAN)
    assert rechecks.schedule_missing(clerk, today=TODAY, planner=planner) == 2
    assert _open_recheck(clerk, stable).due_on == date(2028, 3, 10)
    row = _open_recheck(clerk, urban)
    assert (row.due_on, row.policy_ref) == (date(2026, 5, 10), "620102@2026-01-01")
    done = rechecks.record_outcome(clerk, row.uuid, OutcomeInput("continue", date(2026, 5, 11)),
                                   today=date(2026, 5, 12), planner=planner)
    assert done.next_due_on == date(2026, 7, 11)
