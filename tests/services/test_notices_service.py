"""The notice from cases to the end of its period, on a real encrypted database.

cases → batch → printed → posted → an objection on one case → that case back
to investigation, the others move on (待审核确认) when the period is over;
then the objected case is re-investigated and noticed again.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from test_notices_setup import (
    ADDRESS,
    PHONE,
    POSTED,
    VILLAGE,
    add_users,
    family,
    ident,
    login,
    make_case,
    pdf_text,
    posted_batch,
    squash,
    visit,
)

from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.notice import BatchStatus
from desktop.services.notices import batches as notices
from desktop.services.notices.batches import ObjectionInput, PostingInput
from desktop.store import audit
from desktop.store.models import AuditEvent, Case, OutboxItem, StatusChange
from desktop.store.models_notice import NoticePrint
from forms.documents._common import contains_full_id


@pytest.fixture
def clerk(admin_session, data_dir):
    add_users(admin_session)
    s = login(data_dir, "clerk")
    yield s
    s.close()


def status(session, case_uuid) -> CaseStatus:
    with session.db.read() as s:
        return CaseStatus(s.get(Case, case_uuid).status)


def test_cases_batch_posted_objection_and_end_of_period(clerk):
    f = family(clerk)
    ready = {c.case_uuid: c for c in notices.list_candidates(clerk, VILLAGE, on=POSTED)}
    assert set(ready) == set(f.values()) and all(c.ready for c in ready.values())
    assert ready[f["a"]].holder_name == "张建华" and ready[f["a"]].investigators == 2

    batch = notices.create_batch(clerk, VILLAGE, Category.DIBAO, [f["a"], f["b"], f["c"]], start_on=POSTED)
    assert (batch.status, batch.start_on, batch.end_on) == (BatchStatus.DRAFT, POSTED, date(2026, 10, 8))
    assert batch.period_text == "2026年09月30日至2026年10月08日（7个自然日，张贴当日不计入）"
    assert batch.batch_number == "GS-2026-007-0001" and batch.cases == 3 and batch.needs_reprint
    assert not notices.list_candidates(clerk, VILLAGE, on=POSTED)[0].ready   # already in a batch

    doc = notices.print_poster(clerk, batch.uuid, "A4", "portrait")
    text = pdf_text(doc.data)
    for s in ("最低生活保障拟保障对象公示", "测试县测试镇人民政府（盖章）", "1张建华东坪村3最低生活保障860.00",
              "2李秀兰东坪村1", "3王大山东坪村1", "公示期：2026年09月30日至2026年10月08日", "12345"):
        assert squash(s) in text, s
    for secret in ("张小雨", "刘桂芳", ADDRESS, "1234.57", "主要劳动力患病", ident("19700312", 11), PHONE, "4321"):
        assert secret not in text
    assert not contains_full_id(text)
    assert not notices.batch_detail(clerk, batch.uuid).summary.needs_reprint

    posted = notices.post_batch(clerk, batch.uuid, PostingInput(POSTED, "东坪村村务公开栏", "马春花"), today=POSTED)
    assert posted.status is BatchStatus.POSTED
    assert {status(clerk, u) for u in f.values()} == {CaseStatus.IN_NOTICE}

    objection = notices.record_objection(clerk, batch.uuid, f["b"], ObjectionInput(
        date(2026, 10, 3), "phone", "反映其子女在外务工，有稳定收入", objector_name="王某", objector_contact="电话已记录"))
    assert objection.status == "open" and objection.channel_label == "来电"
    assert status(clerk, f["b"]) is CaseStatus.INVESTIGATING

    assert notices.close_due_batches(clerk, date(2026, 10, 8)) == []          # the last day still counts
    [closed] = notices.close_due_batches(clerk, date(2026, 10, 9))
    assert {m.case_uuid for m in closed.moved} == {f["a"], f["c"]}
    assert [m.case_uuid for m in closed.not_moved] == [f["b"]]
    assert closed.moved[0].status_label == "待审核确认" and closed.end_on == date(2026, 10, 8)
    assert status(clerk, f["a"]) is status(clerk, f["c"]) is CaseStatus.AWAITING_DECISION
    assert status(clerk, f["b"]) is CaseStatus.INVESTIGATING
    assert notices.close_due_batches(clerk, date(2026, 10, 20)) == []         # nothing twice
    detail = notices.batch_detail(clerk, batch.uuid)
    assert detail.summary.status is BatchStatus.ENDED
    assert {r.case_uuid: r.outcome for r in detail.cases} == {f["a"]: "moved_on", f["b"]: "objected",
                                                              f["c"]: "moved_on"}
    assert detail.postings[0].place == "东坪村村务公开栏" and detail.prints[0].kind == "poster"

    with clerk.db.read() as s:
        assert audit.verify_chain(s).ok
        names = s.scalars(select(StatusChange.transition).where(StatusChange.case_uuid == f["b"])
                          .order_by(StatusChange.id)).all()
        assert names == ["intake", "start_investigation", "post_notice", "object"]
        sent = s.scalars(select(OutboxItem.payload).where(OutboxItem.event_type == "case.status_changed")).all()
        assert sum(p["transition"] == "end_notice" for p in sent) == 2
        assert all(p.get("notice_batch") == batch.batch_number for p in sent
                   if p["transition"] in ("post_notice", "object", "end_notice"))
        actions = set(s.scalars(select(AuditEvent.action)).all())
        assert {"case.post_notice", "case.object", "case.end_notice", "notice_posted", "notice_ended",
                "notice_objection_recorded", "document_printed"} <= actions

    # the objected case is noticed again only after it was handled and investigated again
    again = {c.case_uuid: c for c in notices.list_candidates(clerk, VILLAGE, on=date(2026, 10, 20))}[f["b"]]
    assert any("异议" in p for p in again.problems) and any("入户调查" in p for p in again.problems)
    notices.handle_objection(clerk, objection.uuid, "重新入户调查，子女收入不稳定", "not_upheld")
    again = {c.case_uuid: c for c in notices.list_candidates(clerk, VILLAGE, on=date(2026, 10, 20))}[f["b"]]
    assert len(again.problems) == 1 and "入户调查" in again.problems[0]
    visit(clerk, f["b"], amount=64000, on=date(2026, 10, 15))
    second = notices.create_batch(clerk, VILLAGE, "dibao", [f["b"]], start_on=date(2026, 10, 20))
    assert second.batch_number == "GS-2026-007-0002" and second.end_on == date(2026, 10, 27)
    assert "640.00" in pdf_text(notices.print_poster(clerk, second.uuid).data)


def test_exports_go_through_the_same_masking_and_every_output_is_recorded(clerk):
    f = family(clerk)
    batch = posted_batch(clerk, f.values())
    csv_doc = notices.export_csv(clerk, batch.uuid)
    html_doc = notices.export_html(clerk, batch.uuid)
    a3 = notices.print_poster(clerk, batch.uuid, "A3", "landscape")
    csv_text = csv_doc.data.decode("utf-8-sig")
    assert csv_doc.data.startswith(b"\xef\xbb\xbf") and csv_doc.filename == "GS-2026-007-0001-东坪村公示.csv"
    assert csv_text.splitlines()[0] == '"序号","申请人","村（社区）","家庭人口","救助类别","月保障金额（元）","公示期"'
    html_text = html_doc.data.decode("utf-8")
    for out in (csv_text, html_text, pdf_text(a3.data)):
        assert "张建华" in out and "王大山" in out
        for secret in ("张小雨", "刘桂芳", ADDRESS, "1234.57", ident("20150601", 22), PHONE, "4321"):
            assert secret not in out
        assert not contains_full_id(out)
    assert notices.preview(clerk, batch.uuid).rows[0][:4] == ("1", "张建华", "东坪村", "3")
    second_a4 = notices.print_poster(clerk, batch.uuid)
    assert (a3.copy_no, second_a4.copy_no, csv_doc.copy_no) == (2, 3, 1)
    with clerk.db.read() as s:
        records = s.scalars(select(NoticePrint).order_by(NoticePrint.id)).all()
        assert [(r.kind, r.fmt, r.copy_no) for r in records] == [
            ("poster", "A4-portrait", 1), ("csv", "csv", 1), ("html", "html", 1), ("poster", "A3-landscape", 2),
            ("poster", "A4-portrait", 3)]
        assert records[3].sha256 == a3.sha256 and records[3].rows == 3
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "document_printed",
                                                    AuditEvent.entity_type == "notice_batch")).all()
        assert len(events) == 5 and all("张建华" not in e.detail for e in events)


def test_a_minor_applicant_is_never_published_and_the_clerk_is_told(clerk):
    adult = make_case(clerk, "赵德明", "19600101", 71)
    minor = make_case(clerk, "钱小英", "20100101", 82)
    for c in (adult, minor):
        visit(clerk, c)
    cands = {c.case_uuid: c for c in notices.list_candidates(clerk, VILLAGE, "dibao", on=POSTED)}
    assert cands[adult].ready
    assert not cands[minor].ready and "未满18周岁" in cands[minor].problems[0]
    with pytest.raises(notices.InvalidInput, match="未满18周岁"):
        notices.create_batch(clerk, VILLAGE, "dibao", [adult, minor], start_on=POSTED)
    batch = notices.create_batch(clerk, VILLAGE, "dibao", [adult], start_on=POSTED)
    text = pdf_text(notices.print_poster(clerk, batch.uuid).data)
    assert "赵德明" in text and "钱小英" not in text


def test_withdrawn_notice_sends_cases_back_prints_the_explanation_and_allows_a_new_notice(clerk):
    f = family(clerk)
    batch = posted_batch(clerk, f.values())
    summary = notices.withdraw_batch(clerk, batch.uuid, "公示名单中一户家庭人口登记有误")
    assert summary.status is BatchStatus.WITHDRAWN and summary.withdraw_reason == "公示名单中一户家庭人口登记有误"
    assert {status(clerk, u) for u in f.values()} == {CaseStatus.INVESTIGATING}
    with clerk.db.read() as s:
        changes = s.scalars(select(StatusChange).where(StatusChange.case_uuid == f["a"])
                            .order_by(StatusChange.id.desc())).first()
        assert changes.transition in ("withdraw_notice", "object") and changes.reason.startswith("撤回公示：")
    text = pdf_text(notices.print_withdrawal_notice(clerk, batch.uuid).data)
    for s in ("撤回公示的说明", "2026年09月30日在东坪村村务公开栏张贴", "公示名单中一户家庭人口登记有误", "现予撤回"):
        assert squash(s) in text, s
    with pytest.raises(notices.NoticeRefused):
        notices.print_poster(clerk, batch.uuid)
    # a withdrawal is not an objection: no new home visit is needed to notice again
    assert all(c.ready for c in notices.list_candidates(clerk, VILLAGE, on=date(2026, 10, 12)))
    again = notices.create_batch(clerk, VILLAGE, "dibao", list(f.values()), start_on=date(2026, 10, 12))
    assert again.status is BatchStatus.DRAFT


def test_draft_changes_need_a_new_poster_before_posting(clerk):
    f = family(clerk)
    batch = notices.create_batch(clerk, VILLAGE, "dibao", list(f.values()), start_on=POSTED)
    notices.print_poster(clerk, batch.uuid)
    after = notices.remove_case(clerk, batch.uuid, f["c"])
    assert after.cases == 2 and after.needs_reprint
    with pytest.raises(notices.InvalidInput, match="重新打印"):
        notices.post_batch(clerk, batch.uuid, PostingInput(POSTED, "东坪村村务公开栏", "马春花"), today=POSTED)
    moved = notices.set_start_date(clerk, batch.uuid, date(2026, 10, 9))
    assert (moved.start_on, moved.end_on) == (date(2026, 10, 9), date(2026, 10, 16))
    notices.print_poster(clerk, batch.uuid)
    posted = notices.post_batch(clerk, batch.uuid, PostingInput(date(2026, 10, 9), "东坪村村务公开栏", "马春花"),
                                today=date(2026, 10, 9))
    assert posted.status is BatchStatus.POSTED and status(clerk, f["c"]) is CaseStatus.INVESTIGATING
    # a second place where the same notice hangs
    notices.post_batch(clerk, batch.uuid, PostingInput(date(2026, 10, 10), "镇便民服务中心公开栏", "王喆"),
                       today=date(2026, 10, 10))
    assert len(notices.batch_detail(clerk, batch.uuid).postings) == 2
    assert [b.batch_number for b in notices.list_batches(clerk, "posted")] == [batch.batch_number]
    with clerk.db.read() as s:
        assert s.scalar(select(func.count()).select_from(StatusChange)
                        .where(StatusChange.transition == "post_notice")) == 2
