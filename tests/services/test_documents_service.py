"""Printing a case's documents from a real encrypted database, read back from the PDF.

Cases are made by the real intake (`submit_application`, with `now=` fixing
the date); PDFs are read back with pypdf (whitespace removed, since line
wrapping breaks Chinese text anywhere) and the QR code is decoded from a
200-dpi rendering with zxing-cpp.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from conftest import FAST_KDF
from factories import villages_of
from sqlalchemy import select

from desktop.domain.categories import Category
from desktop.domain.clock import compute_deadline
from desktop.domain.household import (
    Application,
    Channel,
    Employment,
    Household,
    HukouType,
    LabourCapacity,
    Person,
    Relation,
)
from desktop.domain.roles import PermissionDenied, Role
from desktop.domain.workdays import CalendarNotCovered
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.documents import issue as documents
from desktop.services.documents.issue import (
    DocumentKind,
    DocumentRefused,
    InvalidReceipt,
    verify_receipt_payload,
)
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.intake import accept as intake
from desktop.services.workflow import transitions as cases
from desktop.store import audit
from desktop.store.device import device_info
from desktop.store.models import AuditEvent, Case, PrintRecord
from forms.documents._common import contains_full_id, fmt_datetime
from forms.idnumber import check_char, mask_id

VILLAGE = "620102101201"


def ident(birth: str, seq: int, area: str = "620102") -> str:
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + check_char(first17)


HEAD = Person("张𠮷祥", ident("19680412", 31), Relation.SELF)
SPOUSE = Person("刘昇", ident("19700921", 48), Relation.SPOUSE)
DAUGHTER = Person("张敏", ident("19930607", 26), Relation.DAUGHTER)
CHILD = Person("张小堃", ident("20150601", 13), Relation.SON, labour_capacity=LabourCapacity.NOT_APPLICABLE,
               employment=Employment.STUDENT)
SUPPORTER = Person("张建国", ident("19630302", 57, "620121"), Relation.SIBLING, is_obliged_supporter=True)
MEMBERS = (HEAD, SPOUSE, DAUGHTER, CHILD, SUPPORTER)
FULL_IDS = [p.id_number for p in MEMBERS]


# --------------------------------------------------------------------------- helpers

def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def text(pdf: bytes) -> str:
    return "".join(squash(p.extract_text() or "") for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def decode_qr(pdf: bytes, dpi: int = 200) -> list[str]:
    page = pdfium.PdfDocument(pdf)[0]
    return [r.text for r in zxingcpp.read_barcodes(page.render(scale=dpi / 72).to_pil())]


def at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def submit(session, when: datetime, outcome="accept", cats=(Category.DIBAO, Category.MEDICAL), missing=(),
           reason="", emergency=False, phone="13900000123") -> intake.IntakeResult:
    plan = DeadlinePlanner.bundled().plan(VILLAGE, when.astimezone().date(), list(cats))
    codes = [code for code, _ in plan.documents]
    app = Application(categories=tuple(cats), reason="因病致贫，生活困难", channel=Channel.WALK_IN,
                      household=Household(VILLAGE, HukouType.RURAL, "东坪村三社12号", MEMBERS),
                      applicant_id_number=HEAD.id_number,
                      documents_received=tuple(c for c in codes if c not in missing),
                      documents_missing=tuple(missing), emergency=emergency, contact_phone=phone)
    return intake.submit_application(session, app, outcome, refusal_reason=reason, now=when)


def assert_no_full_id(pdf: bytes) -> str:
    t = text(pdf)
    for number in FULL_IDS:
        assert number not in t
    assert not contains_full_id(t)
    return t


@pytest.fixture
def users(admin_session, data_dir):
    for name, display, role in (("clerk", "王喆", Role.CLERK), ("assistant", "马春花", Role.VILLAGE_ASSISTANT),
                                ("auditor", "陈静", Role.AUDITOR)):
        auth.add_user(admin_session, name, display, role, f"{name}-pass-1", **villages_of(role))
    return data_dir


@pytest.fixture
def clerk(users):
    s = sign_in(users, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    yield s
    s.close()


def _as(data_dir, name):
    return sign_in(data_dir, name, f"{name}-pass-1", kdf=FAST_KDF)


# --------------------------------------------------------------------------- the receipt

@pytest.mark.parametrize("fmt", ["a4", "roll80"])
def test_receipt_says_what_was_accepted_and_never_a_full_id(clerk, fmt):
    when = at(date(2026, 2, 12))
    case = submit(clerk, when)
    doc = documents.print_receipt(clerk, case.case_uuid, fmt)
    t = assert_no_full_id(doc.pdf)
    expected = ["社会救助申请受理通知书", "测试县测试镇人民政府", "测试窗口", case.case_number_display, "张𠮷祥",
                mask_id(HEAD.id_number), "最低生活保障、医疗救助", "申请书", "户口簿", "居民身份证",
                "家庭经济状况核对授权书", "疾病诊断证明", "医疗费用票据及结算单", fmt_datetime(when.astimezone()),
                "自受理之日起30个工作日内，最迟于2026年04月01日作出决定", "王喆", "12345政务服务便民热线12345",
                "本人申请", "扫码核验真伪", "联系电话13900000123"]     # the applicant's own paper: in full
    for s in expected:
        assert squash(s) in t, s
    assert mask_id(HEAD.id_number) == HEAD.id_number[:6] + "********" + HEAD.id_number[-4:]
    assert "副本" not in t
    assert (doc.kind, doc.copy_no, doc.is_copy) == (DocumentKind(f"receipt_{fmt}"), 1, False)


@pytest.mark.parametrize("accepted, cats, expected", [
    # Thu before 春节 2026: Fri 2/13 and make-up Sat 2/14 count, 2/15–2/23 off, make-up Sat 2/28 counts
    (date(2026, 2, 12), (Category.DIBAO,), date(2026, 4, 1)),
    (date(2026, 2, 12), (Category.TEMP_EXPENSE,), date(2026, 3, 18)),  # 20 working days
    # accepted ON the make-up Saturday 2/28 (the day itself never counts); 清明 4/4–4/6 off
    (date(2026, 2, 28), (Category.DIBAO,), date(2026, 4, 13)),
])
def test_printed_deadline_is_the_clock_deadline_around_spring_festival(clerk, accepted, cats, expected):
    case = submit(clerk, at(accepted), cats=cats)
    planner = DeadlinePlanner.bundled()
    table = planner.policy_for(VILLAGE, accepted)
    assert compute_deadline("decision_total", accepted, table, planner.calendar, cats[0]) == expected
    assert case.decision_due == expected
    days = table.deadline("decision_total", cats[0])
    t = text(documents.print_receipt(clerk, case.case_uuid, "roll80").pdf)
    assert f"自受理之日起{days}个工作日内，最迟于{expected:%Y年%m月%d日}作出决定" in t


def test_receipt_beyond_the_calendar_prints_a_provisional_date_and_says_so(clerk):
    case = submit(clerk, at(date(2026, 12, 1)), cats=(Category.MEDICAL,))  # 30 working days reach 2027
    # 22 working days left in December 2026, 元旦 skipped, then 01-04…01-13
    assert (case.decision_due, case.decision_provisional) == (date(2027, 1, 13), True)
    t = text(documents.print_receipt(clerk, case.case_uuid, "a4").pdf)
    assert squash("自受理之日起30个工作日内，最迟于2027年01月13日（暂定）作出决定"
                  "（2027年节假日安排尚未发布，日期按法定节假日暂定，以正式安排为准）") in t
    # the county table in force from 2026-07-01 adds its own hotline
    assert squash("城关区社会救助服务热线（演示） 0931-0000000") in t


@pytest.mark.parametrize("fmt", ["a4", "roll80"])
def test_qr_decodes_to_a_payload_signed_by_this_device(clerk, fmt):
    when = at(date(2026, 2, 12))
    case = submit(clerk, when)
    pdf = documents.print_receipt(clerk, case.case_uuid, fmt).pdf
    found = decode_qr(pdf)
    assert len(found) == (2 if fmt == "a4" else 1) and len(set(found)) == 1
    payload = found[0]
    with clerk.db.read() as s:
        public_key = device_info(s).public_key
    v = verify_receipt_payload(payload, public_key)
    assert (v.case_number, v.accepted_at, v.device_code) == (case.case_number, when, "007")
    assert v.case_number_display == case.case_number_display
    assert payload.startswith(f"YM1|{case.case_number}|2026-02-12T02:00Z|007|")
    # any single changed character of the case number or the time breaks it
    start = payload.index("|") + 1
    end = payload.index("|", payload.index("|", start) + 1)
    for i in range(start, end):
        if payload[i] == "|":
            continue
        for repl in {"0", "1", "X", "Z"} - {payload[i]}:
            forged = payload[:i] + repl + payload[i + 1:]
            with pytest.raises(InvalidReceipt):
                verify_receipt_payload(forged, public_key)
    other = documents.print_receipt(clerk, submit(clerk, when).case_uuid, fmt).pdf
    assert decode_qr(other)[0] != payload


def test_qr_verification_refuses_other_keys_and_garbage(clerk):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    case = submit(clerk, at(date(2026, 3, 2)))
    payload = decode_qr(documents.print_receipt(clerk, case.case_uuid, "roll80").pdf)[0]
    stranger = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with pytest.raises(InvalidReceipt, match="签名核验失败"):
        verify_receipt_payload(payload, stranger)
    with clerk.db.read() as s:
        key = device_info(s).public_key
    sig = payload.rsplit("|", 1)[1]
    flipped = sig[:-1] + ("A" if sig[-1] != "A" else "B")
    for bad in ["", "hello", payload + "|x", payload.replace("YM1", "YM2", 1), payload.rsplit("|", 1)[0] + "|" + flipped,
                payload.replace("|007|", "|008|")]:
        with pytest.raises(InvalidReceipt) as err:
            verify_receipt_payload(bad, key)
        assert re.search(r"[\u4e00-\u9fff]", err.value.message)


def test_receipt_after_documents_completed_counts_from_completion(clerk):
    """Accepted after 补正: acceptance is the completion, and the deadline runs from that day."""
    case = submit(clerk, at(date(2026, 2, 12)), "missing_documents", missing=("hukou_book",))
    assert cases.mark_documents_received(clerk, case.case_uuid, ["hukou_book"]) == ()
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    cases.transition(clerk, case.case_uuid, "complete_documents")
    payload = decode_qr(documents.print_receipt(clerk, case.case_uuid, "roll80").pdf)[0]
    with clerk.db.read() as s:
        key = device_info(s).public_key
    accepted = verify_receipt_payload(payload, key).accepted_at
    assert before <= accepted <= datetime.now(UTC)
    t = text(documents.print_receipt(clerk, case.case_uuid, "roll80").pdf)
    planner = DeadlinePlanner.bundled()
    day = accepted.astimezone().date()
    try:
        due = compute_deadline("decision_total", day, planner.policy_for(VILLAGE, day),
                               planner.calendar, Category.DIBAO)
        assert f"最迟于{due:%Y年%m月%d日}作出决定" in t
    except CalendarNotCovered as exc:
        assert f"（具体日期待县级下发{exc.year}年节假日安排后确定）" in t


def test_receipt_payload_refuses_what_it_cannot_sign():
    number = "62010210100720260000015"
    assert documents.receipt_payload("620102101-007-2026-000001-5", datetime(2026, 2, 12, 9, 30, 59,
                                     tzinfo=timezone(timedelta(hours=8))), "007") == (
        f"YM1|{number}|2026-02-12T01:30Z|007")
    for args in ((number, datetime(2026, 2, 12, 1, 30), "007"),        # no time zone
                 (number, at(date(2026, 2, 12)), "008"),                # another device's number
                 ("62010210100720260000016", at(date(2026, 2, 12)), "007")):  # wrong check character
        with pytest.raises(ValueError):
            documents.receipt_payload(*args)


# --------------------------------------------------------------------------- originals, copies, voids

def test_first_print_is_original_later_ones_are_copies_and_all_are_recorded(clerk):
    case = submit(clerk, at(date(2026, 2, 12)))
    first = documents.print_receipt(clerk, case.case_uuid, "a4")
    second = documents.print_receipt(clerk, case.case_uuid, "a4")
    roll = documents.print_receipt(clerk, case.case_uuid, "roll80")   # the same notice on other paper
    assert (first.copy_no, first.is_copy) == (1, False)
    assert (second.copy_no, second.is_copy, roll.copy_no, roll.is_copy) == (2, True, 3, True)
    assert "副本" not in text(first.pdf)
    assert text(second.pdf).count("副本") >= 3 and "副本" in text(roll.pdf)
    with clerk.db.read() as s:
        records = s.scalars(select(PrintRecord).where(PrintRecord.case_uuid == case.case_uuid)
                            .order_by(PrintRecord.copy_no)).all()
        assert [(r.kind, r.copy_no, r.is_copy, r.actor) for r in records] == [
            ("receipt_a4", 1, False, "clerk"), ("receipt_a4", 2, True, "clerk"), ("receipt_roll80", 3, True, "clerk")]
        assert [r.sha256 for r in records] == [d.sha256 for d in (first, second, roll)]
        assert records[0].sha256 == hashlib.sha256(first.pdf).hexdigest()
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "document_printed")).all()
        assert [json.loads(e.detail)["copy_no"] for e in events] == [1, 2, 3]
        for e in events:
            assert "张" not in e.detail and not any(n in e.detail for n in FULL_IDS)
        assert audit.verify_chain(s).ok


def _records(session, case_uuid):
    with session.db.read() as s:
        return s.scalars(select(PrintRecord).where(PrintRecord.case_uuid == case_uuid)
                         .order_by(PrintRecord.id)).all()


def test_a_preview_records_nothing_until_it_is_printed(clerk):
    case = submit(clerk, at(date(2026, 2, 12)))
    a4 = documents.print_receipt(clerk, case.case_uuid, "a4", preview=True)
    roll = documents.print_receipt(clerk, case.case_uuid, "roll80", preview=True)
    assert not a4.recorded and (a4.copy_no, roll.copy_no) == (1, 1) and _records(clerk, case.case_uuid) == []
    (done,) = documents.record_preview(clerk, case.case_uuid, roll)
    assert done.recorded and done.sha256 == roll.sha256
    assert [(r.kind, r.copy_no, r.sha256) for r in _records(clerk, case.case_uuid)] == [
        ("receipt_roll80", 1, roll.sha256)]
    # the A4 preview still says "original": recording it now would make two originals — refused
    with pytest.raises(DocumentRefused) as err:
        documents.record_preview(clerk, case.case_uuid, a4)
    assert "重新打开" in err.value.message and len(_records(clerk, case.case_uuid)) == 1
    again = documents.print_receipt(clerk, case.case_uuid, "a4", preview=True)
    assert (again.copy_no, again.is_copy) == (2, True) and "副本" in text(again.pdf)


def test_referral_slips_of_one_department_preview_and_record_together(clerk):
    case = submit(clerk, at(date(2026, 2, 12)), cats=(Category.EDUCATION, Category.MEDICAL))
    (medical,) = documents.print_referral_slips(clerk, case.case_uuid, preview=True, department="healthcare_security")
    assert medical.department_name == "测试县医疗保障局" and not medical.recorded
    both = documents.print_referral_slips(clerk, case.case_uuid, preview=True)
    documents.record_preview(clerk, case.case_uuid, both)
    assert sorted(r.series for r in _records(clerk, case.case_uuid)) == [
        "referral_slip:education", "referral_slip:healthcare_security"]
    with pytest.raises(DocumentRefused):
        documents.print_referral_slips(clerk, case.case_uuid, department="housing")
    with pytest.raises(InvalidInput):
        documents.record_preview(clerk, case.case_uuid, [])


def test_void_needs_a_reason_and_never_frees_the_number(clerk):
    case = submit(clerk, at(date(2026, 2, 12)))
    first = documents.print_receipt(clerk, case.case_uuid, "a4")
    for reason in ("", "   "):
        with pytest.raises(InvalidInput) as err:
            documents.void_print(clerk, first.record_uuid, reason)
        assert "原因" in err.value.message
    row = documents.void_print(clerk, first.record_uuid, "打印机卡纸，原件已收回销毁")
    assert row.voided and row.voided_by == "clerk" and row.void_reason == "打印机卡纸，原件已收回销毁"
    with pytest.raises(InvalidInput, match="已经作废"):
        documents.void_print(clerk, first.record_uuid, "再次作废")
    with pytest.raises(NotFound):
        documents.void_print(clerk, str(uuid.uuid4()), "不存在")
    again = documents.print_receipt(clerk, case.case_uuid, "a4")
    assert (again.copy_no, again.is_copy) == (2, True)
    history = documents.print_history(clerk, case.case_uuid)
    assert [(h.kind_label, h.copy_no, h.is_copy, h.voided, h.actor_name) for h in history] == [
        ("受理通知书（A4）", 1, False, True, "王喆"), ("受理通知书（A4）", 2, True, False, "王喆")]
    with clerk.db.read() as s:
        voided = s.scalar(select(AuditEvent).where(AuditEvent.action == "document_voided"))
        assert voided is not None and "卡纸" not in voided.detail
        assert audit.verify_chain(s).ok


# --------------------------------------------------------------------------- who and which cases

@pytest.mark.parametrize("fmt", ["a4", "roll80"])
def test_emergency_receipt_lists_the_documents_to_follow(clerk, fmt):
    case = submit(clerk, at(date(2026, 2, 12)), cats=(Category.TEMP_EMERGENCY,), missing=("incident_proof",),
                  emergency=True)
    t = text(documents.print_receipt(clerk, case.case_uuid, fmt).pdf)
    assert squash("待补材料") in t and squash("事故、疾病或灾害证明") in t
    assert squash("先行救助后按时补交") in t and squash("先行受理") in t and squash("材料齐全") not in t
    ordinary = submit(clerk, at(date(2026, 2, 12)))
    plain = text(documents.print_receipt(clerk, ordinary.case_uuid, fmt).pdf)
    assert squash("待补材料") not in plain and squash("材料齐全") in plain


def test_receipt_refused_before_acceptance(clerk):
    pending = submit(clerk, at(date(2026, 2, 12)), "missing_documents", missing=("hukou_book",))
    with pytest.raises(DocumentRefused) as err:
        documents.print_receipt(clerk, pending.case_uuid)
    assert "待补正" in err.value.message and "一次性告知书" in err.value.message
    refused = submit(clerk, at(date(2026, 2, 12)), "refuse", reason="申请人户籍不在本镇。")
    with pytest.raises(DocumentRefused) as err:
        documents.print_receipt(clerk, refused.case_uuid)
    assert "不予受理告知书" in err.value.message
    with clerk.db.read() as s:
        assert s.scalar(select(PrintRecord.id)) is None


def test_village_assistant_prints_receipts_auditor_does_not(users):
    assistant = _as(users, "assistant")
    try:
        case = submit(assistant, at(date(2026, 2, 12)))
        doc = documents.print_receipt(assistant, case.case_uuid, "roll80")
        assert "马春花" in text(doc.pdf)
        with pytest.raises(PermissionDenied):
            documents.print_history(assistant, case.case_uuid)
    finally:
        assistant.close()
    auditor = _as(users, "auditor")
    try:
        with pytest.raises(PermissionDenied) as err:
            documents.print_receipt(auditor, case.case_uuid, "a4")
        assert "无权" in err.value.message
    finally:
        auditor.close()


def test_no_receipt_for_a_missing_or_rolled_back_case(clerk, monkeypatch):
    with pytest.raises(NotFound):
        documents.print_receipt(clerk, str(uuid.uuid4()))
    seen = []

    def fail(s, **kw):
        seen.append(kw["entity_id"])
        raise RuntimeError("power cut")

    monkeypatch.setattr(audit, "append_event", fail)
    with pytest.raises(RuntimeError):
        submit(clerk, at(date(2026, 2, 12)))
    monkeypatch.undo()
    assert len(seen) == 1
    with clerk.db.read() as s:
        assert s.get(Case, seen[0]) is None
    with pytest.raises(NotFound) as err:
        documents.print_receipt(clerk, seen[0])
    assert "尚未保存" in err.value.message
    with pytest.raises(InvalidInput):
        documents.print_receipt(clerk, seen[0], "letter")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the other documents

def test_one_time_notice_lists_every_missing_document(clerk):
    missing = ("hukou_book", "diagnosis_certificate", "economic_check_authorization")
    case = submit(clerk, at(date(2026, 2, 12)), "missing_documents", missing=missing)
    doc = documents.print_missing_documents_notice(clerk, case.case_uuid)
    t = assert_no_full_id(doc.pdf)
    for s in ["社会救助申请材料一次性告知书", case.case_number_display, "张𠮷祥", mask_id(HEAD.id_number),
              "2026年02月12日", "户口簿", "本人持有；遗失的到户籍所在地派出所补办", "疾病诊断证明",
              "原件及复印件1份", "家庭经济状况核对授权书", "本窗口领取，填写签字后交回",
              "测试镇测试窗口", "12345政务服务便民热线12345"]:
        assert squash(s) in t, s
    assert set(case.documents_missing) == {"户口簿", "疾病诊断证明", "家庭经济状况核对授权书"}
    assert "医疗费用票据及结算单" not in t   # received, so not asked for again
    with pytest.raises(DocumentRefused):
        documents.print_missing_documents_notice(clerk, submit(clerk, at(date(2026, 2, 12))).case_uuid)
    assert documents.print_missing_documents_notice(clerk, case.case_uuid).is_copy


def test_window_contact_is_printed_once_set(admin_session, clerk):
    documents.set_window_contact(admin_session, documents.WindowContact(
        "测试镇便民服务中心一楼2号窗口", "周一至周五 8:30—12:00，14:30—18:00", "0931-5550123"))
    with pytest.raises(PermissionDenied):
        documents.set_window_contact(clerk, documents.WindowContact())
    case = submit(clerk, at(date(2026, 2, 12)), "missing_documents", missing=("hukou_book",))
    t = text(documents.print_missing_documents_notice(clerk, case.case_uuid).pdf)
    for s in ["测试镇便民服务中心一楼2号窗口", "周一至周五8:30—12:00，14:30—18:00", "0931-5550123",
              "监督电话12345政务服务便民热线12345"]:
        assert squash(s) in t, s


def test_refusal_gives_the_recorded_reason(clerk):
    reason = "申请人户籍不在本镇且未持有本镇居住证，应向户籍所在地乡镇提出申请。"
    case = submit(clerk, at(date(2026, 2, 12)), "refuse", reason=reason)
    t = assert_no_full_id(documents.print_refusal(clerk, case.case_uuid).pdf)
    for s in ["社会救助申请不予受理告知书", reason, "测试县人民政府", "测试县人民法院", "张𠮷祥", "王喆"]:
        assert squash(s) in t, s
    with pytest.raises(DocumentRefused):
        documents.print_refusal(clerk, submit(clerk, at(date(2026, 2, 12))).case_uuid)


def test_authorization_lists_adults_and_supporters_not_children(clerk):
    case = submit(clerk, at(date(2026, 2, 12)))
    t = assert_no_full_id(documents.print_authorization(clerk, case.case_uuid).pdf)
    for p in (HEAD, SPOUSE, DAUGHTER, SUPPORTER):
        assert p.name in t and mask_id(p.id_number) in t
    assert CHILD.name not in t and mask_id(CHILD.id_number) not in t
    assert t.count("赡养（抚养、扶养）义务人") == 1
    assert t.index("张𠮷祥本人") < t.index("刘昇配偶")


def test_referral_slips_one_per_department_with_its_deadline(clerk):
    case = submit(clerk, at(date(2026, 2, 12)), cats=(Category.EDUCATION, Category.MEDICAL))
    slips = documents.print_referral_slips(clerk, case.case_uuid)
    assert [(d.department, d.department_name) for d in slips] == [
        ("education", "测试县教育局"), ("healthcare_security", "测试县医疗保障局")]
    education, medical = (assert_no_full_id(d.pdf) for d in slips)
    # from Thu 2026-02-12 across 春节: 2/13, 2/14 (make-up), 2/24–2/28, 3/2, 3/3, 3/4 (10), … 3/11 (15)
    for t, dept, cat, limit in (
            (education, "测试县教育局", "教育救助", "15个工作日（请于2026年03月11日前办结并反馈）"),
            (medical, "测试县医疗保障局", "医疗救助", "10个工作日（请于2026年03月04日前办结并反馈）")):
        for s in ["社会救助事项转办单", dept, cat, case.case_number_display, "2026年02月12日", limit]:
            assert squash(s) in t, s
    assert "测试县医疗保障局" not in education
    again = documents.print_referral_slips(clerk, case.case_uuid)
    assert [(d.copy_no, d.is_copy) for d in again] == [(2, True), (2, True)]
    assert all("副本" in text(d.pdf) for d in again)


def test_no_referral_slip_for_categories_the_township_carries(clerk):
    """低保 (初审 here, 审核确认 by the county) is never referred: no slip, and a clear refusal."""
    dibao = submit(clerk, at(date(2026, 2, 12)), cats=(Category.DIBAO, Category.TEKUN))
    for preview in (True, False):
        with pytest.raises(DocumentRefused) as err:
            documents.print_referral_slips(clerk, dibao.case_uuid, preview=preview)
        assert err.value.message == ("该申请的最低生活保障、特困人员救助供养由乡镇初审、县级审核确认，不转办，"
                                     "没有转办单可打印。")
    assert not [r for r in _records(clerk, dibao.case_uuid) if r.series.startswith("referral_slip")]
    # 低保 + 医疗: the 医保局 slip only, numbered as the case's first
    mixed = submit(clerk, at(date(2026, 2, 12)), cats=(Category.DIBAO, Category.MEDICAL))
    (slip,) = documents.print_referral_slips(clerk, mixed.case_uuid)
    assert (slip.department, slip.department_name) == ("healthcare_security", "测试县医疗保障局")
    t = text(slip.pdf)
    assert squash("医疗救助") in t and squash("最低生活保障") not in t and "民政局" not in t
    assert squash(f"ZB-{mixed.case_number_display}-01") in t
    with pytest.raises(DocumentRefused, match="没有所选部门"):
        documents.print_referral_slips(clerk, mixed.case_uuid, department="civil_affairs")


def test_referral_slip_beyond_the_calendar(clerk):
    case = submit(clerk, at(date(2026, 12, 28)), cats=(Category.MEDICAL,))
    (slip,) = documents.print_referral_slips(clerk, case.case_uuid)
    # 12-29…12-31, 元旦 off, 01-04…01-08, 01-11, 01-12
    assert squash("10个工作日（请于2027年01月12日（暂定）前办结并反馈；"
                  "2027年节假日安排尚未发布，日期按法定节假日暂定，以正式安排为准）") in text(slip.pdf)


def test_assistant_cannot_print_referral_slips(users, clerk):
    case = submit(clerk, at(date(2026, 2, 12)))
    assistant = _as(users, "assistant")
    try:
        with pytest.raises(PermissionDenied):
            documents.print_referral_slips(assistant, case.case_uuid)
    finally:
        assistant.close()


def test_glyph_warnings_name_the_unprintable_characters():
    assert documents.glyph_warnings(["张𠮷祥", "李堃", "王喆"]) == []
    (warning,) = documents.glyph_warnings(["张𠮷祥", "王\U000f0000明", "王\U000f0000明"])
    assert "U+F0000" in warning and "无法打印" in warning
