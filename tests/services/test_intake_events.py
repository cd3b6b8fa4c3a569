"""Intake queues the family before the case: household, persons, then the case, then its referrals."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from conftest import FAST_KDF
from factories import HEAD, WIFE, sample_application
from sqlalchemy import select

from desktop.domain.categories import Category
from desktop.domain.household import Application, Person
from desktop.domain.roles import Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.deadlines import planner as clocks
from desktop.services.errors import InvalidInput
from desktop.services.intake.accept import submit_application
from desktop.store.models import OutboxItem
from sync import events as ev

NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)


@pytest.fixture
def clerk(admin_session):
    auth.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    s = sign_in(admin_session.db.data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    yield s
    s.close()


def _complete(app: Application) -> Application:
    plan = clocks.DeadlinePlanner.bundled().plan("620102101201", NOW.date(), list(app.categories))
    return dataclasses.replace(app, documents_received=tuple(c for c, _n in plan.documents))


def _log(session, after: int = 0) -> list[tuple[OutboxItem, ev.Event]]:
    with session.db.read() as s:
        rows = s.scalars(select(OutboxItem).where(OutboxItem.seq > after).order_by(OutboxItem.seq)).all()
        return [(r, ev.parse_event(r.event_type, r.schema_version, r.payload)) for r in rows]


def test_a_new_family_is_queued_before_its_case_and_the_case_before_its_referrals(clerk):
    r = submit_application(clerk, _complete(sample_application((Category.DIBAO, Category.MEDICAL))), "accept",
                           now=NOW)
    log = _log(clerk)
    types = [e.TYPE for _r, e in log]
    assert types[:4] == ["household.snapshot", "person.snapshot", "person.snapshot", "case.created"]
    assert set(types[4:]) == {"referral.created"} and len(types) == 5    # 医疗救助 referred, 低保 not
    household, head, wife, case, referral = (e for _r, e in log)
    assert isinstance(case, ev.CaseCreated) and case.case_uuid == r.case_uuid
    assert case.household_uuid == household.subject() and case.applicant_uuid == head.subject()
    assert (head.id_number, wife.id_number, head.position, wife.position) == (HEAD, WIFE, 0, 1)
    assert head.household_uuid == wife.household_uuid == household.subject()
    assert case.categories == ["dibao", "medical"] and case.status == "accepted"
    assert referral.parents() == (("case", r.case_uuid),)
    assert [row.seq for row, _e in log] == sorted(row.seq for row, _e in log)


def test_the_household_is_queued_again_only_when_the_township_changes_it(clerk):
    app = _complete(sample_application())
    first = submit_application(clerk, app, "accept", now=NOW)
    (hh_row, hh), *_ = _log(clerk)
    last = max(row.seq for row, _e in _log(clerk))
    with clerk.db.read() as s:
        hh_uuid = s.get(OutboxItem, hh_row.id).entity_uuid
    # the same family again, nothing changed: only the new case travels
    submit_application(clerk, app, "accept", now=NOW, household_uuid=hh_uuid)
    assert [e.TYPE for _r, e in _log(clerk, last)] == ["case.created"]
    last = max(row.seq for row, _e in _log(clerk))
    # moved house, and the wife now earns: a new household snapshot and hers, not his
    wife = dataclasses.replace(app.household.members[1], monthly_income_cents=90000)
    moved = dataclasses.replace(app, household=dataclasses.replace(
        app.household, address="东坪村五组3号", members=(app.household.members[0], wife)))
    submit_application(clerk, moved, "accept", now=NOW, household_uuid=hh_uuid)
    again = [e for _r, e in _log(clerk, last)]
    assert [e.TYPE for e in again] == ["household.snapshot", "person.snapshot", "case.created"]
    assert again[0].subject() == hh_uuid and again[0].address == "东坪村五组3号" != hh.address
    assert again[1].id_number == WIFE and again[1].monthly_income_cents == 90000
    assert first.case_uuid != again[2].subject()


def test_a_refused_intake_queues_nothing(clerk):
    before = _log(clerk)
    app = sample_application()
    wrong = HEAD[:-1] + ("1" if HEAD[-1] != "1" else "2")       # the check character does not match
    bad = dataclasses.replace(app, household=dataclasses.replace(
        app.household, members=(Person("张三明", wrong, app.household.members[0].relation),)))
    with pytest.raises(InvalidInput):
        submit_application(clerk, _complete(bad), "accept", now=NOW)
    assert _log(clerk) == before


def test_the_sync_page_summary_counts_the_queue_by_kind_in_plain_words(clerk):
    from desktop.services.admin import appinfo

    empty = appinfo.queue_summary(clerk)
    assert (empty.waiting, empty.by_kind, empty.oldest_at, empty.last_sync_at) == (0, (), None, None)
    submit_application(clerk, _complete(sample_application((Category.DIBAO, Category.MEDICAL))), "accept", now=NOW)
    q = appinfo.queue_summary(clerk)
    kinds = dict(q.by_kind)
    assert kinds["家庭登记"] == 1 and kinds["家庭成员信息"] == 2 and kinds["案件受理与办理"] >= 1
    assert kinds["转办"] >= 1                                          # 医疗救助 goes to 医保局
    with clerk.db.read() as s:
        rows = s.scalars(select(OutboxItem)).all()
    assert q.waiting == len(rows) == sum(kinds.values())
    assert q.oldest_at == min(r.occurred_at for r in rows).replace(tzinfo=UTC) and q.attention == 0
