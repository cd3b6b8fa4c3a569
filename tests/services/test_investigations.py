"""The investigation record (调查核实): validation, roles, nothing changed on bad input, attachments
encrypted in the database, and the guards: no notice or decision until what policy requires is recorded."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, timedelta

import pytest
from conftest import FAST_KDF
from factories import make_id, villages_of
from PIL import Image
from sqlalchemy import select

from desktop.domain.case_state import CaseStatus, TransitionRefused
from desktop.domain.categories import Category
from desktop.domain.household import Application, Channel, Household, HukouType, Person, Relation
from desktop.domain.roles import PermissionDenied, Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.errors import NotFound, ServiceError
from desktop.services.intake import accept as intake
from desktop.services.investigation import records as inv
from desktop.services.notices import batches as notices
from desktop.services.workflow import transitions as cases
from desktop.services.workflow.transitions import TransitionInput
from desktop.store.models import AuditEvent, Case, OutboxBlob, OutboxItem
from desktop.store.models_investigation import InvestigationAttachment

VILLAGE = "620102101201"
TODAY = datetime.now().astimezone().date()
PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 8 + b"%%EOF\n"


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def people(admin_session, data_dir):
    for name, role in (("clerk", Role.CLERK), ("supervisor", Role.SUPERVISOR), ("assistant", Role.VILLAGE_ASSISTANT),
                       ("auditor", Role.AUDITOR)):
        auth.add_user(admin_session, name, name, role, f"{name}-pass-1", **villages_of(role))
    sessions = {n: sign_in(data_dir, n, f"{n}-pass-1", kdf=FAST_KDF)
                for n in ("clerk", "supervisor", "assistant", "auditor")}
    yield sessions
    for s in sessions.values():
        s.close()


def make_case(clerk, cats=(Category.DIBAO,), seq: int = 1, investigate: bool = True) -> str:
    plan = DeadlinePlanner.bundled().plan(VILLAGE, TODAY, list(cats))
    holder = Person("孙立新", make_id(f"62010219770707{seq:03d}"), Relation.SELF)
    app = Application(tuple(cats), "主要劳动力患病，收入低", Channel.WALK_IN,
                      Household(VILLAGE, HukouType.RURAL, "东坪村三组12号", (holder,)), holder.id_number,
                      documents_received=tuple(c for c, _ in plan.documents))
    case_uuid = intake.submit_application(clerk, app, "accept").case_uuid
    if investigate:
        cases.transition(clerk, case_uuid, "start_investigation")
    return case_uuid


def refused(session, call, needle: str, exc=ServiceError) -> None:
    before = session.db.table_counts()
    with pytest.raises(exc) as e:
        call()
    message = getattr(e.value, "message", str(e.value))
    assert needle in message, message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert session.db.table_counts() == before


def visit(names=("王喆", "李明"), on: date = TODAY, **kw) -> inv.HomeVisitInput:
    return inv.HomeVisitInput(on, tuple(names), kw.pop("findings", "住房简陋，主要劳动力患病"), **kw)


def test_home_visit_validation_changes_nothing(people):
    clerk = people["clerk"]
    case = make_case(clerk)
    accepted = make_case(clerk, seq=2, investigate=False)
    rv = inv.record_home_visit
    refused(clerk, lambda: rv(clerk, case, visit(on=TODAY + timedelta(days=1))), "不能晚于今天")
    refused(clerk, lambda: rv(clerk, case, visit(on=TODAY - timedelta(days=1))), "不能早于受理日期")
    refused(clerk, lambda: rv(clerk, case, visit(names=("王喆",))), "2名以上")
    refused(clerk, lambda: rv(clerk, case, visit(names=("王喆", " "))), "2名以上")
    refused(clerk, lambda: rv(clerk, case, visit(names=("王喆", " 王喆 "))), "重复")
    refused(clerk, lambda: rv(clerk, case, visit(findings="  ")), "调查情况")
    refused(clerk, lambda: rv(clerk, case, visit(proposed_monthly_cents=-1)), "金额")
    refused(clerk, lambda: rv(clerk, case, visit(signed_form=inv.AttachmentInput("表.txt", b"hello" * 40))), "PDF")
    refused(clerk, lambda: rv(clerk, case, visit(signed_form=inv.AttachmentInput("表.pdf", b"%PDF-"))), "不完整")
    big = inv.AttachmentInput("大.pdf", b"%PDF-" + b"0" * inv.MAX_ATTACHMENT_BYTES)
    refused(clerk, lambda: rv(clerk, case, visit(signed_form=big)), "太大")
    refused(clerk, lambda: rv(clerk, accepted, visit()), "不能登记入户调查")
    refused(clerk, lambda: rv(clerk, "nope", visit()), "找不到", NotFound)
    for who in ("assistant", "auditor"):
        refused(people[who], lambda w=who: rv(people[w], case, visit()), "无权", PermissionDenied)
    uuid = rv(clerk, case, visit(signed_form=inv.AttachmentInput("C:\\扫描\\入户调查表.pdf", PDF)))
    view = inv.investigation(clerk, case)
    [v] = view.home_visits
    assert v.uuid == uuid and v.investigators == ("王喆", "李明") and v.counts
    assert v.form is not None and v.form.file_name == "入户调查表.pdf" and v.form.mime == "application/pdf"
    with clerk.db.read() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).all()[:1]]
        assert actions == ["home_visit_recorded"]
        item = s.scalars(select(OutboxItem).order_by(OutboxItem.seq.desc())).first()
        assert item.event_type == "case.home_visit_recorded" and item.payload["visit_uuid"] == uuid
        # the signed form travels by its sha256: named in the event, its bytes queued once as a blob
        digest = hashlib.sha256(PDF).hexdigest()
        assert item.payload["signed_form_sha256"] == digest
        assert s.get(OutboxBlob, digest).size == len(PDF)


def test_check_neighbour_and_deliberation_validation(people):
    clerk = people["clerk"]
    case = make_case(clerk)
    req = inv.request_economic_check
    refused(clerk, lambda: req(clerk, case, inv.CheckRequestInput(TODAY, " ")), "核对机构")
    refused(clerk, lambda: req(clerk, case, inv.CheckRequestInput(TODAY + timedelta(days=2), "核对中心")), "不能晚于")
    check = req(clerk, case, inv.CheckRequestInput(TODAY, "县居民家庭经济状况核对中心"))
    refused(clerk, lambda: req(clerk, case, inv.CheckRequestInput(TODAY, "核对中心")), "尚未登记结果")
    res = inv.record_check_result
    ok = inv.CheckResultInput(TODAY, "eligible", "无车辆、无商品房，存款低于规定")
    refused(clerk, lambda: res(clerk, check, inv.CheckResultInput(TODAY, "maybe", "x")), "核对结论")
    refused(clerk, lambda: res(clerk, check, inv.CheckResultInput(TODAY, "eligible", "")), "摘要")
    refused(clerk, lambda: res(clerk, "nope", ok), "找不到", NotFound)
    refused(clerk, lambda: res(clerk, check, inv.CheckResultInput(
        TODAY, "eligible", "摘要", inv.AttachmentInput("r.exe", b"MZ" + b"\0" * 100))), "PDF")
    res(clerk, check, inv.CheckResultInput(TODAY, "eligible", "符合", inv.AttachmentInput("核对报告.png", png())))
    refused(clerk, lambda: res(clerk, check, ok), "已登记过结果")

    nv = inv.record_neighbour_visit
    refused(clerk, lambda: nv(clerk, case, inv.NeighbourVisitInput(TODAY, "", "说法一致")), "走访对象")
    refused(clerk, lambda: nv(clerk, case, inv.NeighbourVisitInput(TODAY, "邻居张某", "")), "走访情况")
    nv(clerk, case, inv.NeighbourVisitInput(TODAY, "邻居张某、村民小组长李某", "反映情况属实"))

    rd = inv.record_deliberation
    refused(clerk, lambda: rd(clerk, case, inv.DeliberationInput(TODAY, 9, "agree")), "开始民主评议")
    cases.transition(clerk, case, "start_deliberation")
    refused(clerk, lambda: rd(clerk, case, inv.DeliberationInput(TODAY, 2, "agree")), "人数")
    refused(clerk, lambda: rd(clerk, case, inv.DeliberationInput(TODAY, 9, "abstain")), "评议结果")
    rd(clerk, case, inv.DeliberationInput(TODAY, 9, "agree", "一致同意", inv.AttachmentInput("记录.pdf", PDF)))

    view = inv.investigation(clerk, case)
    assert [c.conclusion_label for c in view.checks] == ["符合"]
    assert view.checks[0].report is not None and view.checks[0].report.mime == "image/png"
    assert [n.interviewees for n in view.neighbour_visits] == ["邻居张某、村民小组长李某"]
    assert [d.result_label for d in view.deliberations] == ["同意"]


def test_attachments_round_trip_and_are_encrypted_at_rest(people):
    clerk = people["clerk"]
    case = make_case(clerk)
    marker = b"VISIT-FORM-MARKER-" * 20
    data = PDF + marker
    inv.record_home_visit(clerk, case, visit(signed_form=inv.AttachmentInput("form.pdf", data)))
    [v] = inv.investigation(clerk, case).home_visits
    info, back = inv.attachment_data(clerk, v.form.uuid)
    assert back == data and info.size == len(data) and info.file_name == "form.pdf"
    with clerk.db.read() as s:
        assert s.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc())) == \
            "investigation_attachment_opened"
        assert s.scalar(select(InvestigationAttachment.sha256)) == info.sha256
    with pytest.raises(NotFound):
        inv.attachment_data(clerk, "nope")
    clerk.db.close()
    raw = b"".join(p.read_bytes() for p in clerk.db.data_dir.iterdir() if p.name.startswith("yimen.db"))
    assert b"VISIT-FORM-MARKER" not in raw and b"%PDF-1.4" not in raw


def test_notice_and_decision_wait_for_what_policy_requires(people):
    clerk = people["clerk"]
    case = make_case(clerk)                                    # 低保: home visit + economic check
    with clerk.db.read() as s:     # the guards see the home visit through their own fact: said once
        assert inv.missing_before_decision(s, s.get(Case, case)) == ("家庭经济状况核对报告",)
    assert inv.investigation(clerk, case).missing[0].startswith("入户调查记录")
    with pytest.raises(TransitionRefused) as e:
        cases.transition(clerk, case, "post_notice")
    # the refusal names the missing records in the words of the tab's 尚缺 line (one source for both)
    tab = inv.investigation(clerk, case).missing
    assert tab == ("入户调查记录（须2名以上工作人员，已登记0人）", "家庭经济状况核对报告")
    assert e.value.reasons == ("尚缺：" + "；".join(tab),)
    inv.record_home_visit(clerk, case, visit())
    missing = inv.investigation(clerk, case).missing
    assert missing == ("家庭经济状况核对报告",)
    refused(clerk, lambda: cases.transition(clerk, case, "post_notice"), "家庭经济状况核对报告", TransitionRefused)
    refused(clerk, lambda: cases.transition(clerk, case, "submit_for_decision", TransitionInput(
        proposed_outcome="refuse")), "家庭经济状况核对报告", TransitionRefused)
    options = {o.name: o for o in cases.options(clerk, case)}
    assert not options["post_notice"].enabled and "核对报告" in options["post_notice"].blocked_by
    check = inv.request_economic_check(clerk, case, inv.CheckRequestInput(TODAY, "核对中心"))
    inv.record_check_result(clerk, check, inv.CheckResultInput(TODAY, "needs_verification", "存款待银行回函"))
    assert "需进一步核实" in inv.investigation(clerk, case).missing[0]
    again = inv.request_economic_check(clerk, case, inv.CheckRequestInput(TODAY, "核对中心"))
    inv.record_check_result(clerk, again, inv.CheckResultInput(TODAY, "eligible", "符合条件"))
    assert inv.investigation(clerk, case).missing == ()
    assert cases.transition(clerk, case, "post_notice") is CaseStatus.IN_NOTICE


def test_deliberation_where_policy_requires_it_and_no_check_where_it_does_not(people):
    clerk = people["clerk"]
    expense = make_case(clerk, cats=(Category.TEMP_EXPENSE,), seq=3)   # demo county: 民主评议 required
    inv.record_home_visit(clerk, expense, visit())
    view = inv.investigation(clerk, expense)
    assert view.deliberation_required and not view.economic_check_required
    assert view.missing == ("民主评议记录",)
    cases.transition(clerk, expense, "start_deliberation")
    inv.record_deliberation(clerk, expense, inv.DeliberationInput(TODAY, 7, "agree"))
    assert inv.investigation(clerk, expense).missing == ()
    medical = make_case(clerk, cats=(Category.MEDICAL,), seq=4)
    inv.record_home_visit(clerk, medical, visit())
    assert inv.investigation(clerk, medical).missing == ()


def test_a_notice_batch_is_not_posted_while_the_check_is_missing(people):
    clerk = people["clerk"]
    case = make_case(clerk)
    inv.record_home_visit(clerk, case, visit(proposed_monthly_cents=52000))
    batch = notices.create_batch(clerk, VILLAGE, Category.DIBAO, [case], start_on=TODAY)
    notices.print_poster(clerk, batch.uuid)
    posting = notices.PostingInput(TODAY, "村务公开栏", "马春花")
    refused(clerk, lambda: notices.post_batch(clerk, batch.uuid, posting), "家庭经济状况核对报告")


def test_an_objection_makes_the_home_visit_count_no_more(people):
    clerk = people["clerk"]
    case = make_case(clerk)
    inv.record_home_visit(clerk, case, visit())
    check = inv.request_economic_check(clerk, case, inv.CheckRequestInput(TODAY, "核对中心"))
    inv.record_check_result(clerk, check, inv.CheckResultInput(TODAY, "eligible", "符合"))
    cases.transition(clerk, case, "post_notice")
    cases.transition(clerk, case, "object", TransitionInput(objection="邻居反映其有经营收入"))
    view = inv.investigation(clerk, case)
    assert not view.home_visits[0].counts
    assert view.missing[0].startswith("入户调查记录")
    with clerk.db.read() as s:
        assert inv.home_visit_investigators(s, case) == 0


def test_reading_the_record_needs_the_case_permission(people):
    clerk = people["clerk"]
    case = make_case(clerk)
    inv.record_home_visit(clerk, case, visit(signed_form=inv.AttachmentInput("form.pdf", PDF)))
    form = inv.investigation(clerk, case).home_visits[0].form
    for who in ("assistant", "auditor"):
        with pytest.raises(PermissionDenied):
            inv.investigation(people[who], case)
        with pytest.raises(PermissionDenied):
            inv.attachment_data(people[who], form.uuid)
    view = inv.investigation(people["supervisor"], case)
    assert view.can_record and view.home_visits[0].form == form
