"""forms.documents: every printed document, read back from the PDF.

Text is extracted with pypdf (content order; pdfplumber for character sizes) and compared with whitespace removed (line
wrapping inserts newlines anywhere in Chinese text); the expected strings are
otherwise exact.  Dates print as 2026年02月27日.
"""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date, datetime

import pdfplumber
import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from forms.documents._common import FullIdNumberError, contains_full_id
from forms.documents.authorization import (
    AUTH_TEXT,
    ROLE_MEMBER,
    ROLE_SUPPORTER,
    AuthorizationData,
    AuthorizationPerson,
    render_authorization,
)
from forms.documents.missing_documents import (
    FAILSAFE_STATEMENT,
    ONE_TIME_STATEMENT,
    MissingDocumentsData,
    MissingItem,
    render_missing_documents,
)
from forms.documents.receipt import ReceiptData, render_receipt_a4, render_receipt_roll80
from forms.documents.referral_slip import ReferralSlipData, render_referral_slip
from forms.documents.refusal import RefusalData, render_refusal
from forms.fonts import MissingGlyphError

FULL_ID = "11010519491231002X"  # the GB 11643 test vector
MASKED = "110105********002X"
CASE = "620123-105-03-2026-000127-K"
PAYLOAD = "YM1.eyJjIjoiNjIwMTIzLTEwNS0wMy0yMDI2LTAwMDEyNy1LIn0.c2lnbmF0dXJl"
TOWNSHIP = "榆中县城关镇人民政府"


# --- helpers ---------------------------------------------------------------------


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def page_texts(pdf: bytes) -> list[str]:
    """Text per page in content-stream order (pypdf), so the lines of one
    table cell stay together, whitespace removed."""
    return [squash(p.extract_text() or "") for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def text(pdf: bytes) -> str:
    return "".join(page_texts(pdf))


def chars(pdf: bytes) -> list[dict]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [c for p in doc.pages for c in p.chars]


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def all_fonts(pdf: bytes) -> list[pypdf.generic.DictionaryObject]:
    """Every font dictionary reachable from every page (incl. form XObjects)."""
    out, seen = [], set()

    def walk(resources):
        if resources is None:
            return
        resources = resources.get_object()
        for ref in (resources.get("/Font") or {}).values():
            key = getattr(ref, "idnum", id(ref))
            if key not in seen:
                seen.add(key)
                out.append(ref.get_object())
        for xo in (resources.get("/XObject") or {}).values():
            xo = xo.get_object()
            if xo.get("/Subtype") == "/Form":
                walk(xo.get("/Resources"))

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        walk(page.get("/Resources"))
    return out


def decode_qr(pdf: bytes, page: int = 0, dpi: int = 200) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    img = doc[page].render(scale=dpi / 72).to_pil()
    return [r.text for r in zxingcpp.read_barcodes(img)]


# --- sample data -----------------------------------------------------------------------


def receipt(**kw) -> ReceiptData:
    base = ReceiptData(
        township_name=TOWNSHIP,
        window_name="社会救助一门受理窗口",
        case_number_display=CASE,
        applicant_name="张𠮷祥",
        masked_id=MASKED,
        categories=("最低生活保障", "医疗救助"),
        documents_received=("社会救助申请书", "户口簿", "居民身份证复印件", "家庭经济状况核对授权书"),
        accepted_at=datetime(2026, 1, 15, 9, 30),
        decision_deadline=date(2026, 2, 27),
        deadline_note="自受理之日起30个工作日内",
        clerk_name="王喆",
        complaint_phone="0931-5550110",
        qr_payload=PAYLOAD,
        copy_label=None,
        channel_label="窗口受理",
    )
    return dataclasses.replace(base, **kw)


def missing(**kw) -> MissingDocumentsData:
    base = MissingDocumentsData(
        township_name=TOWNSHIP,
        window_name="社会救助一门受理窗口",
        case_number_display="620123-105-03-2026-000131-R",
        applicant_name="李堃",
        masked_id=MASKED,
        categories=("最低生活保障",),
        notified_on=date(2026, 1, 16),
        items=(
            MissingItem("户口簿", "全体家庭成员的户籍登记页原件及复印件1份", "户籍所在地派出所"),
            MissingItem("诊断证明书", "二级以上医院近6个月内出具的诊断证明原件", "就诊医院医务科"),
            MissingItem("离婚证", "复印件1份（原件核对后退还）", "婚姻登记机关"),
        ),
        office_address="榆中县城关镇兴隆路18号便民服务中心一楼2号窗口",
        office_hours="周一至周五8:30—12:00，14:30—18:00",
        phone="0931-5550123",
        clerk_name="王喆",
        complaint_phone="0931-5550110",
        reply_by=date(2026, 2, 13),
    )
    return dataclasses.replace(base, **kw)


def refusal(**kw) -> RefusalData:
    base = RefusalData(
        township_name=TOWNSHIP,
        window_name="社会救助一门受理窗口",
        case_number_display="620123-105-03-2026-000140-C",
        applicant_name="赵犇",
        masked_id=MASKED,
        categories=("临时救助",),
        applied_on=date(2026, 1, 19),
        decided_on=date(2026, 1, 20),
        reason="申请人户籍不在本镇且未持有本镇居住证，应向户籍所在地乡镇提出申请。",
        reconsideration_body="榆中县人民政府",
        court="榆中县人民法院",
        complaint_phone="0931-5550110",
        clerk_name="王喆",
        legal_basis="《社会救助暂行办法》第四十九条",
    )
    return dataclasses.replace(base, **kw)


def person(i: int, role: str = ROLE_MEMBER) -> AuthorizationPerson:
    return AuthorizationPerson(f"成员{i:03d}", "亲属", f"620123********{i:04d}", role)


def authorization(**kw) -> AuthorizationData:
    base = AuthorizationData(
        township_name=TOWNSHIP,
        case_number_display=CASE,
        applicant_name="张𠮷祥",
        categories=("最低生活保障",),
        persons=(
            AuthorizationPerson("张𠮷祥", "本人", MASKED, ROLE_MEMBER),
            AuthorizationPerson("刘昇", "配偶", "620123********0483", ROLE_MEMBER),
            AuthorizationPerson("张建国", "兄", "620123********0571", ROLE_SUPPORTER),
        ),
        issued_on=date(2026, 1, 15),
        household_address="榆中县城关镇栖云村三社",
    )
    return dataclasses.replace(base, **kw)


def referral(**kw) -> ReferralSlipData:
    base = ReferralSlipData(
        township_name=TOWNSHIP,
        window_name="社会救助一门受理窗口",
        slip_number="ZB-620123105-2026-0042",
        case_number_display=CASE,
        applicant_name="张𠮷祥",
        masked_id=MASKED,
        department_name="榆中县医疗保障局",
        categories=("医疗救助",),
        referring_clerk="王喆",
        referred_on=date(2026, 1, 15),
        due_date=date(2026, 1, 29),
        working_days=10,
        contact_phone="0931-5550123",
        attachments=("申请书复印件", "诊断证明书复印件"),
    )
    return dataclasses.replace(base, **kw)


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {
        "receipt_a4": render_receipt_a4(receipt()),
        "receipt_a4_copy": render_receipt_a4(receipt(copy_label="副本")),
        "receipt_roll": render_receipt_roll80(receipt()),
        "receipt_roll_copy": render_receipt_roll80(receipt(copy_label="副本")),
        "missing": render_missing_documents(missing()),
        "refusal": render_refusal(refusal()),
        "authorization": render_authorization(authorization()),
        "referral": render_referral_slip(referral()),
        "refusal_copy": render_refusal(refusal(copy_label="副本")),
    }


# --- every document ------------------------------------------------------------------


STANDARD_14 = {"/Helvetica", "/Times-Roman", "/Courier", "/Symbol", "/ZapfDingbats"}


def test_every_font_is_embedded(rendered):
    for name, pdf in rendered.items():
        fonts = all_fonts(pdf)
        assert fonts, name
        for f in fonts:
            assert f["/BaseFont"] not in STANDARD_14, (name, f["/BaseFont"])
            if f["/Subtype"] == "/Type0":
                f = f["/DescendantFonts"][0].get_object()
            desc = f["/FontDescriptor"].get_object()
            assert "/FontFile2" in desc, (name, f["/BaseFont"])


def test_footer_title_township_on_every_page(rendered):
    for name, pdf in rendered.items():
        pages = page_texts(pdf)
        for n, t in enumerate(pages, 1):
            assert f"第{n}页共{len(pages)}页" in t, name
            assert "受理编号：" in t, name
        assert TOWNSHIP in pages[0], name


def test_type_sizes_and_black_text(rendered):
    for name, pdf in rendered.items():
        cs = chars(pdf)
        assert min(c["size"] for c in cs) >= 9 - 0.01, name
        for c in cs:
            colour = c.get("non_stroking_color")
            assert colour in (None, 0, (0,), [0], (0, 0, 0), [0, 0, 0], (0, 0, 0, 1), [0, 0, 0, 1]), (name, colour)
        if "roll" not in name:
            # A4 body text (the category field, the applicant's name) is at least 10.5 pt
            with pdfplumber.open(io.BytesIO(pdf)) as doc:
                hits = [m for p in doc.pages for pat in ("最低生活保障", "临时救助", "医疗救助")
                        for m in p.search(pat)]
            assert hits, name
            assert min(c["size"] for m in hits for c in m["chars"]) >= 10.5 - 0.01, name
    # and nothing on A4 except the footer line is below 10.5 pt
    for name in ("receipt_a4", "missing", "refusal", "authorization", "referral"):
        with pdfplumber.open(io.BytesIO(rendered[name])) as doc:
            for p in doc.pages:
                small = [c for c in p.chars if c["size"] < 10.5 - 0.01 and c["top"] < p.height - 20 * mm]
                assert not small, (name, "".join(c["text"] for c in small)[:40])


def test_deterministic_output():
    assert render_receipt_a4(receipt()) == render_receipt_a4(receipt())
    assert render_authorization(authorization()) == render_authorization(authorization())


def test_copy_mark_only_on_reprints(rendered):
    for name in ("receipt_a4", "receipt_roll", "refusal", "missing", "authorization", "referral"):
        assert "副本" not in text(rendered[name]), name
    a4 = text(rendered["receipt_a4_copy"])
    assert a4.count("副本") >= 3  # both stubs + footer
    big = [c for c in chars(rendered["receipt_a4_copy"]) if c["text"] == "副" and c["size"] >= 18]
    assert len(big) == 2  # one big mark per stub
    assert [c for c in chars(rendered["receipt_roll_copy"]) if c["text"] == "副" and c["size"] >= 18]
    assert "【副本】" in text(rendered["refusal_copy"])


# --- receipt ---------------------------------------------------------------------------


RECEIPT_STRINGS = [
    "社会救助申请受理通知书",
    TOWNSHIP,
    "社会救助一门受理窗口",
    CASE,
    "张𠮷祥",
    MASKED,
    "最低生活保障、医疗救助",
    "社会救助申请书",
    "户口簿",
    "居民身份证复印件",
    "家庭经济状况核对授权书",
    "2026年01月15日09:30",
    "自受理之日起30个工作日内，最迟于2026年02月27日作出决定",
    "2026年02月27日",
    "王喆",
    "0931-5550110",
    "窗口受理",
    "扫码核验真伪",
]


def test_receipt_a4_has_two_stubs_with_every_field(rendered):
    pdf = rendered["receipt_a4"]
    assert page_sizes(pdf) == [pytest.approx(A4)]
    t = text(pdf)
    for s in RECEIPT_STRINGS:
        assert t.count(squash(s)) >= 2, s
    assert "第一联申请人存根" in t and "第二联存档联" in t
    assert "✂沿此线剪开" in t
    # the applicant stub is above the cut line, the archive stub below it
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        top = {s: page.search(s)[0]["top"] for s in ("申请人存根", "沿此线剪开", "存档联")}
        assert top["申请人存根"] < top["沿此线剪开"] < top["存档联"]
        assert top["沿此线剪开"] == pytest.approx(page.height / 2, abs=5 * mm)


def test_receipt_a4_carries_the_seal_line_and_the_signatures_on_each_stub(rendered):
    """Like the other notices: the issuing body's （盖章） with the date, and the clerk's signature line on
    both stubs; the applicant signs the archive stub."""
    with pdfplumber.open(io.BytesIO(rendered["receipt_a4"])) as doc:
        page = doc.pages[0]
        cut = page.search("沿此线剪开")[0]["top"]
        seals = [m["top"] for m in page.search(f"{TOWNSHIP}（盖章）")]
        clerks = [m["top"] for m in page.search("经办人：王喆")]
        dates = [m["top"] for m in page.search("2026年01月15日") if m["top"] > page.search("监督电话")[0]["top"]]
        applicant = [m["top"] for m in page.search("申请人（签字）")]
    assert len(seals) == 2 and seals[0] < cut < seals[1]
    assert len(clerks) == 2 and clerks[0] < cut < clerks[1]
    assert len(dates) >= 2
    assert len(applicant) == 1 and applicant[0] > cut


def test_an_emergency_receipt_with_documents_to_follow_keeps_two_stubs_on_one_page():
    """It used to run to two pages and lose the cut line."""
    data = receipt(categories=("临时救助（急难型）",), documents_received=("社会救助申请书", "居民身份证复印件"),
                   documents_to_follow=("户口簿", "家庭经济状况核对授权书", "医疗费用票据", "诊断证明书", "收入证明",
                                        "事故证明"),
                   decision_deadline=None, deadline_open_note="具体日期待县级下发2027年节假日安排后确定")
    pdf = render_receipt_a4(data)
    assert len(page_sizes(pdf)) == 1
    t = text(pdf)
    assert "沿此线剪开" in t and t.count("6.事故证明") == 2 and t.count("（盖章）") == 2


LONG_TO_FOLLOW = ("户口簿", "家庭经济状况核对授权书", "医疗费用票据及结算单", "疾病诊断证明", "收入证明",
                  "事故证明（火灾、交通事故等）", "房屋损毁情况证明", "残疾人证", "村（居）委会出具的情况说明",
                  "家庭成员承诺书", "银行账户信息", "其他证明材料")


def test_an_emergency_receipt_with_a_long_list_to_follow_is_set_smaller_and_keeps_the_cut_line():
    """Twelve documents to follow, two categories, the phone and an open deadline: still both stubs and the
    cut line on one A4 page (smaller type), each stub with the whole list and a QR code that reads."""
    data = receipt(categories=("临时救助（急难型）", "最低生活保障"), documents_received=("社会救助申请书", "居民身份证复印件"),
                   documents_to_follow=LONG_TO_FOLLOW, contact_phone="13900000123",
                   decision_deadline=None, deadline_open_note="具体日期待县级下发2027年节假日安排后确定")
    pdf = render_receipt_a4(data)
    assert len(page_sizes(pdf)) == 1
    (page,) = page_texts(pdf)
    assert "沿此线剪开" in page and "申请人存根" in page and "存档联" in page
    assert page.count("12.其他证明材料") == 2 and page.count("（盖章）") == 2
    assert page.count("13900000123") == 2
    assert decode_qr(pdf) == [PAYLOAD, PAYLOAD]
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        p = doc.pages[0]
        top = {s: p.search(s)[0]["top"] for s in ("申请人存根", "沿此线剪开", "存档联")}
        assert top["申请人存根"] < top["沿此线剪开"] < top["存档联"]
        last = [m["top"] for m in p.search("12.其他证明材料")]
        assert last[0] < top["沿此线剪开"] < last[1]          # each stub's list ends on its side of the line


@pytest.mark.parametrize("renderer", [render_receipt_a4, render_receipt_roll80])
def test_the_receipt_prints_the_applicants_own_phone_in_full_and_nothing_for_none(renderer):
    assert squash("联系电话0931-5550123-12") in text(renderer(receipt(contact_phone="0931-5550123-12")))
    none = text(renderer(receipt(contact_phone="无")))
    assert "联系电话" not in none and "联系电话" not in text(renderer(receipt()))


def test_receipt_roll80_has_every_field_on_one_page(rendered):
    pdf = rendered["receipt_roll"]
    (w, h), = page_sizes(pdf)
    assert w == pytest.approx(80 * mm)
    assert 100 * mm < h < 297 * mm
    t = text(pdf)
    for s in RECEIPT_STRINGS:
        assert squash(s) in t, s
    assert squash(f"{TOWNSHIP}（盖章）") in t


def test_receipt_roll80_grows_with_content():
    many = tuple(f"材料{i}" for i in range(1, 41))
    pdf = render_receipt_roll80(receipt(documents_received=many))
    assert len(page_sizes(pdf)) == 1
    assert page_sizes(pdf)[0][1] > page_sizes(render_receipt_roll80(receipt()))[0][1]
    t = text(pdf)
    assert all(f"{i}.材料{i}" in t for i in range(1, 41))


def test_receipt_a4_long_content_gives_each_stub_its_own_page():
    many = tuple(f"证明材料第{i}号" for i in range(1, 61))
    pages = page_texts(render_receipt_a4(receipt(documents_received=many)))
    assert len(pages) == 2
    assert "申请人存根" in pages[0] and "存档联" not in pages[0]
    assert "存档联" in pages[1]
    for p in pages:
        assert "证明材料第60号" in p


@pytest.mark.parametrize("renderer", [render_receipt_a4, render_receipt_roll80])
def test_receipt_with_open_deadline_says_why_instead_of_a_date(renderer):
    note = "具体日期待县级下发2027年节假日安排后确定"
    t = text(renderer(receipt(decision_deadline=None, deadline_open_note=note)))
    assert squash(f"自受理之日起30个工作日内作出决定（{note}）") in t
    assert "最迟于" not in t
    generic = text(renderer(receipt(decision_deadline=None)))
    assert "自受理之日起30个工作日内作出决定（具体日期待工作日历更新后确定）" in generic


@pytest.mark.parametrize("renderer", [render_receipt_a4, render_receipt_roll80])
def test_receipt_qr_decodes_to_payload(renderer):
    pdf = renderer(receipt())
    found = decode_qr(pdf)
    assert found and all(f == PAYLOAD for f in found)
    if renderer is render_receipt_a4:
        assert len(found) == 2  # one per stub


def test_qr_with_chinese_payload():
    payload = "一门受理|" + CASE + "|签名:abc"
    assert decode_qr(render_receipt_roll80(receipt(qr_payload=payload))) == [payload]


STRING_FIELDS = [f.name for f in dataclasses.fields(ReceiptData) if f.type in ("str", "str | None")]
TUPLE_FIELDS = ["categories", "documents_received"]


@pytest.mark.parametrize("field", STRING_FIELDS + TUPLE_FIELDS)
def test_receipt_refuses_full_id_in_any_field(field):
    value = (f"附：{FULL_ID}",) if field in TUPLE_FIELDS else f"附{FULL_ID}"
    data = receipt(**{field: value})
    with pytest.raises(FullIdNumberError, match=field):
        render_receipt_a4(data)
    with pytest.raises(FullIdNumberError):
        render_receipt_roll80(data)


def test_receipt_field_list_is_complete():
    assert set(STRING_FIELDS) >= {
        "township_name", "window_name", "case_number_display", "applicant_name", "masked_id",
        "deadline_note", "clerk_name", "complaint_phone", "qr_payload", "copy_label", "channel_label",
    }


@pytest.mark.parametrize("variant", [
    FULL_ID,
    FULL_ID.lower(),
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width
    "110105 19491231 002X",  # spaced
    "110105491231002",  # old 15-digit number
    "身份证号:11010519491231002X。",
])
def test_full_id_variants_detected(variant):
    assert contains_full_id(variant)
    with pytest.raises(FullIdNumberError):
        render_receipt_roll80(receipt(masked_id=variant))


@pytest.mark.parametrize("ok", [MASKED, CASE, "0931-5550110", "13912345678", "2026年01月15日09:30",
                                "ZB-620123105-2026-0042", "X" * 30])
def test_ordinary_numbers_are_not_ids(ok):
    assert not contains_full_id(ok)


_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@settings(max_examples=150, deadline=None)
@given(
    area=st.integers(110000, 659999),
    birth=st.dates(date(1900, 1, 1), date(2026, 12, 31)),
    seq=st.integers(0, 999),
    before=st.text(alphabet="张王李省市县：， ", max_size=6),
    after=st.text(alphabet="张王李省市县：， 。", max_size=6),
)
def test_any_valid_id_embedded_in_text_is_detected(area, birth, seq, before, after):
    body = f"{area:06d}{birth:%Y%m%d}{seq:03d}"
    full = body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W, strict=True)) % 11]
    assert contains_full_id(before + full + after)


def test_unprintable_name_raises_before_printing():
    with pytest.raises(MissingGlyphError) as ei:
        render_receipt_a4(receipt(applicant_name="张😀"))
    assert ei.value.characters == ("😀",)
    assert "applicant_name" in str(ei.value)


def test_fallback_font_used_for_ext_b(rendered):
    names = {str(f["/BaseFont"]) for f in all_fonts(rendered["receipt_a4"])}
    assert any(n.endswith("+YimenFallbackHanB") for n in names), names
    plain = render_refusal(refusal())  # no rare characters
    assert not any("Fallback" in str(f["/BaseFont"]) for f in all_fonts(plain))


# --- one-time missing-documents notice -------------------------------------------------------


def test_missing_documents_notice(rendered):
    t = text(rendered["missing"])
    for s in ["社会救助申请材料一次性告知书", "620123-105-03-2026-000131-R", "李堃", MASKED, "最低生活保障",
              "2026年01月16日", "一次性告知", ONE_TIME_STATEMENT, FAILSAFE_STATEMENT,
              "请于2026年02月13日前补齐上述材料", "榆中县城关镇兴隆路18号便民服务中心一楼2号窗口",
              "周一至周五8:30—12:00，14:30—18:00", "0931-5550123", "0931-5550110",
              "经办人：王喆", "申请人（签字）", "日期："]:
        assert squash(s) in t, s
    for it in missing().items:
        assert t.count(squash(it.name)) == 1, it.name  # each missing document listed once
        assert squash(it.what_to_bring) in t
        assert squash(it.where) in t


def test_missing_documents_duplicates():
    item = MissingItem("户口簿", "原件", "派出所")
    t = text(render_missing_documents(missing(items=(item, item))))
    assert t.count("户口簿") == 1
    with pytest.raises(ValueError):
        render_missing_documents(missing(items=(item, MissingItem("户口簿", "复印件", "派出所"))))
    with pytest.raises(ValueError):
        render_missing_documents(missing(items=()))


def test_missing_documents_refuse_full_id():
    with pytest.raises(FullIdNumberError):
        render_missing_documents(missing(items=(MissingItem("身份证", f"号码{FULL_ID}", "派出所"),)))


# --- refusal -------------------------------------------------------------------------------


def test_refusal_notice(rendered):
    t = text(rendered["refusal"])
    for s in ["社会救助申请不予受理告知书", "620123-105-03-2026-000140-C", "赵犇", MASKED, "临时救助",
              "2026年01月19日", "2026年01月20日", "决定不予受理", refusal().reason,
              "依据：《社会救助暂行办法》第四十九条。",
              "可以自收到本告知书之日起60日内向榆中县人民政府申请行政复议",
              "也可以自收到本告知书之日起6个月内向榆中县人民法院提起行政诉讼",
              "监督投诉电话0931-5550110", "（盖章）", "经办人：王喆"]:
        assert squash(s) in t, s


def test_refusal_needs_reason():
    with pytest.raises(ValueError):
        render_refusal(refusal(reason="  "))


# --- authorization -------------------------------------------------------------------------


def test_authorization(rendered):
    t = text(rendered["authorization"])
    for s in ["家庭经济状况核对授权书", CASE, "最低生活保障", "榆中县城关镇栖云村三社",
              "授权民政部门及有关单位查询核对本人及家庭成员的户籍、收入、财产等信息", squash(AUTH_TEXT),
              "本人签字（按手印）", "签字日期", "2026年01月15日"]:
        assert squash(s) in t, s
    for p in authorization().persons:
        assert squash(p.name + p.relation + p.masked_id + p.role) in t, p


def test_authorization_pages_with_repeated_header():
    persons = tuple(person(i, ROLE_SUPPORTER if i % 5 == 0 else ROLE_MEMBER) for i in range(1, 41))
    pdf = render_authorization(authorization(persons=persons))
    pages = page_texts(pdf)
    assert len(pages) >= 3
    for n, p in enumerate(pages, 1):
        if "成员0" in p:  # every page with rows of the table repeats its header
            assert "序号姓名与申请人关系身份证号身份本人签字（按手印）签字日期" in p, n
        assert f"第{n}页共{len(pages)}页" in p
    assert sum("成员0" in p for p in pages) >= 3
    t = "".join(pages)
    for p in persons:
        assert t.count(p.name) == 1
        assert p.masked_id in t


def test_authorization_needs_a_signer():
    with pytest.raises(ValueError):
        render_authorization(authorization(persons=()))


# --- referral slip -------------------------------------------------------------------------


def test_referral_slip(rendered):
    pdf = rendered["referral"]
    assert len(page_sizes(pdf)) == 1
    t = text(pdf)
    for s in ["社会救助事项转办单", "转办单号：ZB-620123105-2026-0042", CASE, "张𠮷祥", MASKED,
              "榆中县医疗保障局", "医疗救助", "王喆", "2026年01月15日",
              "10个工作日（请于2026年01月29日前办结并反馈）", "1.申请书复印件；2.诊断证明书复印件",
              "0931-5550123", "转办回执", "接收人签字", "接收日期", "办理结果", "办结日期",
              "✂沿此线剪开"]:
        assert squash(s) in t, s


def test_referral_slip_with_open_due_date():
    note = "具体日期待县级下发2027年节假日安排后确定"
    t = text(render_referral_slip(referral(due_date=None, due_open_note=note)))
    assert squash(f"10个工作日（{note}），请按期办结并反馈") in t
    assert "前办结并反馈" not in t


def test_referral_slip_checks():
    with pytest.raises(ValueError):
        render_referral_slip(referral(due_date=date(2026, 1, 1)))
    with pytest.raises(ValueError):
        render_referral_slip(referral(working_days=0))
    with pytest.raises(FullIdNumberError):
        render_referral_slip(referral(masked_id=FULL_ID))
