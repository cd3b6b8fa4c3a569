"""Render every printed document with FAKE data into docs/samples/.

    .venv/bin/python docs/samples/make_samples.py

Writes ``*.pdf`` and, when ``pdftoppm`` (Debian ``poppler-utils``) is
installed, small ``*-N.png`` previews at 60 dpi.  All names, numbers and
phone numbers are invented; the masked ID numbers are masks of invented,
checksum-valid numbers (first 6 + last 4 shown).
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from desktop.domain.case_number import format_case_number, make_case_number  # noqa: E402
from desktop.services.documents.qr import receipt_payload, signed_receipt_payload  # noqa: E402
from forms.documents.authorization import (  # noqa: E402
    ROLE_MEMBER,
    ROLE_SUPPORTER,
    AuthorizationData,
    AuthorizationPerson,
    render_authorization,
)
from forms.documents.missing_documents import (  # noqa: E402
    MissingDocumentsData,
    MissingItem,
    render_missing_documents,
)
from forms.documents.receipt import ReceiptData, render_receipt_a4, render_receipt_roll80  # noqa: E402
from forms.documents.referral_slip import ReferralSlipData, render_referral_slip  # noqa: E402
from forms.documents.refusal import RefusalData, render_refusal  # noqa: E402

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def fake_masked_id(area: str, birth: str, seq: str) -> str:
    """Mask (first 6 + last 4) of an invented but checksum-valid ID number."""
    body = area + birth + seq
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _W, strict=True)) % 11]
    full = body + check
    return full[:6] + "*" * 8 + full[-4:]


TOWNSHIP = "榆中县城关镇人民政府"
WINDOW = "社会救助一门受理窗口"
CASE = format_case_number(make_case_number("620123105", "003", 2026, 127))
_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))   # a fixed sample key, not a device's
_MSG = receipt_payload(CASE, datetime(2026, 1, 15, 1, 30, tzinfo=UTC), "003")
QR_PAYLOAD = signed_receipt_payload(_MSG, _KEY.sign(_MSG.encode()))
APPLICANT = "张𠮷祥"
APPLICANT_ID = fake_masked_id("620123", "19680412", "031")
PHONE = "0931-5550123"
APPLICANT_PHONE = "13900000123"
COMPLAINT = "0931-5550110"
CLERK = "王喆"


def receipt(copy_label: str | None = None) -> ReceiptData:
    return ReceiptData(
        township_name=TOWNSHIP,
        window_name=WINDOW,
        case_number_display=CASE,
        applicant_name=APPLICANT,
        masked_id=APPLICANT_ID,
        categories=("最低生活保障", "医疗救助"),
        documents_received=(
            "社会救助申请书",
            "户口簿（原件已核，复印件1份）",
            "全体家庭成员居民身份证复印件",
            "家庭经济状况核对授权书",
            "家庭收入和财产申报表及承诺书",
            "残疾人证复印件",
            "诊断证明书",
        ),
        accepted_at=datetime(2026, 1, 15, 9, 30),
        decision_deadline=date(2026, 2, 27),
        deadline_note="自受理之日起30个工作日内",
        clerk_name=CLERK,
        complaint_phone=COMPLAINT,
        qr_payload=QR_PAYLOAD,
        copy_label=copy_label,
        channel_label="窗口受理",
        contact_phone=APPLICANT_PHONE,
    )


def missing() -> MissingDocumentsData:
    return MissingDocumentsData(
        township_name=TOWNSHIP,
        window_name=WINDOW,
        case_number_display=format_case_number(make_case_number("620123105", "003", 2026, 131)),
        applicant_name="李堃",
        masked_id=fake_masked_id("620123", "19751103", "052"),
        categories=("最低生活保障",),
        notified_on=date(2026, 1, 16),
        items=(
            MissingItem("户口簿", "全体家庭成员户口簿原件及复印件1份", "本人持有；遗失的到户籍所在地派出所补办"),
            MissingItem("家庭经济状况核对授权书", "全体成年家庭成员和法定赡养义务人本人签字（按手印）",
                        "本窗口领取，签字后交回"),
            MissingItem("诊断证明书", "二级以上医院近6个月内出具的诊断证明原件", "就诊医院医务科"),
            MissingItem("离婚证或离婚协议", "复印件1份（原件核对后退还）", "本人持有或婚姻登记机关"),
        ),
        office_address="榆中县城关镇兴隆路18号 镇便民服务中心一楼2号窗口",
        office_hours="周一至周五 上午8:30—12:00，下午14:30—18:00（法定节假日除外）",
        phone=PHONE,
        clerk_name=CLERK,
        complaint_phone=COMPLAINT,
        reply_by=date(2026, 2, 13),
    )


def refusal() -> RefusalData:
    return RefusalData(
        township_name=TOWNSHIP,
        window_name=WINDOW,
        case_number_display=format_case_number(make_case_number("620123105", "003", 2026, 140)),
        applicant_name="赵犇",
        masked_id=fake_masked_id("620123", "19900218", "117"),
        categories=("临时救助",),
        applied_on=date(2026, 1, 19),
        decided_on=date(2026, 1, 19),
        reason="申请人户籍不在本镇且未持有本镇居住证，按规定应向户籍所在地乡镇（街道）提出申请。"
        "本窗口已告知其户籍所在地乡镇的受理地址和电话。",
        legal_basis="《社会救助暂行办法》第四十九条及本县临时救助实施细则第八条",
        reconsideration_body="榆中县人民政府",
        court="榆中县人民法院",
        complaint_phone=COMPLAINT,
        clerk_name=CLERK,
    )


def authorization() -> AuthorizationData:
    persons = (
        AuthorizationPerson(APPLICANT, "本人", APPLICANT_ID, ROLE_MEMBER),
        AuthorizationPerson("刘昇", "配偶", fake_masked_id("620123", "19700921", "048"), ROLE_MEMBER),
        AuthorizationPerson("张敏", "长女", fake_masked_id("620123", "19930607", "026"), ROLE_MEMBER),
        AuthorizationPerson("张𠀾强", "长子", fake_masked_id("620123", "19960130", "013"), ROLE_MEMBER),
        AuthorizationPerson("张桂兰", "母亲", fake_masked_id("620123", "19440815", "022"), ROLE_MEMBER),
        AuthorizationPerson("张建国", "兄", fake_masked_id("620123", "19630302", "057"), ROLE_SUPPORTER),
        AuthorizationPerson("张建华", "弟", fake_masked_id("620102", "19711119", "035"), ROLE_SUPPORTER),
        AuthorizationPerson("陈玉芬", "次女（已出嫁）", fake_masked_id("620111", "19980423", "064"), ROLE_SUPPORTER),
    )
    return AuthorizationData(
        township_name=TOWNSHIP,
        case_number_display=CASE,
        applicant_name=APPLICANT,
        categories=("最低生活保障", "医疗救助"),
        persons=persons,
        issued_on=date(2026, 1, 15),
        household_address="榆中县城关镇栖云村三社",
    )


def referral() -> ReferralSlipData:
    return ReferralSlipData(
        township_name=TOWNSHIP,
        window_name=WINDOW,
        slip_number="ZB-620123105-2026-0042",
        case_number_display=CASE,
        applicant_name=APPLICANT,
        masked_id=APPLICANT_ID,
        department_name="榆中县医疗保障局",
        categories=("医疗救助",),
        referring_clerk=CLERK,
        referred_on=date(2026, 1, 15),
        due_date=date(2026, 1, 29),
        working_days=10,
        contact_phone=PHONE,
        attachments=("社会救助申请书复印件", "诊断证明书复印件", "住院费用清单复印件"),
        note="申请人系重度残疾，请优先办理。",
    )


def receipt_open_deadline() -> ReceiptData:
    """Accepted late in a year whose successor's holidays are not announced yet: no date is guessed."""
    return dataclasses.replace(
        receipt(), accepted_at=datetime(2026, 12, 21, 10, 5), decision_deadline=None,
        deadline_open_note="具体日期待县级下发2027年节假日安排后确定",
    )


SAMPLES = {
    "receipt-a4": lambda: render_receipt_a4(receipt()),
    "receipt-a4-copy": lambda: render_receipt_a4(receipt("副本")),
    "receipt-roll80": lambda: render_receipt_roll80(receipt()),
    "receipt-roll80-copy": lambda: render_receipt_roll80(receipt("副本")),
    "receipt-roll80-open-deadline": lambda: render_receipt_roll80(receipt_open_deadline()),
    "missing-documents": lambda: render_missing_documents(missing()),
    "refusal": lambda: render_refusal(refusal()),
    "authorization": lambda: render_authorization(authorization()),
    "referral-slip": lambda: render_referral_slip(referral()),
}


def main() -> int:
    pdftoppm = shutil.which("pdftoppm")
    for old in HERE.glob("*.png"):
        old.unlink()
    for name, render in SAMPLES.items():
        pdf = HERE / f"{name}.pdf"
        pdf.write_bytes(render())
        if pdftoppm:
            subprocess.run([pdftoppm, "-r", "60", "-png", str(pdf), str(HERE / name)], check=True)
        print(f"wrote {pdf.relative_to(HERE.parents[1])}")
    if not pdftoppm:
        print("pdftoppm not found (apt-get install poppler-utils): PNG previews skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
