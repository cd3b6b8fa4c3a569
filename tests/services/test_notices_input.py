"""Bad input everywhere in the notice services: a Chinese message, and nothing in the database changes.

"Nothing changes" is checked by counting the rows of every table before and
after the refused call (audit events, outbox, status changes included).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from test_notices_setup import (
    OTHER_VILLAGE,
    POSTED,
    VILLAGE,
    add_users,
    family,
    jpeg,
    login,
    make_case,
    posted_batch,
    visit,
)

from desktop.domain.categories import Category
from desktop.domain.roles import PermissionDenied
from desktop.services.errors import NotFound, ServiceError
from desktop.services.investigation import records as investigations
from desktop.services.notices import batches as notices
from desktop.services.notices.batches import ObjectionInput, PostingInput
from desktop.store.models import OutboxBlob, OutboxItem


@pytest.fixture
def env(admin_session, data_dir):
    add_users(admin_session)
    clerk = login(data_dir, "clerk")
    yield clerk, data_dir
    clerk.close()


def refused(session, call, needle: str, exc=ServiceError) -> None:
    before = session.db.table_counts()
    with pytest.raises(exc) as e:
        call()
    message = getattr(e.value, "message", str(e.value))
    assert needle in message, message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert session.db.table_counts() == before


def test_batch_creation_refuses_bad_input(env):
    clerk, _ = env
    f = family(clerk)
    unvisited = make_case(clerk, "孙立新", "19770707", 91)
    other = make_case(clerk, "周正", "19800808", 93, village=OTHER_VILLAGE)
    visit(clerk, other)
    medical = make_case(clerk, "吴涛", "19810909", 95, cats=(Category.MEDICAL,))
    visit(clerk, medical)
    accepted = make_case(clerk, "郑和", "19821010", 97, investigate=False)
    ok = [f["a"], f["b"]]
    cb = notices.create_batch
    refused(clerk, lambda: cb(clerk, VILLAGE, "dibao", [], start_on=POSTED), "至少选择一件")
    refused(clerk, lambda: cb(clerk, VILLAGE, "dibao", [f["a"], f["a"]], start_on=POSTED), "重复")
    refused(clerk, lambda: cb(clerk, "620102101299", "dibao", ok, start_on=POSTED), "不属于本乡镇")
    refused(clerk, lambda: cb(clerk, VILLAGE, "pension", ok, start_on=POSTED), "请选择救助类别")
    refused(clerk, lambda: cb(clerk, VILLAGE, "medical", [medical], start_on=POSTED), "医疗救助无需公示")
    refused(clerk, lambda: cb(clerk, VILLAGE, "dibao", [*ok, unvisited], start_on=POSTED), "入户调查")
    refused(clerk, lambda: cb(clerk, VILLAGE, "dibao", [*ok, other], start_on=POSTED), "不属于本村")
    refused(clerk, lambda: cb(clerk, VILLAGE, "dibao", [*ok, accepted], start_on=POSTED), "只有调查中")
    refused(clerk, lambda: cb(clerk, VILLAGE, "dibao", [*ok, "no-such-case"], start_on=POSTED), "已不存在")
    refused(clerk, lambda: cb(clerk, VILLAGE, "tekun", ok, start_on=POSTED), "而不是")
    refused(clerk, lambda: cb(clerk, VILLAGE, "dibao", ok, start_on="2026-09-30"), "张贴日期")  # type: ignore[arg-type]
    batch = cb(clerk, VILLAGE, "dibao", ok, start_on=POSTED)
    refused(clerk, lambda: cb(clerk, VILLAGE, "dibao", [f["a"]], start_on=POSTED), "已列入公示批次")
    refused(clerk, lambda: notices.remove_case(clerk, batch.uuid, f["c"]), "不在本批")
    notices.remove_case(clerk, batch.uuid, f["b"])
    refused(clerk, lambda: notices.remove_case(clerk, batch.uuid, f["a"]), "最后一件")


def test_posting_refuses_bad_input(env):
    clerk, data_dir = env
    f = family(clerk)
    batch = notices.create_batch(clerk, VILLAGE, "dibao", list(f.values()), start_on=POSTED)
    post = notices.post_batch
    good = PostingInput(POSTED, "东坪村村务公开栏", "马春花")
    refused(clerk, lambda: post(clerk, batch.uuid, good, today=POSTED), "尚未打印")
    notices.print_poster(clerk, batch.uuid)
    refused(clerk, lambda: post(clerk, batch.uuid, good, today=date(2026, 9, 29)), "不能晚于今天")
    refused(clerk, lambda: post(clerk, batch.uuid, PostingInput(date(2026, 9, 29), "公开栏", "马春花"),
                                today=POSTED), "重新打印海报")
    refused(clerk, lambda: post(clerk, batch.uuid, PostingInput(POSTED, "  ", "马春花"), today=POSTED), "张贴地点")
    refused(clerk, lambda: post(clerk, batch.uuid, PostingInput(POSTED, "公开栏", ""), today=POSTED), "张贴人")
    refused(clerk, lambda: post(clerk, batch.uuid, PostingInput(POSTED, "栏" * 101, "马"), today=POSTED), "最多")
    refused(clerk, lambda: post(clerk, batch.uuid, PostingInput(POSTED, "栏", "马", "注" * 501), today=POSTED), "备注")
    refused(clerk, lambda: post(clerk, "nope", good, today=POSTED), "找不到", NotFound)
    refused(clerk, lambda: notices.list_batches(clerk, "lost"), "未知的公示状态")
    refused(clerk, lambda: notices.list_candidates(clerk, VILLAGE, "pension"), "未知的救助类别")
    refused(clerk, lambda: notices.print_poster(clerk, batch.uuid, "B5"), "A4 或 A3")
    refused(clerk, lambda: notices.print_poster(clerk, batch.uuid, "A4", "diagonal"), "方向")
    assistant = login(data_dir, "assistant")
    try:
        refused(assistant, lambda: post(assistant, batch.uuid, good, today=POSTED), "无权", PermissionDenied)
        refused(assistant, lambda: notices.print_poster(assistant, batch.uuid), "无权", PermissionDenied)
        refused(assistant, lambda: notices.close_due_batches(assistant, date(2027, 1, 1)), "无权", PermissionDenied)
    finally:
        assistant.close()
    notices.post_batch(clerk, batch.uuid, good, today=POSTED)
    refused(clerk, lambda: post(clerk, batch.uuid, PostingInput(date(2026, 10, 9), "镇公开栏", "王喆"),
                                today=date(2026, 10, 9)), "不在本公示的公示期内")
    refused(clerk, lambda: notices.set_start_date(clerk, batch.uuid, date(2026, 10, 1)), "只有草稿")
    refused(clerk, lambda: notices.print_withdrawal_notice(clerk, batch.uuid), "撤回")


def test_objections_refuse_bad_input(env):
    clerk, _ = env
    f = family(clerk)
    draft = notices.create_batch(clerk, VILLAGE, "dibao", [f["c"]], start_on=POSTED)
    batch = posted_batch(clerk, [f["a"], f["b"]])
    rec = notices.record_objection

    def obj(**kw):
        base = dict(received_on=date(2026, 10, 2), channel="letter", content="反映其有车辆", objector_name="王某")
        base.update(kw)
        return ObjectionInput(**base)

    refused(clerk, lambda: rec(clerk, batch.uuid, f["a"], obj(content=" ")), "异议内容")
    refused(clerk, lambda: rec(clerk, batch.uuid, f["a"], obj(objector_name="")), "反映人姓名")
    refused(clerk, lambda: rec(clerk, batch.uuid, f["a"], obj(anonymous=True)), "匿名")
    refused(clerk, lambda: rec(clerk, batch.uuid, f["a"], obj(channel="pigeon")), "反映方式")
    refused(clerk, lambda: rec(clerk, batch.uuid, f["a"], obj(received_on=date(2026, 10, 9))), "不在公示期内")
    refused(clerk, lambda: rec(clerk, batch.uuid, f["a"], obj(received_on=date(2026, 9, 29))), "不在公示期内")
    refused(clerk, lambda: rec(clerk, batch.uuid, f["a"], obj(received_on=date(2030, 1, 1))), "不能晚于今天")
    refused(clerk, lambda: rec(clerk, batch.uuid, f["c"], obj()), "不在本批")
    refused(clerk, lambda: rec(clerk, draft.uuid, f["c"], obj()), "只有公示中")
    refused(clerk, lambda: rec(clerk, batch.uuid, f["a"], obj(content="异" * 2001)), "最多")
    got = rec(clerk, batch.uuid, f["a"], obj(anonymous=True, objector_name=""))
    assert got.anonymous and got.objector_name == ""
    refused(clerk, lambda: rec(clerk, batch.uuid, f["a"], obj()), "已不在公示中")
    refused(clerk, lambda: notices.handle_objection(clerk, got.uuid, "", "upheld"), "处理情况")
    refused(clerk, lambda: notices.handle_objection(clerk, got.uuid, "已核实", "maybe"), "处理结果")
    refused(clerk, lambda: notices.handle_objection(clerk, "nope", "已核实", "upheld"), "找不到", NotFound)
    notices.handle_objection(clerk, got.uuid, "已核实", "upheld")
    refused(clerk, lambda: notices.handle_objection(clerk, got.uuid, "再次", "upheld"), "不能重复")


def test_home_visits_refuse_bad_input(env):
    """The one home-visit service (the notice has no short form of its own): fewer staff than the
    policy's home_visit_min_investigators are refused, so a case never shows a one-person visit."""
    clerk, _ = env
    case = make_case(clerk, "孙立新", "19770707", 91)
    accepted = make_case(clerk, "郑和", "19821010", 97, investigate=False)
    rv = investigations.record_home_visit

    def v(on: date, names: tuple[str, ...], amount=None):  # type: ignore[no-untyped-def]
        return investigations.HomeVisitInput(on, names, "入户核实家庭情况", amount)

    ok = v(date(2026, 9, 15), ("王喆", "李明"), 50000)
    refused(clerk, lambda: rv(clerk, case, v(date(2030, 1, 1), ("王喆", "李明"))), "不能晚于今天")
    refused(clerk, lambda: rv(clerk, case, v(date(2026, 9, 1), ("王喆", "李明"))), "早于受理日期")
    refused(clerk, lambda: rv(clerk, case, v(date(2026, 9, 15), ())), "工作人员")
    refused(clerk, lambda: rv(clerk, case, v(date(2026, 9, 15), ("王喆", " "))), "2名以上")
    refused(clerk, lambda: rv(clerk, case, v(date(2026, 9, 15), ("王喆", "王喆"))), "重复")
    refused(clerk, lambda: rv(clerk, case, v(date(2026, 9, 15), ("王喆", "李明"), -1)), "金额")
    refused(clerk, lambda: rv(clerk, case, v(date(2026, 9, 15), ("王喆", "李明"), 12.5)), "金额")
    refused(clerk, lambda: rv(clerk, accepted, ok), "不能登记入户调查")
    refused(clerk, lambda: rv(clerk, "nope", ok), "找不到", NotFound)
    refused(clerk, lambda: rv(clerk, case, v(date(2026, 9, 15), ("王喆",))), "须由2名以上工作人员")
    cand = {c.case_uuid: c for c in notices.list_candidates(clerk, VILLAGE, on=POSTED)}[case]
    assert "已登记0人" in cand.problems[0]      # nothing was written by the refused visits
    assert rv(clerk, case, ok)
    cand = {c.case_uuid: c for c in notices.list_candidates(clerk, VILLAGE, on=POSTED)}[case]
    assert not any("入户调查" in p for p in cand.problems)


def test_photos_refuse_bad_input_and_are_stored_encrypted(env):
    clerk, _ = env
    f = family(clerk)
    draft = notices.create_batch(clerk, VILLAGE, "dibao", [f["c"]], start_on=POSTED)
    batch = posted_batch(clerk, [f["a"], f["b"]])
    add = notices.add_photo
    photo = jpeg()
    assert len(photo) > 2048
    refused(clerk, lambda: add(clerk, draft.uuid, photo), "尚未张贴")
    refused(clerk, lambda: add(clerk, batch.uuid, b""), "请选择")
    refused(clerk, lambda: add(clerk, batch.uuid, b"%PDF-1.4\n" + b"0" * 4096), "不是照片")
    refused(clerk, lambda: add(clerk, batch.uuid, b"GIF89a" + b"0" * 4096), "不是照片")
    refused(clerk, lambda: add(clerk, batch.uuid, b"\xff\xd8\xff\xe0" + b"0" * 100), "不完整")
    refused(clerk, lambda: add(clerk, batch.uuid, b"\xff\xd8\xff" + b"0" * (8 * 1024 * 1024)), "太大")
    refused(clerk, lambda: add(clerk, batch.uuid, photo, caption="说" * 201), "最多")
    refused(clerk, lambda: add(clerk, batch.uuid, photo, posting_uuid="nope"), "张贴记录")
    info = add(clerk, batch.uuid, photo, "东坪村村务公开栏，张贴当日")
    assert info.mime == "image/jpeg" and info.size == len(photo)
    refused(clerk, lambda: add(clerk, batch.uuid, photo), "已经上传过")
    assert notices.photo_data(clerk, info.uuid) == ("image/jpeg", photo)
    assert [p.uuid for p in notices.batch_detail(clerk, batch.uuid).photos] == [info.uuid]
    with clerk.db.read() as s:   # the county gets the photo as an attachment of the batch, its bytes as a blob
        item = s.scalars(select(OutboxItem).order_by(OutboxItem.seq.desc())).first()
        assert (item.event_type, item.payload["owner_uuid"], item.payload["sha256"]) == (
            "attachment.added", batch.uuid, info.sha256)
        assert s.get(OutboxBlob, info.sha256).size == len(photo)
    clerk.db.close()   # checkpoint the WAL, then look at the raw files: the photo is not in them in clear
    raw = b"".join(p.read_bytes() for p in clerk.db.data_dir.iterdir() if p.name.startswith("yimen.db"))
    assert photo[200:264] not in raw and b"SQLite format 3" not in raw[:16]


def test_withdrawal_refuses_bad_input(env):
    clerk, _ = env
    f = family(clerk)
    batch = posted_batch(clerk, f.values())
    wd = notices.withdraw_batch
    refused(clerk, lambda: wd(clerk, batch.uuid, "  "), "撤回公示的理由")
    refused(clerk, lambda: wd(clerk, batch.uuid, "理" * 201), "最多")
    refused(clerk, lambda: wd(clerk, batch.uuid, "申请人电话13912345678登记有误"), "不能含有电话")
    refused(clerk, lambda: wd(clerk, "nope", "有误"), "找不到", NotFound)
    assert notices.close_due_batches(clerk, date(2026, 10, 9))
    refused(clerk, lambda: wd(clerk, batch.uuid, "有误"), "不能撤回")
    refused(clerk, lambda: notices.print_poster(clerk, batch.uuid), "不再打印")
