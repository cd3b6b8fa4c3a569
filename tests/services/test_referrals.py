"""Referrals through the service: one per department at acceptance, each step checked, audited and
queued for the county; the case decided only when every department has answered. Categories the
township carries itself (低保, 特困, 临时救助…: 初审, then the county's 审核确认) are never referred."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import FAST_KDF
from factories import sample_application as _app
from factories import villages_of
from sqlalchemy import func, select

from desktop.domain.case_state import CaseStatus, TransitionRefused
from desktop.domain.categories import Category
from desktop.domain.household import Application
from desktop.domain.roles import PermissionDenied, Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.cases import queries as case_queries
from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines import planner as clocks
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.intake.accept import submit_application
from desktop.services.referrals import lifecycle as referrals
from desktop.services.referrals import queries as rq
from desktop.services.referrals.lifecycle import ResultInput
from desktop.services.workflow import transitions as cases
from desktop.store.models import AuditEvent, Case, OutboxBlob, OutboxItem
from desktop.store.models_clock import CaseClock
from desktop.store.models_referral import Referral, ReferralEvent

VILLAGE = "620102101201"
PDF = b"%PDF-1.4\n% scanned reply\n" + b"0" * 200


@pytest.fixture
def people(admin_session, data_dir):
    roles = (("clerk", Role.CLERK), ("supervisor", Role.SUPERVISOR), ("auditor", Role.AUDITOR),
             ("assistant", Role.VILLAGE_ASSISTANT))
    for name, role in roles:
        auth.add_user(admin_session, name, name, role, f"{name}-pass-1", **villages_of(role))
    sessions = {n: sign_in(data_dir, n, f"{n}-pass-1", kdf=FAST_KDF) for n, _r in roles}
    yield sessions
    for s in sessions.values():
        s.close()


def _accept(clerk, categories=(Category.EDUCATION, Category.MEDICAL)) -> str:
    plan = clocks.DeadlinePlanner.bundled().plan(VILLAGE, datetime.now(UTC).astimezone().date(),
                                                 list(categories))
    app = _app(categories=categories)
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(c for c, _n in plan.documents if c not in plan.conditional))
    return submit_application(clerk, app, "accept").case_uuid


def _refs(session, case_uuid) -> dict[str, rq.ReferralRow]:
    return {r.department: r for r in rq.case_referrals(session, case_uuid)}


def _accepted_on(session, case_uuid) -> date:
    with session.db.read() as s:
        return s.get(Case, case_uuid).accepted_on


def _snapshot(session):
    """Everything a referral step may touch, to prove a refused step touched nothing."""
    with session.db.read() as s:
        refs = [(r.uuid, r.state, r.sent_on, r.received_on, r.concluded_on, r.result, r.returned_on,
                 r.return_reason, r.reply_sha256) for r in s.scalars(select(Referral).order_by(Referral.id))]
        counts = tuple(s.scalar(select(func.count()).select_from(t)) for t in
                       (ReferralEvent, AuditEvent, OutboxItem, CaseClock))
        statuses = tuple(s.scalars(select(Case.status).order_by(Case.uuid)))
    return refs, counts, statuses


def test_acceptance_opens_one_pending_referral_per_department_from_policy(people):
    clerk = people["clerk"]
    cats = (Category.FUNERAL, Category.DIBAO, Category.HEATING, Category.MEDICAL)
    case_uuid = _accept(clerk, cats)
    refs = _refs(clerk, case_uuid)
    table = clocks.DeadlinePlanner.bundled().policy_for(VILLAGE, _accepted_on(clerk, case_uuid))
    assert set(refs) == set(table.referral_departments(cats)) == {"civil_affairs", "healthcare_security"}
    civil = refs[table.referrals[Category.FUNERAL]]
    assert civil.state is referrals.ReferralState.PENDING and civil.state_label == "待转出"
    assert civil.categories_label == "殡葬救助、取暖补贴"     # not 低保: the township carries it
    medical = refs[table.referrals[Category.MEDICAL]]
    assert medical.department_name == table.department_for(Category.MEDICAL).name_zh
    assert medical.deadline_working_days == table.department_for(Category.MEDICAL).deadline_working_days
    with clerk.db.read() as s:
        assert referrals.open_referral_count(s, case_uuid) == len(refs)
        queued = s.scalars(select(OutboxItem).where(OutboxItem.entity_type == "referral")).all()
        assert {q.entity_uuid for q in queued} == {r.uuid for r in refs.values()}
        assert all(q.event_type == "referral.created" and q.payload["case_uuid"] == case_uuid for q in queued)


def test_a_case_left_waiting_for_documents_gets_its_referrals_when_accepted(people):
    clerk = people["clerk"]
    plan = clocks.DeadlinePlanner.bundled().plan(VILLAGE, datetime.now(UTC).date(), [Category.MEDICAL])
    codes = [c for c, _n in plan.documents if c not in plan.conditional]
    app = _app(categories=(Category.MEDICAL,))
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(codes[1:]), documents_missing=(codes[0],))
    case_uuid = submit_application(clerk, app, "missing_documents").case_uuid
    assert _refs(clerk, case_uuid) == {}
    cases.mark_documents_received(clerk, case_uuid, [codes[0]])
    cases.transition(clerk, case_uuid, "complete_documents")
    assert [r.state.value for r in _refs(clerk, case_uuid).values()] == ["pending"]


def test_sending_starts_the_department_clock_and_refers_the_case(people):
    clerk = people["clerk"]
    case_uuid = _accept(clerk)
    day = _accepted_on(clerk, case_uuid)
    refs = _refs(clerk, case_uuid)
    first = next(iter(refs.values()))
    referrals.mark_sent(clerk, first.uuid, day, today=day)
    with clerk.db.read() as s:
        assert s.get(Case, case_uuid).status == CaseStatus.REFERRED.value
        clock = s.scalar(select(CaseClock).where(CaseClock.subject_uuid == first.uuid))
        assert clock.kind == "referral" and clock.state == "open" and clock.label == f"转办：{first.department_name}"
        assert clock.started_on == day and clock.working_days == first.deadline_working_days
        assert clock.due_on == clocks.DeadlinePlanner.bundled().calendar.add_working_days(
            day, first.deadline_working_days)
        # the case's own 启动调查 clock stopped: the case went to the departments instead
        assert s.scalar(select(CaseClock.state).where(CaseClock.case_uuid == case_uuid,
                                                      CaseClock.kind == "investigation_start")) == "met"
    second = [r for r in refs.values() if r.uuid != first.uuid][0]
    referrals.mark_sent(clerk, second.uuid, day, today=day)   # the case is already 已转办: no second transition
    row = rq.referral(clerk, second.uuid, today=day)
    assert row.state_label == "已转出" and row.sent_on == day and row.due_on is not None and not row.overdue


def test_the_slip_of_a_sent_referral_says_when_it_left_and_its_clock_due_day(people):
    from desktop.services.documents import data as documents_data

    clerk = people["clerk"]
    case_uuid = _accept(clerk, (Category.MEDICAL,))
    sent_day = _accepted_on(clerk, case_uuid)
    with clerk.db.write() as s:      # accepted a week before the referral left
        s.get(Case, case_uuid).accepted_on = sent_day - timedelta(days=7)
    (ref,) = _refs(clerk, case_uuid).values()
    referrals.mark_sent(clerk, ref.uuid, sent_day, today=sent_day)
    sent = rq.referral(clerk, ref.uuid, today=sent_day)
    with clerk.db.read() as s:
        case = s.get(Case, case_uuid)
        accepted_at = datetime.combine(case.accepted_on, datetime.min.time()).astimezone()
        (slip,) = documents_data.referrals(s, case, clocks.DeadlinePlanner.bundled(), accepted_at)
    assert (slip.data.referred_on, slip.data.due_date) == (sent_day, sent.due_on)


def test_bad_input_is_refused_in_chinese_and_changes_nothing(people):
    clerk = people["clerk"]
    case_uuid = _accept(clerk)
    day = _accepted_on(clerk, case_uuid)
    ref = next(iter(_refs(clerk, case_uuid).values()))
    before = _snapshot(clerk)
    bad = [
        (lambda: referrals.mark_sent(clerk, ref.uuid, day + timedelta(days=1), today=day), "不能晚于今天"),
        (lambda: referrals.mark_sent(clerk, ref.uuid, day - timedelta(days=1), today=day), "不能早于受理日期"),
        (lambda: referrals.mark_sent(clerk, ref.uuid, None, today=day), "请填写转出日期"),
        (lambda: referrals.mark_received(clerk, ref.uuid, day, today=day), "不能登记接收"),
        (lambda: referrals.record_result(clerk, ref.uuid, ResultInput("approve", day, "张科长"), today=day),
         "不能录入办理结果"),
        (lambda: referrals.return_referral(clerk, ref.uuid, day, "材料不全", today=day), "不能登记退回"),
    ]
    for call, words in bad:
        with pytest.raises(InvalidInput) as err:
            call()
        assert words in err.value.message
        assert _snapshot(clerk) == before
    later = day + timedelta(days=3)
    referrals.mark_sent(clerk, ref.uuid, day + timedelta(days=1), today=later)
    before = _snapshot(clerk)
    bad = [
        (lambda: referrals.record_result(clerk, ref.uuid, ResultInput("approve", day, "张科长"), today=later),
         "不能早于转出日期"),
        (lambda: referrals.record_result(clerk, ref.uuid, ResultInput("approve", later + timedelta(days=1),
                                                                      "张科长"), today=later), "不能晚于今天"),
        (lambda: referrals.record_result(clerk, ref.uuid, ResultInput("refuse", later, "张科长"), today=later),
         "请填写不予批准的理由"),
        (lambda: referrals.record_result(clerk, ref.uuid, ResultInput("approve", later, "  "), today=later),
         "请填写办理部门的经办人"),
        (lambda: referrals.record_result(clerk, ref.uuid, ResultInput("maybe", later, "张科长"), today=later),
         "请选择办理结果"),
        (lambda: referrals.record_result(clerk, ref.uuid, ResultInput("approve", later, "张科长", amount_cents=-1),
                                         today=later), "不能为负数"),
        (lambda: referrals.record_result(clerk, ref.uuid, ResultInput("approve", later, "张科长",
                                                                      document=b"MZ\x90not a scan"),
                                         today=later), "只接受 PDF"),
        (lambda: referrals.return_referral(clerk, ref.uuid, later, "   ", today=later), "请填写退回理由"),
        (lambda: referrals.return_referral(clerk, ref.uuid, day, "材料不全", today=later), "不能早于转出日期"),
        (lambda: referrals.mark_received(clerk, ref.uuid, later + timedelta(days=1), today=later), "不能晚于今天"),
        (lambda: referrals.mark_sent(clerk, ref.uuid, later, today=later), "不能转出"),
    ]
    for call, words in bad:
        with pytest.raises(InvalidInput) as err:
            call()
        assert words in err.value.message, err.value.message
        assert _snapshot(clerk) == before
    with pytest.raises(NotFound):
        referrals.mark_sent(clerk, "no-such-referral", day, today=day)


def test_auditor_and_assistant_may_not_act_and_nothing_changes(people):
    clerk = people["clerk"]
    case_uuid = _accept(clerk)
    day = _accepted_on(clerk, case_uuid)
    ref = next(iter(_refs(clerk, case_uuid).values()))
    before = _snapshot(clerk)
    calls = (lambda who: referrals.mark_sent(who, ref.uuid, day, today=day),
             lambda who: referrals.mark_received(who, ref.uuid, day, today=day),
             lambda who: referrals.record_result(who, ref.uuid, ResultInput("approve", day, "张"), today=day),
             lambda who: referrals.return_referral(who, ref.uuid, day, "x", today=day),
             lambda who: referrals.attach_reply(who, ref.uuid, PDF, "reply.pdf"),
             lambda who: rq.list_referrals(who),
             lambda who: deadlines.dashboard(who))
    for name in ("auditor", "assistant"):
        for call in calls:
            with pytest.raises(PermissionDenied):
                call(people[name])
    assert _snapshot(clerk) == before
    supervisor = people["supervisor"]
    referrals.mark_sent(supervisor, ref.uuid, day, today=day)   # the supervisor may act like a clerk
    assert rq.referral(clerk, ref.uuid, today=day).sent_on == day


def test_return_then_send_again_and_the_reply_document_is_kept_encrypted_in_the_database(people):
    clerk = people["clerk"]
    case_uuid = _accept(clerk, (Category.MEDICAL,))
    day = _accepted_on(clerk, case_uuid)
    (ref,) = _refs(clerk, case_uuid).values()
    referrals.mark_sent(clerk, ref.uuid, day, today=day)
    referrals.return_referral(clerk, ref.uuid, day, "缺少住院费用清单", today=day)
    row = rq.referral(clerk, ref.uuid, today=day)
    assert row.state_label == "退回" and row.return_reason == "缺少住院费用清单" and row.due_on is None
    with clerk.db.read() as s:
        assert referrals.open_referral_count(s, case_uuid) == 0
        assert s.scalar(select(CaseClock.state).where(CaseClock.subject_uuid == ref.uuid)) == "cancelled"
    referrals.mark_sent(clerk, ref.uuid, day, today=day)       # corrected and sent again
    referrals.mark_received(clerk, ref.uuid, day, today=day)
    referrals.record_result(clerk, ref.uuid, ResultInput("approve", day, "医保局 王科长", amount_cents=150000,
                                                         document=PDF, document_name="C:\\扫描\\回复函.pdf"), today=day)
    row = rq.referral(clerk, ref.uuid, today=day)
    assert (row.state_label, row.result_label, row.amount_cents, row.decided_by) == ("已办结", "批准", 150000,
                                                                                    "医保局 王科长")
    assert row.has_reply and row.reply_mime == "application/pdf" and row.reply_filename == "回复函.pdf"
    assert rq.reply_document(clerk, ref.uuid) == ("application/pdf", "回复函.pdf", PDF)
    with clerk.db.read() as s:      # the reply travels by its sha256, its bytes queued as a blob
        digest = hashlib.sha256(PDF).hexdigest()
        concluded = s.scalars(select(OutboxItem).where(OutboxItem.event_type == "referral.concluded")).one()
        assert concluded.payload["reply_sha256"] == digest and s.get(OutboxBlob, digest).media_type == "application/pdf"
    with clerk.db.read() as s:      # reading the reply is audited
        assert s.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(1)) == "referral.reply_read"
    history = [h.action for h in rq.referral_history(clerk, ref.uuid)]
    assert history == ["created", "sent", "returned", "sent", "received", "concluded"]
    with clerk.db.read() as s:
        states = s.scalars(select(CaseClock.state).where(CaseClock.subject_uuid == ref.uuid)
                           .order_by(CaseClock.id)).all()
        assert states == ["cancelled", "met"]
        ops = s.scalars(select(OutboxItem.event_type).where(OutboxItem.entity_uuid == ref.uuid)
                        .order_by(OutboxItem.seq)).all()
        assert ops == [f"referral.{h}" for h in history]
        events = s.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == ref.uuid)
                           .order_by(AuditEvent.seq)).all()
        assert events == [f"referral.{a}" for a in history] + ["referral.reply_read"]


def test_end_to_end_two_departments_one_overdue_then_decided(people):
    """Accept (two categories → two departments: 教育局, 医保局) → both sent → one result → the other goes
    overdue on the dashboard and in the case list → its result → the case decided, every clock closed."""
    clerk = people["clerk"]
    case_uuid = _accept(clerk, (Category.EDUCATION, Category.MEDICAL))
    day = _accepted_on(clerk, case_uuid)
    refs = _refs(clerk, case_uuid)
    assert len(refs) == 2
    table = clocks.DeadlinePlanner.bundled().policy_for(VILLAGE, day)
    education = refs[table.referrals[Category.EDUCATION]]
    medical = refs[table.referrals[Category.MEDICAL]]
    assert (education.department, medical.department) == ("education", "healthcare_security")
    for r in (education, medical):
        referrals.mark_sent(clerk, r.uuid, day, today=day)
    with pytest.raises(TransitionRefused) as refused:
        cases.transition(clerk, case_uuid, "referral_approved")
    assert "尚有2个转办部门未反馈办理结果" in refused.value.message
    referrals.record_result(clerk, education.uuid, ResultInput("approve", day, "教育局 李股长",
                                                               amount_cents=52000), today=day)
    medical_due = rq.referral(clerk, medical.uuid, today=day).due_on
    assert medical_due is not None
    late = clocks.DeadlinePlanner.bundled().calendar.add_working_days(medical_due, 2)
    board = deadlines.dashboard(clerk, today=late)
    overdue = [i for i in board.overdue if i.case_uuid == case_uuid]
    assert {i.subject_uuid for i in overdue if i.kind is deadlines.ClockKind.REFERRAL} == {medical.uuid}
    assert any(i.label == f"转办：{medical.department_name}" for i in overdue)
    assert rq.list_referrals(clerk, rq.ReferralFilter(overdue_only=True), today=late)[0].uuid == medical.uuid
    assert rq.referral(clerk, medical.uuid, today=late).working_days_left == -2
    # the case list: overdue by its referral, whatever the case's own decision deadline says
    listed = case_queries.list_cases(clerk, case_queries.CaseFilter(overdue_only=True), today=late)
    assert case_uuid in {r.case_uuid for r in listed}
    assert next(r for r in listed if r.case_uuid == case_uuid).overdue
    with pytest.raises(TransitionRefused):
        cases.transition(clerk, case_uuid, "referral_approved")
    referrals.record_result(clerk, medical.uuid, ResultInput("approve", late, "医保局 王科长"), today=late)
    assert cases.transition(clerk, case_uuid, "referral_approved") is CaseStatus.APPROVED
    with clerk.db.read() as s:
        open_clocks = s.scalars(select(CaseClock.kind).where(CaseClock.case_uuid == case_uuid,
                                                             CaseClock.state == "open")).all()
        assert open_clocks == []
        referral_ops = s.scalars(select(OutboxItem.event_type).where(OutboxItem.entity_type == "referral")
                                 .order_by(OutboxItem.seq)).all()
        assert sorted(referral_ops) == sorted(f"referral.{op}" for op in
                                              ["created", "created", "sent", "sent", "concluded", "concluded"])
    assert not [i for i in deadlines.dashboard(clerk, today=late).overdue if i.case_uuid == case_uuid]


def test_referral_refused_case_needs_its_reason_and_opens_the_refusal_notice_clock(people):
    clerk = people["clerk"]
    case_uuid = _accept(clerk, (Category.MEDICAL,))
    day = _accepted_on(clerk, case_uuid)
    (ref,) = _refs(clerk, case_uuid).values()
    referrals.mark_sent(clerk, ref.uuid, day, today=day)
    referrals.record_result(clerk, ref.uuid, ResultInput("refuse", day, "医保局", reason="不符合医疗救助条件"),
                            today=day)
    assert cases.transition(clerk, case_uuid, "referral_refused",
                            cases.TransitionInput(reason="医保局不予批准")) is CaseStatus.REFUSED
    with clerk.db.read() as s:
        assert s.scalars(select(CaseClock.kind).where(CaseClock.case_uuid == case_uuid,
                                                      CaseClock.state == "open")).all() == ["refusal_notice"]


def test_withdrawal_cancels_referrals_and_their_clocks_a_decision_keeps_those_at_a_department(people):
    clerk, supervisor = people["clerk"], people["supervisor"]
    withdrawn = _accept(clerk)
    day = _accepted_on(clerk, withdrawn)
    sent = next(iter(_refs(clerk, withdrawn).values()))
    referrals.mark_sent(clerk, sent.uuid, day, today=day)
    cases.transition(clerk, withdrawn, "withdraw", cases.TransitionInput(reason="申请人主动撤回"))
    assert {r.state_label for r in _refs(clerk, withdrawn).values()} == {"已撤销"}
    with clerk.db.read() as s:
        assert referrals.open_referral_count(s, withdrawn) == 0
        assert s.scalar(select(CaseClock.state).where(CaseClock.subject_uuid == sent.uuid)) == "cancelled"
    with pytest.raises(InvalidInput):
        referrals.mark_sent(clerk, sent.uuid, day, today=day)
    # a decision keeps the referral at a department open (its result may still come back)
    decided = _accept(clerk, (Category.MEDICAL,))
    (at_dept,) = _refs(clerk, decided).values()
    referrals.mark_sent(clerk, at_dept.uuid, day, today=day)
    referrals.return_referral(clerk, at_dept.uuid, day, "缺少费用清单", today=day)
    cases.transition(clerk, decided, "referral_returned", cases.TransitionInput(reason="部门退回"))
    cases.transition(clerk, decided, "withdraw", cases.TransitionInput(reason="申请人主动撤回"))
    with pytest.raises(InvalidInput) as err:     # a returned referral of an ended case is not sent again
        referrals.mark_sent(clerk, at_dept.uuid, day, today=day)
    assert err.value.message == "案件当前为“已撤回”，不能再转出。"
    assert supervisor is not None


def test_a_dibao_case_is_not_referred_it_goes_through_the_township_procedure(people):
    """低保 only: no referral at acceptance, no 转办单, 转办 refused with the reason; 开始调查 is the way on."""
    from desktop.services.cases import detail as case_detail
    from desktop.services.documents import issue as documents

    clerk = people["clerk"]
    case_uuid = _accept(clerk, (Category.DIBAO,))
    assert _refs(clerk, case_uuid) == {}
    with clerk.db.read() as s:
        assert referrals.open_referral_count(s, case_uuid) == 0
        assert s.scalar(select(func.count()).select_from(OutboxItem)
                        .where(OutboxItem.entity_type == "referral")) == 0
    options = {o.name: o for o in cases.options(clerk, case_uuid)}
    assert options["start_investigation"].enabled and not options["refer"].enabled
    assert "最低生活保障由乡镇初审、县级审核确认" in options["refer"].blocked_by
    with pytest.raises(TransitionRefused) as refused:
        cases.transition(clerk, case_uuid, "refer")
    assert "不整体转办" in refused.value.message
    detail = case_detail.case_detail(clerk, case_uuid)
    assert case_detail.PRINT_REFERRAL not in detail.printable and case_detail.PRINT_RECEIPT in detail.printable
    with pytest.raises(documents.DocumentRefused, match="由乡镇初审、县级审核确认，不转办"):
        documents.print_referral_slips(clerk, case_uuid, preview=True)
    assert cases.transition(clerk, case_uuid, "start_investigation") is CaseStatus.INVESTIGATING


def test_a_dibao_and_medical_case_refers_only_medical_and_stays_with_the_township(people):
    """低保 + 医疗: one referral (医保局) and its slip; sending it starts its clock but the case stays with
    the township procedure (not 已转办): it is investigated and decided by 审核确认, the referral beside it."""
    from desktop.services.cases import detail as case_detail

    clerk = people["clerk"]
    case_uuid = _accept(clerk, (Category.DIBAO, Category.MEDICAL))
    day = _accepted_on(clerk, case_uuid)
    refs = _refs(clerk, case_uuid)
    assert list(refs) == ["healthcare_security"]
    (medical,) = refs.values()
    assert medical.categories_label == "医疗救助" and "医疗保障局" in medical.department_name
    assert case_detail.PRINT_REFERRAL in case_detail.case_detail(clerk, case_uuid).printable
    assert not {o.name: o for o in cases.options(clerk, case_uuid)}["refer"].enabled
    referrals.mark_sent(clerk, medical.uuid, day, today=day)
    with clerk.db.read() as s:
        assert s.get(Case, case_uuid).status == CaseStatus.ACCEPTED.value
        open_kinds = set(s.scalars(select(CaseClock.kind).where(CaseClock.case_uuid == case_uuid,
                                                                CaseClock.state == "open")))
        assert {"referral", "investigation_start"} <= open_kinds
    assert cases.transition(clerk, case_uuid, "start_investigation") is CaseStatus.INVESTIGATING
    assert rq.referral(clerk, medical.uuid, today=day).state_label == "已转出"
