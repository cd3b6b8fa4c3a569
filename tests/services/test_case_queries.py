"""The case list and case detail on a real encrypted demo database (300 households, fixed day)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import FAST_KDF
from sqlalchemy import func, select
from sqlalchemy.dialects import sqlite

from desktop.demo.generator import create_demo
from desktop.domain.case_state import TERMINAL_STATUSES, CaseStatus, TransitionRefused
from desktop.domain.phone import mask_phone
from desktop.domain.roles import PermissionDenied
from desktop.services.admin.accounts import sign_in
from desktop.services.cases import queries as q
from desktop.services.cases.queries import CaseFilter
from desktop.services.documents import issue as documents
from desktop.services.errors import InvalidInput
from desktop.services.masking import masked_id
from desktop.services.session import AppSession
from desktop.services.workflow.transitions import TransitionInput
from desktop.store.models import AuditEvent, Case, CaseCategory, Person, StatusChange
from desktop.store.models_clock import CaseClock

TODAY = date(2026, 9, 15)
HOUSEHOLDS = 300


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    result = create_demo(tmp_path / "demo", households=HOUSEHOLDS, today=TODAY, kdf=FAST_KDF)
    yield result.data_dir, {user: pw for user, _label, pw in result.accounts}


@pytest.fixture
def open_as(demo: tuple[Path, dict[str, str]]) -> Iterator:  # type: ignore[type-arg]
    data_dir, passwords = demo
    opened: list[AppSession] = []

    def sign(user: str) -> AppSession:
        session = sign_in(data_dir, user, passwords[user])
        opened.append(session)
        return session

    yield sign
    for s in opened:
        s.close()


@pytest.fixture
def clerk(open_as) -> AppSession:  # type: ignore[no-untyped-def]
    return open_as("clerk")


def all_rows(session: AppSession, f: CaseFilter = CaseFilter(), sort: str = "received_on",  # noqa: B008
             desc: bool = True) -> list[q.CaseRow]:
    return q.list_cases(session, f, sort, desc, 0, q.MAX_PAGE, today=TODAY)


def db_cases(session: AppSession) -> list[Case]:
    with session.db.read() as s:
        return list(s.scalars(select(Case)))


# ------------------------------------------------------------------------------------ filters

def test_filters_narrow_to_exactly_the_matching_cases(clerk: AppSession) -> None:
    cases = db_cases(clerk)
    assert q.count_cases(clerk, CaseFilter(), today=TODAY) == len(cases) == len(all_rows(clerk))
    with clerk.db.read() as s:
        cats = {(c, k) for c, k in s.execute(select(CaseCategory.case_uuid, CaseCategory.category))}
    checks = {
        CaseFilter(status="investigating"): {c.uuid for c in cases if c.status == "investigating"},
        CaseFilter(village="620102101201"): {c.uuid for c in cases if c.division_code == "620102101201"},
        CaseFilter(clerk="clerk2"): {c.uuid for c in cases if c.clerk == "clerk2"},
        CaseFilter(category="medical"): {c for c, k in cats if k == "medical"},
        CaseFilter(status="accepted", clerk="clerk"): {c.uuid for c in cases
                                                       if c.status == "accepted" and c.clerk == "clerk"},
    }
    for f, expected in checks.items():
        assert expected, f
        rows = all_rows(clerk, f)
        assert {r.case_uuid for r in rows} == expected, f
        assert q.count_cases(clerk, f, today=TODAY) == len(expected)
    assert {r.status_label for r in all_rows(clerk, CaseFilter(status="investigating"))} == {"调查中"}
    assert all("医疗救助" in r.categories_label for r in all_rows(clerk, CaseFilter(category="medical")))


def test_text_filter_by_case_number_name_and_initials(clerk: AppSession) -> None:
    row = all_rows(clerk)[17]
    by_number = all_rows(clerk, CaseFilter(text=row.case_number_display))
    assert [r.case_uuid for r in by_number] == [row.case_uuid]
    tail = row.case_number_display.replace("-", "")[-8:]
    assert row.case_uuid in {r.case_uuid for r in all_rows(clerk, CaseFilter(text=tail))}
    surname = row.applicant_name[0]
    by_name = all_rows(clerk, CaseFilter(text=surname))
    assert row.case_uuid in {r.case_uuid for r in by_name}
    assert all(r.applicant_name.startswith(surname) for r in by_name)
    with clerk.db.read() as s:
        initials = s.scalar(select(Person.name_initials).join(Case, Case.applicant_uuid == Person.uuid)
                            .where(Case.uuid == row.case_uuid))
    by_initials = all_rows(clerk, CaseFilter(text=initials.upper()))
    assert row.case_uuid in {r.case_uuid for r in by_initials}
    assert all(q.count_cases(clerk, CaseFilter(text=t), today=TODAY) == 0 for t in ("%", "_", "不存在的名字"))


def test_unknown_filter_values_and_sort_keys_are_refused(clerk: AppSession) -> None:
    with pytest.raises(InvalidInput):
        q.count_cases(clerk, CaseFilter(status="nonsense"), today=TODAY)
    with pytest.raises(InvalidInput):
        q.list_cases(clerk, CaseFilter(category="nonsense"), today=TODAY)
    with pytest.raises(InvalidInput):
        q.list_cases(clerk, CaseFilter(), "applicant_uuid; drop table cases", today=TODAY)
    with pytest.raises(InvalidInput):
        q.list_cases(clerk, CaseFilter(), limit=0, today=TODAY)


# ------------------------------------------------------------------------------------ sorting and paging

def test_sorting(clerk: AppSession) -> None:
    received = [r.received_on for r in all_rows(clerk, sort="received_on", desc=True)]
    assert received == sorted(received, reverse=True)
    due = [r.decision_due for r in all_rows(clerk, sort="decision_due", desc=False)]
    known = [d for d in due if d is not None]
    assert known == sorted(known) and due[:len(known)] == known       # cases with no deadline last
    order = list(CaseStatus)
    ranks = [order.index(CaseStatus(r.status)) for r in all_rows(clerk, sort="status", desc=False)]
    assert ranks == sorted(ranks)
    numbers = [r.case_number_display for r in all_rows(clerk, sort="case_number", desc=True)]
    assert numbers == sorted(numbers, reverse=True)
    clerks = [r.clerk_username for r in all_rows(clerk, sort="clerk", desc=False)]
    assert clerks == sorted(clerks)
    with clerk.db.read() as s:
        initials = dict(s.execute(select(Case.uuid, Person.name_initials)
                                  .join(Person, Person.uuid == Case.applicant_uuid)).all())
    by_name = [initials[r.case_uuid] for r in all_rows(clerk, sort="applicant_name", desc=False)]
    assert by_name == sorted(by_name)


@pytest.mark.parametrize("sort", ["received_on", "decision_due", "applicant_name", "status", "village_name"])
def test_pages_join_up_without_gaps_or_repeats(clerk: AppSession, sort: str) -> None:
    f = CaseFilter()
    whole = [r.case_uuid for r in all_rows(clerk, f, sort, False)]
    paged: list[str] = []
    while True:
        page = q.list_cases(clerk, f, sort, False, len(paged), 37, today=TODAY)
        if not page:
            break
        paged += [r.case_uuid for r in page]
    assert paged == whole
    assert len(set(paged)) == len(paged) == q.count_cases(clerk, f, today=TODAY)


def test_first_page_brings_the_count_with_it(clerk: AppSession) -> None:
    f = CaseFilter(status="approved")
    page = q.first_page(clerk, f, "received_on", True, 10, today=TODAY)
    assert page.total == q.count_cases(clerk, f, today=TODAY) > 10
    assert [r.case_uuid for r in page.rows] == [r.case_uuid for r in all_rows(clerk, f)[:10]]
    assert q.first_page(clerk, CaseFilter(text="不存在的名字"), today=TODAY).rows == ()


# ------------------------------------------------------------------------------------ overdue

def test_overdue_is_an_open_case_past_its_deadline(clerk: AppSession) -> None:
    """Past its decision deadline, or past the due day of any clock still running (investigation,
    a referral…)."""
    rows = all_rows(clerk)
    overdue = [r for r in rows if r.overdue]
    assert overdue, "the demo should have overdue cases on this day"
    with clerk.db.read() as s:
        late_clock = set(s.scalars(select(CaseClock.case_uuid).where(CaseClock.state == "open",
                                                                     CaseClock.due_on < TODAY)))
    assert late_clock, "the demo's running clocks should include late ones"
    for r in rows:
        expected = (r.decision_due is not None and r.decision_due < TODAY
                    and CaseStatus(r.status) not in TERMINAL_STATUSES) or r.case_uuid in late_clock
        assert r.overdue == expected
    only = all_rows(clerk, CaseFilter(overdue_only=True))
    assert {r.case_uuid for r in only} == {r.case_uuid for r in overdue}
    assert q.count_cases(clerk, CaseFilter(overdue_only=True), today=TODAY) == len(overdue)
    # on an earlier day fewer cases are late
    assert q.count_cases(clerk, CaseFilter(overdue_only=True), today=date(2026, 7, 1)) < len(overdue)


# ------------------------------------------------------------------------------------ query plans

def _plan(session: AppSession, stmt) -> str:  # type: ignore[no-untyped-def]
    sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with session.db.read() as s:
        return " | ".join(r[-1] for r in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def test_filters_use_the_indexes(clerk: AppSession) -> None:
    for f, index in ((CaseFilter(status="accepted"), "ix_cases_status"),
                     (CaseFilter(village="620102101201"), "ix_cases_division_code"),
                     (CaseFilter(clerk="clerk"), "ix_cases_clerk"),
                     (CaseFilter(text="zs"), "ix_persons_name_initials"),
                     (CaseFilter(text="张"), "ix_persons_name")):
        count_plan = _plan(clerk, q.count_query(f, TODAY))
        page_plan = _plan(clerk, q.page_query(f, "received_on", True, 0, 200, TODAY))
        assert index in count_plan and index in page_plan, (f, count_plan, page_plan)
        assert not re.search(r"SCAN persons\b", page_plan)


# ------------------------------------------------------------------------------------ detail

def test_detail_masks_every_id_number(clerk: AppSession) -> None:
    row = all_rows(clerk, CaseFilter(status="investigating"))[0]
    d = q.case_detail(clerk, row.case_uuid, today=TODAY)
    with clerk.db.read() as s:
        full = dict(s.execute(select(Person.uuid, Person.id_number)
                              .where(Person.uuid.in_([m.person_uuid for m in d.members]))).all())
    assert d.members and d.case_number_display == row.case_number_display
    assert d.status_label == "调查中" and d.categories
    for m in d.members:
        assert m.masked_id == masked_id(full[m.person_uuid])
        assert m.masked_id.endswith(full[m.person_uuid][-4:]) and m.masked_id.count("*") == 14
        assert full[m.person_uuid] not in repr(d)
    assert sum(m.is_applicant for m in d.members) == 1
    assert d.can_reveal and d.documents and all(doc.received for doc in d.documents)
    assert d.timeline and d.timeline[0].what.startswith("窗口受理登记")
    assert masked_id("") == "" and masked_id("11010519491231002x") == "**************002X"


def test_detail_actions_and_their_reasons(clerk: AppSession, open_as) -> None:  # type: ignore[no-untyped-def]
    pending = all_rows(clerk, CaseFilter(status="pending_documents"))[0]
    d = q.case_detail(clerk, pending.case_uuid, today=TODAY)
    actions = {a.name: a for a in d.actions}
    assert not actions["complete_documents"].enabled
    assert "仍缺少材料" in actions["complete_documents"].problem
    assert actions["withdraw"].enabled and actions["withdraw"].input_kind == "reason"
    assert actions["reject_intake"].input_label == "不予受理的理由"
    assert d.printable == ("missing_documents", "authorization")
    supervisor = open_as("supervisor")
    awaiting = all_rows(supervisor, CaseFilter(status="awaiting_decision"))[0]
    names = {a.name for a in q.case_detail(supervisor, awaiting.case_uuid, today=TODAY).actions}
    assert {"approve", "refuse"} <= names
    assert not {"approve", "refuse"} & {a.name for a in q.case_detail(clerk, awaiting.case_uuid).actions}
    admin = open_as("admin")
    admin_view = q.case_detail(admin, pending.case_uuid, today=TODAY)
    assert admin_view.actions == () and admin_view.printable == () and not admin_view.can_reveal
    with clerk.db.read() as s:
        phone = s.get(Case, pending.case_uuid).contact_phone
    assert phone and d.contact_phone == phone                      # the demo gives every case one (or 无)
    assert admin_view.contact_phone == mask_phone(phone)           # no full records: masked like an ID
    if phone != "无":
        assert admin_view.contact_phone != phone and admin_view.contact_phone[-4:] == phone[-4:]


def test_timeline_tells_prints_and_transitions_in_chinese(clerk: AppSession) -> None:
    row = all_rows(clerk, CaseFilter(status="accepted"))[0]
    documents.print_receipt(clerk, row.case_uuid, "a4")
    documents.print_receipt(clerk, row.case_uuid, "a4")
    q.apply_action(clerk, row.case_uuid, "start_investigation", TransitionInput(reason="已安排入户"), today=TODAY)
    d = q.case_detail(clerk, row.case_uuid, today=TODAY)
    whats = [(e.what, e.detail, e.actor_name) for e in d.timeline]
    assert ("打印受理通知书（A4）", "原件", "王晓燕") in whats
    assert ("打印受理通知书（A4）", "副本（第2份）", "王晓燕") in whats
    assert whats[-1] == ("开始调查：已受理 → 调查中", "已安排入户", "王晓燕")
    assert [h.copy_no for h in d.print_history] == [1, 2]
    assert d.status_label == "调查中"


# ------------------------------------------------------------------------------------ reveal

def _events(session: AppSession, action: str) -> list[AuditEvent]:
    with session.db.read() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def test_each_reveal_is_audited_without_the_number(clerk: AppSession) -> None:
    row = all_rows(clerk)[0]
    member = q.case_detail(clerk, row.case_uuid, today=TODAY).members[0]
    with clerk.db.read() as s:
        full = s.scalar(select(Person.id_number).where(Person.uuid == member.person_uuid))
    assert q.reveal_id(clerk, member.person_uuid) == full
    assert q.reveal_id(clerk, member.person_uuid) == full
    events = _events(clerk, "id_revealed")
    assert len(events) == 2
    for ev in events:
        assert (ev.actor, ev.entity_type, ev.entity_id, ev.outcome) == ("clerk", "person", member.person_uuid, "ok")
        assert full not in ev.detail and full[-6:] not in ev.detail
        assert json.loads(ev.detail) == {"household": json.loads(ev.detail)["household"]}
    timeline = q.case_detail(clerk, row.case_uuid, today=TODAY).timeline
    assert [e.detail for e in timeline if e.what == "查看完整身份证号码"] == [member.name, member.name]


@pytest.mark.parametrize("user", ["auditor", "assistant"])
def test_auditor_and_village_assistant_see_no_cases(open_as, clerk: AppSession, user: str) -> None:  # type: ignore[no-untyped-def]
    session = open_as(user)
    row = all_rows(clerk)[0]
    person = q.case_detail(clerk, row.case_uuid, today=TODAY).members[0].person_uuid
    for call in (lambda: q.count_cases(session, CaseFilter(), today=TODAY),
                 lambda: q.list_cases(session, CaseFilter(), today=TODAY),
                 lambda: q.first_page(session, CaseFilter(), today=TODAY),
                 lambda: q.filter_choices(session),
                 lambda: q.case_detail(session, row.case_uuid, today=TODAY),
                 lambda: q.apply_action(session, row.case_uuid, "withdraw", TransitionInput(reason="x"))):
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(PermissionDenied):
        q.reveal_id(session, person)
    refused = _events(clerk, "id_revealed")
    assert [(e.actor, e.outcome, e.entity_id) for e in refused] == [(user, "refused", person)]


def test_admin_may_look_but_not_reveal(open_as, clerk: AppSession) -> None:  # type: ignore[no-untyped-def]
    admin = open_as("admin")
    assert q.count_cases(admin, CaseFilter(), today=TODAY) == q.count_cases(clerk, CaseFilter(), today=TODAY)
    person = q.case_detail(admin, all_rows(admin)[0].case_uuid, today=TODAY).members[0].person_uuid
    with pytest.raises(PermissionDenied):
        q.reveal_id(admin, person)


# ------------------------------------------------------------------------------------ actions

def test_refused_action_changes_nothing(clerk: AppSession) -> None:
    row = all_rows(clerk, CaseFilter(status="pending_documents"))[0]
    with clerk.db.read() as s:
        before = (s.scalar(select(Case.status).where(Case.uuid == row.case_uuid)),
                  len(s.scalars(select(StatusChange)).all()), len(s.scalars(select(AuditEvent)).all()))
    with pytest.raises(TransitionRefused) as err:
        q.apply_action(clerk, row.case_uuid, "complete_documents", today=TODAY)
    assert "仍缺少材料" in err.value.message
    with pytest.raises(TransitionRefused, match="请填写撤回理由"):
        q.apply_action(clerk, row.case_uuid, "withdraw", TransitionInput(), today=TODAY)
    with clerk.db.read() as s:
        after = (s.scalar(select(Case.status).where(Case.uuid == row.case_uuid)),
                 len(s.scalars(select(StatusChange)).all()), len(s.scalars(select(AuditEvent)).all()))
    assert after == before


def test_emergency_aid_uses_the_township_limit(open_as) -> None:  # type: ignore[no-untyped-def]
    from factories import sample_application

    from desktop.domain.categories import Category
    from desktop.domain.household import Application
    from desktop.services.deadlines import planner as clocks
    from desktop.services.intake import accept as intake

    supervisor = open_as("supervisor")
    app = sample_application((Category.TEMP_EMERGENCY,), emergency=True)
    plan = clocks.DeadlinePlanner.bundled().plan(app.household.division_code, date.today(), list(app.categories))
    app = Application(app.categories, "家中失火，急需救助", app.channel, app.household, app.applicant_id_number,
                      emergency=True, documents_received=tuple(c for c, _n in plan.documents))
    case_uuid = intake.submit_application(supervisor, app, "accept").case_uuid
    limit = q.township_limit_cents(supervisor, case_uuid, TODAY)
    assert limit and limit > 0
    with pytest.raises(TransitionRefused, match="超过乡镇审批限额"):
        q.apply_action(supervisor, case_uuid, "grant_emergency_aid", TransitionInput(amount_cents=limit + 100),
                       today=TODAY)
    assert q.apply_action(supervisor, case_uuid, "grant_emergency_aid", TransitionInput(amount_cents=limit),
                          today=TODAY) is CaseStatus.EMERGENCY_AIDED


def test_filter_choices(clerk: AppSession) -> None:
    choices = q.filter_choices(clerk)
    assert [c.value for c in choices.statuses] == [s.value for s in CaseStatus]
    assert sum(c.count or 0 for c in choices.statuses) == q.count_cases(clerk, CaseFilter(), today=TODAY)
    assert {c.value for c in choices.clerks} == {"clerk", "clerk2", "assistant"}   # 待乡镇审查: taken by the assistant
    assert ("clerk", "王晓燕（clerk）") in {(c.value, c.label) for c in choices.clerks}
    assert len(choices.villages) == 12 and choices.villages[0].label
    assert "最低生活保障" in {c.label for c in choices.categories}


def test_home_counts_the_overdue_cases_as_the_case_list_does(clerk: AppSession) -> None:
    """首页 says "N 项时限已超期（涉及 M 件案件）": M is the case list's 仅显示超期 count, N counts time limits."""
    from desktop.services.deadlines.clocks import dashboard

    board = dashboard(clerk, TODAY, limit=1)
    assert board.overdue_cases == q.count_cases(clerk, CaseFilter(overdue_only=True), today=TODAY) > 0
    with clerk.db.read() as s:
        late_clocks = s.scalar(select(func.count()).select_from(CaseClock)
                               .where(CaseClock.state == "open", CaseClock.due_on < TODAY))
    assert board.totals[0] == late_clocks
