"""The intake wizard's service helpers: ID preview, amounts, form validation, checklist, households, printing."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import FAST_KDF
from factories import EAST_VILLAGE, HEAD, WIFE, make_id
from sqlalchemy import func, select

from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.household import Channel, Relation
from desktop.domain.roles import PermissionDenied, Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.documents.issue import DocumentKind
from desktop.services.errors import InvalidInput, NotFound
from desktop.services.intake import accept as intake
from desktop.services.intake import form as intake_form
from desktop.services.intake import search
from desktop.services.intake.form import ChecklistItem, HouseholdForm, IdState, MemberForm, RequestForm
from desktop.store.models import AuditEvent, Case

TODAY = date(2026, 11, 24)
VILLAGE = "620102101201"


@pytest.fixture
def clerk(admin_session):
    auth.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    s = sign_in(admin_session.db.data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    yield s
    s.close()


@pytest.fixture
def assistant(admin_session):
    auth.add_user(admin_session, "assist", "马春花", Role.VILLAGE_ASSISTANT, "assist-pass-1",
                  villages=[EAST_VILLAGE])
    s = sign_in(admin_session.db.data_dir, "assist", "assist-pass-1", kdf=FAST_KDF)
    yield s
    s.close()


def _household(**changes) -> HouseholdForm:
    head = MemberForm(name="张三明", id_number=HEAD, relation="self", monthly_income="300.50")
    wife = MemberForm(name="李桂兰", id_number=WIFE, relation="spouse")
    base = dict(division_code=VILLAGE, hukou_type="rural", address="东坪村三组12号", members=(head, wife))
    base.update(changes)
    return HouseholdForm(**base)


def _request(**changes) -> RequestForm:
    base = dict(categories=("dibao",), reason="主要劳动力患病", applicant_id_number=HEAD, channel="walk_in",
                staff_relative_declared=False, contact_phone="139 0000 0123")
    base.update(changes)
    return RequestForm(**base)


# ----- ID preview and amounts --------------------------------------------------------------------

@pytest.mark.parametrize("text, state, message", [
    ("", IdState.EMPTY, ""),
    ("6201021970", IdState.PARTIAL, "已输入10位"),
    ("62010219700101001", IdState.PARTIAL, "已输入17位"),
    ("62010a", IdState.INVALID, "只能由数字组成"),
    ("6201021970X", IdState.INVALID, "X只能是"),
    (HEAD[:17] + ("1" if HEAD[17] != "1" else "2"), IdState.INVALID, "校验位不正确"),
    (make_id("62010219900230001"), IdState.INVALID, "出生日期不存在"),
    (HEAD + "1", IdState.INVALID, "应为18位"),
])
def test_id_preview_problems(text, state, message):
    p = intake_form.id_preview(text, today=TODAY)
    assert p.state is state and message in p.message and not p.valid


def test_id_preview_fills_birth_date_sex_and_age():
    p = intake_form.id_preview(" " + HEAD.lower() + " ", today=TODAY)
    assert p.valid and p.birth_date == date(1970, 1, 1) and p.sex_label == "男" and p.age == 56
    assert p.canonical == HEAD and HEAD not in repr(p)
    w = intake_form.id_preview("１１０１０５１９４９１２３１００２ｘ", today=TODAY)   # full-width, lower-case x
    assert w.valid and w.sex_label == "女" and w.canonical == "11010519491231002X"


def test_id_preview_converts_old_15_digit_numbers():
    p = intake_form.id_preview("110105491231002", today=TODAY)
    assert p.valid and p.converted_from_15 and p.canonical == "11010519491231002X" and "15位" in p.message


@pytest.mark.parametrize("text, cents", [("", 0), ("0", 0), ("850", 85000), ("1,250.5", 125050), ("１２５０元", 125000),
                                         ("12.34", 1234), (" 7.05 ", 705), ("+3", 300)])
def test_parse_income(text, cents):
    assert intake_form.parse_income(text) == cents


@pytest.mark.parametrize("text, message", [("-5", "不能为负数"), ("abc", "请填写数字"), ("1.234", "两位小数"),
                                           ("1e5", "请填写数字"), ("100000001", "过大")])
def test_parse_income_refuses(text, message):
    with pytest.raises(InvalidInput) as exc:
        intake_form.parse_income(text)
    assert message in exc.value.message and exc.value.field == "monthly_income_cents"


def test_format_cents():
    assert [intake_form.format_cents(c) for c in (0, 5, 125050)] == ["0.00", "0.05", "1250.50"]


def test_every_enum_has_chinese_options():
    assert [o.label for o in intake_form.CHANNELS] == ["本人申请", "村（居）委会代为申请（委托）", "主动发现"]
    assert len(intake_form.CATEGORIES) == len(Category) and intake_form.CATEGORIES[0].label == "最低生活保障"
    assert intake_form.RELATIONS[0].code == "self" and intake_form.RELATIONS[0].label == "户主"
    for options in (intake_form.HUKOU_TYPES, intake_form.HEALTH, intake_form.DISABILITY_CATEGORIES,
                    intake_form.DISABILITY_GRADES, intake_form.LABOUR_CAPACITIES, intake_form.EMPLOYMENTS):
        assert options and all(o.label and not o.label.isascii() for o in options)
    assert len(intake_form.ETHNICITIES) == 58 and intake_form.ETHNICITIES[0] == "汉族"
    assert intake_form.default_channel(Role.VILLAGE_ASSISTANT) == Channel.ON_BEHALF.value
    assert intake_form.default_channel(Role.CLERK) == Channel.WALK_IN.value


# ----- form validation ---------------------------------------------------------------------------

@pytest.mark.parametrize("member, field, message", [
    (MemberForm(id_number=HEAD, relation="self"), "name", "姓名不能为空"),
    (MemberForm(name="张3", id_number=HEAD, relation="self"), "name", "姓名中不能含有数字"),
    (MemberForm(name="张三", id_number="123", relation="self"), "id_number", "应为18位"),
    (MemberForm(name="张三", id_number=HEAD, relation=""), "relation", "请选择与户主关系"),
    (MemberForm(name="张三", id_number=HEAD, relation="self", monthly_income="-1"), "monthly_income_cents", "负数"),
    (MemberForm(name="张三", id_number=HEAD, relation="self", disability_grade="2"), "disability_category", "残疾类别"),
    (MemberForm(name="张三", id_number=HEAD, relation="self", disability_category="visual"), "disability_grade",
     "残疾等级"),
    (MemberForm(name="张三", id_number=HEAD, relation="daughter"), "relation", "性别为男"),
    (MemberForm(name="张三", id_number=HEAD, relation="self", health="bogus"), "health", "请选择健康状况"),
])
def test_member_violations(member, field, message):
    found = intake_form.member_violations(member, TODAY)
    assert any(v.field == field and message in v.message for v in found), found
    assert not any(v.message.startswith("成员") for v in found)      # next to the member's own field


def test_valid_member_has_no_violations():
    assert intake_form.member_violations(_household().members[0], TODAY) == []


def test_household_violations_name_the_member_and_the_field():
    assert intake_form.household_violations(_household(), TODAY) == []
    bad = _household(division_code="", address=" ", members=(
        MemberForm(name="张三明", id_number=HEAD, relation="spouse"),
        MemberForm(name="李桂兰", id_number=HEAD, relation="spouse", monthly_income="x")))
    found = {(v.field, v.message) for v in intake_form.household_violations(bad, TODAY)}
    fields = {f for f, _m in found}
    assert {"division_code", "address", "members", "members[0].id_number", "members[1].monthly_income_cents"} <= fields
    assert ("division_code", "请选择所在村（社区）") in found
    assert any(f == "members[1].monthly_income_cents" and m.startswith("成员“李桂兰”") for f, m in found)
    assert any("请登记户主" in m for f, m in found if f == "members")
    assert intake_form.plain_message("成员“李桂兰”：月收入不能为负数") == "月收入不能为负数"


def test_request_violations():
    hh = _household()
    assert intake_form.request_violations(hh, _request(), TODAY) == []
    cases = [
        (_request(categories=()), "categories", "请至少选择一个救助类别"),
        (_request(reason="  "), "reason", "请填写申请理由"),
        (_request(applicant_id_number=""), "applicant_id_number", "申请人"),
        (_request(applicant_id_number=make_id("62010219800101001")), "applicant_id_number", "本户家庭成员"),
        (_request(channel=""), "channel", "请选择申请方式"),
        (_request(staff_relative_declared=None), "staff_relative", "请询问并选择"),
        (_request(staff_relative_declared=True), "staff_relative", "请在“家庭与成员”中勾选"),
        (_request(contact_phone=""), "contact_phone", "没有电话时填“无”"),
        (_request(contact_phone="1390000012"), "contact_phone", "手机号码应为11位"),
        (_request(contact_phone="5550123"), "contact_phone", "带区号的固定电话"),
    ]
    for form, field, message in cases:
        found = intake_form.request_violations(hh, form, TODAY)
        assert any(v.field == field and message in v.message for v in found), (field, found)
    flagged = _household(members=(MemberForm(name="张三明", id_number=HEAD, relation="self", staff_relative=True),))
    assert intake_form.separate_filing(flagged)
    assert intake_form.request_violations(flagged, _request(staff_relative_declared=True), TODAY) == []
    assert any(v.field == "staff_relative" for v in intake_form.request_violations(flagged, _request(), TODAY))


def test_emergency_follows_the_category():
    assert intake_form.is_emergency(["temp_emergency", "dibao"]) and not intake_form.is_emergency(["temp_expense"])


ITEMS = [ChecklistItem("application_form", "申请书", ""), ChecklistItem("disability_certificate", "残疾人证", "", True)]


def test_document_violations():
    assert [v.field for v in intake_form.document_violations(ITEMS, {})] == [
        "documents.application_form", "documents.disability_certificate"]
    assert "已收到、缺少还是不适用" in intake_form.document_violations(ITEMS, {})[1].message
    assert intake_form.document_violations(ITEMS, {"application_form": "received",
                                                   "disability_certificate": "not_applicable"}) == []
    only_required = intake_form.document_violations(ITEMS, {"application_form": "not_applicable",
                                                            "disability_certificate": "missing"})
    assert [v.field for v in only_required] == ["documents.application_form"]


def test_build_application():
    app = intake_form.build_application(
        _household(), _request(categories=("temp_emergency",)), ITEMS,
        {"application_form": "received", "disability_certificate": "not_applicable"}, TODAY)
    assert app.categories == (Category.TEMP_EMERGENCY,) and app.emergency
    assert app.household.members[0].monthly_income_cents == 30050
    assert app.household.members[1].relation is Relation.SPOUSE
    assert app.documents_received == ("application_form",) and app.documents_missing == ()
    assert app.contact_phone == "13900000123"                     # the stored form
    no_phone = intake_form.build_application(_household(), _request(contact_phone=" 无 "), ITEMS,
                                             {"application_form": "received", "disability_certificate": "not_applicable"}, TODAY)
    assert no_phone.contact_phone == "无"                          # asked, has none: said so, not left empty
    with pytest.raises(InvalidInput) as exc:
        intake_form.build_application(_household(address=""), _request(reason=""), ITEMS, {}, TODAY)
    assert exc.value.field == "address" and "另有" in exc.value.message


# ----- database helpers ---------------------------------------------------------------------------

def test_villages_and_checklist(clerk):
    assert [(v.code, v.label) for v in intake_form.villages(clerk)] == [
        ("620102101201", "东坪村"), ("620102101202", "西沟村")]
    items = intake_form.checklist(clerk, VILLAGE, ["dibao", "medical"], TODAY)
    codes = [i.code for i in items]
    assert codes[0] == "application_form" and len(codes) == len(set(codes))
    assert any(i.conditional for i in items) and any(i.note for i in items)
    assert intake_form.checklist(clerk, VILLAGE, [], TODAY) == []
    with pytest.raises(InvalidInput):
        intake_form.checklist(clerk, VILLAGE, ["nonsense"], TODAY)


def test_glyph_warnings_pass_through():
    assert intake_form.glyph_warnings(["张三明", " "]) == []
    assert "U+9FFF" in intake_form.glyph_warnings(["张\u9fff明"])[0]


def _submit(session, outcome="accept", reason=""):
    hh, req = _household(), _request()
    items = intake_form.checklist(session, VILLAGE, list(req.categories))
    marks = {i.code: ("missing" if outcome == "missing_documents" and n == 0 else "received")
             for n, i in enumerate(items)}
    app = intake_form.build_application(hh, req, items, marks, session.clock.today())
    return intake.submit_application(session, app, outcome, refusal_reason=reason)


def test_load_household_for_a_clerk_is_full_and_audited(clerk):
    _submit(clerk)
    found = search.search(clerk, "张三明").households[0]
    draft = intake_form.load_household(clerk, found.household_uuid)
    assert not draft.id_numbers_hidden and draft.form.division_code == VILLAGE
    assert [m.id_number for m in draft.form.members] == [HEAD, WIFE]
    assert draft.form.members[0].monthly_income == "300.50" and draft.form.members[0].relation == "self"
    with clerk.db.read() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "household_opened_for_intake")).all()
    assert len(events) == 1 and events[0].entity_id == found.household_uuid and HEAD not in events[0].detail
    with pytest.raises(NotFound):
        intake_form.load_household(clerk, "no-such-household")


def test_load_household_hides_full_numbers_from_village_assistants(clerk, assistant):
    _submit(clerk)
    found = search.search(assistant, "张三明").households[0]
    draft = intake_form.load_household(assistant, found.household_uuid)
    assert draft.id_numbers_hidden
    assert [m.id_number for m in draft.form.members] == ["", ""]
    assert draft.form.members[0].id_hint.endswith(HEAD[-4:]) and HEAD not in draft.form.members[0].id_hint


def test_the_phone_is_stored_and_prefilled_from_the_applicants_last_application(clerk, assistant):
    assert intake_form.last_contact_phone(clerk, HEAD) == intake_form.KnownPhone()   # never applied
    result = _submit(clerk)
    with clerk.db.read() as s:
        assert s.get(Case, result.case_uuid).contact_phone == "13900000123"
    assert intake_form.last_contact_phone(clerk, HEAD).text == "13900000123"
    assert intake_form.last_contact_phone(clerk, WIFE) == intake_form.KnownPhone()   # not the applicant
    hidden = intake_form.last_contact_phone(assistant, HEAD)       # may not see full records: asked, not filled
    assert hidden.text == "" and hidden.masked == "139****0123"


def test_a_bad_phone_is_refused_by_the_service_and_nothing_is_written(clerk):
    from desktop.domain.household import Application
    items = intake_form.checklist(clerk, VILLAGE, ["dibao"])
    app = intake_form.build_application(_household(), _request(), items, {i.code: "received" for i in items}, TODAY)
    bad = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=app.documents_received, contact_phone="12345")
    with clerk.db.read() as s:
        before = s.scalar(select(func.count()).select_from(Case))
    with pytest.raises(InvalidInput) as exc:
        intake.submit_application(clerk, bad, "accept")
    assert exc.value.field == "contact_phone" and "手机号码应为11位" in exc.value.message
    with clerk.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == before


@pytest.mark.parametrize("outcome, reason, kind, status", [
    ("accept", "", DocumentKind.RECEIPT_A4, CaseStatus.ACCEPTED),
    ("missing_documents", "", DocumentKind.MISSING_DOCUMENTS, CaseStatus.PENDING_DOCUMENTS),
    ("refuse", "户籍不在本乡镇", DocumentKind.REFUSAL, CaseStatus.NOT_ACCEPTED),
])
def test_print_intake_document_picks_the_document(clerk, outcome, reason, kind, status):
    result = _submit(clerk, outcome, reason)
    assert result.status is status
    doc = intake_form.print_intake_document(clerk, result.case_uuid, result.status, "a4")
    assert doc.kind is kind and doc.pdf.startswith(b"%PDF") and not doc.is_copy


def test_helpers_check_the_role(admin_session):
    with pytest.raises(PermissionDenied):
        intake_form.villages(admin_session)
    with pytest.raises(PermissionDenied):
        intake_form.checklist(admin_session, VILLAGE, ["dibao"])
